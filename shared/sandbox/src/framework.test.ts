import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeHttpError, type OpenApiFake, type OpenApiFakeOptions, startOpenApiFake } from './server.ts';
import { loadSpec, type OpenApiDocument, trimSpec } from './spec.ts';
import { oneOfToAnyOfWhereBranch, rewriteNullableForAjv } from './spec-cleanups.ts';

/** A small upstream: enough of OpenAPI 3.0 to exercise every check the framework makes. */
const petsSpec: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'pets', version: '1' },
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } }],
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } } },
          },
        },
      },
      post: {
        operationId: 'createPet',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } },
        },
        responses: {
          '201': {
            description: 'created',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
          },
          '422': { $ref: '#/components/responses/Invalid' },
        },
      },
    },
    '/pets/{petId}': {
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'integer' } }],
      get: {
        operationId: 'getPet',
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
          },
          '404': { $ref: '#/components/responses/Invalid' },
        },
      },
    },
  },
  components: {
    schemas: {
      Pet: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: { type: 'integer' },
          name: { type: 'string' },
          owner: { nullable: true, allOf: [{ $ref: '#/components/schemas/Owner' }] },
          status: { type: 'string', nullable: true, enum: ['available', 'sold'] },
        },
      },
      NewPet: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
      Owner: { type: 'object', required: ['login'], properties: { login: { type: 'string' } } },
      Error: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
      Unused: { type: 'object' },
    },
    responses: {
      Invalid: {
        description: 'error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  },
};

const cleanPets = structuredClone(petsSpec);
rewriteNullableForAjv(cleanPets);

const pets = [{ id: 1, name: 'Rex', owner: null, status: null }];

function petsFake(overrides: Partial<OpenApiFakeOptions> = {}): Promise<OpenApiFake> {
  return startOpenApiFake({
    name: 'pets',
    spec: cleanPets,
    operations: {
      listPets: { route: 'GET /pets', handle: () => ({ status: 200, body: pets }) },
      createPet: {
        route: 'POST /pets',
        handle: ({ request }) => ({ status: 201, body: { id: 2, ...(request.body as object) } }),
      },
      getPet: {
        route: 'GET /pets/{petId}',
        handle: ({ request }) => {
          const pet = pets.find((p) => p.id === Number(request.params.petId));
          if (!pet) throw new FakeHttpError(404, { message: 'no such pet' });
          return { status: 200, body: pet };
        },
      },
    },
    errorBody: (status, message) => ({ message: message ?? `status ${status}` }),
    errorSchemaRef: '#/components/schemas/Error',
    ...overrides,
  });
}

const started: OpenApiFake[] = [];
async function start(overrides: Partial<OpenApiFakeOptions> = {}): Promise<OpenApiFake> {
  const fake = await petsFake(overrides);
  started.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

async function call(fake: OpenApiFake, method: string, path: string, body?: unknown) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('startOpenApiFake', () => {
  it('routes by operation and records what the client sent, without credentials', async () => {
    const fake = await start();
    expect(await call(fake, 'GET', '/pets/1')).toMatchObject({ status: 200, body: { name: 'Rex' } });
    expect(await call(fake, 'POST', '/pets', { name: 'Tom' })).toMatchObject({
      status: 201,
      body: { id: 2, name: 'Tom' },
    });
    expect(fake.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/pets/1', operationId: 'getPet', body: undefined }),
      expect.objectContaining({ method: 'POST', path: '/pets', operationId: 'createPet', body: { name: 'Tom' } }),
    ]);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
    assertNoViolations(fake);
  });

  it('answers 400 and records a violation for a request the spec does not allow', async () => {
    const fake = await start();
    const bad = await call(fake, 'POST', '/pets', { name: 7 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(
      'fake: request violates the published spec: createPet: request.body /name must be string',
    );
    expect((await call(fake, 'GET', '/pets?limit=500')).status).toBe(400);
    expect((await call(fake, 'GET', '/pets/abc')).status).toBe(400);
    expect((await call(fake, 'POST', '/pets')).status).toBe(400);
    expect(fake.violations.map((v) => `${v.operationId} ${v.where} ${v.message}`)).toEqual([
      'createPet request.body /name must be string',
      'listPets request.query /limit must be <= 100',
      'getPet request.path /petId must be integer',
      'createPet request.body a request body is required',
    ]);
    expect(() => assertNoViolations(fake)).toThrow(/request.body \/name must be string/);
    expect(fake.violations).toEqual([]);
  });

  it('answers 500 and records a violation when a handler answers what the spec does not allow', async () => {
    const fake = await start({
      operations: {
        getPet: { route: 'GET /pets/{petId}', handle: () => ({ status: 200, body: { id: '1' } }) },
        listPets: { route: 'GET /pets', handle: () => ({ status: 204 }) },
      },
    });
    const bad = await call(fake, 'GET', '/pets/1');
    expect(bad.status).toBe(500);
    expect(bad.body.message).toMatch(/^fake bug: response violates spec getPet: response.body/);
    expect((await call(fake, 'GET', '/pets')).status).toBe(500);
    expect(fake.violations.map((v) => `${v.where} ${v.message}`)).toEqual([
      "response.body (root) must have required property 'name'",
      'response.body /id must be integer',
      'response.status status 204 is not documented for this operation',
    ]);
    fake.reset();
  });

  it('checks errors the spec does not list for an operation against the generic error schema', async () => {
    const fake = await start({
      authenticate: (request) =>
        request.headers.authorization === 'Bearer secret' ? undefined : { status: 401, body: { detail: 'no' } },
    });
    expect((await call(fake, 'GET', '/pets/9')).status).toBe(404);
    expect(fake.violations).toEqual([]);
    const anonymous = await fetch(`${fake.url}/pets`);
    expect(anonymous.status).toBe(500);
    expect(fake.violations.map((v) => v.message)).toEqual(["(root) must have required property 'message'"]);
    fake.reset();
  });

  it('answers 404 and records a violation for a route the fake does not implement', async () => {
    const fake = await start();
    expect(await call(fake, 'DELETE', '/pets/1')).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    expect(fake.violations).toMatchObject([{ where: 'route', message: 'fake does not implement DELETE /pets/1' }]);
    fake.reset();
  });

  it('records a handler crash as a violation', async () => {
    const fake = await start({
      operations: {
        listPets: {
          route: 'GET /pets',
          handle: () => {
            throw new TypeError('boom');
          },
        },
      },
    });
    expect((await call(fake, 'GET', '/pets')).status).toBe(500);
    expect(fake.violations).toMatchObject([{ where: 'handler', message: expect.stringContaining('TypeError: boom') }]);
    fake.reset();
  });

  it('compiles validators ahead of first use on request', async () => {
    const fake = await start();
    fake.warmUp('getPet');
    fake.warmUp();
    expect((await call(fake, 'GET', '/pets/1')).status).toBe(200);
    assertNoViolations(fake);
  });

  it('refuses to start when a route disagrees with the spec', async () => {
    await expect(
      petsFake({ operations: { getPet: { route: 'GET /pet/{petId}', handle: () => ({ status: 200 }) } } }),
    ).rejects.toThrow('pets fake: getPet is "GET /pet/{petId}" but the spec has GET /pets/{petId}');
  });

  it('runs without a spec when validation is off', async () => {
    const fake = await start({
      spec: undefined,
      validate: false,
      operations: { listPets: { route: 'GET /pets', handle: () => ({ status: 200, body: [{ id: 'not checked' }] }) } },
    });
    expect(await call(fake, 'GET', '/pets?anything=1')).toMatchObject({ status: 200, body: [{ id: 'not checked' }] });
    expect(fake.violations).toEqual([]);
  });
});

describe('content negotiation', () => {
  const negotiating = (body: (accept: string) => { type: string; body: unknown }) =>
    start({
      operations: {
        getPet: {
          route: 'GET /pets/{petId}',
          handle: ({ request }) => {
            const answer = body(request.headers.accept ?? '');
            return { status: 200, headers: { 'content-type': answer.type }, body: answer.body };
          },
        },
      },
    });

  it('checks only status and headers of a media type the client asked for and the spec has no schema for', async () => {
    const fake = await negotiating(() => ({ type: 'text/plain', body: 'Rex' }));
    const asked = await fetch(`${fake.url}/pets/1`, { headers: { accept: 'text/plain' } });
    expect(await asked.text()).toBe('Rex');
    expect(fake.violations).toEqual([]);
    const unasked = await fetch(`${fake.url}/pets/1`);
    expect(unasked.status).toBe(500);
    expect(fake.violations.map((v) => v.message)).toEqual(['(root) must be object']);
    fake.reset();
  });
});

describe('failNext', () => {
  it('fails matching requests the given number of times with the fake’s error body', async () => {
    const fake = await start();
    fake.failNext({ method: 'POST', status: 503, times: 2 });
    fake.failNext({ path: /^\/pets\/\d+$/, status: 429, headers: { 'retry-after': '7' } });
    expect((await call(fake, 'GET', '/pets')).status).toBe(200);
    const limited = await call(fake, 'GET', '/pets/1');
    expect(limited).toMatchObject({ status: 429, body: { message: 'status 429' } });
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call(fake, 'POST', '/pets', { name: 'a' })).status).toBe(503);
    expect((await call(fake, 'POST', '/pets', { name: 'a' })).status).toBe(503);
    expect((await call(fake, 'POST', '/pets', { name: 'a' })).status).toBe(201);
    assertNoViolations(fake);
  });

  it('delays an answer, then answers normally', async () => {
    const fake = await start();
    fake.failNext({ path: '/pets', delayMs: 120 });
    const started = Date.now();
    expect((await call(fake, 'GET', '/pets')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe('specs', () => {
  it('trims a spec to operations and the components they reach', () => {
    const trimmed = trimSpec(petsSpec, ['getPet']);
    expect(Object.keys(trimmed.paths)).toEqual(['/pets/{petId}']);
    expect(Object.keys(trimmed.components?.schemas ?? {}).sort()).toEqual(['Error', 'Owner', 'Pet']);
    expect(() => trimSpec(petsSpec, ['nope'])).toThrow('spec has no operation nope');
  });

  it('rewrites OpenAPI 3.0 nullable for Ajv and relaxes oneOf beside a catch-all branch', () => {
    const doc = structuredClone(petsSpec);
    expect(rewriteNullableForAjv(doc)).toBe(2);
    const pet = doc.components!.schemas!.Pet as { properties: Record<string, unknown> };
    const { properties } = pet;
    expect(properties.owner).toEqual({
      anyOf: [{ allOf: [{ $ref: '#/components/schemas/Owner' }] }, { type: 'null' }],
    });
    expect(properties.status).toMatchObject({ enum: ['available', 'sold', null] });
    const withOneOf = {
      ...doc,
      paths: {},
      components: { schemas: { X: { oneOf: [{ $ref: '#/e' }, { type: 'string' }] } } },
    };
    expect(oneOfToAnyOfWhereBranch(withOneOf, '#/e')).toBe(1);
    expect(withOneOf.components.schemas.X).toEqual({ anyOf: [{ $ref: '#/e' }, { type: 'string' }] });
  });

  it('converts a Swagger 2.0 spec from the shared specs folder once per process', async () => {
    const first = loadSpec({ file: 'argocd/argocd-swagger.json' }, { operationIds: ['ApplicationService_List'] });
    const doc = await first;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(['/api/v1/applications']);
    expect(loadSpec({ file: 'argocd/argocd-swagger.json' }, { operationIds: ['ApplicationService_List'] })).toBe(first);
  });
});
