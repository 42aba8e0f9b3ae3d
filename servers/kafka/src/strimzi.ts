import { ToolError } from '@idp-mcp/core';
import type { Kube } from '@idp-mcp/kube';
import type { CustomObjectsApi } from '@kubernetes/client-node';

/**
 * KafkaTopic custom resources (kafka.strimzi.io/v1) on the one Kubernetes client (@idp-mcp/kube): its configuration,
 * retries, timeouts and error mapping, with hints that name the kafka tools.
 */

export const GROUP = 'kafka.strimzi.io';
export const VERSION = 'v1';
export const PLURAL = 'kafkatopics';

export interface KafkaTopicResource {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
  };
  spec?: { topicName?: string; partitions?: number; replicas?: number; config?: Record<string, unknown> };
  status?: {
    conditions?: Array<{
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }>;
    observedGeneration?: number;
    topicName?: string;
    topicId?: string;
    replicasChange?: { targetReplicas?: number; state?: string; message?: string };
  };
}

export interface Strimzi {
  /** The namespace the Topic Operator watches. */
  readonly namespace: string;
  /** The Kafka cluster (the Kafka custom resource's name): the strimzi.io/cluster label of every topic. */
  readonly cluster: string;
  /** Runs KafkaTopic calls on the kubeconfig's default context; failures come back as ToolErrors. */
  call<T>(signal: AbortSignal, work: (api: CustomObjectsApi) => Promise<T>): Promise<T>;
}

const HINTS: Record<number, string> = {
  403: 'the Kubernetes identity lacks RBAC on kafkatopics.kafka.strimzi.io in this namespace',
  404: 'list_kafka_topics shows the KafkaTopic resources (by resource name) in the configured namespace',
  409: 'the KafkaTopic changed since it was read: call again to apply the change to the current version',
};

export function createStrimzi(kube: Kube, options: { namespace: string; cluster: string }): Strimzi {
  return {
    namespace: options.namespace,
    cluster: options.cluster,
    async call(signal, work) {
      try {
        return await kube.call(signal, undefined, (clients) => work(clients.custom));
      } catch (error) {
        throw withStrimziHint(error);
      }
    },
  };
}

/** The Kubernetes error as mapKubeError made it, with a hint in the kafka tools' terms where one helps. */
function withStrimziHint(error: unknown): unknown {
  if (!(error instanceof ToolError) || error.upstream !== 'Kubernetes' || error.status === undefined) return error;
  const hint = HINTS[error.status];
  if (!hint) return error;
  return new ToolError(error.code, error.message, {
    retryable: error.retryable,
    hint,
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    upstream: error.upstream,
    status: error.status,
    details: error.details,
  });
}
