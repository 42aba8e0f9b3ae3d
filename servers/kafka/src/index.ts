import { ConfigError, type PolicyGate, type ServerModule } from '@idp-mcp/core';
import { KUBE_ENV, kubeIsConfigured, mapKubeError, startKube } from '@idp-mcp/kube';
import { createKafkaAdmin, type KafkaAdmin, type KafkaClientOptions, mapKafkaError, readCa } from './kafka.ts';
import { createStrimzi, type Strimzi } from './strimzi.ts';
import { clusterTools } from './tools/cluster.ts';
import { directWriteTools } from './tools/direct.ts';
import { groupTools } from './tools/groups.ts';
import { strimziTools } from './tools/strimzi.ts';
import { topicTools } from './tools/topics.ts';

export { createKafkaAdmin, type KafkaAdmin, KafkaCallError, mapKafkaError } from './kafka.ts';
export { createStrimzi, type Strimzi } from './strimzi.ts';
export { kafkaTopicDocument } from './tools/shared.ts';

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];
export type WriteMode = 'strimzi' | 'direct';

/**
 * Every Kafka tool: inspection over the Kafka protocol, and topic changes either as Strimzi KafkaTopic resources
 * (the GitOps way, the default) or through the Kafka admin API (KAFKA_WRITE_MODE=direct).
 */
export function kafkaTools(
  kafka: KafkaAdmin,
  gate: PolicyGate,
  writes: { mode: 'direct' } | { mode: 'strimzi'; strimzi: Strimzi },
) {
  return [
    ...topicTools(kafka),
    ...clusterTools(kafka),
    ...groupTools(kafka),
    ...(writes.mode === 'strimzi' ? strimziTools(writes.strimzi, gate) : directWriteTools(kafka, gate)),
  ];
}

function clientOptions(env: Record<string, string | undefined>, log: KafkaClientOptions['log']): KafkaClientOptions {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const problems: string[] = [];
  for (const broker of brokers) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(broker))
      problems.push(`KAFKA_BROKERS entries must be host:port; got ${JSON.stringify(broker)}`);
  }
  const options: KafkaClientOptions = {
    brokers,
    clientId: env.KAFKA_CLIENT_ID ?? 'idp-mcp',
    requestTimeoutMs: Number(env.KAFKA_TIMEOUT_MS),
    log,
  };
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism) {
    if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
      problems.push(
        `KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}; got ${JSON.stringify(mechanism)}`,
      );
    }
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) {
      problems.push('KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are needed too');
    }
    options.sasl = {
      mechanism: mechanism as SaslMechanism,
      username: env.KAFKA_SASL_USERNAME ?? '',
      password: env.KAFKA_SASL_PASSWORD ?? '',
    };
  }
  if (env.KAFKA_SSL !== 'true' && env.KAFKA_SSL !== 'false') {
    problems.push(`KAFKA_SSL must be true or false; got ${JSON.stringify(env.KAFKA_SSL)}`);
  }
  if (env.KAFKA_SSL === 'true') options.ssl = env.KAFKA_SSL_CA_FILE ? { ca: readCa(env.KAFKA_SSL_CA_FILE) } : true;
  if (problems.length > 0) throw new ConfigError(`kafka: ${problems.join('; ')}`);
  return options;
}

function writeMode(env: Record<string, string | undefined>): WriteMode {
  const mode = env.KAFKA_WRITE_MODE;
  if (mode !== 'strimzi' && mode !== 'direct') {
    throw new ConfigError(`KAFKA_WRITE_MODE must be strimzi or direct; got ${JSON.stringify(mode)}`);
  }
  if (mode === 'strimzi' && !env.STRIMZI_CLUSTER) {
    throw new ConfigError(
      'STRIMZI_CLUSTER is not set: KAFKA_WRITE_MODE=strimzi needs the name of the Kafka custom resource (the strimzi.io/cluster label), or set KAFKA_WRITE_MODE=direct',
    );
  }
  return mode;
}

