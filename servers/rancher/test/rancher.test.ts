import { assertNoViolations } from '@idp-mcp/testing';
import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { type RancherFake, SAMPLE_TOKENS, startRancherFake } from '@idp-mcp/testing/rancher';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rancherModule } from '../src/index.ts';

let fake: RancherFake;
let mcp: ConnectedClient;

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: unknown;
  _meta?: Record<string, unknown>;
};

async function connect(options: { token?: string; args?: string[]; env?: Record<string, string> } = {}) {
  return connectClient(rancherModule, {
    env: { RANCHER_URL: fake.url, RANCHER_TOKEN: options.token ?? SAMPLE_TOKENS.admin, ...options.env },
    args: options.args ?? [],
  });
}

async function call(name: string, args: Record<string, unknown> = {}, client = mcp): Promise<Result> {
  return (await client.client.callTool({ name, arguments: args })) as Result;
}

function sc(result: Result): Record<string, unknown> {
  return result.structuredContent ?? {};
}

function errorMeta(result: Result) {
  return result._meta?.['idp-mcp/error'] as
    | { code: string; retryable: boolean; retryAfterSeconds?: number }
    | undefined;
}

beforeEach(async () => {
  fake = await startRancherFake();
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

describe('rancher tools', () => {
  it('shows a model the reviewed tool list', async () => {
    await expect(await toolsSnapshot(mcp.client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('lists clusters with state, version and problems', async () => {
    const result = await call('list_clusters');
    expect(result.structuredContent).toEqual({
      total: 5,
      clusters: [
        {
          id: 'c-8xk2p',
          name: 'data-eks',
          provider: 'eks',
          state: 'unavailable',
          version: 'v1.29.8-eks-a737599',
          nodes: 0,
          failing_conditions: 2,
          message: 'Cluster agent is not connected',
        },
        {
          id: 'c-m-dev01',
          name: 'dev',
          provider: 'rke',
          state: 'active',
          version: 'v1.30.4',
          nodes: 4,
          failing_conditions: 0,
        },
        {
          id: 'local',
          name: 'local',
          provider: 'k3s',
          state: 'active',
          version: 'v1.30.4+k3s1',
          nodes: 0,
          failing_conditions: 0,
        },
        {
          id: 'c-m-prod01',
          name: 'prod',
          provider: 'rke',
          state: 'active',
          version: 'v1.30.4',
          nodes: 9,
          failing_conditions: 1,
        },
        {
          id: 'c-m-stg01',
          name: 'staging',
          provider: 'rke2',
          state: 'active',
          version: 'v1.30.4+rke2r1',
          nodes: 5,
          failing_conditions: 0,
        },
      ],
    });
    const unavailable = await call('list_clusters', { state: 'unavailable' });
    expect(sc(unavailable).total).toBe(1);
    expect(fake.requests.at(-1)?.query).toMatchObject({ state: 'unavailable' });
    const paged = await call('list_clusters', { limit: 3 });
    const rest = await call('list_clusters', { limit: 3, cursor: sc(paged).nextCursor });
    expect(sc(rest).clusters).toEqual([
      expect.objectContaining({ name: 'prod' }),
      expect.objectContaining({ name: 'staging' }),
    ]);
  });

  it('reports cluster status by name or id', async () => {
    const result = await call('get_cluster_status', { cluster: 'prod' });
    expect(result.structuredContent).toMatchObject({
      id: 'c-m-prod01',
      state: 'active',
      version: 'v1.30.4',
      nodes: { total: 9, not_ready: ['prod-worker-5'], cordoned: [] },
      failing_conditions: [
        {
          type: 'NoMemoryPressure',
          status: 'False',
          reason: 'NodeMemoryPressure',
          message: 'prod-worker-5 has memory pressure',
        },
      ],
      resources: { cpu_cores: { capacity: 60 }, memory_gib: { capacity: 240 } },
    });
    expect(fake.requests[0]?.query).toEqual({ name: 'prod' });
    const byId = await call('get_cluster_status', { cluster: 'c-8xk2p' });
    expect(byId.structuredContent).toMatchObject({ state: 'unavailable', message: 'Cluster agent is not connected' });
    const missing = await call('get_cluster_status', { cluster: 'qa' });
    expect(errorMeta(missing)?.code).toBe('not_found');
    expect(textOf(missing)).toContain('list_clusters');
    const missingId = await call('get_cluster_status', { cluster: 'c-m-nope1' });
    expect(errorMeta(missingId)?.code).toBe('not_found');
  });

  it('lists nodes with server-side paging, and problem nodes', async () => {
    const first = await call('list_nodes', { cluster: 'prod', limit: 5 });
    expect((sc(first).nodes as unknown[]).length).toBe(5);
    expect(fake.requests.at(-1)?.query).toMatchObject({ clusterId: 'c-m-prod01', limit: '5' });
    const second = await call('list_nodes', { cluster: 'prod', limit: 5, cursor: sc(first).nextCursor });
    expect((sc(second).nodes as unknown[]).length).toBe(4);
    expect(fake.requests.at(-1)?.query).toMatchObject({ marker: expect.any(String) });
    expect(sc(second).nextCursor).toBeUndefined();
    const problems = await call('list_nodes', { cluster: 'c-m-prod01', problems_only: true });
    expect(sc(problems).nodes).toEqual([
      expect.objectContaining({
        name: 'prod-worker-5',
        roles: ['worker'],
        state: 'unavailable',
        ready: false,
        message: 'Kubelet stopped posting node status.',
      }),
    ]);
  });

  it('lists node pools with desired and active nodes', async () => {
    const result = await call('list_node_pools', { cluster: 'prod' });
    expect(sc(result).node_pools).toEqual([
      {
        id: 'c-m-prod01:np-p3c8x',
        name: 'prod-cp',
        roles: ['controlplane', 'etcd'],
        quantity: 3,
        active: 3,
        state: 'active',
        hostname_prefix: 'prod-cp-',
      },
      {
        id: 'c-m-prod01:np-p7w2n',
        name: 'prod-workers',
        roles: ['worker'],
        quantity: 6,
        active: 5,
        state: 'active',
        hostname_prefix: 'prod-worker-',
      },
    ]);
    const eks = await call('list_node_pools', { cluster: 'data-eks' });
    expect(sc(eks).note).toContain('no Rancher node pools');
  });

  it('scales a worker pool; Rancher provisions the nodes', async () => {
    fake.controllersRunning = false;
    const result = await call('scale_node_pool', { node_pool_id: 'c-m-prod01:np-p7w2n', quantity: 8 });
    expect(result.structuredContent).toEqual({
      node_pool_id: 'c-m-prod01:np-p7w2n',
      name: 'prod-workers',
      previous_quantity: 6,
      quantity: 8,
      state: 'updating',
      message: 'scaling to 8 nodes',
    });
    expect(fake.requests.find((r) => r.method === 'PUT')?.body).toEqual({ quantity: 8 });
    const during = await call('get_cluster_status', { cluster: 'prod' });
    expect(during.structuredContent).toMatchObject({
      state: 'updating',
      message: '[Reconciling] scaling node pool prod-workers to 8',
    });
    fake.controllersRunning = true;
    const after = await call('list_node_pools', { cluster: 'prod' });
    expect(sc(after).node_pools).toContainEqual(
      expect.objectContaining({ name: 'prod-workers', quantity: 8, active: 7 }),
    );
    const events = await call('get_cluster_events', { cluster: 'prod', object_name: 'prod-worker-7' });
    expect(sc(events).events).toEqual([
      expect.objectContaining({ reason: 'RegisteredNode', object: 'Node/prod-worker-7' }),
    ]);
  });

  it('lists and scales RKE2 machine pools through the provisioning cluster, with optimistic concurrency', async () => {
    const pools = await call('list_node_pools', { cluster: 'staging' });
    expect(sc(pools).node_pools).toEqual([
      {
        id: 'fleet-default/staging:cp',
        name: 'cp',
        roles: ['controlplane', 'etcd'],
        quantity: 3,
        active: 3,
        state: 'active',
        hostname_prefix: 'staging-cp-',
      },
      {
        id: 'fleet-default/staging:workers',
        name: 'workers',
        roles: ['worker'],
        quantity: 2,
        active: 2,
        state: 'active',
        hostname_prefix: 'staging-workers-',
      },
    ]);
    const scaled = await call('scale_node_pool', { node_pool_id: 'fleet-default/staging:workers', quantity: 4 });
    expect(scaled.structuredContent).toMatchObject({ previous_quantity: 2, quantity: 4, state: 'updating' });
    const put = fake.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe('/v1/provisioning.cattle.io.clusters/fleet-default/staging');
    expect(put?.body).toMatchObject({
      metadata: { resourceVersion: '884211' },
      spec: {
        rkeConfig: {
          machinePools: [
            { name: 'cp', quantity: 3 },
            { name: 'workers', quantity: 4 },
          ],
        },
      },
    });
    const after = await call('list_node_pools', { cluster: 'staging' });
    expect(sc(after).node_pools).toContainEqual(expect.objectContaining({ name: 'workers', quantity: 4, active: 4 }));

    const even = await call('scale_node_pool', { node_pool_id: 'fleet-default/staging:cp', quantity: 2 });
    expect(textOf(even)).toContain('odd number of etcd nodes');
    const missing = await call('scale_node_pool', { node_pool_id: 'fleet-default/staging:gpu', quantity: 1 });
    expect(errorMeta(missing)?.code).toBe('not_found');
    expect(textOf(missing)).toContain('cp, workers');

    // Someone else changes the cluster between our read and our write: Rancher refuses the stale write.
    fake.failNext({ method: 'PUT', path: /provisioning/, delayMs: 300 });
    const racing = call('scale_node_pool', { node_pool_id: 'fleet-default/staging:workers', quantity: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    fake.state.provisioningClusters.get('fleet-default/staging')!.resourceVersion += 1;
    const conflict = await racing;
    expect(errorMeta(conflict)).toMatchObject({ code: 'conflict', retryable: false });
    expect(textOf(conflict)).toContain('the object has been modified');
  });

  it('refuses to break the control plane or etcd quorum', async () => {
    const empty = await call('scale_node_pool', { node_pool_id: 'c-m-prod01:np-p3c8x', quantity: 0 });
    expect(errorMeta(empty)?.code).toBe('invalid_request');
    expect(textOf(empty)).toContain('take the cluster down');
    const even = await call('scale_node_pool', { node_pool_id: 'c-m-prod01:np-p3c8x', quantity: 4 });
    expect(textOf(even)).toContain('odd number of etcd nodes');
    expect(fake.requests.filter((r) => r.method === 'PUT')).toEqual([]);
    const badId = await call('scale_node_pool', { node_pool_id: 'prod-workers', quantity: 3 });
    expect(textOf(badId)).toContain('must be a node pool id like c-m-prod01:np-p7w2n or fleet-default/staging:workers');
    const unreachable = await call('scale_node_pool', { node_pool_id: 'c-m-prod01:np-nope1', quantity: 3 });
    expect(errorMeta(unreachable)?.code).toBe('not_found');
  });

  it('cordons and uncordons a node', async () => {
    const nodes = await call('list_nodes', { cluster: 'dev' });
    const worker = (sc(nodes).nodes as Array<{ id: string; name: string }>).find((n) => n.name === 'dev-worker-2')!;
    const cordoned = await call('cordon_node', { node_id: worker.id });
    expect(cordoned.structuredContent).toEqual({
      node_id: worker.id,
      name: 'dev-worker-2',
      cordoned: true,
      state: 'cordoned',
    });
    expect(fake.requests.at(-1)?.query).toEqual({ action: 'cordon' });
    const again = await call('cordon_node', { node_id: worker.id });
    expect(errorMeta(again)?.code).toBe('invalid_request');
    expect(textOf(again)).toContain('already cordoned');
    const status = await call('get_cluster_status', { cluster: 'dev' });
    expect(sc(status).nodes).toMatchObject({ cordoned: ['dev-worker-2'] });
    const uncordoned = await call('cordon_node', { node_id: worker.id, cordon: false });
    expect(sc(uncordoned).cordoned).toBe(false);
  });

  it('shows recent events, newest first, filtered', async () => {
    const all = await call('get_cluster_events', { cluster: 'prod' });
    expect((sc(all).events as Array<{ reason: string }>).map((e) => e.reason)).toEqual([
      'FailedScheduling',
      'ScalingReplicaSet',
      'NodeNotReady',
      'EvictionThresholdMet',
    ]);
    const warnings = await call('get_cluster_events', { cluster: 'prod', warnings_only: true, namespace: 'payments' });
    expect(sc(warnings).events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'FailedScheduling',
        object: 'Pod/payments/payments-api-7d9f8c6b5d-q8n2v',
        count: 6,
      }),
    ]);
    expect(fake.requests.at(-1)?.query).toMatchObject({ fieldSelector: 'type=Warning,metadata.namespace=payments' });
    const disconnected = await call('get_cluster_events', { cluster: 'data-eks' });
    expect(errorMeta(disconnected)).toMatchObject({ code: 'upstream_unavailable' });
    expect(textOf(disconnected)).toContain('cluster agent for data-eks is not connected');
  });
});

describe('rancher upstream failures', () => {
  it('maps forbidden and unauthorized without echoing the token', async () => {
    const bob = await connect({ token: SAMPLE_TOKENS.bob });
    try {
      const refused = await call('scale_node_pool', { node_pool_id: 'c-m-dev01:np-d9w4m', quantity: 4 }, bob);
      expect(errorMeta(refused)?.code).toBe('forbidden');
      expect(textOf(refused)).toContain('PermissionDenied');
    } finally {
      await bob.close();
    }
    const stranger = await connect({ token: 'token-zzz99:notavalidsecretnotavalidsecretnotavalidsecret' });
    try {
      const rejected = await call('list_clusters', {}, stranger);
      expect(errorMeta(rejected)?.code).toBe('unauthorized');
      expect(textOf(rejected)).toContain('RANCHER_TOKEN');
      expect(JSON.stringify(rejected)).not.toContain('notavalidsecret');
    } finally {
      await stranger.close();
    }
  });

  it('maps a conflict on a scale', async () => {
    fake.failNext({
      method: 'PUT',
      status: 409,
      body: {
        type: 'error',
        baseType: 'error',
        status: 409,
        code: 'Conflict',
        message: 'the object has been modified; please apply your changes to the latest version and try again',
      },
    });
    const result = await call('scale_node_pool', { node_pool_id: 'c-m-dev01:np-d9w4m', quantity: 4 });
    expect(errorMeta(result)).toMatchObject({ code: 'conflict', retryable: false });
  });

  it('retries reads after 429 Retry-After and a 502; reports a long wait', async () => {
    fake.failNext({ path: '/v3/clusters', status: 429, headers: { 'retry-after': '1' } });
    fake.failNext({ path: '/v3/clusters', status: 502 });
    const result = await call('list_clusters');
    expect(sc(result).total).toBe(5);
    fake.failNext({ path: '/v3/clusters', status: 429, headers: { 'retry-after': '90' } });
    const limited = await call('list_clusters');
    expect(errorMeta(limited)).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 90 });
  });

  it('does not repeat a failed scale', async () => {
    fake.failNext({ method: 'PUT', status: 503, times: 3 });
    const result = await call('scale_node_pool', { node_pool_id: 'c-m-dev01:np-d9w4m', quantity: 4 });
    expect(errorMeta(result)).toMatchObject({ code: 'upstream_unavailable', retryable: false });
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('times out a slow Rancher', async () => {
    const slow = await connect({ env: { RANCHER_TIMEOUT_MS: '150' } });
    try {
      fake.failNext({ path: '/v3/clusters', delayMs: 600, times: 3 });
      const result = await call('list_clusters', {}, slow);
      expect(errorMeta(result)).toMatchObject({ code: 'timeout', retryable: true });
    } finally {
      await slow.close();
    }
  });
});

describe('rancher sandbox', () => {
  it('starts with sample clusters and no credentials', async () => {
    const sandbox = await connectClient(rancherModule, { args: ['--sandbox'] });
    try {
      const result = await call('list_clusters', {}, sandbox);
      expect((sc(result).clusters as Array<{ name: string }>).map((c) => c.name)).toEqual([
        'data-eks',
        'dev',
        'local',
        'prod',
        'staging',
      ]);
    } finally {
      await sandbox.close();
    }
  });
});
