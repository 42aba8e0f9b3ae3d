import { defineTool, listArgs, nextCursorField, offsetPage, READ, ToolError } from '@idp-mcp/core';
import type { Admin, ITopicMetadata } from 'kafkajs';
import * as z from 'zod';
import { AssignerProtocol, type KafkaAdmin } from '../kafka.ts';
import { configName, groupId, topicName } from './args.ts';
import { CONFIG_SOURCES, TOPIC_RESOURCE } from './shared.ts';

const MAX_PARTITIONS_LISTED = 100;
const MAX_LISTED = 50;

type PartitionMeta = ITopicMetadata['partitions'][number];

function isUnderReplicated(p: PartitionMeta): boolean {
  return p.isr.length < p.replicas.length;
}

export async function topicMetadata(admin: Admin, topic: string): Promise<ITopicMetadata> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const found = topics.find((t) => t.name === topic);
  if (!found)
    throw new ToolError('not_found', `topic ${topic} does not exist`, {
      hint: 'list_topics shows the topics that exist',
    });
  return found;
}

/** The topic's dynamic config overrides (configs set on the topic itself). */
export async function topicOverrides(admin: Admin, topic: string): Promise<Record<string, string>> {
  const result = await admin.describeConfigs({
    resources: [{ type: TOPIC_RESOURCE, name: topic }],
    includeSynonyms: false,
  });
  const entries = result.resources[0]?.configEntries ?? [];
  return Object.fromEntries(
    entries
      .filter((e) => (e as { configSource?: number }).configSource === 1)
      .map((e) => [e.configName, e.configValue ?? '']),
  );
}

const partitionOutput = z.object({
  partition: z.number(),
  leader: z.number().describe('Broker id; -1 when offline.'),
  replicas: z.array(z.number()),
  isr: z.array(z.number()),
  low: z.number().describe('Earliest offset.'),
  high: z.number().describe('High watermark (next offset).'),
});

interface GroupLag {
  topics: Array<{
    topic: string;
    lag: number;
    partitions: Array<{ partition: number; committed: number | null; high: number; lag: number | null }>;
  }>;
  total: number;
}

/** A group's committed offsets against each partition's high watermark. */
export async function groupLag(admin: Admin, group: string, onlyTopic?: string): Promise<GroupLag> {
  const committed = await admin.fetchOffsets({ groupId: group, ...(onlyTopic ? { topics: [onlyTopic] } : {}) });
  const topics: GroupLag['topics'] = [];
  for (const entry of committed) {
    const offsets = await admin.fetchTopicOffsets(entry.topic);
    const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    const partitions = entry.partitions
      .map((p) => {
        const end = high.get(p.partition) ?? 0;
        const offset = Number(p.offset);
        const has = offset >= 0;
        return {
          partition: p.partition,
          committed: has ? offset : null,
          high: end,
          lag: has ? Math.max(0, end - offset) : null,
        };
      })
      .sort((a, b) => a.partition - b.partition);
    topics.push({ topic: entry.topic, lag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0), partitions });
  }
  topics.sort((a, b) => b.lag - a.lag || a.topic.localeCompare(b.topic));
  return { topics, total: topics.reduce((sum, t) => sum + t.lag, 0) };
}

function decodeAssignment(buffer: Buffer | undefined): Record<string, number[]> {
  if (!buffer || buffer.length === 0) return {};
  try {
    return AssignerProtocol.MemberAssignment.decode(buffer)?.assignment ?? {};
  } catch {
    return {};
  }
}

function describeAssignment(assignment: Record<string, number[]>): string[] {
  return Object.entries(assignment).map(
    ([topic, partitions]) => `${topic}:${[...partitions].sort((a, b) => a - b).join(',')}`,
  );
}

