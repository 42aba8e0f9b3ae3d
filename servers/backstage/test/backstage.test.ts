import {
  type BackstageFake,
  READ_ONLY_TOKEN,
  startBackstageFake,
  UNREGISTERED_LOCATION,
} from '@idp-mcp/sandbox/backstage';
import { connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backstageModule } from '../src/index.ts';

type Role = 'viewer' | 'developer' | 'platform-admin';

let fake: BackstageFake;
const closers: Array<() => Promise<void>> = [];

async function connect(role: Role = 'developer', env: Record<string, string> = {}): Promise<Client> {
  const { client, close } = await connectClient(backstageModule, {
    args: ['--role', role],
    env: { BACKSTAGE_URL: fake.url, BACKSTAGE_TOKEN: fake.token, BACKSTAGE_TIMEOUT_MS: '2000', ...env },
  });
  closers.push(close);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  return {
    text: textOf(result),
    isError: result.isError === true,
    meta: result._meta?.['idp-mcp/error'] as
      | { code?: string; retryable?: boolean; retryAfterSeconds?: number }
      | undefined,
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the structured result freely
    data: result.structuredContent as Record<string, any>,
  };
}

const refs = (entities: Array<{ ref: string }>) => entities.map((e) => e.ref);

beforeEach(async () => {
  fake = await startBackstageFake();
});

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
  await fake.close();
  assertNoViolations(fake);
});

describe('backstage tools/list', () => {
  it('matches the reviewed snapshot', async () => {
    await expect(await toolsSnapshot(await connect('developer'))).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('a viewer sees only the read tools', async () => {
    const { tools } = await (await connect('viewer')).listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_entity',
      'get_task',
      'get_techdocs',
      'get_template_parameters',
      'list_entities',
      'list_tasks',
      'list_templates',
      'search',
      'search_entities',
    ]);
  });
});

