// Rancher's v3 API (and the Steve events list) for what idp-mcp calls, by the operationIds of spec.ts.
import {
  FakeHttpError,
  type FakeOperation,
  type FakeRequest,
  type FakeResponse,
  type HandlerContext,
} from '../server.ts';
import type {
  FakeCluster,
  FakeEvent,
  FakeMachinePool,
  FakeNamespace,
  FakeNode,
  FakeNodePool,
  FakeProject,
  FakeProvisioningCluster,
  RancherState,
  RancherUser,
} from './state.ts';

type Json = Record<string, unknown>;

const CODES: Record<number, string> = {
  400: 'InvalidBodyContent',
  401: 'Unauthorized',
  403: 'PermissionDenied',
  404: 'NotFound',
  409: 'Conflict',
  422: 'InvalidFormat',
  429: 'TooManyRequests',
  500: 'ServerError',
  502: 'ServerError',
  503: 'ServiceUnavailable',
  504: 'ServerError',
};

/** Rancher's error body: `{ type: 'error', status, code, message }`. */
export function errorBody(status: number, message?: string, fieldName?: string): Json {
  return {
    type: 'error',
    baseType: 'error',
    status,
    code: CODES[status] ?? 'ServerError',
    message: message ?? CODES[status] ?? 'error',
    ...(fieldName ? { fieldName } : {}),
  };
}

function fail(status: number, message: string, fieldName?: string): FakeHttpError {
  return new FakeHttpError(status, errorBody(status, message, fieldName));
}

export function userOf(state: RancherState, request: FakeRequest): RancherUser | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  return token ? state.tokens.get(token) : undefined;
}

export function authenticate(state: RancherState, request: FakeRequest): FakeResponse | undefined {
  if (userOf(state, request)) return undefined;
  return { status: 401, body: errorBody(401, 'must authenticate') };
}

function mustChange(state: RancherState, context: HandlerContext, resource: string, name: string): void {
  const user = userOf(state, context.request);
  if (user?.role === 'admin') return;
  throw fail(
    403,
    `${resource}.management.cattle.io "${name}" is forbidden: User "u-${user?.username ?? 'unknown'}" cannot update resource "${resource}" in API group "management.cattle.io"`,
  );
}

function query(context: HandlerContext, name: string): string | undefined {
  const value = context.request.query[name];
  return Array.isArray(value) ? value.at(-1) : value;
}

function createdTS(iso: string): number {
  return Date.parse(iso);
}

