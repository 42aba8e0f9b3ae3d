import {
  DESTRUCTIVE,
  decodeCursor,
  defineTool,
  encodeCursor,
  enforcePolicy,
  listArgs,
  nextCursorField,
  type PolicyGate,
  type PolicyVerdict,
  READ,
  ToolError,
  verdictOf,
  verdictOutput,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import { GROUP, type KafkaTopicResource, PLURAL, type Strimzi, VERSION } from '../strimzi.ts';
import { configName, configValues, dryRun, partitions, replicationFactor, topicName } from './args.ts';
import { kafkaTopicDocument } from './shared.ts';

/**
 * Topics the GitOps way: KafkaTopic custom resources that Strimzi's Topic Operator reconciles into Kafka. A tool
 * returns once the resource is stored; the operator reports the outcome in the resource's Ready condition.
 */

const resourceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, {
    error: 'must be a KafkaTopic resource name (lowercase letters, digits, "-", "."), e.g. payments.transactions.v1',
  })
  .describe('KafkaTopic resource name (usually the topic name).');

const labelsArg = z
  .record(
    z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
      error: 'label keys look like team or app.kubernetes.io/part-of',
    }),
    z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
      error: 'label values: at most 63 letters, digits, "-", "_", "."',
    }),
  )
  .describe('Extra labels on the KafkaTopic, e.g. { "team": "payments" }.');

function readyOf(resource: KafkaTopicResource) {
  const ready = resource.status?.conditions?.find((c) => c.type === 'Ready');
  const reconciled =
    resource.status?.observedGeneration !== undefined &&
    resource.status.observedGeneration === resource.metadata.generation;
  return {
    ready: ready?.status ?? 'Unknown',
    reconciled,
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(ready?.message ? { message: ready.message } : {}),
  };
}

function configStrings(config: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(config ?? {}).map(([k, v]) => [k, String(v)]));
}

const topicSummary = z.object({
  name: z.string().describe('Resource name.'),
  topic: z.string().describe('Kafka topic name.'),
  partitions: z.number().optional(),
  replicas: z.number().optional(),
  ready: z.string().describe('Ready condition: True, False or Unknown (not reconciled yet).'),
  reconciled: z.boolean().describe('The Topic Operator has seen the latest spec.'),
  reason: z.string().optional(),
  message: z.string().optional(),
});

function summarize(resource: KafkaTopicResource): z.input<typeof topicSummary> {
  return {
    name: resource.metadata.name,
    topic: resource.spec?.topicName ?? resource.status?.topicName ?? resource.metadata.name,
    partitions: resource.spec?.partitions,
    replicas: resource.spec?.replicas,
    ...readyOf(resource),
  };
}

const changeOutput = z.object({
  name: z.string(),
  namespace: z.string(),
  dry_run: z.boolean().describe('True when the API server only validated the resource (dryRun=All).'),
  resource_version: z.string().optional(),
  manifest: z.unknown().describe('The KafkaTopic as stored (or as it would be).'),
  policy: verdictOutput,
  next: z.string(),
});

/** What create and update return: the stored (or dry-run) KafkaTopic, the policy verdict and what happens next. */
function changeResult(
  stored: KafkaTopicResource,
  namespace: string,
  dryRun: boolean,
  verdict: PolicyVerdict,
  verb: string,
) {
  return {
    name: stored.metadata.name,
    namespace,
    dry_run: dryRun,
    resource_version: stored.metadata.resourceVersion,
    manifest: {
      apiVersion: stored.apiVersion,
      kind: stored.kind,
      metadata: { name: stored.metadata.name, namespace: stored.metadata.namespace, labels: stored.metadata.labels },
      spec: stored.spec,
    },
    policy: verdictOf(verdict),
    next: dryRun
      ? `nothing was stored; call again without dry_run to ${verb} it`
      : 'the Strimzi Topic Operator applies it to Kafka: describe_kafka_topic shows its Ready condition',
  };
}

