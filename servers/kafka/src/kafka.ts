import { readFileSync } from 'node:fs';
import { type Logger, ToolError } from '@idp-mcp/core';
import type { Admin, KafkaConfig, SASLOptions } from 'kafkajs';
import kafkajs from 'kafkajs';

/**
 * The only place that talks to Kafka over its own protocol: one kafkajs admin client per server, connected on first
 * use, and the mapping of kafkajs errors to ToolErrors.
 */

const { Kafka, logLevel } = kafkajs;
export const { AssignerProtocol } = kafkajs;
export const UPSTREAM = 'Kafka';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  ssl?: { ca?: string } | boolean;
  requestTimeoutMs: number;
  log: Logger;
}

export interface KafkaAdmin {
  /** Runs one admin call: connects on first use, honours the caller's signal, tags write failures. */
  run<T>(kind: 'read' | 'write', signal: AbortSignal, call: (admin: Admin) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A kafkajs failure with what the tool was doing: a failed write may or may not have been applied. */
export class KafkaCallError extends Error {
  readonly kind: 'read' | 'write';
  override readonly cause: unknown;

  constructor(kind: 'read' | 'write', cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'KafkaCallError';
    this.kind = kind;
    this.cause = cause;
  }
}

export function readCa(path: string | undefined): string | undefined {
  return path ? readFileSync(path, 'utf8') : undefined;
}

export function createKafkaAdmin(options: KafkaClientOptions): KafkaAdmin {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: Math.min(options.requestTimeoutMs, 5_000),
    requestTimeout: options.requestTimeoutMs,
    // Retries are short: a model waits for the answer, and a failure it can act on beats a long silence.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      if (entry.level <= logLevel.ERROR)
        options.log.error(`kafkajs: ${message}`, { namespace: entry.namespace, ...extra });
      else if (entry.level <= logLevel.WARN) options.log.warn(`kafkajs: ${message}`, { namespace: entry.namespace });
    },
  };
  if (options.sasl) config.sasl = options.sasl as SASLOptions;
  if (options.ssl) config.ssl = options.ssl === true ? true : { ca: options.ssl.ca ? [options.ssl.ca] : undefined };
  const client = new Kafka(config);
  let admin: Admin | undefined;
  let connecting: Promise<Admin> | undefined;

  const connected = (): Promise<Admin> => {
    if (admin) return Promise.resolve(admin);
    connecting ??= (async () => {
      const candidate = client.admin();
      try {
        await candidate.connect();
      } catch (error) {
        connecting = undefined;
        await candidate.disconnect().catch(() => {});
        throw error;
      }
      admin = candidate;
      return candidate;
    })();
    return connecting;
  };

  return {
    async run(kind, signal, call) {
      signal.throwIfAborted();
      const work = connected().then(call);
      const aborted = new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      try {
        return await Promise.race([work, aborted]);
      } catch (error) {
        if (signal.aborted || error instanceof ToolError) throw error;
        throw new KafkaCallError(kind, error);
      } finally {
        work.catch(() => {});
      }
    },
    async close() {
      const current = admin ?? (connecting ? await connecting.catch(() => undefined) : undefined);
      admin = undefined;
      connecting = undefined;
      await current?.disconnect();
    },
  };
}

interface KafkaJsErrorLike {
  name?: string;
  type?: string;
  message?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown[];
  topic?: string;
}

