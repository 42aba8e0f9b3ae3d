import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { ConfigError, type Logger, ToolError, upstreamHttpError } from '@idp-mcp/core';
import {
  ApiException,
  CustomObjectsApi,
  createConfiguration,
  KubeConfig,
  ServerConfiguration,
  setHeaderMiddleware,
} from '@kubernetes/client-node';

/**
 * The only place that talks to the Kubernetes API for Strimzi: KafkaTopic custom resources (kafka.strimzi.io/v1)
 * through @kubernetes/client-node's CustomObjectsApi, with the caller's signal and a timeout, and error mapping.
 */

export const GROUP = 'kafka.strimzi.io';
export const VERSION = 'v1';
export const PLURAL = 'kafkatopics';
export const UPSTREAM = 'Kubernetes';

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

export interface StrimziOptions {
  kubeconfig?: string | undefined;
  kubeconfigText?: string | undefined;
  inCluster?: boolean;
  context?: string | undefined;
  namespace: string;
  cluster: string;
  timeoutMs: number;
  log: Logger;
}

export interface Strimzi {
  readonly namespace: string;
  /** The Kafka cluster (the Kafka custom resource's name): the strimzi.io/cluster label of every topic. */
  readonly cluster: string;
  call<T>(signal: AbortSignal, kind: 'read' | 'write', work: (api: CustomObjectsApi) => Promise<T>): Promise<T>;
}

const signals = new AsyncLocalStorage<AbortSignal>();
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function loadConfig(options: StrimziOptions): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfigText) {
    kc.loadFromString(options.kubeconfigText);
  } else if (options.inCluster) {
    if (!existsSync(SERVICE_ACCOUNT_TOKEN)) {
      throw new ConfigError(
        `K8S_IN_CLUSTER is true but ${SERVICE_ACCOUNT_TOKEN} does not exist: run in a pod or set KUBECONFIG`,
      );
    }
    kc.loadFromCluster();
  } else if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new ConfigError(`KUBECONFIG: ${options.kubeconfig} does not exist`);
    try {
      kc.loadFromFile(options.kubeconfig);
    } catch (error) {
      throw new ConfigError(`KUBECONFIG: ${options.kubeconfig} is not a valid kubeconfig: ${(error as Error).message}`);
    }
  } else {
    kc.loadFromDefault();
    if (!kc.getCurrentCluster()) {
      throw new ConfigError(
        'kafka: KAFKA_WRITE_MODE=strimzi needs a Kubernetes cluster: set KUBECONFIG, or K8S_IN_CLUSTER=true in a pod (or KAFKA_WRITE_MODE=direct)',
      );
    }
  }
  if (options.context) {
    if (!kc.getContextObject(options.context))
      throw new ConfigError(`K8S_CONTEXT: the kubeconfig has no context ${options.context}`);
    kc.setCurrentContext(options.context);
  }
  return kc;
}

export function createStrimzi(options: StrimziOptions): Strimzi {
  const kc = loadConfig(options);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ConfigError('the kubeconfig names no cluster for its current context');
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    middleware: [setHeaderMiddleware('User-Agent', 'idp-mcp-kafka')],
    promiseMiddleware: [
      {
        pre: async (request) => {
          const signal = signals.getStore();
          if (signal) request.setSignal(signal);
          return request;
        },
        post: async (response) => response,
      },
    ],
  });
  const api = new CustomObjectsApi(configuration);
  return {
    namespace: options.namespace,
    cluster: options.cluster,
    async call(signal, kind, work) {
      const combined = AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]);
      try {
        return await signals.run(combined, () => work(api));
      } catch (error) {
        if (combined.aborted && !signal.aborted) {
          throw new ToolError('timeout', `the Kubernetes API did not answer within ${options.timeoutMs} ms`, {
            upstream: UPSTREAM,
            retryable: kind === 'read',
            ...(kind === 'write'
              ? { hint: 'the change may or may not have been made: describe_kafka_topic shows the current state' }
              : {}),
          });
        }
        if (error instanceof ApiException) throw new StrimziCallError(kind, error);
        throw error;
      }
    },
  };
}

/** A Kubernetes API failure with what the tool was doing. */
export class StrimziCallError extends Error {
  readonly kind: 'read' | 'write';
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(kind: 'read' | 'write', error: ApiException<unknown>) {
    super(`HTTP ${error.code}`);
    this.name = 'StrimziCallError';
    this.kind = kind;
    this.status = error.code;
    this.body = error.body;
    this.headers = (error.headers ?? {}) as Record<string, string>;
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ message?: string; field?: string }> };
}

/** Kubernetes Status errors for KafkaTopic calls as ToolErrors. */
export function mapStrimziError(error: unknown): ToolError | undefined {
  if (!(error instanceof StrimziCallError)) return undefined;
  let status: StatusBody = {};
  if (typeof error.body === 'string') {
    try {
      status = JSON.parse(error.body) as StatusBody;
    } catch {
      status = { message: error.body.slice(0, 300) };
    }
  } else if (error.body && typeof error.body === 'object') {
    status = error.body as StatusBody;
  }
  const causes = (status.details?.causes ?? []).map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? ''}`);
  const message = [
    status.message ?? `HTTP ${error.status}`,
    ...causes.filter((c) => !status.message?.includes(c)),
  ].join('; ');
  const retryAfter = error.headers['retry-after'];
  const hint =
    error.status === 404
      ? 'list_kafka_topics shows the KafkaTopic resources (by resource name) in the configured namespace'
      : error.status === 409 && status.reason === 'AlreadyExists'
        ? 'a KafkaTopic with this name exists: describe_kafka_topic shows it; change it with update_kafka_topic'
        : error.status === 409
          ? 'the KafkaTopic changed since it was read: call again to apply the change to the current version'
          : error.status === 403
            ? 'the Kubernetes identity lacks RBAC on kafkatopics.kafka.strimzi.io in this namespace'
            : error.status === 422 || error.status === 400
              ? 'fix the fields named in the message and call again'
              : undefined;
  return upstreamHttpError(UPSTREAM, error.status, message, {
    method: error.kind === 'read' ? 'GET' : 'POST',
    ...(retryAfter && /^\d+$/.test(retryAfter) ? { retryAfterSeconds: Number(retryAfter) } : {}),
    ...(hint ? { hint } : {}),
  });
}
