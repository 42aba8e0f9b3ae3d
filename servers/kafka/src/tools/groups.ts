import { defineTool, listArgs, nextCursorField, offsetPage, READ, ToolError } from '@idp-mcp/core';
import * as z from 'zod';
import type { KafkaAdmin } from '../kafka.ts';
import { groupId, topicName } from './args.ts';
import { decodeAssignment, describeAssignment, groupLag, MAX_PARTITIONS_LISTED, topicMetadata } from './reads.ts';

/** Consumer groups: list, describe with members and assignments, lag. */
export function groupTools(kafka: KafkaAdmin) {
  return [
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
