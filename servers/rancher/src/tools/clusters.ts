import {
  decodeCursor,
  defineTool,
  encodeCursor,
  listArgs,
  nextCursorField,
  offsetPage,
  READ,
  ToolError,
  WRITE,
} from '@idp-mcp/core';
import { kubeEventSchema, recentKubeEvents } from '@idp-mcp/kube/events';
import * as z from 'zod';
import { type Collection, nextMarker, type Rancher } from '../rancher.ts';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
}

interface Resources {
  cpu?: string;
  memory?: string;
  pods?: string;
}

interface Cluster {
  id: string;
  name: string;
  description?: string;
  provider?: string;
  driver?: string;
  state?: string;
  transitioning?: string;
  transitioningMessage?: string;
  version?: { gitVersion?: string };
  conditions?: Condition[];
  nodeCount?: number;
  capacity?: Resources;
  allocatable?: Resources;
  requested?: Resources;
  created?: string;
  internal?: boolean;
}

interface NodePool {
  id: string;
  name: string;
  clusterId: string;
  hostnamePrefix: string;
  quantity: number;
  controlPlane?: boolean;
  etcd?: boolean;
  worker?: boolean;
  state?: string;
  transitioningMessage?: string;
}

interface MachinePool {
  name: string;
  quantity?: number;
  controlPlaneRole?: boolean;
  etcdRole?: boolean;
  workerRole?: boolean;
  [key: string]: unknown;
}

/** provisioning.cattle.io/v1 Cluster, as the Steve API serves it. */
interface ProvisioningCluster {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { rkeConfig?: { machinePools?: MachinePool[] }; [key: string]: unknown };
  [key: string]: unknown;
}

interface Node {
  id: string;
  nodeName?: string;
  hostname?: string;
  nodePoolId?: string;
  ipAddress?: string;
  state?: string;
  transitioningMessage?: string;
  controlPlane?: boolean;
  etcd?: boolean;
  worker?: boolean;
  unschedulable?: boolean;
  conditions?: Condition[];
  info?: {
    kubernetes?: { kubeletVersion?: string };
    os?: { operatingSystem?: string; kernelVersion?: string; dockerVersion?: string };
  };
  capacity?: Resources;
  allocatable?: Resources;
  requested?: Resources;
  taints?: Array<{ key: string; value?: string; effect: string; timeAdded?: string }>;
  nodeDrainInput?: DrainInput;
}

/** Rancher's NodeDrainInput, the body of the node `drain` action. */
interface DrainInput {
  force?: boolean;
  ignoreDaemonSets?: boolean;
  deleteLocalData?: boolean;
  gracePeriod?: number;
  timeout?: number;
}

/** Rancher's ResourceQuotaLimit: Kubernetes quantities by resource (pods, limitsCpu, requestsMemory, ...). */
type QuotaLimit = Record<string, string>;

interface Project {
  id: string;
  name: string;
  clusterId: string;
  description?: string;
  state?: string;
  resourceQuota?: { limit?: QuotaLimit; usedLimit?: QuotaLimit };
  namespaceDefaultResourceQuota?: { limit?: QuotaLimit };
}

/** A Kubernetes Namespace as the Steve API serves it. */
interface Namespace {
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
}

