// The Rancher fake's own tests: plain fetch against it, every exchange checked against the hand-written v3 description.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertNoViolations } from '../server.ts';
import { type RancherFake, SAMPLE_TOKENS, startRancherFake } from './index.ts';

let fake: RancherFake;
beforeAll(async () => {
  fake = await startRancherFake();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${SAMPLE_TOKENS.admin}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('rancher fake', () => {
  it('answers collections with marker pagination', async () => {
    const first = await api('GET', '/v3/clusters?limit=2');
    expect(first.body).toMatchObject({
      type: 'collection',
      resourceType: 'cluster',
      pagination: { limit: 2, total: 5, partial: true },
    });
    const next = (first.body.pagination as { next: string }).next;
    expect(new URL(next).searchParams.get('marker')).toBe('c-m-prod01');
    const second = await api('GET', new URL(next).pathname + new URL(next).search);
    expect((second.body.data as Array<{ id: string }>).map((c) => c.id)).toEqual(['c-m-prod01', 'c-m-stg01']);
    assertNoViolations(fake);
  });

  it('refuses a body its schema does not allow, and records it', async () => {
    const result = await api('PUT', '/v3/nodePools/c-m-dev01:np-d9w4m', { quantity: 4, replicas: 4 });
    expect(result.status).toBe(400);
    expect(fake.violations).toEqual([
      expect.objectContaining({ where: 'request.body', message: expect.stringContaining('replicas') }),
    ]);
    fake.violations.length = 0;
  });

  it('answers like Rancher without credentials', async () => {
    const response = await fetch(`${fake.url}/v3/clusters`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      type: 'error',
      baseType: 'error',
      status: 401,
      code: 'Unauthorized',
      message: 'must authenticate',
    });
    assertNoViolations(fake);
  });
});
