import { type RancherFake, SAMPLE_TOKENS, startRancherFake } from '@idp-mcp/sandbox/rancher';
import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
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

  it('shows a node in detail: conditions, taints, resources and pool', async () => {
    const problems = await call('list_nodes', { cluster: 'prod', problems_only: true });
    const [sick] = sc(problems).nodes as Array<{ id: string }>;
    const result = await call('get_node', { node_id: sick!.id });
    expect(result.structuredContent).toMatchObject({
      id: sick!.id,
      name: 'prod-worker-5',
      cluster_id: 'c-m-prod01',
      node_pool_id: 'c-m-prod01:np-p7w2n',
      roles: ['worker'],
      state: 'unavailable',
      message: 'Kubelet stopped posting node status.',
      ready: false,
      cordoned: false,
      kubelet: 'v1.30.4',
      os: 'Ubuntu 22.04.4 LTS',
      container_runtime: 'containerd://1.7.17',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
        },
        { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory' },
      ],
      taints: [
        { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      ],
      resources: {
        capacity: { cpu_cores: 8, memory_gib: 32, pods: 110 },
        allocatable: { cpu_cores: 7.9, memory_gib: 31.5, pods: 110 },
        requested: { cpu_cores: 3.68, pods: 23 },
      },
    });
    expect(sc(result).last_drain).toBeUndefined();
    expect(fake.requests.at(-1)?.path).toBe(`/v3/nodes/${encodeURIComponent(sick!.id)}`);

    const missing = await call('get_node', { node_id: 'c-m-prod01:m-nope1' });
    expect(errorMeta(missing)?.code).toBe('not_found');
    expect(textOf(missing)).toContain('list_clusters');
    const badId = await call('get_node', { node_id: 'prod-worker-5' });
    expect(result.isError).toBeFalsy();
    expect(badId.isError).toBe(true);
    expect(textOf(badId)).toContain('must be a node id like c-m-prod01:m-abc12');
  });

  it('drains a node with the documented Rancher drain input, then brings it back', async () => {
    const nodes = await call('list_nodes', { cluster: 'dev' });
    const worker = (sc(nodes).nodes as Array<{ id: string; name: string }>).find((n) => n.name === 'dev-worker-2')!;
    fake.controllersRunning = false;
    const drained = await call('drain_node', { node_id: worker.id });
    expect(drained.structuredContent).toEqual({
      node_id: worker.id,
      name: 'dev-worker-2',
      state: 'draining',
      cordoned: true,
      message: 'Draining node',
    });
    const action = fake.requests.find((r) => r.method === 'POST');
    expect(action?.query).toEqual({ action: 'drain' });
    expect(action?.body).toEqual({
      deleteLocalData: false,
      force: false,
      ignoreDaemonSets: true,
      gracePeriod: -1,
      timeout: 120,
    });
    const twice = await call('drain_node', { node_id: worker.id });
    expect(errorMeta(twice)?.code).toBe('conflict');
    expect(textOf(twice)).toContain('dev-worker-2 is already draining');

    fake.controllersRunning = true;
    const done = await call('get_node', { node_id: worker.id });
    expect(done.structuredContent).toMatchObject({
      state: 'drained',
      cordoned: true,
      conditions: expect.arrayContaining([expect.objectContaining({ type: 'Drained', status: 'True' })]),
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
      last_drain: {
        force: false,
        ignore_daemonsets: true,
        delete_local_data: false,
        grace_period_seconds: -1,
        timeout_seconds: 120,
      },
    });
    const again = await call('drain_node', { node_id: worker.id });
    expect(errorMeta(again)?.code).toBe('conflict');
    expect(textOf(again)).toContain('cordon: false');
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);

    const back = await call('cordon_node', { node_id: worker.id, cordon: false });
    expect(back.structuredContent).toMatchObject({ cordoned: false, state: 'active' });
    const after = await call('get_node', { node_id: worker.id });
    expect(sc(after).taints).toEqual([]);
  });

  it('passes the drain options; a pod with local data blocks a drain, which can be stopped', async () => {
    const nodes = await call('list_nodes', { cluster: 'prod' });
    const byName = (name: string) =>
      (sc(nodes).nodes as Array<{ id: string; name: string }>).find((n) => n.name === name)!;
    const cache = byName('prod-worker-3');
    const blocked = await call('drain_node', { node_id: cache.id, grace_period_seconds: 30, timeout_seconds: 600 });
    expect(sc(blocked)).toMatchObject({ state: 'draining', cordoned: true });
    expect(fake.requests.find((r) => r.method === 'POST')?.body).toMatchObject({ gracePeriod: 30, timeout: 600 });
    const stuck = await call('get_node', { node_id: cache.id });
    expect(sc(stuck)).toMatchObject({
      state: 'draining',
      message: 'cannot delete Pods with local storage (use --delete-local-data to override): payments/payments-cache-0',
      conditions: expect.arrayContaining([expect.objectContaining({ type: 'Drained', status: 'False' })]),
      last_drain: { delete_local_data: false, grace_period_seconds: 30, timeout_seconds: 600 },
    });

    const stopped = await call('stop_drain_node', { node_id: cache.id });
    expect(stopped.structuredContent).toEqual({
      node_id: cache.id,
      name: 'prod-worker-3',
      state: 'cordoned',
      cordoned: true,
    });
    expect(fake.requests.filter((r) => r.method === 'POST').at(-1)).toMatchObject({
      query: { action: 'stopDrain' },
      body: undefined,
    });
    const notDraining = await call('stop_drain_node', { node_id: cache.id });
    expect(errorMeta(notDraining)?.code).toBe('conflict');
    expect(textOf(notDraining)).toContain('prod-worker-3 is cordoned, not draining');

    const other = byName('prod-worker-4');
    await call('drain_node', { node_id: other.id, delete_local_data: true, force: true, ignore_daemonsets: false });
    expect(fake.requests.filter((r) => r.method === 'POST').at(-1)?.body).toEqual({
      deleteLocalData: true,
      force: true,
      ignoreDaemonSets: false,
      gracePeriod: -1,
      timeout: 120,
    });
    expect(sc(await call('get_node', { node_id: other.id })).state).toBe('drained');

    const down = await call('drain_node', { node_id: byName('prod-worker-5').id });
    expect(errorMeta(down)?.code).toBe('conflict');
    expect(textOf(down)).toContain('prod-worker-5 is unavailable');

    const posts = fake.requests.filter((r) => r.method === 'POST').length;
    const tooLong = await call('drain_node', { node_id: other.id, timeout_seconds: 20000 });
    expect(tooLong.isError).toBe(true);
    expect(textOf(tooLong)).toContain('timeout_seconds');
    const badGrace = await call('drain_node', { node_id: other.id, grace_period_seconds: -5 });
    expect(textOf(badGrace)).toContain('grace_period_seconds');
    const missing = await call('drain_node', { node_id: 'c-m-prod01:m-nope1' });
    expect(errorMeta(missing)?.code).toBe('not_found');
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(posts);
  });

  it('lists projects with their namespaces and quotas', async () => {
    const prod = await call('list_projects', { cluster: 'prod' });
    expect(prod.structuredContent).toEqual({
      projects: [
        {
          id: 'c-m-prod01:p-pd4m8',
          name: 'Default',
          description: 'Default project created for the cluster',
          state: 'active',
          namespace_count: 1,
          namespaces: ['default'],
        },
        {
          id: 'c-m-prod01:p-pay7x',
          name: 'payments',
          description: 'Payments team',
          state: 'active',
          namespace_count: 2,
          namespaces: ['payments', 'payments-jobs'],
          quota: {
            limitsCpu: { limit: '40000m', used: '26000m' },
            limitsMemory: { limit: '131072Mi', used: '98304Mi' },
            pods: { limit: '300', used: '84' },
          },
          namespace_default_quota: { limitsCpu: '20000m', limitsMemory: '65536Mi', pods: '150' },
        },
        {
          id: 'c-m-prod01:p-plt3k',
          name: 'platform',
          description: 'Platform team',
          state: 'active',
          namespace_count: 2,
          namespaces: ['ingress-nginx', 'platform'],
        },
        {
          id: 'c-m-prod01:p-ps2q6',
          name: 'System',
          description: 'System project created for the cluster',
          state: 'active',
          namespace_count: 5,
          namespaces: ['cattle-monitoring-system', 'cattle-system', 'kube-node-lease', 'kube-public', 'kube-system'],
        },
      ],
      namespaces_in_no_project: [],
    });
    expect(fake.requests.find((r) => r.path === '/v3/projects')?.query).toMatchObject({ clusterId: 'c-m-prod01' });

    const dev = await call('list_projects', { cluster: 'c-m-dev01' });
    expect(sc(dev).namespaces_in_no_project).toEqual(['scratch-alice']);
    expect(sc(dev).projects).toContainEqual(
      expect.objectContaining({ name: 'teams', namespaces: ['orders', 'payments'] }),
    );

    const eks = await call('list_projects', { cluster: 'data-eks' });
    expect(eks.structuredContent).toEqual({
      projects: [
        {
          id: 'c-8xk2p:p-ek6d1',
          name: 'Default',
          description: 'Default project created for the cluster',
          state: 'active',
        },
      ],
      note: 'data-eks is unavailable (Cluster agent is not connected): namespaces cannot be listed',
    });
    expect(fake.requests.some((r) => r.path.startsWith('/k8s/clusters/c-8xk2p'))).toBe(false);

    const missing = await call('list_projects', { cluster: 'qa' });
    expect(errorMeta(missing)?.code).toBe('not_found');
    const bad = await call('list_projects', { cluster: '../prod' });
    expect(textOf(bad)).toContain('must be a cluster id (c-m-abc12, local) or a cluster name (prod)');
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

  it('maps a forbidden drain', async () => {
    const bob = await connect({ token: SAMPLE_TOKENS.bob });
    try {
      const nodes = await call('list_nodes', { cluster: 'dev' }, bob);
      const node = (sc(nodes).nodes as Array<{ id: string; name: string }>).find((n) => n.name === 'dev-worker-1')!;
      const refused = await call('drain_node', { node_id: node.id }, bob);
      expect(errorMeta(refused)?.code).toBe('forbidden');
      expect(textOf(refused)).toContain('cannot update resource "nodes"');
      expect(sc(await call('get_node', { node_id: node.id }, bob)).state).toBe('active');
    } finally {
      await bob.close();
    }
  });

  it('shows a viewer the reads and none of the writes', async () => {
    const viewer = await connect({ args: ['--role', 'viewer'] });
    try {
      const tools = (await viewer.client.listTools()).tools.map((t) => t.name).sort();
      expect(tools).toEqual([
        'get_cluster_events',
        'get_cluster_status',
        'get_node',
        'list_clusters',
        'list_node_pools',
        'list_nodes',
        'list_projects',
      ]);
      await expect(call('drain_node', { node_id: 'c-m-dev01:m-abc12' }, viewer)).rejects.toThrow(
        'Tool drain_node not found',
      );
      expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([]);
    } finally {
      await viewer.close();
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