function sum(nodes: FakeNode[], pick: (n: FakeNode) => number): number {
  return nodes.reduce((total, n) => total + pick(n), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering.

function renderCluster(state: RancherState, cluster: FakeCluster, base: string): Json {
  const nodes = state.nodesOf(cluster.id).filter((n) => n.state !== 'removing');
  const [major = '1', minor = '30'] = cluster.version.replace(/^v/, '').split('.');
  const self = `${base}/v3/clusters/${cluster.id}`;
  return {
    id: cluster.id,
    type: 'cluster',
    baseType: 'cluster',
    name: cluster.name,
    description: cluster.description,
    uuid: `2b8f3c1e-${cluster.id
      .replace(/[^a-z0-9]/g, '')
      .padEnd(4, '0')
      .slice(0, 4)}-4d2a-9c1b-7e6f5a4b3c2d`,
    created: cluster.created,
    createdTS: createdTS(cluster.created),
    creatorId: 'user-admin',
    provider: cluster.provider,
    driver: cluster.driver,
    internal: cluster.internal,
    state: cluster.state,
    transitioning: cluster.transitioning,
    transitioningMessage: cluster.transitioningMessage,
    version: { gitVersion: cluster.version, major, minor, platform: 'linux/amd64' },
    conditions: cluster.conditions,
    nodeCount: nodes.length,
    capacity: {
      cpu: String(sum(nodes, (n) => n.cpu)),
      memory: `${sum(nodes, (n) => n.memoryGiB) * 1024 * 1024}Ki`,
      pods: String(nodes.length * 110),
    },
    allocatable: {
      cpu: `${sum(nodes, (n) => n.cpu) * 1000 - nodes.length * 100}m`,
      memory: `${sum(nodes, (n) => n.memoryGiB) * 1024 * 1024 - nodes.length * 524288}Ki`,
      pods: String(nodes.length * 110),
    },
    requested: {
      cpu: `${Math.round(sum(nodes, (n) => n.cpu) * 1000 * 0.46)}m`,
      memory: `${Math.round(sum(nodes, (n) => n.memoryGiB) * 0.52 * 1024)}Mi`,
      pods: String(nodes.length * 23),
    },
    labels: cluster.labels,
    annotations: {},
    links: {
      self,
      nodes: `${base}/v3/nodes?clusterId=${cluster.id}`,
      nodePools: `${base}/v3/nodePools?clusterId=${cluster.id}`,
    },
    actions: {},
  };
}

function renderPool(state: RancherState, pool: FakeNodePool, base: string): Json {
  const nodes = state.nodesOf(pool.clusterId).filter((n) => n.nodePoolId === pool.id);
  const busy = nodes.some((n) => n.state === 'provisioning' || n.state === 'removing');
  return {
    id: pool.id,
    type: 'nodePool',
    baseType: 'nodePool',
    name: pool.name,
    clusterId: pool.clusterId,
    namespaceId: pool.clusterId,
    hostnamePrefix: pool.hostnamePrefix,
    quantity: pool.quantity,
    nodeTemplateId: pool.nodeTemplateId,
    controlPlane: pool.controlPlane,
    etcd: pool.etcd,
    worker: pool.worker,
    drainBeforeDelete: true,
    deleteNotReadyAfterSecs: 0,
    created: pool.created,
    createdTS: createdTS(pool.created),
    creatorId: 'user-admin',
    state: busy ? 'updating' : 'active',
    transitioning: busy ? 'yes' : 'no',
    transitioningMessage: busy ? `scaling to ${pool.quantity} nodes` : '',
    labels: {},
    annotations: {},
    links: { self: `${base}/v3/nodePools/${pool.id}`, update: `${base}/v3/nodePools/${pool.id}` },
    actions: {},
  };
}

function renderNode(node: FakeNode, base: string): Json {
  return {
    id: node.id,
    type: 'node',
    baseType: 'node',
    name: '',
    clusterId: node.clusterId,
    ...(node.nodePoolId ? { nodePoolId: node.nodePoolId } : {}),
    nodeName: node.nodeName,
    hostname: node.nodeName,
    requestedHostname: node.nodeName,
    ipAddress: node.ipAddress,
    state: node.state,
    transitioning: node.state === 'active' ? 'no' : node.state === 'unavailable' ? 'error' : 'yes',
    transitioningMessage: node.transitioningMessage,
    controlPlane: node.controlPlane,
    etcd: node.etcd,
    worker: node.worker,
    unschedulable: node.unschedulable,
    conditions: node.conditions,
    capacity: { cpu: String(node.cpu), memory: `${node.memoryGiB * 1024 * 1024}Ki`, pods: '110' },
    allocatable: {
      cpu: `${node.cpu * 1000 - 100}m`,
      memory: `${node.memoryGiB * 1024 * 1024 - 524288}Ki`,
      pods: '110',
    },
    requested: {
      cpu: `${Math.round(node.cpu * 1000 * 0.46)}m`,
      memory: `${Math.round(node.memoryGiB * 0.52 * 1024)}Mi`,
      pods: '23',
    },
    // Kubernetes taints a cordoned node itself; the others are the node's own.
    taints: [
      ...(node.taints ?? []),
      ...(node.unschedulable ? [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] : []),
    ],
    ...(node.drainInput ? { nodeDrainInput: node.drainInput } : {}),
    info: {
      cpu: { count: node.cpu },
      memory: { memTotalKiB: node.memoryGiB * 1024 * 1024 },
      os: {
        operatingSystem: 'Ubuntu 22.04.4 LTS',
        kernelVersion: '5.15.0-117-generic',
        dockerVersion: 'containerd://1.7.17',
      },
      kubernetes: { kubeletVersion: node.kubeletVersion, kubeProxyVersion: node.kubeletVersion },
    },
    created: node.created,
    createdTS: createdTS(node.created),
    creatorId: 'user-admin',
    labels: {
      'kubernetes.io/hostname': node.nodeName,
      ...(node.worker ? { 'node-role.kubernetes.io/worker': 'true' } : {}),
      ...(node.controlPlane ? { 'node-role.kubernetes.io/controlplane': 'true' } : {}),
      ...(node.etcd ? { 'node-role.kubernetes.io/etcd': 'true' } : {}),
    },
    annotations: {},
    links: { self: `${base}/v3/nodes/${node.id}` },
    actions: nodeActions(node, `${base}/v3/nodes/${node.id}`),
  };
}

/** The actions Rancher's node formatter offers: stopDrain while draining, else drain (unless drained) and (un)cordon. */
function nodeActions(node: FakeNode, self: string): Record<string, string> {
  const action = (name: string) => [name, `${self}?action=${name}`];
  if (node.state === 'draining') return Object.fromEntries([action('stopDrain')]);
  return Object.fromEntries([
    ...(node.state === 'drained' ? [] : [action('drain')]),
    action(node.unschedulable ? 'uncordon' : 'cordon'),
  ]);
}

function renderProject(project: FakeProject, base: string): Json {
  return {
    id: project.id,
    type: 'project',
    baseType: 'project',
    name: project.name,
    clusterId: project.clusterId,
    namespaceId: project.clusterId,
    description: project.description,
    state: 'active',
    transitioning: 'no',
    transitioningMessage: '',
    created: project.created,
    createdTS: createdTS(project.created),
    creatorId: 'user-admin',
    enableProjectMonitoring: false,
    conditions: [
      { type: 'BackingNamespaceCreated', status: 'True', lastUpdateTime: project.created },
      { type: 'InitialRolesPopulated', status: 'True', lastUpdateTime: project.created },
    ],
    ...(project.resourceQuota ? { resourceQuota: project.resourceQuota } : {}),
    ...(project.namespaceDefaultResourceQuota
      ? { namespaceDefaultResourceQuota: project.namespaceDefaultResourceQuota }
      : {}),
    labels: {},
    annotations: {},
    links: { self: `${base}/v3/projects/${project.id}` },
    actions: {},
  };
}

function renderNamespace(namespace: FakeNamespace, base: string): Json {
  const projectId = namespace.projectId;
  return {
    id: namespace.name,
    type: 'namespace',
    links: { self: `${base}/k8s/clusters/${namespace.clusterId}/v1/namespaces/${namespace.name}` },
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace.name,
      creationTimestamp: namespace.created,
      labels: {
        'kubernetes.io/metadata.name': namespace.name,
        ...(projectId ? { 'field.cattle.io/projectId': projectId.split(':').at(-1)! } : {}),
      },
      annotations: projectId ? { 'field.cattle.io/projectId': projectId } : {},
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function renderProvisioningCluster(state: RancherState, cluster: FakeProvisioningCluster, base: string): Json {
  const management = state.clusters.get(cluster.clusterId);
  const self = `${base}/v1/provisioning.cattle.io.clusters/${cluster.namespace}/${cluster.name}`;
  return {
    id: `${cluster.namespace}/${cluster.name}`,
    type: 'provisioning.cattle.io.cluster',
    links: { self, update: self, view: self },
    apiVersion: 'provisioning.cattle.io/v1',
    kind: 'Cluster',
    metadata: {
      name: cluster.name,
      namespace: cluster.namespace,
      uid: cluster.uid,
      resourceVersion: String(cluster.resourceVersion),
      generation: cluster.generation,
      creationTimestamp: cluster.created,
    },
    spec: {
      kubernetesVersion: cluster.kubernetesVersion,
      cloudCredentialSecretName: 'cattle-global-data:cc-7xk2p',
      rkeConfig: { machinePools: cluster.machinePools.map((pool) => ({ ...pool, drainBeforeDelete: true })) },
    },
    status: {
      clusterName: cluster.clusterId,
      ready: management?.state === 'active',
      observedGeneration: cluster.generation,
      conditions: [],
    },
  };
}

/** The machines (v3 nodes) of an RKE2/K3s machine pool, oldest first. */
function machinesOf(state: RancherState, cluster: FakeProvisioningCluster, pool: string): FakeNode[] {
  return state
    .nodesOf(cluster.clusterId)
    .filter((n) => n.nodeName.startsWith(`${cluster.name}-${pool}-`) && n.state !== 'removing')
    .sort((a, b) => a.created.localeCompare(b.created) || a.nodeName.localeCompare(b.nodeName));
}

function renderEvent(clusterId: string, event: FakeEvent, base: string): Json {
  return {
    id: `${event.namespace}/${event.name}`,
    type: 'event',
    _type: event.type,
    links: { self: `${base}/k8s/clusters/${clusterId}/v1/events/${event.namespace}/${event.name}` },
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: event.name, namespace: event.namespace, creationTimestamp: event.firstTimestamp },
    involvedObject: event.involvedObject,
    reason: event.reason,
    message: event.message,
    count: event.count,
    firstTimestamp: event.firstTimestamp,
    lastTimestamp: event.lastTimestamp,
    source: { component: event.component },
  };
}

/** The v3 collection envelope with marker pagination (`limit`, `marker`, `pagination.next`). */
function collection<T extends { id: string }>(
  context: HandlerContext,
  resourceType: string,
  items: T[],
  render: (item: T) => Json,
): FakeResponse {
  const limit = Math.min(Number(query(context, 'limit') ?? 100) || 100, 1000);
  const marker = query(context, 'marker');
  const order = query(context, 'order') === 'desc' ? -1 : 1;
  const sorted = [...items].sort((a, b) => order * a.id.localeCompare(b.id));
  const start = marker
    ? Math.max(
        0,
        sorted.findIndex((item) => item.id === marker),
      )
    : 0;
  const page = sorted.slice(start, start + limit);
  const next = sorted[start + limit];
  const url = (extra: Record<string, string>) => {
    const link = new URL(context.request.path, context.baseUrl);
    for (const [name, value] of Object.entries(context.request.query)) {
      if (name !== 'marker') link.searchParams.set(name, Array.isArray(value) ? value.join(',') : value);
    }
    for (const [name, value] of Object.entries(extra)) link.searchParams.set(name, value);
    return link.href;
  };
  return {
    status: 200,
    body: {
      type: 'collection',
      resourceType,
      links: { self: url(marker ? { marker } : {}) },
      createTypes: {},
      actions: {},
      pagination: {
        limit,
        total: items.length,
        ...(marker ? { marker, first: url({}) } : {}),
        ...(next ? { next: url({ marker: next.id }), partial: true } : {}),
      },
      sort: { order: order === 1 ? 'asc' : 'desc', reverse: url({ order: order === 1 ? 'desc' : 'asc' }) },
      filters: {},
      data: page.map(render),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rancher's controllers: node changes requested by a scale finish on the next read.

function reconcile(state: RancherState, clusterId: string, running: boolean): void {
  if (!running) return;
  const cluster = state.clusters.get(clusterId);
  let changed = false;
  for (const node of state.nodesOf(clusterId)) {
    if (node.state === 'provisioning') {
      node.state = 'active';
      node.transitioningMessage = '';
      node.conditions = [{ type: 'Ready', status: 'True', lastUpdateTime: state.now() }];
      changed = true;
      const events = state.events.get(clusterId) ?? [];
      events.push({
        namespace: 'default',
        name: `${node.nodeName}.${state.suffix()}`,
        type: 'Normal',
        reason: 'RegisteredNode',
        message: `Node ${node.nodeName} event: Registered Node ${node.nodeName} in Controller`,
        involvedObject: { kind: 'Node', name: node.nodeName },
        count: 1,
        firstTimestamp: state.now(),
        lastTimestamp: state.now(),
        component: 'node-controller',
      });
      state.events.set(clusterId, events);
    } else if (node.state === 'removing') {
      state.nodes.delete(node.id);
      changed = true;
    } else if (node.state === 'draining') {
      // Rancher's drain, like kubectl drain, refuses pods with emptyDir volumes unless deleteLocalData is set.
      const blocked = node.drainInput?.deleteLocalData ? [] : (node.localDataPods ?? []);
      const drained = blocked.length === 0;
      node.state = drained ? 'drained' : 'draining';
      node.transitioningMessage = drained
        ? ''
        : `cannot delete Pods with local storage (use --delete-local-data to override): ${blocked.join(', ')}`;
      node.conditions = [
        ...node.conditions.filter((c) => c.type !== 'Drained'),
        {
          type: 'Drained',
          status: drained ? 'True' : 'False',
          lastUpdateTime: state.now(),
          ...(drained ? {} : { message: node.transitioningMessage }),
        },
      ];
    }
  }
  if (changed && cluster && cluster.state === 'updating') {
    cluster.state = 'active';
    cluster.transitioning = 'no';
    cluster.transitioningMessage = '';
  }
}

export interface RancherOptions {
  /** Node changes finish on the next read (default); false holds them, like a slow cloud provider. */
  controllersRunning: () => boolean;
}

export function rancherOperations(state: RancherState, options: RancherOptions): Record<string, FakeOperation> {
  const findCluster = (id: string) => {
    const cluster = state.clusters.get(id);
    if (!cluster) throw fail(404, `clusters.management.cattle.io "${id}" not found`);
    reconcile(state, id, options.controllersRunning());
    return cluster;
  };
  const findNode = (id: string) => {
    const node = state.nodes.get(id);
    if (!node) throw fail(404, `nodes.management.cattle.io "${id.split(':').at(-1)}" not found`);
    return node;
  };
  const findPool = (id: string) => {
    const pool = state.nodePools.get(id);
    if (!pool) throw fail(404, `nodepools.management.cattle.io "${id.split(':').at(-1)}" not found`);
    reconcile(state, pool.clusterId, options.controllersRunning());
    return pool;
  };

  return {
    listClusters: {
      route: 'GET /v3/clusters',
      handle: (context) => {
        for (const id of state.clusters.keys()) reconcile(state, id, options.controllersRunning());
        const name = query(context, 'name');
        const wanted = query(context, 'state');
        const items = [...state.clusters.values()].filter(
          (c) => (!name || c.name === name) && (!wanted || c.state === wanted),
        );
        return collection(context, 'cluster', items, (c) => renderCluster(state, c, context.baseUrl));
      },
    },
    getCluster: {
      route: 'GET /v3/clusters/{id}',
      handle: (context) => ({
        status: 200,
        body: renderCluster(state, findCluster(context.request.params.id!), context.baseUrl),
      }),
    },
    listNodePools: {
      route: 'GET /v3/nodePools',
      handle: (context) => {
        const clusterId = query(context, 'clusterId');
        if (clusterId) reconcile(state, clusterId, options.controllersRunning());
        const items = [...state.nodePools.values()].filter((p) => !clusterId || p.clusterId === clusterId);
        return collection(context, 'nodePool', items, (p) => renderPool(state, p, context.baseUrl));
      },
    },
    getNodePool: {
      route: 'GET /v3/nodePools/{id}',
      handle: (context) => ({
        status: 200,
        body: renderPool(state, findPool(context.request.params.id!), context.baseUrl),
      }),
    },
    updateNodePool: {
      route: 'PUT /v3/nodePools/{id}',
      handle: (context) => {
        const pool = findPool(context.request.params.id!);
        mustChange(state, context, 'nodepools', pool.id.split(':').at(-1)!);
        const body = context.request.body as { quantity?: number };
        const cluster = state.clusters.get(pool.clusterId)!;
        if (body.quantity !== undefined && body.quantity !== pool.quantity) {
          if (cluster.state === 'unavailable' || cluster.transitioning === 'error') {
            throw fail(
              409,
              `cluster ${cluster.name} is ${cluster.state}: node pools cannot be scaled until it is reachable`,
            );
          }
          const nodes = state
            .nodesOf(pool.clusterId)
            .filter((n) => n.nodePoolId === pool.id && n.state !== 'removing')
            .sort((a, b) => a.nodeName.localeCompare(b.nodeName, 'en', { numeric: true }));
          if (body.quantity > nodes.length) {
            const taken = new Set(nodes.map((n) => n.nodeName));
            let index = 1;
            for (let added = nodes.length; added < body.quantity; added++) {
              while (taken.has(`${pool.hostnamePrefix}${index}`)) index++;
              taken.add(`${pool.hostnamePrefix}${index}`);
              state.addNode(pool, index, false);
            }
          } else {
            for (const node of nodes.slice(body.quantity)) {
              node.state = 'removing';
              node.transitioningMessage = 'Draining node and deleting the machine';
            }
          }
          pool.quantity = body.quantity;
          cluster.state = 'updating';
          cluster.transitioning = 'yes';
          cluster.transitioningMessage = `[Reconciling] scaling node pool ${pool.name} to ${body.quantity}`;
        }
        return { status: 200, body: renderPool(state, pool, context.baseUrl) };
      },
    },
    listNodes: {
      route: 'GET /v3/nodes',
      handle: (context) => {
        const clusterId = query(context, 'clusterId');
        const poolId = query(context, 'nodePoolId');
        if (clusterId) reconcile(state, clusterId, options.controllersRunning());
        const items = [...state.nodes.values()].filter(
          (n) => (!clusterId || n.clusterId === clusterId) && (!poolId || n.nodePoolId === poolId),
        );
        return collection(context, 'node', items, (n) => renderNode(n, context.baseUrl));
      },
    },
    getNode: {
      route: 'GET /v3/nodes/{id}',
      handle: (context) => {
        const node = findNode(context.request.params.id!);
        reconcile(state, node.clusterId, options.controllersRunning());
        const current = state.nodes.get(node.id);
        if (!current) throw fail(404, `nodes.management.cattle.io "${node.id.split(':').at(-1)}" not found`);
        return { status: 200, body: renderNode(current, context.baseUrl) };
      },
    },
    nodeAction: {
      route: 'POST /v3/nodes/{id}',
      handle: (context) => {
        const node = findNode(context.request.params.id!);
        mustChange(state, context, 'nodes', node.id.split(':').at(-1)!);
        const action = query(context, 'action');
        if (action === 'drain' || action === 'stopDrain') {
          const offered =
            action === 'drain' ? node.state !== 'draining' && node.state !== 'drained' : node.state === 'draining';
          if (!offered) throw fail(422, `Node ${node.id} is ${node.state}: action ${action} is not available`);
          if (action === 'stopDrain') {
            node.state = 'cordoned';
            node.transitioningMessage = '';
            node.conditions = node.conditions.filter((c) => c.type !== 'Drained');
            return { status: 200, body: renderNode(node, context.baseUrl) };
          }
          if (node.state !== 'active' && node.state !== 'cordoned') {
            throw fail(409, `node ${node.nodeName} is ${node.state}: wait until it is active`);
          }
          // Rancher stores the input with its defaults on the node (spec.nodeDrainInput) and its controller drains.
          const input = (context.request.body ?? {}) as Record<string, unknown>;
          node.drainInput = {
            force: false,
            ignoreDaemonSets: true,
            deleteLocalData: false,
            gracePeriod: -1,
            timeout: 120,
            ...input,
          };
          node.unschedulable = true;
          node.state = 'draining';
          node.transitioningMessage = 'Draining node';
          return { status: 200, body: renderNode(node, context.baseUrl) };
        }
        const uncordonsDrained = action === 'uncordon' && node.state === 'drained';
        if (node.state !== 'active' && node.state !== 'cordoned' && !uncordonsDrained) {
          throw fail(409, `node ${node.nodeName} is ${node.state}: wait until it is active`);
        }
        if (action === 'cordon' && node.unschedulable)
          throw fail(422, `node ${node.nodeName} is already cordoned`, 'action');
        if (action === 'uncordon' && !node.unschedulable)
          throw fail(422, `node ${node.nodeName} is not cordoned`, 'action');
        node.unschedulable = action === 'cordon';
        node.state = node.unschedulable ? 'cordoned' : 'active';
        if (!node.unschedulable) node.conditions = node.conditions.filter((c) => c.type !== 'Drained');
        return { status: 200, body: renderNode(node, context.baseUrl) };
      },
    },
    getProvisioningCluster: {
      route: 'GET /v1/provisioning.cattle.io.clusters/{namespace}/{name}',
      handle: (context) => {
        const { namespace, name } = context.request.params as { namespace: string; name: string };
        const cluster = state.provisioningClusters.get(`${namespace}/${name}`);
        if (!cluster) throw fail(404, `clusters.provisioning.cattle.io "${name}" not found`);
        reconcile(state, cluster.clusterId, options.controllersRunning());
        return { status: 200, body: renderProvisioningCluster(state, cluster, context.baseUrl) };
      },
    },
    updateProvisioningCluster: {
      route: 'PUT /v1/provisioning.cattle.io.clusters/{namespace}/{name}',
      handle: (context) => {
        const { namespace, name } = context.request.params as { namespace: string; name: string };
        const cluster = state.provisioningClusters.get(`${namespace}/${name}`);
        if (!cluster) throw fail(404, `clusters.provisioning.cattle.io "${name}" not found`);
        mustChange(state, context, 'clusters', name);
        const body = context.request.body as {
          metadata: { name: string; namespace: string; resourceVersion?: string };
          spec: { rkeConfig?: { machinePools?: FakeMachinePool[] } };
        };
        if (body.metadata.name !== name || body.metadata.namespace !== namespace) {
          throw fail(
            400,
            `the name of the object (${body.metadata.namespace}/${body.metadata.name}) does not match the name on the URL (${namespace}/${name})`,
          );
        }
        if (body.metadata.resourceVersion === undefined) {
          throw fail(
            422,
            `clusters.provisioning.cattle.io "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
            'metadata.resourceVersion',
          );
        }
        if (body.metadata.resourceVersion !== String(cluster.resourceVersion)) {
          throw fail(
            409,
            `Operation cannot be fulfilled on clusters.provisioning.cattle.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          );
        }
        const pools = (body.spec.rkeConfig?.machinePools ?? []).map((p) => ({
          name: p.name,
          quantity: p.quantity ?? 1,
          controlPlaneRole: p.controlPlaneRole ?? false,
          etcdRole: p.etcdRole ?? false,
          workerRole: p.workerRole ?? false,
          machineConfigRef: { kind: p.machineConfigRef.kind, name: p.machineConfigRef.name },
        }));
        let changed = false;
        for (const pool of pools) {
          const machines = machinesOf(state, cluster, pool.name);
          for (let n = machines.length; n < pool.quantity; n++) {
            state.addMachine(cluster, pool, false);
            changed = true;
          }
          for (const machine of machines.slice(pool.quantity)) {
            machine.state = 'removing';
            machine.transitioningMessage = 'Draining node and deleting the machine';
            changed = true;
          }
        }
        for (const old of cluster.machinePools.filter((p) => !pools.some((q) => q.name === p.name))) {
          for (const machine of machinesOf(state, cluster, old.name)) machine.state = 'removing';
          changed = true;
        }
        if (JSON.stringify(pools) !== JSON.stringify(cluster.machinePools)) cluster.generation += 1;
        cluster.machinePools = pools;
        cluster.resourceVersion += 1;
        const management = state.clusters.get(cluster.clusterId);
        if (changed && management) {
          management.state = 'updating';
          management.transitioning = 'yes';
          management.transitioningMessage = `[Reconciling] rkecontrolplane: scaling machine pools of ${name}`;
        }
        return { status: 200, body: renderProvisioningCluster(state, cluster, context.baseUrl) };
      },
    },
    listProjects: {
      route: 'GET /v3/projects',
      handle: (context) => {
        const clusterId = query(context, 'clusterId');
        const name = query(context, 'name');
        const items = [...state.projects.values()].filter(
          (p) => (!clusterId || p.clusterId === clusterId) && (!name || p.name === name),
        );
        return collection(context, 'project', items, (p) => renderProject(p, context.baseUrl));
      },
    },
    listClusterNamespaces: {
      route: 'GET /k8s/clusters/{clusterId}/v1/namespaces',
      handle: (context) => {
        const clusterId = context.request.params.clusterId!;
        const cluster = findCluster(clusterId);
        if (cluster.state === 'unavailable') {
          throw fail(503, `cluster agent for ${cluster.name} is not connected`);
        }
        const namespaces = state.namespaces
          .filter((n) => n.clusterId === clusterId)
          .sort((a, b) => a.name.localeCompare(b.name));
        const limit = Number(query(context, 'limit') ?? 0) || namespaces.length || 1;
        const offset = Number(Buffer.from(query(context, 'continue') ?? '', 'base64url').toString() || 0);
        const more = offset + limit < namespaces.length;
        return {
          status: 200,
          body: {
            type: 'collection',
            resourceType: 'namespace',
            links: { self: new URL(context.request.path, context.baseUrl).href },
            createTypes: {},
            actions: {},
            revision: '48213',
            pagination: {
              limit,
              ...(more ? { continue: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
            },
            data: namespaces.slice(offset, offset + limit).map((n) => renderNamespace(n, context.baseUrl)),
          },
        };
      },
    },
    listClusterEvents: {
      route: 'GET /k8s/clusters/{clusterId}/v1/events',
      handle: (context) => {
        const clusterId = context.request.params.clusterId!;
        const cluster = findCluster(clusterId);
        if (cluster.state === 'unavailable') {
          throw fail(503, `cluster agent for ${cluster.name} is not connected`);
        }
        const selector = query(context, 'fieldSelector');
        const terms = (selector ?? '')
          .split(',')
          .filter(Boolean)
          .map((t) => t.split('=') as [string, string]);
        const events = (state.events.get(clusterId) ?? []).filter((e) =>
          terms.every(([field, value]) =>
            field === 'type'
              ? e.type === value
              : field === 'involvedObject.name'
                ? e.involvedObject.name === value
                : field === 'involvedObject.kind'
                  ? e.involvedObject.kind === value
                  : field === 'metadata.namespace'
                    ? e.namespace === value
                    : false,
          ),
        );
        const limit = Number(query(context, 'limit') ?? 0) || events.length || 1;
        const offset = Number(Buffer.from(query(context, 'continue') ?? '', 'base64url').toString() || 0);
        const page = events.slice(offset, offset + limit);
        const more = offset + limit < events.length;
        return {
          status: 200,
          body: {
            type: 'collection',
            resourceType: 'event',
            links: { self: new URL(context.request.path, context.baseUrl).href },
            createTypes: {},
            actions: {},
            revision: '48213',
            pagination: {
              limit,
              ...(more ? { continue: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
            },
            data: page.map((e) => renderEvent(clusterId, e, context.baseUrl)),
          },
        };
      },
    },
  };
}
