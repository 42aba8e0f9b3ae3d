// The Kafka fake: a small cluster of brokers on 127.0.0.1, each a TCP listener speaking the Kafka wire protocol for the
// APIs idp-mcp's tools use (see apis.ts). Requests are decoded strictly at the versions advertised; a request that
// does not decode, or that a real client would not send, is recorded as a violation. Leaders and coordinators are
// enforced: a partition's offsets come from its leader, a group's offsets from its coordinator, like a real cluster.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxWorld } from '@idp-mcp/core';
import { type KubernetesFake, sharedKubernetesFake } from '../kubernetes/index.ts';
import { type ApiContext, type ApiName, apiByKey, ProtocolError } from './apis.ts';
import { Reader, Writer } from './codec.ts';
import { type BrokerInfo, createSampleKafkaState, type KafkaState, type PartitionState } from './state.ts';
import { SANDBOX_STRIMZI, startTopicOperator } from './strimzi.ts';

export { API_KEYS, type ApiName, checkTopicConfig, ERROR } from './apis.ts';
export { Reader, Writer } from './codec.ts';
export * from './state.ts';
export {
  kafkaTopicResources,
  SANDBOX_STRIMZI,
  startTopicOperator,
  type TopicOperator,
  type TopicOperatorOptions,
  topicIdFor,
} from './strimzi.ts';

export interface KafkaFakeOptions {
  /** The cluster to serve; default: the sample data (3 brokers, the payments and orders topics and groups). */
  state?: KafkaState;
  /** Require SASL/PLAIN with these users (username -> password and role); PLAINTEXT when omitted. */
  users?: Record<string, { password: string; role: 'admin' | 'reader' }>;
}

export interface KafkaRequestRecord {
  broker: number;
  api: ApiName;
  version: number;
  clientId: string | null;
}

export interface KafkaViolation {
  broker: number;
  api: string;
  message: string;
}

export interface KafkaFault {
  /** Only requests to this API. */
  api: ApiName;
  /** Answer with this Kafka error code where the API reports errors (e.g. 7 REQUEST_TIMED_OUT, 29 TOPIC_AUTHORIZATION_FAILED). */
  errorCode?: number;
  /** Wait before answering (longer than the client's request timeout to time it out). */
  delayMs?: number;
  /** How many matching requests are affected (default 1). */
  times?: number;
}

