// The Rancher fake: Rancher's v3 management API (clusters, node pools, nodes) and the Steve events list, checked
// against a description written from Rancher's documented v3 types (spec.ts: Rancher publishes no OpenAPI).
import { type OpenApiFake, startOpenApiFake } from '../server.ts';
import { authenticate, errorBody, rancherOperations } from './handlers.ts';
import { RANCHER_OPENAPI } from './spec.ts';
import {
  type FakeCluster,
  type FakeEvent,
  type FakeNodePool,
  type FakeProject,
  type FakeProvisioningCluster,
  RancherState,
} from './state.ts';

export { RANCHER_OPENAPI } from './spec.ts';
export * from './state.ts';

/** Accepted as the admin: the no-credentials sandbox uses it. */
export const SANDBOX_TOKEN = 'token-sbx01:sandboxsandboxsandboxsandboxsandboxsandboxsandbox0001';
export const SAMPLE_TOKENS = {
  admin: 'token-adm01:k8q2m7x4v9c3n6b1z5l8w2r7t4y9p3h6j1g5f8d2s7a4e9u3i6o1',
  /** A standard user: reads work, every change is refused with 403. */
  bob: 'token-bob01:r5t8y2u7i4o9p3a6s1d5f8g2h7j4k9l3z6x1c5v8b2n7m4q9w3e6',
  sandbox: SANDBOX_TOKEN,
} as const;

export interface RancherFakeOptions {
  state?: RancherState;
  validate?: boolean;
  port?: number;
}

export interface RancherFake extends OpenApiFake {
  readonly state: RancherState;
  readonly token: string;
  /** Node changes finish on the next read when true (default); false holds them in provisioning/removing. */
  controllersRunning: boolean;
}