export function strimziTools(strimzi: Strimzi, gate: PolicyGate) {
  const base = { group: GROUP, version: VERSION, namespace: strimzi.namespace, plural: PLURAL };
  const get = (name: string, signal: AbortSignal) =>
    strimzi.call(signal, (api) => api.getNamespacedCustomObject({ ...base, name })) as Promise<KafkaTopicResource>;

  return [
    defineTool({
      name: 'list_kafka_topics',
      title: 'List KafkaTopic resources',
      description: `List the KafkaTopic resources (Strimzi) of cluster ${strimzi.cluster} in namespace ${strimzi.namespace}: topic name, partitions, replicas and whether the Topic Operator reports them Ready.`,
      toolset: 'strimzi',
      tier: 'read',
      annotations: READ,
      input: z.object({ ...listArgs }),
      output: z.object({ topics: z.array(topicSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const position = decodeCursor<{ continue: string; limit: number }>('list_kafka_topics', input.cursor, {
          continue: 'string',
          limit: 'number',
        });
        const list = (await strimzi.call(ctx.signal, (api) =>
          api.listNamespacedCustomObject({
            ...base,
            labelSelector: `strimzi.io/cluster=${strimzi.cluster}`,
            limit: position?.limit ?? input.limit,
            ...(position ? { _continue: position.continue } : {}),
          }),
        )) as { items?: KafkaTopicResource[]; metadata?: { continue?: string } };
        const next = list.metadata?.continue;
        return {
          topics: (list.items ?? []).map(summarize),
          nextCursor: next
            ? encodeCursor('list_kafka_topics', { continue: next, limit: position?.limit ?? input.limit })
            : undefined,
        };
      },
    }),
    defineTool({
      name: 'describe_kafka_topic',
      title: 'Describe KafkaTopic resource',
      description:
        'Describe a KafkaTopic resource: desired partitions, replicas and config, and what the Topic Operator reports (conditions, topic id, replicas change).',
      toolset: 'strimzi',
      tier: 'read',
      annotations: READ,
      input: z.object({ name: resourceName }),
      output: topicSummary.extend({
        config: z.record(z.string(), z.string()),
        labels: z.record(z.string(), z.string()),
        conditions: z.array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().optional(),
            message: z.string().optional(),
            last_transition: z.string().optional(),
          }),
        ),
        topic_id: z.string().optional(),
        generation: z.number().optional(),
        observed_generation: z.number().optional(),
        replicas_change: z
          .object({ target: z.number().optional(), state: z.string().optional(), message: z.string().optional() })
          .optional(),
        resource_version: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const resource = await get(input.name, ctx.signal);
        const change = resource.status?.replicasChange;
        return {
          ...summarize(resource),
          config: configStrings(resource.spec?.config),
          labels: resource.metadata.labels ?? {},
          conditions: (resource.status?.conditions ?? []).map((c) => ({
            type: c.type ?? '',
            status: c.status ?? '',
            reason: c.reason,
            message: c.message,
            last_transition: c.lastTransitionTime,
          })),
          topic_id: resource.status?.topicId,
          generation: resource.metadata.generation,
          observed_generation: resource.status?.observedGeneration,
          replicas_change: change
            ? { target: change.targetReplicas, state: change.state, message: change.message }
            : undefined,
          resource_version: resource.metadata.resourceVersion,
        };
      },
    }),
    defineTool({
      name: 'create_kafka_topic',
      title: 'Create KafkaTopic resource',
      description: `Create a topic the GitOps way: a KafkaTopic resource in ${strimzi.namespace} for cluster ${strimzi.cluster}, which Strimzi applies to Kafka. Checked against the kafka policies first; dry_run has the API server validate it without storing.`,
      toolset: 'strimzi',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        topic: topicName,
        partitions,
        replicas: replicationFactor.default(3),
        config: configValues.default({}),
        labels: labelsArg.optional(),
        dry_run: dryRun,
      }),
      output: changeOutput,
      handler: async (input, ctx) => {
        const document = kafkaTopicDocument({
          topic: input.topic,
          partitions: input.partitions,
          replicas: input.replicas,
          config: input.config,
          namespace: strimzi.namespace,
          cluster: strimzi.cluster,
          ...(input.labels ? { labels: input.labels } : {}),
        });
        const verdict = await enforcePolicy(gate, 'kafka', [document], {
          tool: 'kafka.create_kafka_topic',
          namespace: strimzi.namespace,
        });
        let stored: KafkaTopicResource;
        try {
          stored = (await strimzi.call(ctx.signal, (api) =>
            api.createNamespacedCustomObject({ ...base, body: document, ...(input.dry_run ? { dryRun: 'All' } : {}) }),
          )) as KafkaTopicResource;
        } catch (error) {
          if (error instanceof ToolError && error.status === 409) {
            throw new ToolError(
              'conflict',
              `KafkaTopic ${document.metadata.name} already exists in ${strimzi.namespace}`,
              {
                retryable: false,
                hint: 'describe_kafka_topic shows it; change it with update_kafka_topic',
              },
            );
          }
          throw error;
        }
        return changeResult(stored, strimzi.namespace, input.dry_run, verdict, 'create');
      },
    }),
    defineTool({
      name: 'update_kafka_topic',
      title: 'Update KafkaTopic resource',
      description:
        'Change a KafkaTopic resource: more partitions, set or remove config entries, replicas (Strimzi needs Cruise Control for that). Checked against the kafka policies first; refused if the resource changed since it was read.',
      toolset: 'strimzi',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        name: resourceName,
        partitions: partitions.optional().describe('New partition count (can only grow).'),
        replicas: replicationFactor.optional().describe('New replication factor (Strimzi needs Cruise Control).'),
        set: configValues.default({}).describe('Config entries to set.'),
        remove: z.array(configName).default([]).describe('Config entries to remove (back to the broker default).'),
        dry_run: dryRun,
      }),
      output: changeOutput.extend({
        previous: z.object({
          partitions: z.number().optional(),
          replicas: z.number().optional(),
          config: z.record(z.string(), z.string()),
        }),
      }),
      handler: async (input, ctx) => {
        if (
          input.partitions === undefined &&
          input.replicas === undefined &&
          Object.keys(input.set).length === 0 &&
          input.remove.length === 0
        ) {
          throw new ToolError('invalid_request', 'nothing to change: give partitions, replicas, set or remove', {
            hint: 'e.g. set: { "retention.ms": "259200000" }',
          });
        }
        const current = await get(input.name, ctx.signal);
        const previous = {
          partitions: current.spec?.partitions,
          replicas: current.spec?.replicas,
          config: configStrings(current.spec?.config),
        };
        if (
          input.partitions !== undefined &&
          previous.partitions !== undefined &&
          input.partitions < previous.partitions
        ) {
          throw new ToolError(
            'invalid_request',
            `partitions: ${input.name} has ${previous.partitions}; Kafka cannot reduce partitions`,
            {
              hint: 'give a larger count, or create a new topic and migrate',
            },
          );
        }
        const config: Record<string, unknown> = { ...(current.spec?.config ?? {}), ...input.set };
        for (const name of input.remove) delete config[name];
        const spec = {
          ...(current.spec ?? {}),
          ...(input.partitions !== undefined ? { partitions: input.partitions } : {}),
          ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
          config,
        };
        const body: KafkaTopicResource = {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'KafkaTopic',
          metadata: {
            name: current.metadata.name,
            namespace: strimzi.namespace,
            labels: current.metadata.labels ?? {},
            ...(current.metadata.annotations ? { annotations: current.metadata.annotations } : {}),
            ...(current.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
          },
          spec,
        };
        const document = kafkaTopicDocument({
          topic: spec.topicName ?? current.metadata.name,
          partitions: spec.partitions ?? 0,
          replicas: spec.replicas ?? 0,
          config: configStrings(config),
          namespace: strimzi.namespace,
          cluster: current.metadata.labels?.['strimzi.io/cluster'] ?? strimzi.cluster,
          labels: current.metadata.labels ?? {},
        });
        const verdict = await enforcePolicy(gate, 'kafka', [document], {
          tool: 'kafka.update_kafka_topic',
          namespace: strimzi.namespace,
        });
        const stored = (await strimzi.call(ctx.signal, (api) =>
          api.replaceNamespacedCustomObject({
            ...base,
            name: input.name,
            body,
            ...(input.dry_run ? { dryRun: 'All' } : {}),
          }),
        )) as KafkaTopicResource;
        return { ...changeResult(stored, strimzi.namespace, input.dry_run, verdict, 'apply'), previous };
      },
    }),
    defineTool({
      name: 'delete_kafka_topic',
      title: 'Delete KafkaTopic resource',
      description:
        'Delete a KafkaTopic resource. The Topic Operator then deletes the topic and its data from Kafka (when topic deletion is enabled). Cannot be undone.',
      toolset: 'strimzi',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({ name: resourceName }),
      output: z.object({ deleted: z.string(), namespace: z.string() }),
      handler: async (input, ctx) => {
        await strimzi.call(ctx.signal, (api) => api.deleteNamespacedCustomObject({ ...base, name: input.name }));
        return { deleted: input.name, namespace: strimzi.namespace };
      },
    }),
  ];
}