export interface KafkaFake {
  readonly state: KafkaState;
  /** `host:port` of every broker, for KAFKA_BROKERS. */
  readonly brokers: string[];
  readonly requests: KafkaRequestRecord[];
  readonly violations: KafkaViolation[];
  failNext(fault: KafkaFault): void;
  /** Takes a broker's listener down (connections refused, absent from metadata) or brings it back. */
  setBrokerOnline(nodeId: number, online: boolean): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

/** Sample SASL users: alice may change topics, bob may only describe. */
export const SAMPLE_USERS = {
  alice: { password: 'alice-kafka-secret', role: 'admin' },
  bob: { password: 'bob-kafka-secret', role: 'reader' },
} as const;

/** Throws listing every protocol violation the fake recorded, and clears them. */
export function assertNoKafkaViolations(fake: Pick<KafkaFake, 'violations'>): void {
  const all = fake.violations.splice(0);
  if (all.length === 0) return;
  throw new Error(
    `the Kafka fake saw traffic the protocol does not allow:\n${all.map((v) => `- broker ${v.broker} ${v.api}: ${v.message}`).join('\n')}`,
  );
}

/**
 * The sandbox world's Kafka and its Strimzi: the Kafka fake, whose topics are KafkaTopics (cluster events, namespace
 * kafka) in the world's one Kubernetes fake, and a Topic Operator reconciling them every half second. The world
 * closes them.
 */
export async function startSandboxStrimzi(world: SandboxWorld): Promise<{ kafka: KafkaFake; kube: KubernetesFake }> {
  const [kafka, kube] = await Promise.all([world.shared('kafka', () => startKafkaFake()), sharedKubernetesFake(world)]);
  await world.shared('strimzi-topic-operator', async () => {
    const operator = startTopicOperator(kube, kafka, { ...SANDBOX_STRIMZI, intervalMs: 500 });
    return { close: async () => operator.stop() };
  });
  return { kafka, kube };
}

export async function startKafkaFake(options: KafkaFakeOptions = {}): Promise<KafkaFake> {
  const state = options.state ?? createSampleKafkaState();
  for (const [name, user] of Object.entries(options.users ?? {})) state.users.set(name, user);
  const requests: KafkaRequestRecord[] = [];
  const violations: KafkaViolation[] = [];
  const faults: Array<KafkaFault & { remaining: number }> = [];
  const servers = new Map<number, Server>();
  const sockets = new Map<number, Set<Socket>>();
  const droppedFromIsr = new Map<number, PartitionState[]>();

  const takeFault = (api: ApiName) => {
    const index = faults.findIndex((f) => f.api === api);
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };

  function serve(broker: BrokerInfo, socket: Socket): void {
    sockets.get(broker.nodeId)?.add(socket);
    socket.on('close', () => sockets.get(broker.nodeId)?.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let queue = Promise.resolve();
    let principal: ApiContext['principal'];
    let mechanism: string | undefined;
    const violate = (api: string, message: string) => violations.push({ broker: broker.nodeId, api, message });

    const handleFrame = async (frame: Buffer) => {
      const reader = new Reader(frame);
      let apiName = 'unknown';
      let correlationId = 0;
      try {
        const apiKey = reader.int16();
        const version = reader.int16();
        correlationId = reader.int32();
        const clientId = reader.nullableString();
        const api = apiByKey(apiKey);
        if (!api) throw new ProtocolError(`API key ${apiKey} is not implemented (and not advertised)`);
        apiName = api.name;
        if (version < api.minVersion || version > api.maxVersion) {
          if (api.name === 'ApiVersions') {
            // Kafka answers an unknown ApiVersions version with UNSUPPORTED_VERSION in the v0 format.
            const body = new Writer()
              .int16(35)
              .array([], () => {})
              .toBuffer();
            return respond(correlationId, body);
          }
          throw new ProtocolError(`${api.name} v${version} was not advertised (${api.minVersion}-${api.maxVersion})`);
        }
        const saslRequired = state.users.size > 0;
        if (saslRequired && !principal && !['ApiVersions', 'SaslHandshake', 'SaslAuthenticate'].includes(api.name)) {
          throw new ProtocolError(`${api.name} before SASL authentication`);
        }
        requests.push({ broker: broker.nodeId, api: api.name, version, clientId });
        const fault = takeFault(api.name);
        if (fault?.delayMs) await sleep(fault.delayMs);
        if (socket.destroyed) return;
        const context: ApiContext = {
          state,
          broker,
          principal,
          injected: fault?.errorCode,
          violation: (message) => violate(api.name, message),
          authenticate: (name, role) => {
            principal = { name, role };
          },
          mechanism,
          setMechanism: (m) => {
            mechanism = m;
          },
        };
        const body = api.handle(reader, version, context).toBuffer();
        respond(correlationId, body);
      } catch (error) {
        // A real broker closes the connection on a request it cannot parse.
        violate(apiName, error instanceof Error ? error.message : String(error));
        socket.destroy();
      }
    };

    const respond = (correlationId: number, body: Buffer) => {
      const header = new Writer()
        .int32(body.length + 4)
        .int32(correlationId)
        .toBuffer();
      socket.write(Buffer.concat([header, body]));
    };

    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > 100 * 1024 * 1024) {
          violate('frame', `invalid request size ${size}`);
          socket.destroy();
          return;
        }
        if (pending.length < size + 4) break;
        const frame = pending.subarray(4, size + 4);
        pending = pending.subarray(size + 4);
        // Kafka answers the requests of one connection in order.
        queue = queue.then(() => handleFrame(frame));
      }
    });
  }

  async function listen(broker: BrokerInfo): Promise<void> {
    const server = createServer((socket) => serve(broker, socket));
    sockets.set(broker.nodeId, new Set());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(broker.port, '127.0.0.1', () => resolve());
    });
    broker.port = (server.address() as AddressInfo).port;
    servers.set(broker.nodeId, server);
  }

  async function stop(nodeId: number): Promise<void> {
    const server = servers.get(nodeId);
    if (!server) return;
    servers.delete(nodeId);
    for (const socket of sockets.get(nodeId) ?? []) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  for (const broker of state.brokers) {
    if (!state.offline.has(broker.nodeId)) await listen(broker);
  }

  return {
    state,
    get brokers() {
      return state.liveBrokers().map((b) => `${b.host}:${b.port}`);
    },
    requests,
    violations,
    failNext: (fault) => faults.push({ ...fault, remaining: fault.times ?? 1 }),
    async setBrokerOnline(nodeId, online) {
      const broker = state.brokers.find((b) => b.nodeId === nodeId);
      if (!broker) throw new Error(`no broker ${nodeId}`);
      if (online) {
        state.offline.delete(nodeId);
        if (!servers.has(nodeId)) await listen(broker);
        // The broker catches up and rejoins the ISR of the partitions it dropped out of while down.
        for (const partition of droppedFromIsr.get(nodeId) ?? []) {
          if (!partition.isr.includes(nodeId)) partition.isr.push(nodeId);
          if (partition.leader === -1) partition.leader = nodeId;
        }
        droppedFromIsr.delete(nodeId);
      } else {
        state.offline.add(nodeId);
        await stop(nodeId);
        // The controller moves leadership to another in-sync replica; with none left the partition goes offline.
        const dropped: PartitionState[] = [];
        for (const topic of state.topics.values()) {
          for (const partition of topic.partitions) {
            if (!partition.isr.includes(nodeId)) continue;
            partition.isr = partition.isr.filter((id) => id !== nodeId);
            dropped.push(partition);
            if (partition.leader === nodeId) partition.leader = partition.isr[0] ?? -1;
          }
        }
        droppedFromIsr.set(nodeId, dropped);
        if (state.controllerId === nodeId) state.controllerId = state.liveBrokers()[0]?.nodeId ?? -1;
      }
    },
    reset() {
      requests.length = 0;
      violations.length = 0;
      faults.length = 0;
    },
    async close() {
      for (const nodeId of [...servers.keys()]) await stop(nodeId);
    },
  };
}
