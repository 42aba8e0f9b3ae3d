import {
  decodeCursor,
  defineTool,
  encodeCursor,
  listArgs,
  nextCursorField,
  READ,
  ToolError,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import { type Collection, nextMarker, type Rancher } from '../rancher.ts';
import {
  checkScale,
  clusterArg,
  conditionList,
  type DrainInput,
  isReady,
  MACHINE_POOL,
  machineRoles,
  type Node,
  type NodePool,
  nodeId,
  nodePoolId,
  type ProvisioningCluster,
  rancherLookups,
  resourcesOf,
  roles,
  WORKSPACE,
} from './shared.ts';

/** Nodes and node pools: list, inspect, scale, cordon, drain. */
export function nodeTools(rancher: Rancher) {
  const { resolveCluster, allPages } = rancherLookups(rancher);
  return [
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
        const position = decodeCursor<{ clusterId: string; marker: string }>('list_nodes', input.cursor, {
          clusterId: 'string',
          marker: 'string',
        });
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
  ];
}
