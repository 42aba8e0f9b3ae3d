import { defineTool, READ } from '@idp-mcp/core';
import * as z from 'zod';
import type { KafkaAdmin } from '../kafka.ts';
import { isUnderReplicated, MAX_LISTED } from './reads.ts';

/** The cluster: brokers, controller, versions. */
export function clusterTools(kafka: KafkaAdmin) {
  return [
    defineTool({
      name: 'describe_cluster',
      title: 'Describe cluster health',
      description:
        'Cluster health: cluster id, controller, live brokers, brokers that replicas expect but are not live, topic and partition counts, under-replicated and offline partitions.',
      toolset: 'cluster',
      tier: 'read',
      annotations: READ,
      input: z.object({}),
      output: z.object({
        cluster_id: z.string(),
        controller: z.number().nullable(),
        brokers: z.array(z.object({ id: z.number(), host: z.string(), port: z.number() })),
        unavailable_brokers: z.array(z.number()).describe('Broker ids assigned replicas but not live.'),
        topics: z.number(),
        partitions: z.number(),
        under_replicated: z.array(
          z.object({
            topic: z.string(),
            partition: z.number(),
            replicas: z.array(z.number()),
            isr: z.array(z.number()),
          }),
        ),
        under_replicated_omitted: z.number().optional(),
        offline: z.array(z.object({ topic: z.string(), partition: z.number() })),
        healthy: z.boolean(),
      }),
      handler: async (_input, ctx) =>
        kafka.run('read', ctx.signal, async (admin) => {
          const cluster = await admin.describeCluster();
          const { topics } = await admin.fetchTopicMetadata();
          const live = new Set(cluster.brokers.map((b) => b.nodeId));
          const expected = new Set(topics.flatMap((t) => t.partitions.flatMap((p) => p.replicas)));
          const under = topics.flatMap((t) =>
            t.partitions
              .filter(isUnderReplicated)
              .map((p) => ({ topic: t.name, partition: p.partitionId, replicas: p.replicas, isr: p.isr })),
          );
          under.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
          const offline = topics.flatMap((t) =>
            t.partitions.filter((p) => p.leader < 0).map((p) => ({ topic: t.name, partition: p.partitionId })),
          );
          const unavailable = [...expected].filter((id) => !live.has(id)).sort((a, b) => a - b);
          return {
            cluster_id: cluster.clusterId,
            controller: cluster.controller ?? null,
            brokers: cluster.brokers
              .map((b) => ({ id: b.nodeId, host: b.host, port: b.port }))
              .sort((a, b) => a.id - b.id),
            unavailable_brokers: unavailable,
            topics: topics.filter((t) => !t.name.startsWith('__')).length,
            partitions: topics.reduce((sum, t) => sum + t.partitions.length, 0),
            under_replicated: under.slice(0, MAX_LISTED),
            under_replicated_omitted: under.length > MAX_LISTED ? under.length - MAX_LISTED : undefined,
            offline,
            healthy:
              under.length === 0 && offline.length === 0 && unavailable.length === 0 && cluster.controller !== null,
          };
        }),
    }),
  ];
}
