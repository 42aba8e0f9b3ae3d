import type { PolicyGate, PolicyViolation } from '@idp-mcp/core';
import { type ArgoCdFake, COMMITS, SAMPLE_TOKENS, startArgoCdFake } from '@idp-mcp/sandbox/argocd';
import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { argocdModule } from '../src/index.ts';

/**
 * A small stand-in for the Rego gate: denies an Application that deploys the moving HEAD to prod and warns when an
 * Application has no team label. Every document it saw is kept for assertions.
 */
function stubGate() {
  const seen: Array<{ domain: string; documents: unknown[] }> = [];
  const gate: PolicyGate = {
    check: async (domain, documents) => {
      seen.push({ domain, documents });
      const violations: PolicyViolation[] = [];
      for (const doc of documents as Array<{
        metadata?: { name?: string; labels?: Record<string, string> };
        spec?: { destination?: { namespace?: string; name?: string }; source?: { targetRevision?: string } };
      }>) {
        const prod = doc.metadata?.labels?.env === 'prod' || doc.spec?.destination?.name === 'prod';
        if (prod && (doc.spec?.source?.targetRevision ?? 'HEAD') === 'HEAD') {
          violations.push({
            rule: 'gitops.pinned_revision',
            severity: 'deny',
            message: 'production applications must pin a tag or commit, not HEAD',
            resource: `Application/${doc.metadata?.name}`,
            field: 'spec.source.targetRevision',
          });
        }
        if (!doc.metadata?.labels?.team) {
          violations.push({
            rule: 'gitops.team_label',
            severity: 'warn',
            message: 'add a team label',
            field: 'metadata.labels.team',
          });
        }
      }
      return { allowed: !violations.some((v) => v.severity === 'deny'), violations, gate: 'stub' };
    },
  };
  return { gate, seen };
}

let fake: ArgoCdFake;
let mcp: ConnectedClient;
let policy: ReturnType<typeof stubGate>;

async function connect(options: { token?: string; args?: string[]; env?: Record<string, string> } = {}) {
  return connectClient(argocdModule, {
    env: { ARGOCD_URL: fake.url, ARGOCD_TOKEN: options.token ?? SAMPLE_TOKENS.alice, ...options.env },
    args: options.args ?? [],
    gate: policy.gate,
  });
}

async function call(name: string, args: Record<string, unknown> = {}, client = mcp) {
  const result = await client.client.callTool({ name, arguments: args });
  return result as {
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
    content?: unknown;
    _meta?: Record<string, unknown>;
  };
}

function names(result: { structuredContent?: Record<string, unknown> }): string[] {
  return ((result.structuredContent?.applications ?? []) as Array<{ name: string }>).map((a) => a.name);
}

function errorMeta(result: { _meta?: Record<string, unknown> }) {
  return result._meta?.['idp-mcp/error'] as
    | { code: string; retryable: boolean; retryAfterSeconds?: number }
    | undefined;
}

beforeEach(async () => {
  fake = await startArgoCdFake();
  policy = stubGate();
  mcp = await connect();
});

afterEach(async () => {
  await mcp.close();
  try {
    assertNoViolations(fake);
  } finally {
    await fake.close();
  }
});

