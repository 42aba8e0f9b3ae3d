export const TOPIC_RESOURCE = 2;
/** kafkajs ConfigSource values (DescribeConfigs v1). */
export const CONFIG_SOURCES: Record<number, string> = {
  0: 'unknown',
  1: 'topic',
  2: 'broker_dynamic',
  3: 'broker_default_dynamic',
  4: 'broker_static',
  5: 'default',
  6: 'broker_logger',
};

/** A Kubernetes name for a topic: Strimzi's convention (lowercase, '_' -> '-', dots kept), else spec.topicName. */
export function resourceNameFor(topic: string): string {
  return topic
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 253);
}

/**
 * The KafkaTopic (kafka.strimzi.io/v1) a topic change amounts to: what the kafka policies are written against,
 * whichever way the change is applied (a Strimzi custom resource or the Kafka admin API).
 */
export function kafkaTopicDocument(options: {
  topic: string;
  partitions: number;
  replicas: number;
  config: Record<string, string>;
  namespace?: string;
  cluster?: string;
  labels?: Record<string, string>;
}) {
  const name = resourceNameFor(options.topic);
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    metadata: {
      name,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      labels: { ...(options.cluster ? { 'strimzi.io/cluster': options.cluster } : {}), ...(options.labels ?? {}) },
    },
    spec: {
      ...(name !== options.topic ? { topicName: options.topic } : {}),
      partitions: options.partitions,
      replicas: options.replicas,
      config: options.config,
    },
  };
}