interface Event {
  _type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  firstTimestamp?: string;
  metadata?: { namespace?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

const CLUSTER_ID = /^(local|c-[a-z0-9-]{3,})$/;
const MAX_EVENTS_FETCHED = 500;

const clusterArg = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a cluster id (c-m-abc12, local) or a cluster name (prod)' })
  .describe('Cluster id (e.g. c-m-prod01) or name (e.g. prod).');

const RKE1_POOL = /^(local|c-[a-z0-9-]+):np-[a-z0-9]+$/;
/** An RKE2/K3s machine pool, named by its provisioning cluster: `<namespace>/<cluster>:<pool>`. */
const MACHINE_POOL = /^([a-z0-9-]+)\/([a-z0-9][a-z0-9.-]*):([a-z0-9][a-z0-9-]*)$/;
/** Rancher's default Fleet workspace, where it keeps the provisioning.cattle.io Clusters it creates. */
const WORKSPACE = 'fleet-default';

const nodePoolId = z
  .string()
  .refine((id) => RKE1_POOL.test(id) || MACHINE_POOL.test(id), {
    error:
      'must be a node pool id like c-m-prod01:np-p7w2n or fleet-default/staging:workers (list_node_pools shows them)',
  })
  .describe(
    'Node pool id from list_node_pools: c-m-prod01:np-p7w2n (RKE) or fleet-default/staging:workers (RKE2/K3s).',
  );

const nodeId = z
  .string()
  .regex(/^(local|c-[a-z0-9-]+):m-[a-z0-9]+$/, {
    error: 'must be a node id like c-m-prod01:m-abc12 (list_nodes shows them)',
  })
  .describe('Node id, e.g. c-m-prod01:m-abc12.');

function roles(item: { controlPlane?: boolean; etcd?: boolean; worker?: boolean }): string[] {
  return [item.controlPlane ? 'controlplane' : '', item.etcd ? 'etcd' : '', item.worker ? 'worker' : ''].filter(
    Boolean,
  );
}

/** Kubernetes quantities as numbers: cores for CPU ("8", "7900m"), GiB for memory ("32Gi", "33554432Ki"). */
export function cores(value: string | undefined): number {
  if (!value) return 0;
  return value.endsWith('m') ? Number(value.slice(0, -1)) / 1000 : Number(value);
}

export function gib(value: string | undefined): number {
  if (!value) return 0;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(value);
  if (!match) return 0;
  const factor: Record<string, number> = {
    Ki: 1 / 1024 ** 2,
    Mi: 1 / 1024,
    Gi: 1,
    Ti: 1024,
    k: 1e3 / 1024 ** 3,
    M: 1e6 / 1024 ** 3,
    G: 1e9 / 1024 ** 3,
  };
  return Math.round(Number(match[1]) * (match[2] ? (factor[match[2]] ?? 1) : 1 / 1024 ** 3) * 10) / 10;
}

function machineRoles(pool: MachinePool): string[] {
  return roles({ controlPlane: pool.controlPlaneRole, etcd: pool.etcdRole, worker: pool.workerRole });
}

/** Scaling guards shared by both kinds of pool: keep the control plane up and etcd at an odd size. */
function checkScale(name: string, poolRoles: string[], quantity: number): void {
  if ((poolRoles.includes('controlplane') || poolRoles.includes('etcd')) && quantity === 0) {
    const runs = poolRoles.filter((r) => r !== 'worker').join(' and ');
    throw new ToolError('invalid_request', `quantity: ${name} runs ${runs}; 0 nodes would take the cluster down`, {
      hint: 'keep at least 1 node (3 for a highly available etcd)',
    });
  }
  if (poolRoles.includes('etcd') && quantity % 2 === 0) {
    throw new ToolError(
      'invalid_request',
      `quantity: ${name} runs etcd; ${quantity} members tolerate no more failures than ${quantity - 1}`,
      { hint: 'use an odd number of etcd nodes (1, 3 or 5)' },
    );
  }
}

/** Rancher's annotation (and label) that puts a namespace in a project: `<clusterId>:<projectId>`. */
const PROJECT_ANNOTATION = 'field.cattle.io/projectId';
const MAX_NAMESPACES_LISTED = 25;

function resourcesOf(r: Resources | undefined) {
  return { cpu_cores: cores(r?.cpu), memory_gib: gib(r?.memory), pods: Number(r?.pods ?? 0) || 0 };
}

function conditionList(conditions: Condition[] | undefined) {
  return (conditions ?? []).map((c) => ({
    type: c.type ?? '',
    status: c.status ?? '',
    reason: c.reason,
    message: c.message,
    last_update: c.lastUpdateTime,
  }));
}

function isReady(node: Node): boolean {
  return node.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export function clusterTools(rancher: Rancher) {
  /** Accepts an id or a name; names are looked up (Rancher filters by name server-side). */
  const resolveCluster = async (ref: string, signal: AbortSignal): Promise<Cluster> => {
    if (CLUSTER_ID.test(ref))
      return rancher.request<Cluster>('GET', `/v3/clusters/${encodeURIComponent(ref)}`, { signal });
    const found = await rancher.request<Collection<Cluster>>('GET', '/v3/clusters', { query: { name: ref }, signal });
    const cluster = found.data[0];
    if (!cluster) {
      throw new ToolError('not_found', `cluster: no cluster named ${JSON.stringify(ref)}`, {
        hint: 'list_clusters shows the clusters by id and name',
      });
    }
    return cluster;
  };

  const allPages = async <T>(path: string, query: Record<string, string>, signal: AbortSignal): Promise<T[]> => {
    const items: T[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await rancher.request<Collection<T>>('GET', path, {
        query: { ...query, limit: 1000, marker },
        signal,
      });
      items.push(...page.data);
      marker = nextMarker(page);
      if (!marker) break;
    }
    return items;
  };

  return [
    defineTool({
      name: 'list_clusters',
      title: 'List clusters',
      description:
        'List the downstream Kubernetes clusters Rancher manages: id, name, provider, state, Kubernetes version, node count and any transition or error message.',
      toolset: 'clusters',
      tier: 'read',
      annotations: READ,
      input: z.object({
        state: z
          .enum(['active', 'provisioning', 'updating', 'unavailable', 'error'])
          .optional()
          .describe('Only clusters in this state.'),
        name_contains: z.string().min(1).optional().describe('Only clusters whose name contains this text.'),
        ...listArgs,
      }),
      output: z.object({
        clusters: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            provider: z.string().optional(),
            state: z.string(),
            version: z.string().optional(),
            nodes: z.number(),
            failing_conditions: z.number(),
            message: z.string().optional(),
          }),
        ),
        total: z.number(),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const clusters = (
          await allPages<Cluster>('/v3/clusters', input.state ? { state: input.state } : {}, ctx.signal)
        )
          .filter((c) => !input.name_contains || c.name.includes(input.name_contains))
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = offsetPage('list_clusters', clusters, input);
        return {
          clusters: page.items.map((c) => ({
            id: c.id,
            name: c.name,
            provider: c.provider,
            state: c.state ?? 'unknown',
            version: c.version?.gitVersion,
            nodes: c.nodeCount ?? 0,
            failing_conditions: (c.conditions ?? []).filter((cond) => cond.status !== 'True').length,
            message: c.transitioningMessage || undefined,
          })),
          total: page.total,
          nextCursor: page.nextCursor,
        };
      },
    }),
    defineTool({
      name: 'get_cluster_status',
      title: 'Get cluster status',
      description:
        "Get one cluster's health: state and message, Kubernetes version, nodes (total and not ready), conditions that are not True, and CPU/memory capacity, allocatable and requested.",
      toolset: 'clusters',
      tier: 'read',
      annotations: READ,
      input: z.object({ cluster: clusterArg }),
      output: z.object({
        id: z.string(),
        name: z.string(),
        description: z.string().optional(),
        provider: z.string().optional(),
        state: z.string(),
        message: z.string().optional(),
        version: z.string().optional(),
        nodes: z.object({ total: z.number(), not_ready: z.array(z.string()), cordoned: z.array(z.string()) }),
        failing_conditions: z.array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().optional(),
            message: z.string().optional(),
          }),
        ),
        healthy_conditions: z.array(z.string()),
        resources: z.object({
          cpu_cores: z.object({
            capacity: z.number(),
            allocatable: z.number(),
            requested: z.number(),
            requested_percent: z.number(),
          }),
          memory_gib: z.object({
            capacity: z.number(),
            allocatable: z.number(),
            requested: z.number(),
            requested_percent: z.number(),
          }),
        }),
      }),
      handler: async (input, ctx) => {
        const cluster = await resolveCluster(input.cluster, ctx.signal);
        const nodes = await allPages<Node>('/v3/nodes', { clusterId: cluster.id }, ctx.signal);
        const conditions = cluster.conditions ?? [];
        const cpu = {
          capacity: cores(cluster.capacity?.cpu),
          allocatable: cores(cluster.allocatable?.cpu),
          requested: cores(cluster.requested?.cpu),
        };
        const memory = {
          capacity: gib(cluster.capacity?.memory),
          allocatable: gib(cluster.allocatable?.memory),
          requested: gib(cluster.requested?.memory),
        };
        const percent = (used: number, of: number) => (of > 0 ? Math.round((used / of) * 100) : 0);
        return {
          id: cluster.id,
          name: cluster.name,
          description: cluster.description || undefined,
          provider: cluster.provider,
          state: cluster.state ?? 'unknown',
          message: cluster.transitioningMessage || undefined,
          version: cluster.version?.gitVersion,
          nodes: {
            total: nodes.length,
            not_ready: nodes.filter((n) => !isReady(n)).map((n) => n.nodeName ?? n.id),
            cordoned: nodes.filter((n) => n.unschedulable).map((n) => n.nodeName ?? n.id),
          },
          failing_conditions: conditions
            .filter((c) => c.status !== 'True')
            .map((c) => ({ type: c.type ?? '', status: c.status ?? '', reason: c.reason, message: c.message })),
          healthy_conditions: conditions.filter((c) => c.status === 'True').map((c) => c.type ?? ''),
          resources: {
            cpu_cores: { ...cpu, requested_percent: percent(cpu.requested, cpu.allocatable) },
            memory_gib: { ...memory, requested_percent: percent(memory.requested, memory.allocatable) },
          },
        };
      },
    }),
    defineTool({
      name: 'list_nodes',
      title: 'List nodes',
      description:
        "List a cluster's nodes: name, node pool, roles, state, readiness, cordoned, kubelet version and IP. problems_only keeps nodes that are not ready or not active.",
      toolset: 'nodes',
      tier: 'read',
      annotations: READ,
      input: z.object({
        cluster: clusterArg,
        problems_only: z.boolean().default(false).describe('Only nodes that are not ready or not active.'),
        ...listArgs,
      }),
      output: z.object({
        nodes: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            node_pool_id: z.string().optional(),
            roles: z.array(z.string()),
            state: z.string(),
            ready: z.boolean(),
            cordoned: z.boolean(),
            kubelet: z.string().optional(),
            ip: z.string().optional(),
            message: z.string().optional(),
          }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const position = decodeCursor<{ clusterId: string; marker: string }>('list_nodes', input.cursor);
        const clusterId = position?.clusterId ?? (await resolveCluster(input.cluster, ctx.signal)).id;
        const page = await rancher.request<Collection<Node>>('GET', '/v3/nodes', {
          query: { clusterId, limit: input.limit, marker: position?.marker },
          signal: ctx.signal,
        });
        const marker = nextMarker(page);
        return {
          nodes: page.data
            .map((n) => ({
              id: n.id,
              name: n.nodeName ?? n.hostname ?? n.id,
              node_pool_id: n.nodePoolId,
              roles: roles(n),
              state: n.state ?? 'unknown',
              ready: isReady(n),
              cordoned: n.unschedulable ?? false,
              kubelet: n.info?.kubernetes?.kubeletVersion,
              ip: n.ipAddress,
              message: n.transitioningMessage || n.conditions?.find((c) => c.status !== 'True' && c.message)?.message,
            }))
            .filter((n) => !input.problems_only || !n.ready || n.state !== 'active'),
          nextCursor: marker ? encodeCursor('list_nodes', { clusterId, marker }) : undefined,
        };
      },
    }),
    defineTool({
      name: 'list_node_pools',
      title: 'List node pools',
      description:
        "List a cluster's node pools: RKE node pools or RKE2/K3s machine pools, with id, roles, desired quantity and nodes active now.",
      toolset: 'nodes',
      tier: 'read',
      annotations: READ,
      input: z.object({ cluster: clusterArg }),
      output: z.object({
        node_pools: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            roles: z.array(z.string()),
            quantity: z.number().describe('Desired nodes.'),
            active: z.number().describe('Nodes active now.'),
            state: z.string(),
            hostname_prefix: z.string(),
            message: z.string().optional(),
          }),
        ),
        note: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const cluster = await resolveCluster(input.cluster, ctx.signal);
        const nodes = await allPages<Node>('/v3/nodes', { clusterId: cluster.id }, ctx.signal);
        if ((cluster.provider === 'rke2' || cluster.provider === 'k3s') && !cluster.internal) {
          // Rancher provisions RKE2/K3s clusters as provisioning.cattle.io Clusters with machine pools.
          const provisioning = await rancher.request<ProvisioningCluster>(
            'GET',
            `/v1/provisioning.cattle.io.clusters/${WORKSPACE}/${encodeURIComponent(cluster.name)}`,
            { signal: ctx.signal },
          );
          const pools = provisioning.spec.rkeConfig?.machinePools ?? [];
          return {
            node_pools: pools.map((pool) => {
              const prefix = `${cluster.name}-${pool.name}-`;
              const active = nodes.filter((n) => (n.nodeName ?? '').startsWith(prefix) && n.state === 'active').length;
              const quantity = pool.quantity ?? 1;
              return {
                id: `${WORKSPACE}/${cluster.name}:${pool.name}`,
                name: pool.name,
                roles: machineRoles(pool),
                quantity,
                active,
                state: active === quantity ? 'active' : 'updating',
                hostname_prefix: prefix,
              };
            }),
            note:
              pools.length === 0 ? `${cluster.name} has no machine pools: its nodes are custom or imported` : undefined,
          };
        }
        const pools = await allPages<NodePool>('/v3/nodePools', { clusterId: cluster.id }, ctx.signal);
        return {
          node_pools: pools
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((p) => ({
              id: p.id,
              name: p.name,
              roles: roles(p),
              quantity: p.quantity,
              active: nodes.filter((n) => n.nodePoolId === p.id && n.state === 'active').length,
              state: p.state ?? 'unknown',
              hostname_prefix: p.hostnamePrefix,
              message: p.transitioningMessage || undefined,
            })),
          note:
            pools.length === 0
              ? `${cluster.name} has no Rancher node pools (provider ${cluster.provider ?? 'unknown'}): its nodes are managed by the provider or outside Rancher`
              : undefined,
        };
      },
    }),
    defineTool({
      name: 'scale_node_pool',
      title: 'Scale node pool',
      description:
        'Set the number of nodes in a node pool. Rancher provisions or drains and deletes machines; follow with list_node_pools. Refuses to empty a control-plane or etcd pool or leave etcd without quorum.',
      toolset: 'nodes',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
      input: z.object({
        node_pool_id: nodePoolId,
        quantity: z.number().int().min(0).max(100).describe('Desired number of nodes.'),
      }),
      output: z.object({
        node_pool_id: z.string(),
        name: z.string(),
        previous_quantity: z.number(),
        quantity: z.number(),
        state: z.string(),
        message: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const machinePool = MACHINE_POOL.exec(input.node_pool_id);
        if (machinePool) {
          const [, namespace, clusterName, poolName] = machinePool as unknown as [string, string, string, string];
          const path = `/v1/provisioning.cattle.io.clusters/${namespace}/${encodeURIComponent(clusterName)}`;
          const provisioning = await rancher.request<ProvisioningCluster>('GET', path, { signal: ctx.signal });
          const pools = provisioning.spec.rkeConfig?.machinePools ?? [];
          const pool = pools.find((p) => p.name === poolName);
          if (!pool) {
            throw new ToolError('not_found', `node_pool_id: ${clusterName} has no machine pool ${poolName}`, {
              hint: `its pools are ${pools.map((p) => p.name).join(', ') || 'none'} (list_node_pools)`,
            });
          }
          checkScale(poolName, machineRoles(pool), input.quantity);
          const previous = pool.quantity ?? 1;
          pool.quantity = input.quantity;
          // The whole object goes back with its resourceVersion: a concurrent change is refused (409), not overwritten.
          const updated = await rancher.request<ProvisioningCluster>('PUT', path, {
            body: provisioning,
            signal: ctx.signal,
          });
          const scaled = input.quantity !== previous;
          return {
            node_pool_id: input.node_pool_id,
            name: poolName,
            previous_quantity: previous,
            quantity:
              updated.spec.rkeConfig?.machinePools?.find((p) => p.name === poolName)?.quantity ?? input.quantity,
            state: scaled ? 'updating' : 'active',
            message: scaled ? `scaling ${poolName} from ${previous} to ${input.quantity} machines` : undefined,
          };
        }
        const path = `/v3/nodePools/${encodeURIComponent(input.node_pool_id)}`;
        const pool = await rancher.request<NodePool>('GET', path, { signal: ctx.signal });
        checkScale(pool.name, roles(pool), input.quantity);
        const updated = await rancher.request<NodePool>('PUT', path, {
          body: { quantity: input.quantity },
          signal: ctx.signal,
        });
        return {
          node_pool_id: updated.id,
          name: updated.name,
          previous_quantity: pool.quantity,
          quantity: updated.quantity,
          state: updated.state ?? 'unknown',
          message: updated.transitioningMessage || undefined,
        };
      },
    }),
    defineTool({
      name: 'cordon_node',
      title: 'Cordon or uncordon node',
      description:
        'Mark a node unschedulable (cordon, the default) so no new pods land on it, or schedulable again (cordon: false). Running pods stay.',
      toolset: 'nodes',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: false },
      input: z.object({
        node_id: nodeId,
        cordon: z.boolean().default(true).describe('true to cordon, false to uncordon.'),
      }),
      output: z.object({ node_id: z.string(), name: z.string(), cordoned: z.boolean(), state: z.string() }),
      handler: async (input, ctx) => {
        const node = await rancher.request<Node>('POST', `/v3/nodes/${encodeURIComponent(input.node_id)}`, {
          query: { action: input.cordon ? 'cordon' : 'uncordon' },
          signal: ctx.signal,
        });
        return {
          node_id: node.id,
          name: node.nodeName ?? node.id,
          cordoned: node.unschedulable ?? false,
          state: node.state ?? 'unknown',
        };
      },
    }),
    defineTool({
      name: 'get_node',
      title: 'Get node',
      description:
        'Get one node in detail: pool, roles, state and message, every condition (Ready, MemoryPressure, Drained, ...), taints, CPU/memory/pods capacity, allocatable and requested, OS and kubelet, and the options of its last drain. Use after list_nodes to see why a node is unhealthy or whether a drain finished.',
      toolset: 'nodes',
      tier: 'read',
      annotations: READ,
      input: z.object({ node_id: nodeId }),
      output: z.object({
        id: z.string(),
        name: z.string(),
        cluster_id: z.string(),
        node_pool_id: z.string().optional(),
        roles: z.array(z.string()),
        state: z.string().describe('active, cordoned, draining, drained, unavailable, provisioning, ...'),
        message: z.string().optional(),
        ready: z.boolean(),
        cordoned: z.boolean(),
        ip: z.string().optional(),
        kubelet: z.string().optional(),
        os: z.string().optional(),
        kernel: z.string().optional(),
        container_runtime: z.string().optional(),
        conditions: z.array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().optional(),
            message: z.string().optional(),
            last_update: z.string().optional(),
          }),
        ),
        taints: z.array(z.object({ key: z.string(), value: z.string().optional(), effect: z.string() })),
        resources: z.object({
          capacity: z.object({ cpu_cores: z.number(), memory_gib: z.number(), pods: z.number() }),
          allocatable: z.object({ cpu_cores: z.number(), memory_gib: z.number(), pods: z.number() }),
          requested: z.object({ cpu_cores: z.number(), memory_gib: z.number(), pods: z.number() }),
        }),
        last_drain: z
          .object({
            force: z.boolean(),
            ignore_daemonsets: z.boolean(),
            delete_local_data: z.boolean(),
            grace_period_seconds: z.number(),
            timeout_seconds: z.number(),
          })
          .optional()
          .describe('The options of the last drain_node, as Rancher keeps them on the node.'),
      }),
      handler: async (input, ctx) => {
        const node = await rancher.request<Node & { clusterId: string }>(
          'GET',
          `/v3/nodes/${encodeURIComponent(input.node_id)}`,
          { signal: ctx.signal },
        );
        const drain = node.nodeDrainInput;
        return {
          id: node.id,
          name: node.nodeName ?? node.hostname ?? node.id,
          cluster_id: node.clusterId,
          node_pool_id: node.nodePoolId,
          roles: roles(node),
          state: node.state ?? 'unknown',
          message: node.transitioningMessage || undefined,
          ready: isReady(node),
          cordoned: node.unschedulable ?? false,
          ip: node.ipAddress,
          kubelet: node.info?.kubernetes?.kubeletVersion,
          os: node.info?.os?.operatingSystem,
          kernel: node.info?.os?.kernelVersion,
          container_runtime: node.info?.os?.dockerVersion,
          conditions: conditionList(node.conditions),
          taints: (node.taints ?? []).map((t) => ({ key: t.key, value: t.value || undefined, effect: t.effect })),
          resources: {
            capacity: resourcesOf(node.capacity),
            allocatable: resourcesOf(node.allocatable),
            requested: resourcesOf(node.requested),
          },
          last_drain: drain
            ? {
                force: drain.force ?? false,
                ignore_daemonsets: drain.ignoreDaemonSets ?? true,
                delete_local_data: drain.deleteLocalData ?? false,
                grace_period_seconds: drain.gracePeriod ?? -1,
                timeout_seconds: drain.timeout ?? 120,
              }
            : undefined,
        };
      },
    }),
    defineTool({
      name: 'drain_node',
      title: 'Drain node',
      description:
        "Cordon a node and evict its pods (Rancher's node drain), e.g. before maintenance. Rancher drains in the background: the node goes draining, then drained; follow with get_node, whose message says what blocks a drain; stop_drain_node stops a stuck one. Bring the node back with cordon_node (cordon: false).",
      toolset: 'nodes',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: true, idempotentHint: false },
      input: z.object({
        node_id: nodeId,
        delete_local_data: z
          .boolean()
          .default(false)
          .describe(
            'Also evict pods with emptyDir volumes; their local data is lost. Without it such pods block the drain.',
          ),
        force: z
          .boolean()
          .default(false)
          .describe('Also delete pods no controller manages (they are not recreated anywhere).'),
        ignore_daemonsets: z
          .boolean()
          .default(true)
          .describe('Proceed although DaemonSet pods run on the node (they stay; Rancher defaults to true).'),
        grace_period_seconds: z
          .number()
          .int()
          .min(-1)
          .max(3600)
          .default(-1)
          .describe("Seconds each pod gets to terminate; -1 uses each pod's own terminationGracePeriodSeconds."),
        timeout_seconds: z
          .number()
          .int()
          .min(1)
          .max(10800)
          .default(120)
          .describe('Seconds Rancher waits for the evictions before giving up (1-10800).'),
      }),
      output: z.object({
        node_id: z.string(),
        name: z.string(),
        state: z.string().describe('draining while Rancher evicts pods, drained when done.'),
        cordoned: z.boolean(),
        message: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const path = `/v3/nodes/${encodeURIComponent(input.node_id)}`;
        const node = await rancher.request<Node>('GET', path, { signal: ctx.signal });
        const name = node.nodeName ?? node.id;
        if (node.state === 'draining' || node.state === 'drained') {
          throw new ToolError('conflict', `node_id: ${name} is already ${node.state}`, {
            hint:
              node.state === 'drained'
                ? 'cordon_node with cordon: false puts it back in service'
                : 'get_node shows the progress and what blocks the drain',
          });
        }
        if (node.state !== 'active' && node.state !== 'cordoned') {
          throw new ToolError(
            'conflict',
            `node_id: ${name} is ${node.state}; only an active or cordoned node can be drained`,
            {
              hint: 'get_node shows why; wait until it is active',
            },
          );
        }
        const body: DrainInput = {
          deleteLocalData: input.delete_local_data,
          force: input.force,
          ignoreDaemonSets: input.ignore_daemonsets,
          gracePeriod: input.grace_period_seconds,
          timeout: input.timeout_seconds,
        };
        await rancher.request<unknown>('POST', path, { query: { action: 'drain' }, body, signal: ctx.signal });
        // The action's answer is not relied on: the node as Rancher has it now says where the drain stands.
        const after = await rancher.request<Node>('GET', path, { signal: ctx.signal });
        return {
          node_id: after.id,
          name: after.nodeName ?? after.id,
          state: after.state ?? 'unknown',
          cordoned: after.unschedulable ?? false,
          message: after.transitioningMessage || undefined,
        };
      },
    }),
    defineTool({
      name: 'stop_drain_node',
      title: 'Stop draining node',
      description:
        'Stop a drain that is still running, e.g. one stuck on a pod with local data (get_node shows why). Pods already evicted stay evicted; the node stays cordoned until cordon_node with cordon: false.',
      toolset: 'nodes',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: false },
      input: z.object({ node_id: nodeId }),
      output: z.object({ node_id: z.string(), name: z.string(), state: z.string(), cordoned: z.boolean() }),
      handler: async (input, ctx) => {
        const path = `/v3/nodes/${encodeURIComponent(input.node_id)}`;
        const node = await rancher.request<Node>('GET', path, { signal: ctx.signal });
        if (node.state !== 'draining') {
          throw new ToolError(
            'conflict',
            `node_id: ${node.nodeName ?? node.id} is ${node.state ?? 'unknown'}, not draining`,
            {
              hint: 'only a drain in progress can be stopped; cordon_node with cordon: false puts a node back in service',
            },
          );
        }
        await rancher.request<unknown>('POST', path, { query: { action: 'stopDrain' }, signal: ctx.signal });
        const after = await rancher.request<Node>('GET', path, { signal: ctx.signal });
        return {
          node_id: after.id,
          name: after.nodeName ?? after.id,
          state: after.state ?? 'unknown',
          cordoned: after.unschedulable ?? false,
        };
      },
    }),
    defineTool({
      name: 'list_projects',
      title: 'List projects',
      description:
        "List a cluster's Rancher projects (groups of namespaces sharing access and quotas): id, name, the namespaces in each, the project's resource quota (limit and used) and the default quota per namespace. Also counts namespaces in no project.",
      toolset: 'projects',
      tier: 'read',
      annotations: READ,
      input: z.object({ cluster: clusterArg }),
      output: z.object({
        projects: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            description: z.string().optional(),
            state: z.string(),
            namespace_count: z.number().optional(),
            namespaces: z.array(z.string()).optional().describe(`The first ${MAX_NAMESPACES_LISTED}, by name.`),
            quota: z
              .record(z.string(), z.object({ limit: z.string(), used: z.string().optional() }))
              .optional()
              .describe('The project quota by resource (limitsCpu, limitsMemory, pods, ...).'),
            namespace_default_quota: z.record(z.string(), z.string()).optional(),
          }),
        ),
        namespaces_in_no_project: z.array(z.string()).optional(),
        note: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const cluster = await resolveCluster(input.cluster, ctx.signal);
        const projects = await allPages<Project>('/v3/projects', { clusterId: cluster.id }, ctx.signal);
        // Namespaces live in the downstream cluster; Rancher reaches them through its agent (Steve API).
        let namespaces: Namespace[] | undefined;
        let note: string | undefined;
        if (cluster.state === 'unavailable') {
          note = `${cluster.name} is unavailable (${cluster.transitioningMessage || 'its agent is not connected'}): namespaces cannot be listed`;
        } else {
          namespaces = [];
          let next: string | undefined;
          for (let pages = 0; pages < 10; pages++) {
            const page = await rancher.request<Collection<Namespace>>(
              'GET',
              `/k8s/clusters/${encodeURIComponent(cluster.id)}/v1/namespaces`,
              { query: { limit: 1000, continue: next }, signal: ctx.signal },
            );
            namespaces.push(...page.data);
            next = page.pagination?.continue;
            if (!next) break;
          }
        }
        const projectOf = (ns: Namespace) => ns.metadata.annotations?.[PROJECT_ANNOTATION];
        return {
          projects: projects
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((p) => {
              const inProject = namespaces
                ?.filter((ns) => projectOf(ns) === p.id)
                .map((ns) => ns.metadata.name)
                .sort();
              const limit = p.resourceQuota?.limit ?? {};
              const quota = Object.fromEntries(
                Object.entries(limit).map(([resource, value]) => [
                  resource,
                  { limit: value, used: p.resourceQuota?.usedLimit?.[resource] },
                ]),
              );
              return {
                id: p.id,
                name: p.name,
                description: p.description || undefined,
                state: p.state ?? 'unknown',
                namespace_count: inProject?.length,
                namespaces: inProject?.slice(0, MAX_NAMESPACES_LISTED),
                quota: Object.keys(quota).length > 0 ? quota : undefined,
                namespace_default_quota: p.namespaceDefaultResourceQuota?.limit,
              };
            }),
          namespaces_in_no_project: namespaces
            ?.filter((ns) => !projectOf(ns))
            .map((ns) => ns.metadata.name)
            .sort()
            .slice(0, MAX_NAMESPACES_LISTED),
          note,
        };
      },
    }),
    defineTool({
      name: 'get_cluster_events',
      title: 'Get cluster events',
      description:
        'Recent Kubernetes events of a cluster, newest first: type, reason, message, object and how often. Narrow with warnings_only, object_name or namespace.',
      toolset: 'clusters',
      tier: 'read',
      annotations: READ,
      input: z.object({
        cluster: clusterArg,
        warnings_only: z.boolean().default(false).describe('Only Warning events.'),
        object_name: z.string().min(1).optional().describe('Only events about this object, e.g. a node or pod name.'),
        namespace: z.string().min(1).optional().describe('Only events in this namespace.'),
        limit: z.number().int().min(1).max(100).default(20).describe('Events to return (1-100).'),
      }),
      output: z.object({
        events: z.array(kubeEventSchema),
        total: z.number().describe('Matching events fetched.'),
      }),
      handler: async (input, ctx) => {
        const cluster = await resolveCluster(input.cluster, ctx.signal);
        const selector = [
          input.warnings_only ? 'type=Warning' : '',
          input.object_name ? `involvedObject.name=${input.object_name}` : '',
          input.namespace ? `metadata.namespace=${input.namespace}` : '',
        ]
          .filter(Boolean)
          .join(',');
        const page = await rancher.request<Collection<Event>>(
          'GET',
          `/k8s/clusters/${encodeURIComponent(cluster.id)}/v1/events`,
          {
            query: { limit: MAX_EVENTS_FETCHED, fieldSelector: selector || undefined },
            signal: ctx.signal,
          },
        );
        // Steve renames an object's `type` field to `_type` (its own `type` names the resource).
        const events = page.data.map(({ _type, ...event }) => ({ ...event, ...(_type ? { type: _type } : {}) }));
        return {
          events: recentKubeEvents(events, input.limit),
          total: events.length,
        };
      },
    }),
  ];
}
