// Strimzi's Topic Operator, simulated between the Kubernetes fake and the Kafka fake: KafkaTopic resources
// (kafka.strimzi.io/v1) are reconciled into the Kafka fake's topics and get the status the real operator writes
// (Ready condition, observedGeneration, topicName, topicId). Tests call reconcile() at the moment a real operator
// would have run; the sandbox runs it on an interval.
import { createHash } from 'node:crypto';
import type { KubeObject, KubernetesFake } from '../kubernetes/index.ts';
import { checkTopicConfig } from './apis.ts';
import type { KafkaState } from './state.ts';

/** The sample world's Strimzi: the Kafka custom resource `events`, its Topic Operator watching namespace `kafka`. */
export const SANDBOX_STRIMZI = { cluster: 'events', namespace: 'kafka' } as const;

export interface TopicOperatorOptions {
  /** The namespace the operator watches (Strimzi's STRIMZI_NAMESPACE). */
  namespace: string;
  /** The Kafka cluster (strimzi.io/cluster label) whose topics it manages. */
  cluster: string;
  /** Reconcile on this interval (ms); 0 (default) only when reconcile() is called. */
  intervalMs?: number;
}

interface Condition {
  type: 'Ready';
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastTransitionTime: string;
}

/** Kafka topic ids are 16 random bytes, base64url; here derived from the name so they are stable. */
export function topicIdFor(name: string): string {
  return createHash('sha256').update(name).digest().subarray(0, 16).toString('base64url');
}

/** KafkaTopic resources for every (non-internal) topic of a Kafka fake, as the operator would have made them Ready. */
export function kafkaTopicResources(state: KafkaState, options: { namespace: string; cluster: string }): KubeObject[] {
  return [...state.topics.values()]
    .filter((t) => !t.internal)
    .map((topic) => ({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: {
        name: topic.name,
        namespace: options.namespace,
        generation: 1,
        labels: { 'strimzi.io/cluster': options.cluster, team: topic.name.split('.')[0] ?? 'platform' },
      },
      spec: {
        partitions: topic.partitions.length,
        replicas: topic.partitions[0]?.replicas.length ?? 1,
        config: Object.fromEntries(topic.configs),
      },
      status: {
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-03-01T09:00:00Z' }],
        observedGeneration: 1,
        topicName: topic.name,
        topicId: topicIdFor(topic.name),
      },
    }));
}

export interface TopicOperator {
  /** One reconcile pass over every KafkaTopic in the namespace. */
  reconcile(): void;
  stop(): void;
}

export function startTopicOperator(
  kube: KubernetesFake,
  kafka: { state: KafkaState },
  options: TopicOperatorOptions,
): TopicOperator {
  const managed = new Set<string>(
    kube
      .list('kafka.strimzi.io/v1', 'KafkaTopic', options.namespace)
      .map((o) => (o.spec as { topicName?: string } | undefined)?.topicName ?? o.metadata.name),
  );

  const reconcileOne = (resource: KubeObject): void => {
    if (resource.metadata.labels?.['strimzi.io/cluster'] !== options.cluster) return;
    const spec = (resource.spec ?? {}) as {
      topicName?: string;
      partitions?: number;
      replicas?: number;
      config?: Record<string, unknown>;
    };
    const status = (resource.status ?? {}) as { observedGeneration?: number };
    const generation = resource.metadata.generation ?? 1;
    const name = spec.topicName ?? resource.metadata.name;
    managed.add(name);
    if (status.observedGeneration === generation) return;
    const state = kafka.state;
    const config = Object.fromEntries(Object.entries(spec.config ?? {}).map(([k, v]) => [k, String(v)]));
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const fail = (reason: string, message: string): Condition => ({
      type: 'Ready',
      status: 'False',
      reason,
      message,
      lastTransitionTime: now,
    });
    let condition: Condition = { type: 'Ready', status: 'True', lastTransitionTime: now };
    const configProblem = Object.entries(config)
      .map(([k, v]) => checkTopicConfig(k, v))
      .find(Boolean);
    const existing = state.topics.get(name);
    const live = state.liveBrokers().length;
    if (configProblem) {
      condition = fail('KafkaError', `org.apache.kafka.common.errors.InvalidConfigurationException: ${configProblem}`);
    } else if (!existing) {
      const partitions = spec.partitions ?? state.defaultPartitions;
      const replicas = spec.replicas ?? state.defaultReplicationFactor;
      if (replicas > live) {
        condition = fail(
          'KafkaError',
          `org.apache.kafka.common.errors.InvalidReplicationFactorException: Replication factor: ${replicas} larger than available brokers: ${live}.`,
        );
      } else {
        state.addTopic(name, partitions, replicas, config);
      }
    } else {
      const partitions = spec.partitions ?? existing.partitions.length;
      const replicas = existing.partitions[0]?.replicas.length ?? 0;
      if (partitions < existing.partitions.length) {
        condition = fail('NotSupported', 'Decreasing partitions not supported');
      } else if (spec.replicas !== undefined && spec.replicas !== replicas) {
        condition = fail(
          'NotSupported',
          `Replication factor change not supported, but required for partitions [${existing.partitions.map((p) => p.partition).join(', ')}]`,
        );
      } else {
        if (partitions > existing.partitions.length) {
          existing.partitions.push(
            ...state.assign(partitions - existing.partitions.length, replicas, existing.partitions.length),
          );
        }
        existing.configs = new Map(Object.entries(config));
      }
    }
    kube.seed([
      {
        ...resource,
        status: {
          conditions: [condition],
          observedGeneration: generation,
          topicName: name,
          ...(state.topics.has(name) ? { topicId: topicIdFor(name) } : {}),
        },
      },
    ]);
  };

  const reconcile = () => {
    const resources = kube.list('kafka.strimzi.io/v1', 'KafkaTopic', options.namespace);
    const present = new Set<string>();
    for (const resource of resources) {
      present.add((resource.spec as { topicName?: string } | undefined)?.topicName ?? resource.metadata.name);
      reconcileOne(resource);
    }
    // A deleted KafkaTopic deletes its topic (Strimzi with topic deletion enabled).
    for (const name of [...managed]) {
      if (present.has(name)) continue;
      managed.delete(name);
      kafka.state.topics.delete(name);
      for (const group of kafka.state.groups.values()) group.offsets.delete(name);
    }
  };

  const timer = options.intervalMs ? setInterval(reconcile, options.intervalMs) : undefined;
  timer?.unref();
  return {
    reconcile,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