const BY_TYPE: Record<string, { code: ToolError['code']; hint?: string }> = {
  UNKNOWN_TOPIC_OR_PARTITION: { code: 'not_found', hint: 'list_topics shows the topics that exist' },
  TOPIC_ALREADY_EXISTS: {
    code: 'conflict',
    hint: 'the topic exists: describe_topic shows it; change it with update_topic_config',
  },
  TOPIC_AUTHORIZATION_FAILED: {
    code: 'forbidden',
    hint: 'the Kafka principal (KAFKA_SASL_USERNAME) lacks the ACL for this topic operation',
  },
  GROUP_AUTHORIZATION_FAILED: { code: 'forbidden', hint: 'the Kafka principal lacks the Describe ACL on this group' },
  CLUSTER_AUTHORIZATION_FAILED: {
    code: 'forbidden',
    hint: 'the Kafka principal lacks a cluster ACL for this operation',
  },
  SASL_AUTHENTICATION_FAILED: {
    code: 'unauthorized',
    hint: 'KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD were rejected: check them and KAFKA_SASL_MECHANISM',
  },
  UNSUPPORTED_SASL_MECHANISM: { code: 'unauthorized', hint: 'set KAFKA_SASL_MECHANISM to one the brokers enable' },
  INVALID_PARTITIONS: {
    code: 'invalid_request',
    hint: 'partitions: give a count above the current one (describe_topic)',
  },
  INVALID_REPLICATION_FACTOR: {
    code: 'invalid_request',
    hint: 'replication_factor: at least 1 and at most the number of brokers (describe_cluster)',
  },
  INVALID_CONFIG: {
    code: 'invalid_request',
    hint: 'configs: check the names and values (get_topic_configs lists them)',
  },
  INVALID_TOPIC_EXCEPTION: { code: 'invalid_request', hint: "name: use ASCII letters, digits, '.', '_' and '-' only" },
  POLICY_VIOLATION: {
    code: 'invalid_request',
    hint: "the brokers' create-topic policy refused it: change what it names",
  },
  INVALID_REQUEST: { code: 'invalid_request' },
  REQUEST_TIMED_OUT: { code: 'timeout' },
  // kafkajs rejects a whole metadata answer when any partition has no leader, so this also means "some partition
  // of the cluster is offline": nothing about the other topics can be read until it has a leader again.
  LEADER_NOT_AVAILABLE: {
    code: 'upstream_unavailable',
    hint: 'a partition has no leader (a broker is down or leadership is moving): retry shortly; if it persists, some partition is offline',
  },
  NOT_LEADER_OR_FOLLOWER: { code: 'upstream_unavailable' },
  NOT_LEADER_FOR_PARTITION: { code: 'upstream_unavailable' },
  NOT_CONTROLLER: { code: 'upstream_unavailable' },
  NOT_COORDINATOR: { code: 'upstream_unavailable' },
  COORDINATOR_NOT_AVAILABLE: { code: 'upstream_unavailable' },
  COORDINATOR_LOAD_IN_PROGRESS: { code: 'upstream_unavailable' },
};

/** The innermost kafkajs error: retries-exceeded and aggregate errors wrap the one that says what went wrong. */
function innermost(error: unknown): KafkaJsErrorLike {
  let current = error as KafkaJsErrorLike;
  for (let depth = 0; depth < 5; depth++) {
    const next = current?.originalError ?? current?.cause ?? (current?.errors?.length ? current.errors[0] : undefined);
    if (!next) break;
    current = next as KafkaJsErrorLike;
  }
  return current ?? {};
}

/** kafkajs errors as ToolErrors, in one place. */
export function mapKafkaError(error: unknown): ToolError | undefined {
  if (!(error instanceof KafkaCallError)) return undefined;
  const write = error.kind === 'write';
  const inner = innermost(error.cause);
  const message = `${inner.topic ? `${inner.topic}: ` : ''}${inner.message ?? 'request failed'}`;
  const unsafe =
    'the change may or may not have been applied: read the current state (describe_topic) before repeating it';
  const known = inner.type ? BY_TYPE[inner.type] : undefined;
  if (known) {
    const transient = known.code === 'timeout' || known.code === 'upstream_unavailable';
    return new ToolError(known.code, `${UPSTREAM}: ${message}`, {
      upstream: UPSTREAM,
      retryable: transient && !write,
      ...(known.hint ? { hint: known.hint } : transient && write ? { hint: unsafe } : {}),
    });
  }
  if (inner.name === 'KafkaJSSASLAuthenticationError') {
    return new ToolError('unauthorized', `${UPSTREAM}: ${message}`, {
      upstream: UPSTREAM,
      retryable: false,
      hint: BY_TYPE.SASL_AUTHENTICATION_FAILED!.hint!,
    });
  }
  if (inner.name === 'KafkaJSRequestTimeoutError' || inner.name === 'KafkaJSTimeout') {
    return new ToolError('timeout', `${UPSTREAM} did not answer in time: ${message}`, {
      upstream: UPSTREAM,
      retryable: !write,
      ...(write ? { hint: unsafe } : {}),
    });
  }
  if (
    inner.name === 'KafkaJSConnectionError' ||
    inner.name === 'KafkaJSConnectionClosedError' ||
    inner.name === 'KafkaJSBrokerNotFound' ||
    inner.name === 'KafkaJSNoBrokerAvailableError' ||
    inner.name === 'KafkaJSGroupCoordinatorNotFound'
  ) {
    return new ToolError('upstream_unavailable', `${UPSTREAM} could not be reached: ${message}`, {
      upstream: UPSTREAM,
      retryable: !write,
      hint: write ? unsafe : 'check KAFKA_BROKERS and that the brokers are up (describe_cluster)',
    });
  }
  if (inner.name?.startsWith('KafkaJS')) {
    return new ToolError(inner.retriable && !write ? 'upstream_unavailable' : 'internal', `${UPSTREAM}: ${message}`, {
      upstream: UPSTREAM,
      retryable: Boolean(inner.retriable) && !write,
    });
  }
  return undefined;
}