export function createSampleRancherState(): RancherState {
  const state = new RancherState();
  const now = Date.parse('2025-03-05T10:00:00Z');
  state.clock = () => new Date(now);
  const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  state.tokens.set(SAMPLE_TOKENS.admin, { username: 'alice', role: 'admin' });
  state.tokens.set(SAMPLE_TOKENS.bob, { username: 'bob', role: 'user' });
  state.tokens.set(SANDBOX_TOKEN, { username: 'alice', role: 'admin' });

  const ok = (type: string, hours: number) => ({ type, status: 'True' as const, lastUpdateTime: ago(hours) });
  const cluster = (
    c: Omit<FakeCluster, 'transitioning' | 'transitioningMessage' | 'internal'> & Partial<FakeCluster>,
  ) => {
    const stored: FakeCluster = { transitioning: 'no', transitioningMessage: '', internal: false, ...c };
    state.clusters.set(stored.id, stored);
    return stored;
  };
  const healthy = [
    'Ready',
    'Provisioned',
    'Updated',
    'Connected',
    'AgentDeployed',
    'NoDiskPressure',
    'NoMemoryPressure',
  ];

  cluster({
    id: 'local',
    name: 'local',
    description: 'Rancher management cluster',
    provider: 'k3s',
    driver: 'k3s',
    state: 'active',
    version: 'v1.30.4+k3s1',
    created: '2024-09-02T08:00:00Z',
    conditions: healthy.map((t) => ok(t, 400)),
    labels: { 'provider.cattle.io': 'k3s' },
    internal: true,
  });
  cluster({
    id: 'c-m-dev01',
    name: 'dev',
    description: 'Development: payments and orders teams',
    provider: 'rke',
    driver: 'rancherKubernetesEngine',
    state: 'active',
    version: 'v1.30.4',
    created: '2024-10-01T09:00:00Z',
    conditions: healthy.map((t) => ok(t, 200)),
    labels: { env: 'dev' },
  });
  cluster({
    id: 'c-m-prod01',
    name: 'prod',
    description: 'Production, eu-west-1',
    provider: 'rke',
    driver: 'rancherKubernetesEngine',
    state: 'active',
    version: 'v1.30.4',
    created: '2024-10-15T09:00:00Z',
    conditions: [
      ...healthy.filter((t) => t !== 'NoMemoryPressure').map((t) => ok(t, 150)),
      {
        type: 'NoMemoryPressure',
        status: 'False',
        lastUpdateTime: ago(1),
        reason: 'NodeMemoryPressure',
        message: 'prod-worker-5 has memory pressure',
      },
    ],
    labels: { env: 'prod' },
  });
  cluster({
    id: 'c-8xk2p',
    name: 'data-eks',
    description: 'Imported EKS cluster of the data team',
    provider: 'eks',
    driver: 'imported',
    state: 'unavailable',
    transitioning: 'error',
    transitioningMessage: 'Cluster agent is not connected',
    version: 'v1.29.8-eks-a737599',
    created: '2025-01-10T09:00:00Z',
    conditions: [
      ok('Provisioned', 1000),
      {
        type: 'Connected',
        status: 'False',
        lastUpdateTime: ago(3),
        reason: 'Disconnected',
        message: 'Cluster agent is not connected',
      },
      { type: 'Ready', status: 'Unknown', lastUpdateTime: ago(3) },
    ],
    labels: { env: 'data' },
  });

  const pool = (p: Omit<FakeNodePool, 'created' | 'nodeTemplateId'>, ready: number) => {
    const stored: FakeNodePool = { ...p, nodeTemplateId: `cattle-global-nt:nt-${p.name}`, created: ago(2000) };
    state.nodePools.set(stored.id, stored);
    for (let i = 1; i <= p.quantity; i++) state.addNode(stored, i, i <= ready);
    return stored;
  };
  pool(
    {
      id: 'c-m-dev01:np-d7c2k',
      clusterId: 'c-m-dev01',
      name: 'dev-cp',
      hostnamePrefix: 'dev-cp-',
      quantity: 1,
      controlPlane: true,
      etcd: true,
      worker: false,
    },
    1,
  );
  pool(
    {
      id: 'c-m-dev01:np-d9w4m',
      clusterId: 'c-m-dev01',
      name: 'dev-workers',
      hostnamePrefix: 'dev-worker-',
      quantity: 3,
      controlPlane: false,
      etcd: false,
      worker: true,
    },
    3,
  );
  pool(
    {
      id: 'c-m-prod01:np-p3c8x',
      clusterId: 'c-m-prod01',
      name: 'prod-cp',
      hostnamePrefix: 'prod-cp-',
      quantity: 3,
      controlPlane: true,
      etcd: true,
      worker: false,
    },
    3,
  );
  pool(
    {
      id: 'c-m-prod01:np-p7w2n',
      clusterId: 'c-m-prod01',
      name: 'prod-workers',
      hostnamePrefix: 'prod-worker-',
      quantity: 6,
      controlPlane: false,
      etcd: false,
      worker: true,
    },
    6,
  );
  // staging: an RKE2 cluster Rancher provisions on EC2, with machine pools (provisioning.cattle.io/v1).
  cluster({
    id: 'c-m-stg01',
    name: 'staging',
    description: 'Staging, RKE2 on EC2',
    provider: 'rke2',
    driver: 'rke2',
    state: 'active',
    version: 'v1.30.4+rke2r1',
    created: '2025-02-01T09:00:00Z',
    conditions: healthy.map((t) => ok(t, 100)),
    labels: { env: 'staging' },
  });
  const staging: FakeProvisioningCluster = {
    namespace: 'fleet-default',
    name: 'staging',
    clusterId: 'c-m-stg01',
    uid: '7c1e9a2b-3d4f-4a5b-8c6d-9e0f1a2b3c4d',
    resourceVersion: 884211,
    generation: 4,
    created: '2025-02-01T09:00:00Z',
    kubernetesVersion: 'v1.30.4+rke2r1',
    machinePools: [
      {
        name: 'cp',
        quantity: 3,
        controlPlaneRole: true,
        etcdRole: true,
        workerRole: false,
        machineConfigRef: { kind: 'Amazonec2Config', name: 'nc-staging-cp-x7k2m' },
      },
      {
        name: 'workers',
        quantity: 2,
        controlPlaneRole: false,
        etcdRole: false,
        workerRole: true,
        machineConfigRef: { kind: 'Amazonec2Config', name: 'nc-staging-workers-p4n8q' },
      },
    ],
  };
  state.provisioningClusters.set('fleet-default/staging', staging);
  for (const machinePool of staging.machinePools) {
    for (let i = 0; i < machinePool.quantity; i++) state.addMachine(staging, machinePool, true);
  }

  // prod-worker-5 is under memory pressure and NotReady.
  const strained = [...state.nodes.values()].find((n) => n.nodeName === 'prod-worker-5')!;
  strained.state = 'unavailable';
  strained.transitioningMessage = 'Kubelet stopped posting node status.';
  strained.conditions = [
    {
      type: 'Ready',
      status: 'False',
      lastUpdateTime: ago(1),
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    },
    {
      type: 'MemoryPressure',
      status: 'True',
      lastUpdateTime: ago(1.2),
      reason: 'KubeletHasInsufficientMemory',
      message: 'kubelet has insufficient memory available',
    },
  ];

  strained.taints = [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: ago(1) },
    { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule', timeAdded: ago(1.2) },
  ];
  // prod-worker-3 runs the payments cache with an emptyDir volume: a drain stops there unless it may delete local data.
  [...state.nodes.values()].find((n) => n.nodeName === 'prod-worker-3')!.localDataPods = ['payments/payments-cache-0'];

  // Projects (Rancher's Default and System in every cluster, team projects besides) and the namespaces in them.
  const project = (
    p: Omit<FakeProject, 'description' | 'created'> & { description?: string },
    namespaces: string[],
  ) => {
    state.projects.set(p.id, { description: '', created: ago(2000), ...p });
    for (const name of namespaces)
      state.namespaces.push({ clusterId: p.clusterId, name, projectId: p.id, created: ago(1900) });
  };
  const system = ['cattle-system', 'kube-node-lease', 'kube-public', 'kube-system'];
  project(
    {
      id: 'c-m-dev01:p-dv7k2',
      clusterId: 'c-m-dev01',
      name: 'Default',
      description: 'Default project created for the cluster',
    },
    ['default'],
  );
  project(
    {
      id: 'c-m-dev01:p-ds9x4',
      clusterId: 'c-m-dev01',
      name: 'System',
      description: 'System project created for the cluster',
    },
    system,
  );
  project(
    { id: 'c-m-dev01:p-dt5r2', clusterId: 'c-m-dev01', name: 'teams', description: 'payments and orders teams' },
    ['orders', 'payments'],
  );
  state.namespaces.push({ clusterId: 'c-m-dev01', name: 'scratch-alice', created: ago(30) });
  project(
    {
      id: 'c-m-prod01:p-pd4m8',
      clusterId: 'c-m-prod01',
      name: 'Default',
      description: 'Default project created for the cluster',
    },
    ['default'],
  );
  project(
    {
      id: 'c-m-prod01:p-ps2q6',
      clusterId: 'c-m-prod01',
      name: 'System',
      description: 'System project created for the cluster',
    },
    [...system, 'cattle-monitoring-system'],
  );
  project(
    {
      id: 'c-m-prod01:p-pay7x',
      clusterId: 'c-m-prod01',
      name: 'payments',
      description: 'Payments team',
      resourceQuota: {
        limit: { limitsCpu: '40000m', limitsMemory: '131072Mi', pods: '300' },
        usedLimit: { limitsCpu: '26000m', limitsMemory: '98304Mi', pods: '84' },
      },
      namespaceDefaultResourceQuota: { limit: { limitsCpu: '20000m', limitsMemory: '65536Mi', pods: '150' } },
    },
    ['payments', 'payments-jobs'],
  );
  project({ id: 'c-m-prod01:p-plt3k', clusterId: 'c-m-prod01', name: 'platform', description: 'Platform team' }, [
    'ingress-nginx',
    'platform',
  ]);
  project(
    {
      id: 'c-m-stg01:p-sd8n3',
      clusterId: 'c-m-stg01',
      name: 'Default',
      description: 'Default project created for the cluster',
    },
    ['default', 'payments', 'orders'],
  );
  project(
    {
      id: 'c-m-stg01:p-ss4w7',
      clusterId: 'c-m-stg01',
      name: 'System',
      description: 'System project created for the cluster',
    },
    system,
  );
  project(
    {
      id: 'c-8xk2p:p-ek6d1',
      clusterId: 'c-8xk2p',
      name: 'Default',
      description: 'Default project created for the cluster',
    },
    ['default'],
  );

  const event = (
    e: Omit<FakeEvent, 'name' | 'count' | 'firstTimestamp' | 'lastTimestamp'> & {
      count?: number;
      first: number;
      last: number;
    },
  ): FakeEvent => ({
    namespace: e.namespace,
    name: `${e.involvedObject.name}.${(e.first * 1e6).toString(16).slice(0, 12)}`,
    type: e.type,
    reason: e.reason,
    message: e.message,
    involvedObject: e.involvedObject,
    count: e.count ?? 1,
    firstTimestamp: ago(e.first),
    lastTimestamp: ago(e.last),
    component: e.component,
  });
  state.events.set('c-m-prod01', [
    event({
      namespace: 'default',
      type: 'Warning',
      reason: 'NodeNotReady',
      message: 'Node prod-worker-5 status is now: NodeNotReady',
      involvedObject: { kind: 'Node', name: 'prod-worker-5' },
      first: 1,
      last: 1,
      component: 'node-controller',
    }),
    event({
      namespace: 'default',
      type: 'Warning',
      reason: 'EvictionThresholdMet',
      message: 'Attempting to reclaim memory',
      involvedObject: { kind: 'Node', name: 'prod-worker-5' },
      count: 14,
      first: 1.3,
      last: 1.05,
      component: 'kubelet',
    }),
    event({
      namespace: 'payments',
      type: 'Warning',
      reason: 'FailedScheduling',
      message:
        '0/9 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 3 node(s) had untolerated taint {node-role.kubernetes.io/controlplane: true}, 5 Insufficient memory.',
      involvedObject: { kind: 'Pod', name: 'payments-api-7d9f8c6b5d-q8n2v', namespace: 'payments' },
      count: 6,
      first: 0.9,
      last: 0.2,
      component: 'default-scheduler',
    }),
    event({
      namespace: 'payments',
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set payments-api-7d9f8c6b5d to 4 from 3',
      involvedObject: { kind: 'Deployment', name: 'payments-api', namespace: 'payments' },
      first: 0.95,
      last: 0.95,
      component: 'deployment-controller',
    }),
  ]);
  state.events.set('c-m-dev01', [
    event({
      namespace: 'orders',
      type: 'Normal',
      reason: 'Pulled',
      message: 'Successfully pulled image "registry.acme.example/orders-api:v0.9.0" in 2.1s',
      involvedObject: { kind: 'Pod', name: 'orders-api-5c8b7f9d64-r4j8s', namespace: 'orders' },
      first: 2,
      last: 2,
      component: 'kubelet',
    }),
    event({
      namespace: 'orders',
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod orders-api-5c8b7f9d64-r4j8s_orders',
      involvedObject: { kind: 'Pod', name: 'orders-api-5c8b7f9d64-r4j8s', namespace: 'orders' },
      count: 31,
      first: 2,
      last: 0.1,
      component: 'kubelet',
    }),
  ]);
  return state;
}

export async function startRancherFake(options: RancherFakeOptions = {}): Promise<RancherFake> {
  const state = options.state ?? createSampleRancherState();
  const validate = options.validate ?? true;
  const control = { running: true };
  const fake = await startOpenApiFake({
    name: 'rancher',
    spec: validate ? RANCHER_OPENAPI : undefined,
    operations: rancherOperations(state, { controllersRunning: () => control.running }),
    validate,
    authenticate: (request) => authenticate(state, request),
    errorBody: (status, message) => errorBody(status, message),
    errorSchemaRef: '#/components/schemas/error',
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return {
    ...fake,
    state,
    token: SAMPLE_TOKENS.admin,
    get controllersRunning() {
      return control.running;
    },
    set controllersRunning(value: boolean) {
      control.running = value;
    },
  };
}
