import { defineTool, listArgs, nextCursorField, offsetPage, READ } from '@idp-mcp/core';
import { kubeEventSchema, recentKubeEvents } from '@idp-mcp/kube/events';
import * as z from 'zod';
import type { Collection, Rancher } from '../rancher.ts';
import {
  type Cluster,
  clusterArg,
  cores,
  type Event,
  gib,
  isReady,
  MAX_EVENTS_FETCHED,
  type Node,
  rancherLookups,
} from './shared.ts';

/** Clusters: list, status and recent events. */
export function clusterTools(rancher: Rancher) {
  const { resolveCluster, allPages } = rancherLookups(rancher);
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