describe('catalog', () => {
  it('lists entities by kind and owner with the catalog cursor', async () => {
    const client = await connect('viewer');
    const first = await call(client, 'list_entities', { kind: 'component', owner: 'payments', limit: 1 });
    expect(first.data.entities).toEqual([
      {
        ref: 'component:default/orders-api',
        kind: 'Component',
        description: 'Order intake and fulfilment',
        type: 'service',
        owner: 'payments',
        lifecycle: 'production',
        tags: ['go', 'kafka'],
      },
    ]);
    expect(first.data.total).toBe(2);
    const query = fake.requests.at(-1)!.query;
    expect(query).toMatchObject({
      filter: 'kind=component,spec.owner=payments',
      orderField: 'metadata.name,asc',
      limit: '1',
    });
    const second = await call(client, 'list_entities', {
      kind: 'component',
      owner: 'payments',
      limit: 1,
      cursor: first.data.nextCursor,
    });
    expect(refs(second.data.entities)).toEqual(['component:default/payments-api']);
    expect(second.data.nextCursor).toBeUndefined();
    expect(fake.requests.at(-1)!.query).not.toHaveProperty('filter');
  });

  it('returns extra fields and filters by tag or a raw filter', async () => {
    const client = await connect('viewer');
    const tagged = await call(client, 'list_entities', { tag: 'kafka', fields: ['spec.system', 'spec.dependsOn'] });
    expect(tagged.data.entities[0]).toMatchObject({
      ref: 'component:default/orders-api',
      fields: { 'spec.system': 'payments', 'spec.dependsOn': ['component:payments-api'] },
    });
    const raw = await call(client, 'list_entities', { filter: 'relations.ownedby=group:default/platform' });
    expect(refs(raw.data.entities)).toEqual(['template:default/service-template']);
    const bad = await call(client, 'list_entities', { kind: 'component,kind=user' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/kind/);
  });

  it('searches names, titles and descriptions with the catalog full-text query', async () => {
    const client = await connect('viewer');
    const found = await call(client, 'search_entities', { text: 'refunds' });
    expect(refs(found.data.entities)).toEqual(['system:default/payments', 'component:default/payments-api']);
    const query = fake.requests.at(-1)!.query;
    expect(query.fullTextFilterTerm).toBe('refunds');
    const groups = await call(client, 'search_entities', { text: 'team', kind: 'group' });
    expect(refs(groups.data.entities)).toEqual(['group:default/payments', 'group:default/platform']);
  });

  it('gets an entity by ref with its relations grouped by type', async () => {
    const client = await connect('viewer');
    const entity = await call(client, 'get_entity', { ref: 'payments-api' });
    expect(entity.data).toMatchObject({
      ref: 'component:default/payments-api',
      owner: 'payments',
      annotations: { 'github.com/project-slug': 'acme/payments-api' },
      links: [{ url: 'https://grafana.acme.example/d/payments-api', title: 'Dashboard' }],
      relations: {
        ownedBy: ['group:default/payments'],
        partOf: ['system:default/payments'],
        providesApi: ['api:default/payments-rest'],
        dependsOn: ['resource:default/payments-db'],
        dependencyOf: ['component:default/orders-api'],
      },
    });
    fake.state.get('api:default/payments-rest')!.spec!.definition = `openapi: 3.0.3\n${'# padding\n'.repeat(500)}`;
    const api = await call(client, 'get_entity', { ref: 'api:payments-rest' });
    expect(api.data.spec.definition).toMatch(/\[truncated: [\d,]+ characters omitted; spec.definition is long/);
    expect(api.data.relations.apiProvidedBy).toEqual(['component:default/payments-api']);
    const group = await call(client, 'get_entity', { ref: 'group:payments' });
    expect(group.data.relations.hasMember).toEqual(['user:default/bob']);
    const missing = await call(client, 'get_entity', { ref: 'component:default/nope' });
    expect(missing.meta?.code).toBe('not_found');
    expect(missing.text).toMatch(/NotFoundError: No entity named 'nope'/);
    const bad = await call(client, 'get_entity', { ref: 'not a ref' });
    expect(bad.text).toMatch(/entity ref/);
  });

  it('registers a catalog-info.yaml after a dry run; a second registration is a conflict', async () => {
    const client = await connect('developer');
    const dry = await call(client, 'register_location', { url: UNREGISTERED_LOCATION, dry_run: true });
    expect(dry.data).toMatchObject({
      dry_run: true,
      already_registered: false,
      entities: [{ ref: 'component:default/inventory-api' }],
    });
    expect(fake.state.get('component:default/inventory-api')).toBeUndefined();
    expect(fake.requests.at(-1)!.query).toEqual({ dryRun: 'true' });

    const registered = await call(client, 'register_location', { url: UNREGISTERED_LOCATION });
    expect(registered.data.location_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.state.get('component:default/inventory-api')).toBeDefined();

    const again = await call(client, 'register_location', { url: UNREGISTERED_LOCATION });
    expect(again.meta?.code).toBe('conflict');
    expect(again.text).toMatch(/already registered/);
    const unreadable = await call(client, 'register_location', {
      url: 'https://github.com/acme/none/blob/main/catalog-info.yaml',
    });
    expect(unreadable.meta?.code).toBe('not_found');
    const notYaml = await call(client, 'register_location', { url: 'https://github.com/acme/none' });
    expect(notYaml.text).toMatch(/YAML file/);

    expect((await call(client, 'refresh_entity', { ref: 'component:default/inventory-api' })).data.refresh).toBe(
      'scheduled',
    );
  });
});

describe('scaffolder', () => {
  it('lists templates and their parameters', async () => {
    const client = await connect('viewer');
    const templates = await call(client, 'list_templates');
    expect(templates.data.templates).toEqual([
      expect.objectContaining({
        ref: 'template:default/service-template',
        title: 'Golden-path service',
        type: 'service',
      }),
    ]);
    const parameters = await call(client, 'get_template_parameters', { template: 'service-template' });
    expect(parameters.data.steps[0].parameters).toContainEqual(
      expect.objectContaining({ name: 'name', type: 'string', required: true, pattern: '^[a-z][a-z0-9-]{1,38}$' }),
    );
    expect(parameters.data.steps[1].parameters[0]).toMatchObject({ name: 'tier', enum: ['critical', 'standard'] });
  });

  it('runs a template and follows the task to completion with trimmed logs and output links', async () => {
    const client = await connect('developer');
    const run = await call(client, 'run_template', {
      template: 'service-template',
      values: { name: 'inventory-api', owner: 'group:default/platform', tier: 'standard' },
    });
    expect(run.data.template).toBe('template:default/service-template');
    const first = await call(client, 'get_task', { task_id: run.data.task_id, log_lines: 2 });
    expect(first.data.status).toBe('processing');
    expect(first.data.steps[0]).toEqual({ id: 'fetch', name: 'Fetch skeleton', status: 'completed' });
    expect(first.data.log.split('\n')).toHaveLength(3);
    expect(first.data.log).toMatch(/^\[1 earlier lines omitted\]/);

    let task = first;
    for (let i = 0; i < 5 && task.data.status === 'processing'; i++) {
      task = await call(client, 'get_task', { task_id: run.data.task_id, after: task.data.last_event_id });
    }
    expect(task.data.status).toBe('completed');
    expect(task.data.log).not.toContain('Fetching template');
    expect(task.data.links).toEqual([
      { title: 'Repository', url: 'https://github.com/acme/inventory-api' },
      { title: 'Open in catalog', entity_ref: 'component:default/inventory-api' },
    ]);
    expect(fake.state.get('component:default/inventory-api')?.spec?.owner).toBe('group:default/platform');

    const tasks = await call(client, 'list_tasks', { created_by: 'user:default/alice' });
    expect(tasks.data.tasks).toEqual([expect.objectContaining({ id: run.data.task_id, status: 'completed' })]);
  });

  it('reports a failed step, and invalid values field by field', async () => {
    const client = await connect('developer');
    const run = await call(client, 'run_template', {
      template: 'template:default/service-template',
      values: { name: 'payments-api', owner: 'group:default/payments' },
    });
    let task = await call(client, 'get_task', { task_id: run.data.task_id });
    for (let i = 0; i < 5 && task.data.status === 'processing'; i++)
      task = await call(client, 'get_task', { task_id: run.data.task_id });
    expect(task.data.status).toBe('failed');
    expect(task.data.steps.find((s: { id: string }) => s.id === 'publish').status).toBe('failed');
    expect(task.data.log).toMatch(/Repository acme\/payments-api already exists/);

    const invalid = await call(client, 'run_template', {
      template: 'service-template',
      values: { name: 'Bad Name!', tier: 'gold' },
    });
    expect(invalid.meta?.code).toBe('invalid_request');
    expect(invalid.text).toMatch(/values\.owner: is required/);
    expect(invalid.text).toMatch(/values\.name: does not match pattern/);
    expect(invalid.text).toMatch(/values\.tier: is not one of enum values/);
  });

  it('cancels a running task', async () => {
    const client = await connect('developer');
    const run = await call(client, 'run_template', {
      template: 'service-template',
      values: { name: 'cart-api', owner: 'payments' },
    });
    expect((await call(client, 'cancel_task', { task_id: run.data.task_id })).data.status).toBe('cancelled');
    const task = await call(client, 'get_task', { task_id: run.data.task_id });
    expect(task.data.status).toBe('cancelled');
    expect(fake.state.get('component:default/cart-api')).toBeUndefined();
  });
});

describe('knowledge search', () => {
  it('finds the runbook first for its words, filters by type, pages with a cursor, and reads the page', async () => {
    const client = await connect('viewer');
    const found = await call(client, 'search', { term: 'how do I rotate the payments DB password' });
    expect(found.isError).toBe(false);
    expect(found.data.results[0]).toMatchObject({
      type: 'techdocs',
      title: 'Runbook: rotate the payments DB password',
      entity: 'component:default/payments-api',
      location: '/docs/default/component/payments-api/runbooks/rotate-db-password/',
    });
    expect(found.data.results[0].snippet.length).toBeLessThanOrEqual(400);

    const catalog = await call(client, 'search', { term: 'payments', types: ['software-catalog'], limit: 2 });
    expect(catalog.data.results).toHaveLength(2);
    expect(catalog.data.results.every((result: { type: string }) => result.type === 'software-catalog')).toBe(true);
    const next = await call(client, 'search', {
      term: 'payments',
      types: ['software-catalog'],
      limit: 2,
      cursor: catalog.data.nextCursor,
    });
    expect(next.data.results[0].title).not.toBe(catalog.data.results[0].title);

    const docs = await call(client, 'get_techdocs', { entity: 'payments-api' });
    expect(docs.data.pages.map((page: { title: string }) => page.title)).toContain(
      'Runbook: rotate the payments DB password',
    );
    const page = await call(client, 'get_techdocs', {
      entity: 'component:default/payments-api',
      page: 'runbooks/rotate-db-password/',
    });
    expect(page.data.page.text).toContain('Write the new password to Vault');
    const missing = await call(client, 'get_techdocs', { entity: 'payments-api', page: 'nope/' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain('runbooks/rotate-db-password/');
  });
});

describe('upstream failures', () => {
  it('maps 401 and 403 (a user without write permission)', async () => {
    const bad = await connect('viewer', { BACKSTAGE_TOKEN: 'wrong-token' });
    const unauthorized = await call(bad, 'list_entities');
    expect(unauthorized.meta?.code).toBe('unauthorized');
    expect(unauthorized.text).toMatch(/BACKSTAGE_TOKEN/);
    expect(unauthorized.text).not.toContain('wrong-token');
    const readOnly = await connect('developer', { BACKSTAGE_TOKEN: READ_ONLY_TOKEN });
    const forbidden = await call(readOnly, 'register_location', { url: UNREGISTERED_LOCATION });
    expect(forbidden.meta?.code).toBe('forbidden');
    expect(forbidden.text).toMatch(/NotAllowedError/);
  });

  it('maps 429 with Retry-After, retries a 503 on reads, and times out', async () => {
    const client = await connect('viewer', { BACKSTAGE_TIMEOUT_MS: '300' });
    fake.failNext({ status: 429, headers: { 'retry-after': '90' } });
    const limited = await call(client, 'list_templates');
    expect(limited.meta).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterSeconds: 90 });
    fake.failNext({ status: 503, times: 2 });
    expect((await call(client, 'list_templates')).data.templates).toHaveLength(1);
    fake.failNext({ status: 500, times: 1 });
    const failed = await call(client, 'get_entity', { ref: 'payments-api' });
    expect(failed.meta).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    fake.failNext({ delayMs: 1000, times: 3 });
    const slow = await call(client, 'get_entity', { ref: 'payments-api' });
    expect(slow.meta).toMatchObject({ code: 'timeout', retryable: true });
  });
});

describe('sandbox', () => {
  it('starts with sample data and no credentials', async () => {
    const { client, close } = await connectClient(backstageModule, { args: ['--sandbox', '--role', 'viewer'] });
    closers.push(close);
    const systems = await call(client, 'list_entities', { kind: 'system' });
    expect(refs(systems.data.entities)).toEqual(['system:default/payments']);
  });
});