export const kafkaModule: ServerModule = {
  name: 'kafka',
  title: 'Kafka',
  description:
    'Kafka topics, configs, consumer groups and lag, cluster health (kafkajs); policy-gated topic changes via Strimzi.',
  toolsets: {
    topics: 'list and describe topics and their configs (Kafka protocol)',
    groups: 'consumer groups, their members and lag',
    cluster: 'brokers, controller, under-replicated and offline partitions',
    strimzi:
      'KafkaTopic resources: list, describe, create and update (policy-gated), delete (KAFKA_WRITE_MODE=strimzi)',
    topic_admin:
      'create topics, change configs, add partitions (policy-gated) and delete topics through the admin API (KAFKA_WRITE_MODE=direct)',
  },
  env: {
    KAFKA_BROKERS: { description: 'Bootstrap brokers, host:port separated by commas', required: true, format: 'list' },
    KAFKA_CLIENT_ID: { description: 'Client id the brokers see', default: 'idp-mcp' },
    KAFKA_SASL_MECHANISM: { description: 'SASL mechanism: plain, scram-sha-256 or scram-sha-512; unset for none' },
    KAFKA_SASL_USERNAME: { description: 'SASL username' },
    KAFKA_SASL_PASSWORD: { description: 'SASL password', secret: true },
    KAFKA_SSL: { description: 'Connect with TLS (true/false)', default: 'false' },
    KAFKA_SSL_CA_FILE: { description: "PEM file of the CA that signed the brokers' certificates (TLS only)" },
    KAFKA_TIMEOUT_MS: {
      description: 'Timeout of one Kafka request in milliseconds',
      default: '10000',
      format: 'integer',
    },
    KAFKA_WRITE_MODE: {
      description: 'How topics are changed: strimzi (KafkaTopic resources, GitOps) or direct (Kafka admin API)',
      default: 'strimzi',
    },
    STRIMZI_CLUSTER: {
      description: 'Strimzi mode: the Kafka custom resource name (strimzi.io/cluster label of topics)',
    },
    STRIMZI_NAMESPACE: { description: 'Strimzi mode: the namespace the Topic Operator watches', default: 'kafka' },
    ...KUBE_ENV,
    KUBECONFIG: {
      description:
        'Strimzi mode: kubeconfig file(s), separated by ":"; required unless K8S_IN_CLUSTER=true (~/.kube/config is never read unasked)',
    },
  },
  async start({ env, sandbox, log, gate, world }) {
    let resolved = env;
    if (sandbox) {
      // The sandbox world's Kafka, its Strimzi (cluster events, namespace kafka) in the world's one Kubernetes fake,
      // and the Topic Operator between them: a KafkaTopic any integration stores becomes a topic.
      const { startSandboxStrimzi, SANDBOX_STRIMZI } = await import('@idp-mcp/sandbox/kafka');
      const { kafka } = await startSandboxStrimzi(world);
      resolved = {
        ...env,
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_SASL_MECHANISM: undefined,
        KAFKA_SSL: 'false',
        ...(env.KAFKA_WRITE_MODE === 'strimzi'
          ? { STRIMZI_CLUSTER: SANDBOX_STRIMZI.cluster, STRIMZI_NAMESPACE: SANDBOX_STRIMZI.namespace }
          : {}),
      };
    }
    const mode = writeMode(resolved);
    const options = clientOptions(resolved, log);
    if (mode === 'strimzi' && !sandbox && !kubeIsConfigured(resolved)) {
      throw new ConfigError(
        'kafka: KAFKA_WRITE_MODE=strimzi needs a Kubernetes cluster: set KUBECONFIG, or K8S_IN_CLUSTER=true in a pod (or KAFKA_WRITE_MODE=direct)',
      );
    }
    const strimzi =
      mode === 'strimzi'
        ? createStrimzi(await startKube(resolved, sandbox, log, world), {
            namespace: resolved.STRIMZI_NAMESPACE ?? 'kafka',
            cluster: resolved.STRIMZI_CLUSTER!,
          })
        : undefined;
    const kafka = createKafkaAdmin(options);
    return {
      tools: kafkaTools(kafka, gate, strimzi ? { mode: 'strimzi', strimzi } : { mode: 'direct' }),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: `kafka://${options.brokers.join(',')}` },
      mapError: (error) => mapKafkaError(error) ?? mapKubeError(error),
      ready: async () => {
        await kafka.run('read', AbortSignal.timeout(options.requestTimeoutMs), (admin) => admin.describeCluster());
        return true;
      },
      close: () => kafka.close(),
    };
  },
};