describe('argocd tools', () => {
  it('shows a model the reviewed tool list (every tier)', async () => {
    const admin = await connect({ args: ['--role', 'platform-admin'] });
    try {
      await expect(await toolsSnapshot(admin.client)).toMatchFileSnapshot('./__snapshots__/tools.json');
    } finally {
      await admin.close();
    }
  });

  it('lists applications, filters them and pages on our side', async () => {
    const all = await call('list_applications');
    expect(all.structuredContent?.total).toBe(3);
    expect(all.structuredContent?.applications).toEqual([
      expect.objectContaining({ name: 'orders-api-dev', project: 'orders', health: 'Degraded', auto_sync: true }),
      expect.objectContaining({
        name: 'payments-api-dev',
        sync: 'Synced',
        destination: 'https://dev.k8s.acme.internal/payments-dev',
      }),
      expect.objectContaining({
        name: 'payments-api-prod',
        sync: 'OutOfSync',
        revision: COMMITS.main.slice(0, 8),
        auto_sync: false,
      }),
    ]);

    const prod = await call('list_applications', { project: ['payments'], selector: 'env=prod' });
    expect(names(prod)).toEqual(['payments-api-prod']);
    expect(fake.requests.at(-1)?.query).toEqual({ projects: 'payments', selector: 'env=prod' });

    const degraded = await call('list_applications', { health_status: 'Degraded' });
    expect(degraded.structuredContent?.total).toBe(1);

    const first = await call('list_applications', { limit: 2 });
    expect(names(first).length).toBe(2);
    const second = await call('list_applications', { limit: 2, cursor: first.structuredContent?.nextCursor });
    expect(second.structuredContent?.applications).toEqual([expect.objectContaining({ name: 'payments-api-prod' })]);
    expect(second.structuredContent?.nextCursor).toBeUndefined();

    const bad = await call('list_applications', { cursor: 'not-a-cursor' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('cursor');
  });

  it('reports status with the resources that are out of sync or unhealthy', async () => {
    const prod = await call('get_application_status', { name: 'payments-api-prod' });
    expect(prod.structuredContent).toMatchObject({
      sync: { status: 'OutOfSync', revision: COMMITS.main, target_revision: 'main' },
      health: { status: 'Healthy' },
      resources: { total: 3, out_of_sync: 1, unhealthy: 0 },
      problems: [
        { kind: 'Deployment', name: 'payments-api', namespace: 'payments', sync: 'OutOfSync', health: 'Healthy' },
      ],
      images: ['registry.acme.example/payments-api:v1.4.1'],
    });
    const orders = await call('get_application_status', { name: 'orders-api-dev' });
    expect(orders.structuredContent).toMatchObject({
      health: { status: 'Degraded', message: expect.stringContaining('progress deadline') },
      problems: [expect.objectContaining({ kind: 'Deployment', health: 'Degraded' })],
    });
  });

  it('reads the definition, history, resource tree and diffs', async () => {
    const app = await call('get_application', { name: 'payments-api-prod' });
    expect(app.structuredContent).toMatchObject({
      project: 'payments',
      sources: [
        {
          repo_url: 'https://github.com/acme/gitops.git',
          path: 'apps/payments-api/overlays/prod',
          target_revision: 'main',
        },
      ],
      destination: { server: 'https://prod.k8s.acme.internal', namespace: 'payments' },
      sync_policy: { automated: false, sync_options: ['CreateNamespace=false', 'PruneLast=true'] },
    });

    const history = await call('get_application_history', { name: 'payments-api-prod' });
    expect(history.structuredContent?.history).toEqual([
      expect.objectContaining({ id: 9, revision: COMMITS.v141, initiated_by: 'alice', current: true }),
      expect.objectContaining({ id: 8, revision: COMMITS.v142, initiated_by: 'bob', current: false }),
      expect.objectContaining({ id: 7, current: false }),
    ]);

    const tree = await call('get_resource_tree', { name: 'orders-api-dev' });
    expect(tree.structuredContent).toMatchObject({
      total: 6,
      by_kind: { ConfigMap: 1, Service: 1, Deployment: 1, ReplicaSet: 1, Pod: 2 },
      by_health: { Healthy: 2, Degraded: 3 },
    });
    expect(tree.structuredContent?.unhealthy).toContainEqual(
      expect.objectContaining({
        kind: 'Pod',
        health: 'Degraded',
        message: expect.stringContaining('CrashLoopBackOff'),
        parent: expect.stringMatching(/^ReplicaSet\//),
      }),
    );
    const pods = await call('get_resource_tree', { name: 'orders-api-dev', kind: 'Pod' });
    expect(pods.structuredContent?.total).toBe(2);

    const diffs = await call('get_resource_diffs', { name: 'payments-api-prod' });
    expect(diffs.structuredContent).toEqual({
      modified_count: 1,
      resources: [
        {
          kind: 'Deployment',
          name: 'payments-api',
          namespace: 'payments',
          modified: true,
          state: 'changed',
          changes: [
            {
              path: 'spec.template.spec.containers[0].image',
              live: 'registry.acme.example/payments-api:v1.4.1',
              target: 'registry.acme.example/payments-api:v1.4.2',
            },
          ],
        },
      ],
    });
  });

  it('syncs to the target revision and records the deployment', async () => {
    const started = await call('sync_application', { name: 'payments-api-prod', prune: true });
    expect(started.structuredContent?.operation).toMatchObject({ phase: 'Running', initiated_by: 'alice' });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/v1/applications/payments-api-prod/sync',
      body: { name: 'payments-api-prod', prune: true, dryRun: false },
    });
    const status = await call('get_application_status', { name: 'payments-api-prod' });
    expect(status.structuredContent).toMatchObject({
      sync: { status: 'Synced', revision: COMMITS.main },
      operation: { phase: 'Succeeded', message: 'successfully synced (all tasks run)', revision: COMMITS.main },
      resources: { out_of_sync: 0 },
      problems: [],
    });
    const history = await call('get_application_history', { name: 'payments-api-prod', limit: 1 });
    expect(history.structuredContent?.history).toEqual([
      expect.objectContaining({ id: 10, revision: COMMITS.main, initiated_by: 'alice', current: true }),
    ]);
    expect(history.structuredContent?.nextCursor).toBeDefined();
  });

  it('waits for a sync to finish when asked, and says when it has not', async () => {
    const done = await call('sync_application', { name: 'payments-api-prod', wait_seconds: 5 });
    expect(done.structuredContent).toMatchObject({
      finished: true,
      operation: { phase: 'Succeeded', revision: COMMITS.main, initiated_by: 'alice' },
    });
    expect(done.structuredContent?.next).toBeUndefined();

    fake.state.controllerRunning = false;
    const slow = await call('rollback_application', { name: 'payments-api-prod', id: 8, wait_seconds: 1 });
    expect(slow.structuredContent).toMatchObject({ finished: false, operation: { phase: 'Running' } });
    expect(slow.structuredContent?.next).toContain('get_application_status');
    expect(fake.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2);
  });

  it('dry-runs a sync of selected resources without changing anything', async () => {
    await call('sync_application', {
      name: 'payments-api-prod',
      dry_run: true,
      revision: 'v1.4.2',
      resources: [{ group: 'apps', kind: 'Deployment', name: 'payments-api' }],
    });
    expect(fake.requests.at(-1)?.body).toMatchObject({
      revision: 'v1.4.2',
      dryRun: true,
      resources: [{ group: 'apps', kind: 'Deployment', name: 'payments-api' }],
    });
    const status = await call('get_application_status', { name: 'payments-api-prod' });
    expect(status.structuredContent).toMatchObject({
      sync: { status: 'OutOfSync' },
      operation: {
        phase: 'Succeeded',
        message: 'successfully synced (dry run)',
        dry_run: true,
        revision: COMMITS.v142,
      },
    });
    const unknown = await call('sync_application', {
      name: 'payments-api-prod',
      resources: [{ kind: 'ConfigMap', name: 'missing-config' }],
    });
    expect(errorMeta(unknown)?.code).toBe('invalid_request');
    expect(textOf(unknown)).toContain('resource :ConfigMap:missing-config not found');
  });

  it('refuses a second sync while one runs (conflict) and terminates the running one', async () => {
    fake.state.controllerRunning = false;
    await call('sync_application', { name: 'payments-api-prod' });
    const second = await call('sync_application', { name: 'payments-api-prod' });
    expect(second.isError).toBe(true);
    expect(errorMeta(second)).toMatchObject({ code: 'conflict', retryable: false });
    expect(textOf(second)).toContain('another operation is already in progress');
    expect(textOf(second)).toContain('terminate_operation');

    const stopped = await call('terminate_operation', { name: 'payments-api-prod' });
    expect(stopped.structuredContent).toEqual({ name: 'payments-api-prod', message: 'operation terminated' });
    const status = await call('get_application_status', { name: 'payments-api-prod' });
    expect(status.structuredContent).toMatchObject({ operation: { phase: 'Failed', message: 'Operation terminated' } });
  });

  it('rolls back to a history id, and explains refusals', async () => {
    const rollback = await call('rollback_application', { name: 'payments-api-prod', id: 8 });
    expect(rollback.isError).toBeFalsy();
    expect(fake.requests.at(-1)?.body).toEqual({ name: 'payments-api-prod', id: 8, prune: false, dryRun: false });
    const status = await call('get_application_status', { name: 'payments-api-prod' });
    expect(status.structuredContent).toMatchObject({
      sync: { revision: COMMITS.v142 },
      operation: { phase: 'Succeeded' },
    });

    const auto = await call('rollback_application', { name: 'payments-api-dev', id: 12 });
    expect(errorMeta(auto)?.code).toBe('invalid_request');
    expect(textOf(auto)).toContain('auto-sync is enabled');
    expect(textOf(auto)).toContain('automated');

    const missing = await call('rollback_application', { name: 'payments-api-prod', id: 99 });
    expect(errorMeta(missing)?.code).toBe('not_found');
    expect(textOf(missing)).toContain('get_application_history');
  });

  it('shows events of the Application and of one of its resources', async () => {
    const own = await call('get_application_events', { name: 'orders-api-dev' });
    expect(own.structuredContent).toEqual({
      total: 2,
      events: [
        expect.objectContaining({
          type: 'Warning',
          reason: 'ResourceUpdated',
          object: 'Application/argocd/orders-api-dev',
        }),
        expect.objectContaining({ type: 'Normal', reason: 'OperationCompleted' }),
      ],
    });
    const tree = await call('get_resource_tree', { name: 'orders-api-dev', kind: 'Pod' });
    const pod = ((tree.structuredContent?.unhealthy ?? []) as Array<{ name: string }>)[0]!;
    const podEvents = await call('get_application_events', {
      name: 'orders-api-dev',
      resource_kind: 'Pod',
      resource_name: pod.name,
    });
    expect(podEvents.structuredContent?.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'BackOff',
        count: 37,
        message: expect.stringContaining('Back-off restarting failed container'),
      }),
    ]);
    expect(fake.requests.at(-1)?.query).toMatchObject({
      resourceName: pod.name,
      resourceNamespace: 'orders-dev',
      resourceUID: expect.any(String),
    });
    const half = await call('get_application_events', { name: 'orders-api-dev', resource_name: pod.name });
    expect(textOf(half)).toContain('give both');
    const gone = await call('get_application_events', {
      name: 'orders-api-dev',
      resource_kind: 'Pod',
      resource_name: 'nope',
    });
    expect(errorMeta(gone)?.code).toBe('not_found');
  });

  it('refreshes an application (hard)', async () => {
    const result = await call('refresh_application', { name: 'payments-api-prod', hard: true });
    expect(result.structuredContent).toMatchObject({ name: 'payments-api-prod', sync: 'OutOfSync' });
    expect(fake.requests.at(-1)?.query).toEqual({ refresh: 'hard' });
  });

  it('lists and reads projects', async () => {
    const projects = await call('list_projects');
    expect(projects.structuredContent?.projects).toEqual([
      expect.objectContaining({ name: 'orders' }),
      expect.objectContaining({
        name: 'payments',
        source_repos: ['https://github.com/acme/gitops.git'],
        destinations: [
          'https://dev.k8s.acme.internal/payments-dev',
          'https://prod.k8s.acme.internal/payments',
          'https://kubernetes.default.svc/payments-*',
        ],
      }),
      expect.objectContaining({ name: 'platform', source_repos: ['*'] }),
    ]);
    const payments = await call('get_project', { name: 'payments' });
    expect(payments.structuredContent?.roles).toEqual([{ name: 'deployer', description: 'CI deploys' }]);
    const missing = await call('get_project', { name: 'nope' });
    expect(errorMeta(missing)?.code).toBe('not_found');
  });
});

