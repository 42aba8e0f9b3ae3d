// The Rancher fake's world: downstream clusters, RKE node pools with their nodes, and each cluster's Kubernetes
// events. Scaling a pool provisions or removes nodes; like Rancher's controllers, the change completes on the next read.

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  reason?: string;
  message?: string;
}

export interface FakeCluster {
  id: string;
  name: string;
  description: string;
  provider: string;
  driver: string;
  state: string;
  transitioning: 'yes' | 'no' | 'error';
  transitioningMessage: string;
  version: string;
  created: string;
  conditions: Condition[];
  labels: Record<string, string>;
  internal: boolean;
}

export interface FakeNodePool {
  id: string;
  clusterId: string;
  name: string;
  hostnamePrefix: string;
  quantity: number;
  nodeTemplateId: string;
  controlPlane: boolean;
  etcd: boolean;
  worker: boolean;
  created: string;
}

/** A machine pool of an RKE2/K3s cluster Rancher provisions (provisioning.cattle.io/v1 spec.rkeConfig.machinePools). */
export interface FakeMachinePool {
  name: string;
  quantity: number;
  controlPlaneRole: boolean;
  etcdRole: boolean;
  workerRole: boolean;
  machineConfigRef: { kind: string; name: string };
}

/** The provisioning.cattle.io/v1 Cluster behind a v3 cluster Rancher provisioned with RKE2 or K3s. */
export interface FakeProvisioningCluster {
  namespace: string;
  name: string;
  clusterId: string;
  uid: string;
  resourceVersion: number;
  generation: number;
  created: string;
  kubernetesVersion: string;
  machinePools: FakeMachinePool[];
}

export interface FakeNode {
  id: string;
  clusterId: string;
  nodePoolId?: string;
  nodeName: string;
  ipAddress: string;
  state: string;
  transitioningMessage: string;
  controlPlane: boolean;
  etcd: boolean;
  worker: boolean;
  unschedulable: boolean;
  cpu: number;
  memoryGiB: number;
  kubeletVersion: string;
  conditions: Condition[];
  created: string;
  /** Taints besides node.kubernetes.io/unschedulable, which Kubernetes adds while the node is cordoned. */
  taints?: Taint[];
  /** The drain options of the last drain action (Rancher keeps them on the node as spec.nodeDrainInput). */
  drainInput?: Record<string, unknown>;
  /** Pods with emptyDir volumes (namespace/name): a drain without deleteLocalData stops at them. */
  localDataPods?: string[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

/** A ResourceQuotaLimit of Rancher's v3 project type: Kubernetes quantities by resource. */
export type QuotaLimit = Partial<
  Record<
    | 'pods'
    | 'services'
    | 'configMaps'
    | 'persistentVolumeClaims'
    | 'requestsCpu'
    | 'requestsMemory'
    | 'requestsStorage'
    | 'limitsCpu'
    | 'limitsMemory',
    string
  >
>;

/** A Rancher project: a group of a cluster's namespaces sharing access rules and quotas. */
export interface FakeProject {
  /** `<clusterId>:p-xxxxx` */
  id: string;
  clusterId: string;
  name: string;
  description: string;
  created: string;
  resourceQuota?: { limit: QuotaLimit; usedLimit: QuotaLimit };
  namespaceDefaultResourceQuota?: { limit: QuotaLimit };
}

/** A namespace of a downstream cluster; Rancher records its project in the field.cattle.io/projectId annotation. */
export interface FakeNamespace {
  clusterId: string;
  name: string;
  /** `<clusterId>:p-xxxxx`, or none when the namespace belongs to no project. */
  projectId?: string;
  created: string;
}

export interface FakeEvent {
  namespace: string;
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; namespace?: string };
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  component: string;
}

export interface RancherUser {
  username: string;
  /** `admin` may change things; `user` gets 403 on every change (a read-only global role). */
  role: 'admin' | 'user';
}

export class RancherState {
  readonly clusters = new Map<string, FakeCluster>();
  readonly nodePools = new Map<string, FakeNodePool>();
  readonly nodes = new Map<string, FakeNode>();
  /** By `namespace/name`. */
  readonly provisioningClusters = new Map<string, FakeProvisioningCluster>();
  readonly events = new Map<string, FakeEvent[]>();
  readonly projects = new Map<string, FakeProject>();
  readonly namespaces: FakeNamespace[] = [];
  readonly tokens = new Map<string, RancherUser>();
  clock: () => Date = () => new Date();
  private counter = 0;

  now(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  suffix(): string {
    this.counter += 1;
    return `${(this.counter * 7919).toString(36).padStart(5, 'x')}`.slice(-5);
  }

  /** Adds a node of an RKE2/K3s machine pool: named `<cluster>-<pool>-<hash>-<suffix>` like Rancher's machines. */
  addMachine(cluster: FakeProvisioningCluster, pool: FakeMachinePool, ready: boolean): FakeNode {
    const id = `${cluster.clusterId}:m-${this.suffix()}`;
    const node: FakeNode = {
      id,
      clusterId: cluster.clusterId,
      nodeName: `${cluster.name}-${pool.name}-6b7f9-${this.suffix()}`,
      ipAddress: `10.30.0.${10 + this.nodes.size}`,
      state: ready ? 'active' : 'provisioning',
      transitioningMessage: ready ? '' : 'Waiting for node to register with Kubernetes',
      controlPlane: pool.controlPlaneRole,
      etcd: pool.etcdRole,
      worker: pool.workerRole,
      unschedulable: false,
      cpu: pool.workerRole ? 8 : 4,
      memoryGiB: pool.workerRole ? 32 : 16,
      kubeletVersion: cluster.kubernetesVersion,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown', lastUpdateTime: this.now() }],
      created: this.now(),
    };
    this.nodes.set(id, node);
    return node;
  }

  nodesOf(clusterId: string): FakeNode[] {
    return [...this.nodes.values()].filter((n) => n.clusterId === clusterId);
  }

  /** Adds one node to a pool, provisioning (`active` right away when `ready`). */
  addNode(pool: FakeNodePool, index: number, ready: boolean): FakeNode {
    const id = `${pool.clusterId}:m-${this.suffix()}`;
    const roles = { controlPlane: pool.controlPlane, etcd: pool.etcd, worker: pool.worker };
    const node: FakeNode = {
      id,
      clusterId: pool.clusterId,
      nodePoolId: pool.id,
      nodeName: `${pool.hostnamePrefix}${index}`,
      ipAddress: `10.20.${pool.clusterId.length % 10}.${10 + index + (pool.worker ? 100 : 0)}`,
      state: ready ? 'active' : 'provisioning',
      transitioningMessage: ready ? '' : 'Waiting for node to register with Kubernetes',
      ...roles,
      unschedulable: false,
      cpu: pool.worker ? 8 : 4,
      memoryGiB: pool.worker ? 32 : 16,
      kubeletVersion: this.clusters.get(pool.clusterId)?.version ?? 'v1.30.4',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown', lastUpdateTime: this.now() }],
      created: this.now(),
    };
    this.nodes.set(id, node);
    return node;
  }
}
