// Reads over the Kafka protocol that several toolsets make: topic metadata and overrides, consumer group lag.
import { ToolError } from '@idp-mcp/core';
import type { Admin, ITopicMetadata } from 'kafkajs';
import * as z from 'zod';
import { AssignerProtocol } from '../kafka.ts';
import { TOPIC_RESOURCE } from './shared.ts';

export const MAX_PARTITIONS_LISTED = 100;
export const MAX_LISTED = 50;

type PartitionMeta = ITopicMetadata['partitions'][number];

export function isUnderReplicated(p: PartitionMeta): boolean {
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

export const partitionOutput = z.object({
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

export function decodeAssignment(buffer: Buffer | undefined): Record<string, number[]> {
  if (!buffer || buffer.length === 0) return {};
  try {
    return AssignerProtocol.MemberAssignment.decode(buffer)?.assignment ?? {};
  } catch {
    return {};
  }
}

export function describeAssignment(assignment: Record<string, number[]>): string[] {
  return Object.entries(assignment).map(
    ([topic, partitions]) => `${topic}:${[...partitions].sort((a, b) => a - b).join(',')}`,
  );
}