describe('argocd writes pass the gitops policy gate', () => {
  const ordersProd = {
    name: 'orders-api-prod',
    project: 'orders',
    repo_url: 'https://github.com/acme/gitops.git',
    path: 'apps/orders-api/overlays/prod',
    destination: { cluster_name: 'prod', namespace: 'orders' },
    labels: { team: 'orders', env: 'prod' },
  };

  it('creates an application the policies allow, with their warnings', async () => {
    const created = await call('create_application', {
      name: 'orders-api-staging',
      project: 'orders',
      repo_url: 'https://github.com/acme/gitops.git',
      path: 'apps/orders-api/overlays/dev',
      destination: { server: 'https://dev.k8s.acme.internal', namespace: 'orders-dev' },
      automated: { prune: true },
      sync_options: ['CreateNamespace=true'],
    });
    expect(created.isError).toBeFalsy();
    expect(created.structuredContent).toMatchObject({
      dry_run: false,
      application: { name: 'orders-api-staging', sync: 'OutOfSync', health: 'Missing', auto_sync: true },
      policy: { gate: 'stub', warnings: [{ rule: 'gitops.team_label', field: 'metadata.labels.team' }] },
    });
    expect(policy.seen).toHaveLength(1);
    expect(policy.seen[0]?.domain).toBe('gitops');
    const body = fake.requests.find((r) => r.method === 'POST')?.body;
    expect(body).toEqual(policy.seen[0]?.documents[0]);
    expect(body).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      spec: {
        source: { targetRevision: 'HEAD' },
        syncPolicy: { automated: { prune: true, selfHeal: false }, syncOptions: ['CreateNamespace=true'] },
      },
    });
  });

  it('refuses what the policies deny, before anything changes', async () => {
    const denied = await call('create_application', ordersProd);
    expect(denied.isError).toBe(true);
    expect(errorMeta(denied)?.code).toBe('policy_denied');
    expect(textOf(denied)).toContain('[gitops.pinned_revision] Application/orders-api-prod');
    expect(textOf(denied)).toContain('spec.source.targetRevision');
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);

    const updated = await call('update_application', { name: 'payments-api-prod', target_revision: 'HEAD' });
    expect(errorMeta(updated)?.code).toBe('policy_denied');
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('dry-runs a create: manifest and verdict, nothing sent', async () => {
    const plan = await call('create_application', { ...ordersProd, target_revision: 'v1.4.2', dry_run: true });
    expect(plan.structuredContent).toMatchObject({
      dry_run: true,
      manifest: {
        kind: 'Application',
        spec: { destination: { name: 'prod', namespace: 'orders' }, source: { targetRevision: 'v1.4.2' } },
      },
      policy: { gate: 'stub', warnings: [] },
    });
    expect(fake.requests).toEqual([]);
  });

  it('says when an application exists with another spec, and upserts on request', async () => {
    const args = {
      name: 'payments-api-dev',
      project: 'payments',
      repo_url: 'https://github.com/acme/gitops.git',
      path: 'apps/payments-api/overlays/dev',
      target_revision: 'v1.4.2',
      destination: { server: 'https://dev.k8s.acme.internal', namespace: 'payments-dev' },
      labels: { team: 'payments' },
    };
    const conflict = await call('create_application', args);
    expect(errorMeta(conflict)?.code).toBe('conflict');
    expect(textOf(conflict)).toContain('upsert');
    const upserted = await call('create_application', { ...args, upsert: true });
    expect(upserted.structuredContent).toMatchObject({ application: { target_revision: 'v1.4.2', auto_sync: false } });
    expect(fake.requests.at(-1)?.query).toEqual({ upsert: 'true' });
  });

  it('passes on what Argo CD refuses: a destination the project does not allow', async () => {
    const refused = await call('create_application', {
      ...ordersProd,
      target_revision: 'v1.4.2',
      destination: { cluster_name: 'prod', namespace: 'payments' },
    });
    expect(errorMeta(refused)?.code).toBe('invalid_request');
    expect(textOf(refused)).toContain("do not match any of the allowed destinations in project 'orders'");
  });

  it('validates arguments and names the field', async () => {
    const both = await call('create_application', { ...ordersProd, chart: 'orders-api' });
    expect(both.isError).toBe(true);
    expect(textOf(both)).toContain('give exactly one of path');
    const badName = await call('create_application', { ...ordersProd, name: 'Orders_API' });
    expect(textOf(badName)).toContain('must be a lowercase DNS name');
    const badDestination = await call('create_application', { ...ordersProd, destination: { namespace: 'orders' } });
    expect(textOf(badDestination)).toContain('exactly one of server or cluster_name');
    expect(fake.requests).toEqual([]);
  });

  it('updates the target revision with optimistic concurrency', async () => {
    const before = await call('get_application', { name: 'payments-api-prod' });
    const version = before.structuredContent?.resource_version as string;
    const updated = await call('update_application', {
      name: 'payments-api-prod',
      target_revision: 'v1.4.2',
      automated: { prune: false, self_heal: true },
      expected_resource_version: version,
    });
    expect(updated.isError).toBeFalsy();
    const put = fake.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe('/api/v1/applications/payments-api-prod');
    expect(put?.body).toMatchObject({
      metadata: { name: 'payments-api-prod', resourceVersion: version, labels: { team: 'payments', env: 'prod' } },
      spec: {
        source: { targetRevision: 'v1.4.2', path: 'apps/payments-api/overlays/prod' },
        syncPolicy: {
          automated: { prune: false, selfHeal: true },
          syncOptions: ['CreateNamespace=false', 'PruneLast=true'],
        },
      },
    });
    const stale = await call('update_application', {
      name: 'payments-api-prod',
      target_revision: 'v1.4.1',
      expected_resource_version: version,
    });
    expect(errorMeta(stale)?.code).toBe('conflict');
    expect(textOf(stale)).toContain('the object has been modified');
  });

  it('deletes only for platform admins, with the cascade choice', async () => {
    const tools = await mcp.client.listTools();
    expect(tools.tools.map((t) => t.name)).not.toContain('delete_application');
    const admin = await connect({ args: ['--role', 'platform-admin'] });
    try {
      const deleted = await call('delete_application', { name: 'orders-api-dev', cascade: false }, admin);
      expect(deleted.structuredContent).toEqual({ deleted: 'orders-api-dev', cascade: false });
      expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', query: { cascade: 'false' } });
      const gone = await call('get_application_status', { name: 'orders-api-dev' }, admin);
      expect(errorMeta(gone)?.code).toBe('not_found');
    } finally {
      await admin.close();
    }
  });
});

