import {
  DESTRUCTIVE,
  defineTool,
  enforcePolicy,
  type PolicyGate,
  ToolError,
  verdictOf,
  verdictOutput,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import type { KafkaAdmin } from '../kafka.ts';
import { configName, configValues, dryRun, partitions, replicationFactor, topicName } from './args.ts';
import { topicMetadata, topicOverrides } from './reads.ts';
import { kafkaTopicDocument, TOPIC_RESOURCE } from './shared.ts';

/**
 * Topic changes through the Kafka admin API (KAFKA_WRITE_MODE=direct): for clusters without Strimzi, or operators
 * who need them. Each one builds the KafkaTopic it amounts to and passes the kafka policies first; dry_run asks the
 * brokers to validate the change (validate_only) without applying it.
 */

const changeOutput = z.object({
  topic: z.string(),
  dry_run: z.boolean(),
  applied: z.boolean(),
  partitions: z.number(),
  replication_factor: z.number(),
  config: z.record(z.string(), z.string()).describe('The topic config overrides after the change.'),
  policy: verdictOutput,
});

export function directWriteTools(kafka: KafkaAdmin, gate: PolicyGate) {
  return [
    defineTool({
      name: 'create_topic',
      title: 'Create topic',
      description:
        'Create a Kafka topic with partitions, replication factor and configs, through the Kafka admin API. Checked against the kafka policies first; dry_run has the brokers validate it without creating.',
      toolset: 'topic_admin',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        name: topicName,
        partitions,
        replication_factor: replicationFactor.default(3),
        configs: configValues.default({}),
        dry_run: dryRun,
      }),
      output: changeOutput,
      handler: async (input, ctx) => {
        const document = kafkaTopicDocument({
          topic: input.name,
          partitions: input.partitions,
          replicas: input.replication_factor,
          config: input.configs,
        });
        const verdict = await enforcePolicy(gate, 'kafka', [document], { tool: 'kafka.create_topic' });
        const created = await kafka.run('write', ctx.signal, (admin) =>
          admin.createTopics({
            validateOnly: input.dry_run,
            waitForLeaders: !input.dry_run,
            topics: [
              {
                topic: input.name,
                numPartitions: input.partitions,
                replicationFactor: input.replication_factor,
                configEntries: Object.entries(input.configs).map(([name, value]) => ({ name, value })),
              },
            ],
          }),
        );
        if (!created) {
          throw new ToolError('conflict', `topic ${input.name} already exists`, {
            retryable: false,
            hint: 'describe_topic shows it; change it with update_topic_config or add_partitions',
          });
        }
        return {
          topic: input.name,
          dry_run: input.dry_run,
          applied: !input.dry_run,
          partitions: input.partitions,
          replication_factor: input.replication_factor,
          config: input.configs,
          policy: verdictOf(verdict),
        };
      },
    }),
    defineTool({
      name: 'update_topic_config',
      title: 'Update topic config',
      description:
        "Set or remove a topic's config overrides (e.g. retention.ms); others stay. Checked against the kafka policies first; dry_run has the brokers validate without applying.",
      toolset: 'topic_admin',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        name: topicName,
        set: configValues.default({}).describe('Configs to set, e.g. { "retention.ms": "259200000" }.'),
        remove: z.array(configName).default([]).describe('Overrides to remove (back to the broker default).'),
        dry_run: dryRun,
      }),
      output: changeOutput.extend({ previous_config: z.record(z.string(), z.string()) }),
      handler: async (input, ctx) => {
        if (Object.keys(input.set).length === 0 && input.remove.length === 0) {
          throw new ToolError('invalid_request', 'set and remove are both empty: nothing to change', {
            hint: 'give configs to set, e.g. { "retention.ms": "259200000" }, or names to remove',
          });
        }
        const both = input.remove.filter((name) => name in input.set);
        if (both.length > 0) {
          throw new ToolError('invalid_request', `remove: ${both.join(', ')} also appear in set`, {
            hint: 'either set a config or remove it, not both',
          });
        }
        // Kafka's AlterConfigs replaces a topic's overrides as a whole (kafkajs has no incremental variant), so the
        // current overrides are read and merged first. A change made by someone else in between would be lost.
        const { meta, previous } = await kafka.run('read', ctx.signal, async (admin) => ({
          meta: await topicMetadata(admin, input.name),
          previous: await topicOverrides(admin, input.name),
        }));
        const next: Record<string, string> = { ...previous, ...input.set };
        for (const name of input.remove) delete next[name];
        const document = kafkaTopicDocument({
          topic: input.name,
          partitions: meta.partitions.length,
          replicas: meta.partitions[0]?.replicas.length ?? 0,
          config: next,
        });
        const verdict = await enforcePolicy(gate, 'kafka', [document], { tool: 'kafka.update_topic_config' });
        await kafka.run('write', ctx.signal, (admin) =>
          admin.alterConfigs({
            validateOnly: input.dry_run,
            resources: [
              {
                type: TOPIC_RESOURCE,
                name: input.name,
                configEntries: Object.entries(next).map(([name, value]) => ({ name, value })),
              },
            ],
          }),
        );
        return {
          topic: input.name,
          dry_run: input.dry_run,
          applied: !input.dry_run,
          partitions: meta.partitions.length,
          replication_factor: meta.partitions[0]?.replicas.length ?? 0,
          config: next,
          previous_config: previous,
          policy: verdictOf(verdict),
        };
      },
    }),
    defineTool({
      name: 'add_partitions',
      title: 'Add partitions',
      description:
        "Raise a topic's partition count (Kafka cannot lower it). Keyed messages may move to other partitions. Checked against the kafka policies first; dry_run validates only.",
      toolset: 'topic_admin',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        name: topicName,
        partitions: z.number().int().min(2).max(1000).describe('The new total number of partitions.'),
        dry_run: dryRun,
      }),
      output: changeOutput.extend({ previous_partitions: z.number() }),
      handler: async (input, ctx) => {
        const { meta, config } = await kafka.run('read', ctx.signal, async (admin) => ({
          meta: await topicMetadata(admin, input.name),
          config: await topicOverrides(admin, input.name),
        }));
        const current = meta.partitions.length;
        if (input.partitions <= current) {
          throw new ToolError(
            'invalid_request',
            `partitions: ${input.name} already has ${current}; give a larger number`,
            {
              hint: 'Kafka can only add partitions; to have fewer, create a new topic and migrate',
            },
          );
        }
        const replicas = meta.partitions[0]?.replicas.length ?? 0;
        const document = kafkaTopicDocument({ topic: input.name, partitions: input.partitions, replicas, config });
        const verdict = await enforcePolicy(gate, 'kafka', [document], { tool: 'kafka.add_partitions' });
        await kafka.run('write', ctx.signal, (admin) =>
          admin.createPartitions({
            validateOnly: input.dry_run,
            topicPartitions: [{ topic: input.name, count: input.partitions }],
          }),
        );
        return {
          topic: input.name,
          dry_run: input.dry_run,
          applied: !input.dry_run,
          partitions: input.partitions,
          previous_partitions: current,
          replication_factor: replicas,
          config,
          policy: verdictOf(verdict),
        };
      },
    }),
    defineTool({
      name: 'delete_topic',
      title: 'Delete topic',
      description: 'Delete a topic and all its data, through the Kafka admin API. Cannot be undone.',
      toolset: 'topic_admin',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({ name: topicName }),
      output: z.object({ deleted: z.string() }),
      handler: async (input, ctx) => {
        if (input.name.startsWith('__')) {
          throw new ToolError('invalid_request', `name: ${input.name} is an internal topic and cannot be deleted`, {
            hint: 'internal topics (__consumer_offsets, __transaction_state) belong to the brokers',
          });
        }
        await kafka.run('write', ctx.signal, (admin) => admin.deleteTopics({ topics: [input.name] }));
        return { deleted: input.name };
      },
    }),
  ];
}
