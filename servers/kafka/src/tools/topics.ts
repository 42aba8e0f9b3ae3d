import { defineTool, listArgs, nextCursorField, offsetPage, READ } from '@idp-mcp/core';
import * as z from 'zod';
import type { KafkaAdmin } from '../kafka.ts';
import { configName, topicName } from './args.ts';
import { isUnderReplicated, MAX_PARTITIONS_LISTED, partitionOutput, topicMetadata, topicOverrides } from './reads.ts';
import { CONFIG_SOURCES, TOPIC_RESOURCE } from './shared.ts';

/** Topics: list, describe with partitions and overrides, under-replicated partitions. */
export function topicTools(kafka: KafkaAdmin) {
  return [
    defineTool({
      name: 'list_topics',
      title: 'List topics',
      description:
        'List Kafka topics with partition count, replication factor and unhealthy partitions (under-replicated or offline), sorted by name. Internal topics are hidden unless asked for.',
      toolset: 'topics',
      tier: 'read',
      annotations: READ,
      input: z.object({
        name_contains: z
          .string()
          .min(1)
          .optional()
          .describe('Only topics whose name contains this text, e.g. "payments.".'),
        include_internal: z.boolean().default(false).describe('Include internal topics such as __consumer_offsets.'),
        ...listArgs,
      }),
      output: z.object({
        topics: z.array(
          z.object({
            name: z.string(),
            partitions: z.number(),
            replication_factor: z.number(),
            under_replicated: z.number(),
            offline: z.number(),
          }),
        ),
        total: z.number(),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const { topics } = await kafka.run('read', ctx.signal, (admin) => admin.fetchTopicMetadata());
        const summaries = topics
          .filter((t) => input.include_internal || !t.name.startsWith('__'))
          .filter((t) => !input.name_contains || t.name.includes(input.name_contains))
          .map((t) => ({
            name: t.name,
            partitions: t.partitions.length,
            replication_factor: t.partitions[0]?.replicas.length ?? 0,
            under_replicated: t.partitions.filter(isUnderReplicated).length,
            offline: t.partitions.filter((p) => p.leader < 0).length,
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const result = offsetPage('list_topics', summaries, input);
        return { topics: result.items, total: result.total, nextCursor: result.nextCursor };
      },
    }),
    defineTool({
      name: 'describe_topic',
      title: 'Describe topic',
      description:
        'Describe a topic: partitions with leader, replicas, in-sync replicas and offsets, approximate message count, and the configs set on the topic (overrides of broker defaults).',
      toolset: 'topics',
      tier: 'read',
      annotations: READ,
      input: z.object({ name: topicName }),
      output: z.object({
        name: z.string(),
        partition_count: z.number(),
        replication_factor: z.number(),
        messages: z.number().describe('Sum of high minus low offsets: retained records, approximately.'),
        under_replicated_partitions: z.array(z.number()),
        offline_partitions: z.array(z.number()),
        config_overrides: z.record(z.string(), z.string()),
        partitions: z.array(partitionOutput),
        partitions_omitted: z.number().optional(),
      }),
      handler: async (input, ctx) =>
        kafka.run('read', ctx.signal, async (admin) => {
          const meta = await topicMetadata(admin, input.name);
          const [offsets, overrides] = await Promise.all([
            admin.fetchTopicOffsets(input.name),
            topicOverrides(admin, input.name),
          ]);
          const byPartition = new Map(offsets.map((o) => [o.partition, o]));
          const partitions = [...meta.partitions]
            .sort((a, b) => a.partitionId - b.partitionId)
            .map((p) => ({
              partition: p.partitionId,
              leader: p.leader,
              replicas: p.replicas,
              isr: p.isr,
              low: Number(byPartition.get(p.partitionId)?.low ?? 0),
              high: Number(byPartition.get(p.partitionId)?.high ?? 0),
            }));
          return {
            name: input.name,
            partition_count: partitions.length,
            replication_factor: meta.partitions[0]?.replicas.length ?? 0,
            messages: partitions.reduce((sum, p) => sum + (p.high - p.low), 0),
            under_replicated_partitions: meta.partitions
              .filter(isUnderReplicated)
              .map((p) => p.partitionId)
              .sort((a, b) => a - b),
            offline_partitions: meta.partitions.filter((p) => p.leader < 0).map((p) => p.partitionId),
            config_overrides: overrides,
            partitions: partitions.slice(0, MAX_PARTITIONS_LISTED),
            partitions_omitted:
              partitions.length > MAX_PARTITIONS_LISTED ? partitions.length - MAX_PARTITIONS_LISTED : undefined,
          };
        }),
    }),
    defineTool({
      name: 'get_topic_configs',
      title: 'Get topic configs',
      description:
        "List a topic's effective configs with where each value comes from (topic override or default). By default only overrides; include_defaults for all, or ask for names.",
      toolset: 'topics',
      tier: 'read',
      annotations: READ,
      input: z.object({
        name: topicName,
        config_names: z
          .array(configName)
          .min(1)
          .max(50)
          .optional()
          .describe('Only these configs, e.g. ["retention.ms"].'),
        include_defaults: z.boolean().default(false).describe('Also list configs left at their default.'),
      }),
      output: z.object({
        configs: z.array(
          z.object({
            name: z.string(),
            value: z.string().nullable().describe('null for sensitive values.'),
            source: z.string().describe('topic (set on the topic), default, broker_static, ...'),
            read_only: z.boolean(),
          }),
        ),
      }),
      handler: async (input, ctx) => {
        const result = await kafka.run('read', ctx.signal, (admin) =>
          admin.describeConfigs({
            resources: [
              {
                type: TOPIC_RESOURCE,
                name: input.name,
                ...(input.config_names ? { configNames: input.config_names } : {}),
              },
            ],
            includeSynonyms: false,
          }),
        );
        const entries = result.resources[0]?.configEntries ?? [];
        return {
          configs: entries
            .map((e) => ({
              name: e.configName,
              value: e.isSensitive ? null : e.configValue,
              source: CONFIG_SOURCES[(e as { configSource?: number }).configSource ?? 0] ?? 'unknown',
              read_only: e.readOnly,
            }))
            .filter((c) => input.include_defaults || input.config_names || c.source === 'topic')
            .sort((a, b) => a.name.localeCompare(b.name)),
        };
      },
    }),
  ];
}