describe('argocd upstream failures', () => {
  it('maps not found, forbidden and unauthorized, without the token', async () => {
    const missing = await call('get_application_status', { name: 'nope' });
    expect(errorMeta(missing)).toMatchObject({ code: 'not_found', retryable: false });
    expect(textOf(missing)).toContain('applications.argoproj.io "nope" not found');

    const bob = await connect({ token: SAMPLE_TOKENS.bob });
    try {
      const refused = await call('sync_application', { name: 'payments-api-prod' }, bob);
      expect(errorMeta(refused)?.code).toBe('forbidden');
      expect(textOf(refused)).toContain('permission denied: applications, sync, payments/payments-api-prod, sub: bob');
    } finally {
      await bob.close();
    }

    const stranger = await connect({ token: 'argocd-leaked-looking-token-123' });
    try {
      const rejected = await call('list_applications', {}, stranger);
      expect(errorMeta(rejected)?.code).toBe('unauthorized');
      expect(textOf(rejected)).toContain('ARGOCD_TOKEN');
      expect(JSON.stringify(rejected)).not.toContain('argocd-leaked-looking-token-123');
    } finally {
      await stranger.close();
    }
  });

  it('retries a read after 429 Retry-After and after a 503', async () => {
    fake.failNext({ path: '/api/v1/applications', status: 429, headers: { 'retry-after': '1' } });
    fake.failNext({ path: '/api/v1/applications', status: 503 });
    const result = await call('list_applications');
    expect(result.structuredContent?.total).toBe(3);
    expect(fake.requests.filter((r) => r.path === '/api/v1/applications')).toHaveLength(3);
  });

  it('reports a long Retry-After as rate_limited with the wait', async () => {
    fake.failNext({ path: '/api/v1/applications', status: 429, headers: { 'retry-after': '120' } });
    const result = await call('list_applications');
    expect(errorMeta(result)).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterSeconds: 120 });
  });

  it('does not repeat a failed sync (not idempotent) and says a retry is unsafe', async () => {
    fake.failNext({ method: 'POST', status: 502, times: 2 });
    const result = await call('sync_application', { name: 'payments-api-prod' });
    expect(errorMeta(result)).toMatchObject({ code: 'upstream_unavailable', retryable: false });
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('times out a slow Argo CD', async () => {
    const slow = await connect({ env: { ARGOCD_TIMEOUT_MS: '150' } });
    try {
      fake.failNext({ path: '/api/v1/applications/payments-api-prod', delayMs: 600, times: 3 });
      const result = await call('get_application_status', { name: 'payments-api-prod' }, slow);
      expect(errorMeta(result)).toMatchObject({ code: 'timeout', retryable: true });
      expect(textOf(result)).toContain('Argo CD did not answer within 150 ms');
    } finally {
      await slow.close();
    }
  });
});

describe('argocd sandbox', () => {
  it('starts with sample data and no credentials', async () => {
    const sandbox = await connectClient(argocdModule, { args: ['--sandbox'] });
    try {
      const result = await call('list_applications', {}, sandbox);
      expect(names(result)).toEqual(['orders-api-dev', 'payments-api-dev', 'payments-api-prod']);
    } finally {
      await sandbox.close();
    }
  });
});
