import { ConfigError, type PolicyGate, type ServerModule } from '@idp-mcp/core';
import { createKafkaAdmin, type KafkaAdmin, type KafkaClientOptions, mapKafkaError, readCa } from './kafka.ts';
import { directWriteTools } from './tools/direct.ts';
import { inspectionTools } from './tools/inspect.ts';

export { createKafkaAdmin, type KafkaAdmin, KafkaCallError, mapKafkaError } from './kafka.ts';
export { kafkaTopicDocument } from './tools/shared.ts';

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Every Kafka tool for the protocol side: inspection, and topic changes through the admin API. */
export function kafkaTools(kafka: KafkaAdmin, gate: PolicyGate) {
  return [...inspectionTools(kafka), ...directWriteTools(kafka, gate)];
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

export const kafkaModule: ServerModule = {
  name: 'kafka',
  title: 'Kafka',
  description: 'Kafka topics, configs, consumer groups and lag, cluster health (kafkajs); topic changes policy-gated.',
  toolsets: {
    topics: 'list and describe topics and their configs',
    groups: 'consumer groups, their members and lag',
    cluster: 'brokers, controller, under-replicated and offline partitions',
    topic_admin: 'create topics, change configs, add partitions (policy-gated) and delete topics through the admin API',
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
  },
  async start({ env, sandbox, log, gate }) {
    let stopFake = async () => {};
    let resolved = env;
    if (sandbox) {
      const { startKafkaFake } = await import('@idp-mcp/testing/kafka');
      const fake = await startKafkaFake();
      resolved = { ...env, KAFKA_BROKERS: fake.brokers.join(','), KAFKA_SASL_MECHANISM: undefined, KAFKA_SSL: 'false' };
      stopFake = () => fake.close();
    }
    const options = clientOptions(resolved, log);
    const kafka = createKafkaAdmin(options);
    return {
      tools: kafkaTools(kafka, gate),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: `kafka://${options.brokers.join(',')}` },
      mapError: mapKafkaError,
      ready: async () => {
        await kafka.run('read', AbortSignal.timeout(options.requestTimeoutMs), (admin) => admin.describeCluster());
        return true;
      },
      close: async () => {
        await kafka.close();
        await stopFake();
      },
    };
  },
};