export function inspectionTools(kafka: KafkaAdmin) {
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
    defineTool({
      name: 'list_consumer_groups',
      title: 'List consumer groups',
      description:
        'List consumer groups with their state (Stable, Empty, PreparingRebalance, ...) and member count, sorted by id.',
      toolset: 'groups',
      tier: 'read',
      annotations: READ,
      input: z.object({
        id_contains: z.string().min(1).optional().describe('Only groups whose id contains this text.'),
        ...listArgs,
      }),
      output: z.object({
        groups: z.array(
          z.object({ group_id: z.string(), state: z.string(), members: z.number(), protocol_type: z.string() }),
        ),
        total: z.number(),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) =>
        kafka.run('read', ctx.signal, async (admin) => {
          const { groups } = await admin.listGroups();
          const ids = groups
            .map((g) => g.groupId)
            .filter((id) => !input.id_contains || id.includes(input.id_contains))
            .sort();
          const result = offsetPage('list_consumer_groups', ids, input);
          const described = result.items.length > 0 ? (await admin.describeGroups(result.items)).groups : [];
          const byId = new Map(described.map((g) => [g.groupId, g]));
          return {
            groups: result.items.map((id) => ({
              group_id: id,
              state: byId.get(id)?.state ?? 'Unknown',
              members: byId.get(id)?.members.length ?? 0,
              protocol_type: byId.get(id)?.protocolType || groups.find((g) => g.groupId === id)?.protocolType || '',
            })),
            total: result.total,
            nextCursor: result.nextCursor,
          };
        }),
    }),
    defineTool({
      name: 'describe_consumer_group',
      title: 'Describe consumer group',
      description:
        'Describe a consumer group: state, assignment strategy, members with their client id, host and assigned partitions, and total lag per topic.',
      toolset: 'groups',
      tier: 'read',
      annotations: READ,
      input: z.object({ group_id: groupId }),
      output: z.object({
        group_id: z.string(),
        state: z.string(),
        protocol: z.string(),
        members: z.array(
          z.object({
            client_id: z.string(),
            host: z.string(),
            assignment: z.array(z.string()).describe('topic:partitions'),
          }),
        ),
        lag_by_topic: z.record(z.string(), z.number()),
        total_lag: z.number(),
      }),
      handler: async (input, ctx) =>
        kafka.run('read', ctx.signal, async (admin) => {
          const { groups } = await admin.describeGroups([input.group_id]);
          const group = groups[0];
          const lag = await groupLag(admin, input.group_id);
          if (!group || (group.state === 'Dead' && lag.topics.length === 0)) {
            throw new ToolError('not_found', `consumer group ${input.group_id} does not exist`, {
              hint: 'list_consumer_groups shows the groups that exist',
            });
          }
          return {
            group_id: input.group_id,
            state: group.state,
            protocol: group.protocol,
            members: group.members.map((m) => ({
              client_id: m.clientId,
              host: m.clientHost.replace(/^\//, ''),
              assignment: describeAssignment(decodeAssignment(m.memberAssignment)),
            })),
            lag_by_topic: Object.fromEntries(lag.topics.map((t) => [t.topic, t.lag])),
            total_lag: lag.total,
          };
        }),
    }),
    defineTool({
      name: 'get_consumer_lag',
      title: 'Get consumer lag',
      description:
        "A consumer group's lag per partition: committed offset, high watermark and lag, largest first, with totals. Partitions without a commit show committed null.",
      toolset: 'groups',
      tier: 'read',
      annotations: READ,
      input: z.object({ group_id: groupId, topic: topicName.optional().describe('Only this topic.') }),
      output: z.object({
        group_id: z.string(),
        total_lag: z.number(),
        topics: z.array(
          z.object({
            topic: z.string(),
            lag: z.number(),
            partitions: z.array(
              z.object({
                partition: z.number(),
                committed: z.number().nullable(),
                high: z.number(),
                lag: z.number().nullable(),
              }),
            ),
          }),
        ),
        partitions_omitted: z.number().optional(),
      }),
      handler: async (input, ctx) => {
        const lag = await kafka.run('read', ctx.signal, async (admin) => {
          if (input.topic) await topicMetadata(admin, input.topic);
          return groupLag(admin, input.group_id, input.topic);
        });
        if (lag.topics.length === 0) {
          throw new ToolError(
            'not_found',
            `consumer group ${input.group_id} has no committed offsets${input.topic ? ` for ${input.topic}` : ''}`,
            {
              hint: 'list_consumer_groups shows the groups that exist; a group that never committed has no lag to report',
            },
          );
        }
        let budget = MAX_PARTITIONS_LISTED;
        let omitted = 0;
        const topics = lag.topics.map((t) => {
          const sorted = [...t.partitions].sort((a, b) => (b.lag ?? -1) - (a.lag ?? -1) || a.partition - b.partition);
          const kept = sorted.slice(0, Math.max(0, budget));
          budget -= kept.length;
          omitted += sorted.length - kept.length;
          return { ...t, partitions: kept };
        });
        return {
          group_id: input.group_id,
          total_lag: lag.total,
          topics,
          partitions_omitted: omitted > 0 ? omitted : undefined,
        };
      },
    }),
  ];
}
