// The Kafka APIs the fake implements, one non-flexible version each (or a small range), decoded and encoded field by
// field as the protocol guide (https://kafka.apache.org/protocol) specifies them. The fake advertises exactly these
// versions in ApiVersions, so a client negotiates nothing it cannot answer.
import { ProtocolError, type Reader, Writer } from './codec.ts';
import {
  type BrokerInfo,
  brokerSynonym,
  type KafkaState,
  type PartitionState,
  TOPIC_CONFIG_DEFAULTS,
} from './state.ts';

export const ERROR = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REQUEST: 42,
  INVALID_CONFIG: 40,
  SASL_AUTHENTICATION_FAILED: 58,
} as const;

export const API_KEYS = {
  ListOffsets: 2,
  Metadata: 3,
  OffsetFetch: 9,
  FindCoordinator: 10,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
} as const;
export type ApiName = keyof typeof API_KEYS;

/** What one connection knows while handling a request. */
export interface ApiContext {
  state: KafkaState;
  broker: BrokerInfo;
  /** The authenticated SASL user, or undefined on a PLAINTEXT listener. */
  principal: { name: string; role: 'admin' | 'reader' } | undefined;
  /** An error code a test injected for this request: used where the API puts its error codes. */
  injected: number | undefined;
  /** Records a request that is valid on the wire but that no real client would send. */
  violation(message: string): void;
  /** Marks the connection authenticated (SaslAuthenticate). */
  authenticate(name: string, role: 'admin' | 'reader'): void;
  /** The mechanism chosen by SaslHandshake on this connection. */
  mechanism: string | undefined;
  setMechanism(mechanism: string): void;
}

export interface ApiDefinition {
  name: ApiName;
  minVersion: number;
  maxVersion: number;
  /** Decodes the request body (Reader positioned after the header), returns the response body. */
  handle(reader: Reader, version: number, context: ApiContext): Writer;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function err(context: ApiContext, code: number): number {
  return context.injected ?? code;
}

function canChange(context: ApiContext): boolean {
  return context.principal === undefined || context.principal.role === 'admin';
}

/** Validates one topic config value like the broker's LogConfig does; returns the error message or undefined. */
export function checkTopicConfig(name: string, value: string | null): string | undefined {
  if (!(name in TOPIC_CONFIG_DEFAULTS)) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  const isLong = (v: string) => /^-?\d+$/.test(v);
  switch (name) {
    case 'cleanup.policy':
      return value
        .split(',')
        .map((v) => v.trim())
        .every((v) => v === 'delete' || v === 'compact')
        ? undefined
        : `Invalid value ${value} for configuration cleanup.policy: String must be one of: compact, delete`;
    case 'compression.type':
      return ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'].includes(value)
        ? undefined
        : `Invalid value ${value} for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer`;
    case 'message.timestamp.type':
      return ['CreateTime', 'LogAppendTime'].includes(value)
        ? undefined
        : `Invalid value ${value} for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime`;
    case 'preallocate':
    case 'unclean.leader.election.enable':
      return ['true', 'false'].includes(value)
        ? undefined
        : `Invalid value ${value} for configuration ${name}: Expected value to be either true or false`;
    case 'min.cleanable.dirty.ratio':
      return Number.isFinite(Number(value)) && Number(value) >= 0 && Number(value) <= 1
        ? undefined
        : `Invalid value ${value} for configuration min.cleanable.dirty.ratio: Value must be in the range [0.0, 1.0]`;
    case 'min.insync.replicas':
      return isLong(value) && Number(value) >= 1
        ? undefined
        : `Invalid value ${value} for configuration min.insync.replicas: Value must be at least 1`;
    case 'retention.ms':
    case 'retention.bytes':
      return isLong(value) && Number(value) >= -1
        ? undefined
        : `Invalid value ${value} for configuration ${name}: Value must be at least -1`;
    default:
      return isLong(value) && Number(value) >= 0
        ? undefined
        : `Invalid value ${value} for configuration ${name}: Not a number of type LONG`;
  }
}

// ---------------------------------------------------------------------------------------------------------------

const apiVersions: ApiDefinition = {
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 2,
  handle(reader, version) {
    reader.end();
    const writer = new Writer().int16(ERROR.NONE).array(API_DEFINITIONS, (w, api) => {
      w.int16(API_KEYS[api.name]).int16(api.minVersion).int16(api.maxVersion);
    });
    if (version >= 1) writer.int32(0);
    return writer;
  },
};

const saslHandshake: ApiDefinition = {
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  handle(reader, _version, context) {
    const mechanism = reader.string('mechanism');
    reader.end();
    const enabled = context.state.users.size > 0 ? ['PLAIN'] : [];
    const ok = enabled.includes(mechanism);
    if (ok) context.setMechanism(mechanism);
    return new Writer().int16(ok ? ERROR.NONE : ERROR.UNSUPPORTED_SASL_MECHANISM).array(enabled, (w, m) => w.string(m));
  },
};

const saslAuthenticate: ApiDefinition = {
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 0,
  handle(reader, _version, context) {
    const bytes = reader.nullableBytes();
    reader.end();
    const fail = (code: number, message: string) => new Writer().int16(code).string(message).bytes(Buffer.alloc(0));
    if (context.mechanism !== 'PLAIN') return fail(ERROR.ILLEGAL_SASL_STATE, 'SaslAuthenticate before SaslHandshake');
    const [, username, password] = (bytes ?? Buffer.alloc(0)).toString('utf8').split('\u0000');
    const user = username ? context.state.users.get(username) : undefined;
    if (!user || user.password !== password) {
      return fail(ERROR.SASL_AUTHENTICATION_FAILED, 'Authentication failed: Invalid username or password');
    }
    context.authenticate(username!, user.role);
    return new Writer().int16(ERROR.NONE).string(null).bytes(Buffer.alloc(0));
  },
};

/** Metadata v2: brokers, cluster id, controller, topics with partitions (leader, replicas, ISR). */
const metadata: ApiDefinition = {
  name: 'Metadata',
  minVersion: 2,
  maxVersion: 2,
  handle(reader, _version, context) {
    const requested = reader.nullableArray((r) => r.string('topic'));
    reader.end();
    const { state } = context;
    const names = requested ?? [...state.topics.keys()].sort();
    const writer = new Writer()
      .array(state.liveBrokers(), (w, b) => w.int32(b.nodeId).string(b.host).int32(b.port).string(b.rack))
      .string(state.clusterId)
      .int32(state.controllerId);
    writer.array(names, (w, name) => {
      const topic = state.topics.get(name);
      if (!topic) {
        w.int16(err(context, ERROR.UNKNOWN_TOPIC_OR_PARTITION))
          .string(name)
          .boolean(false)
          .array([], () => {});
        return;
      }
      w.int16(err(context, ERROR.NONE)).string(name).boolean(topic.internal);
      w.array(topic.partitions, (pw, p) => {
        const leader = state.offline.has(p.leader) ? -1 : p.leader;
        const isr = p.isr.filter((id) => !state.offline.has(id));
        pw.int16(leader === -1 ? 5 /* LEADER_NOT_AVAILABLE */ : ERROR.NONE)
          .int32(p.partition)
          .int32(leader)
          .array(p.replicas, (rw, id) => rw.int32(id))
          .array(isr, (rw, id) => rw.int32(id));
      });
    });
    return writer;
  },
};

/** CreateTopics v1: validate_only supported (the tools' dry run). */
const createTopics: ApiDefinition = {
  name: 'CreateTopics',
  minVersion: 1,
  maxVersion: 1,
  handle(reader, _version, context) {
    const topics = reader.array((r) => ({
      name: r.string('topic'),
      partitions: r.int32(),
      replicationFactor: r.int16(),
      assignments: r.array((a) => ({ partition: a.int32(), replicas: a.array((x) => x.int32()) })),
      configs: r.array((c) => ({ name: c.string('config name'), value: c.nullableString() })),
    }));
    const timeout = reader.int32();
    const validateOnly = reader.boolean();
    reader.end();
    if (timeout < 0) context.violation(`CreateTopics timeout_ms must not be negative, got ${timeout}`);
    const { state } = context;
    const results = topics.map((topic): [string, number, string | null] => {
      if (context.injected !== undefined) return [topic.name, context.injected, null];
      if (!canChange(context)) return [topic.name, ERROR.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'];
      if (!TOPIC_NAME.test(topic.name) || topic.name === '.' || topic.name === '..') {
        return [
          topic.name,
          ERROR.INVALID_TOPIC_EXCEPTION,
          `Topic name "${topic.name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
        ];
      }
      if (state.topics.has(topic.name))
        return [topic.name, ERROR.TOPIC_ALREADY_EXISTS, `Topic '${topic.name}' already exists.`];
      const partitions = topic.partitions === -1 ? state.defaultPartitions : topic.partitions;
      const rf = topic.replicationFactor === -1 ? state.defaultReplicationFactor : topic.replicationFactor;
      if (topic.assignments.length > 0) {
        return [topic.name, ERROR.INVALID_REQUEST, 'Manual replica assignment is not supported by this fake'];
      }
      if (partitions <= 0) return [topic.name, ERROR.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'];
      if (rf <= 0) return [topic.name, ERROR.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.'];
      const live = state.liveBrokers().length;
      if (rf > live) {
        return [
          topic.name,
          ERROR.INVALID_REPLICATION_FACTOR,
          `Replication factor: ${rf} larger than available brokers: ${live}.`,
        ];
      }
      for (const config of topic.configs) {
        const problem = checkTopicConfig(config.name, config.value);
        if (problem) return [topic.name, ERROR.INVALID_CONFIG, problem];
      }
      if (!validateOnly) {
        const configs = Object.fromEntries(topic.configs.map((c) => [c.name, c.value ?? '']));
        state.addTopic(topic.name, partitions, rf, configs);
      }
      return [topic.name, ERROR.NONE, null];
    });
    return new Writer().array(results, (w, [name, code, message]) => w.string(name).int16(code).string(message));
  },
};

const deleteTopics: ApiDefinition = {
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 0,
  handle(reader, _version, context) {
    const names = reader.array((r) => r.string('topic'));
    const timeout = reader.int32();
    reader.end();
    if (timeout < 0) context.violation(`DeleteTopics timeout_ms must not be negative, got ${timeout}`);
    const results = names.map((name): [string, number] => {
      if (context.injected !== undefined) return [name, context.injected];
      if (!canChange(context)) return [name, ERROR.TOPIC_AUTHORIZATION_FAILED];
      const topic = context.state.topics.get(name);
      if (!topic) return [name, ERROR.UNKNOWN_TOPIC_OR_PARTITION];
      if (topic.internal) return [name, ERROR.INVALID_REQUEST];
      context.state.topics.delete(name);
      for (const group of context.state.groups.values()) group.offsets.delete(name);
      return [name, ERROR.NONE];
    });
    return new Writer().array(results, (w, [name, code]) => w.string(name).int16(code));
  },
};

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const SOURCE = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

/** DescribeConfigs v1: every topic config with its value, source and (on request) synonyms. */
const describeConfigs: ApiDefinition = {
  name: 'DescribeConfigs',
  minVersion: 1,
  maxVersion: 1,
  handle(reader, _version, context) {
    const resources = reader.array((r) => ({
      type: r.int8(),
      name: r.string('resource name'),
      configNames: r.nullableArray((c) => c.string('config name')),
    }));
    const includeSynonyms = reader.boolean();
    reader.end();
    const writer = new Writer().int32(0);
    writer.array(resources, (w, resource) => {
      const head = (code: number, message: string | null) =>
        w.int16(code).string(message).int8(resource.type).string(resource.name);
      if (context.injected !== undefined) {
        head(context.injected, null).array([], () => {});
        return;
      }
      if (resource.type !== RESOURCE_TOPIC) {
        if (resource.type !== RESOURCE_BROKER)
          context.violation(`DescribeConfigs resource type ${resource.type} is not TOPIC or BROKER`);
        head(ERROR.INVALID_REQUEST, 'The fake describes topic configs only').array([], () => {});
        return;
      }
      const topic = context.state.topics.get(resource.name);
      if (!topic) {
        head(ERROR.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resource.name}' does not exist.`).array([], () => {});
        return;
      }
      const names = (resource.configNames ?? Object.keys(TOPIC_CONFIG_DEFAULTS)).filter(
        (n) => n in TOPIC_CONFIG_DEFAULTS,
      );
      head(ERROR.NONE, null).array(names.sort(), (cw, name) => {
        const override = topic.configs.get(name);
        const fallback = TOPIC_CONFIG_DEFAULTS[name]!;
        const source = override !== undefined ? SOURCE.DYNAMIC_TOPIC_CONFIG : SOURCE.DEFAULT_CONFIG;
        cw.string(name)
          .string(override ?? fallback)
          .boolean(false)
          .int8(source)
          .boolean(false);
        const synonyms: Array<[string, string, number]> = [];
        if (includeSynonyms) {
          if (override !== undefined) synonyms.push([name, override, SOURCE.DYNAMIC_TOPIC_CONFIG]);
          synonyms.push([brokerSynonym(name), fallback, SOURCE.DEFAULT_CONFIG]);
        }
        cw.array(synonyms, (sw, [n, v, s]) => sw.string(n).string(v).int8(s));
      });
    });
    return writer;
  },
};

/** AlterConfigs v0: replaces a topic's whole set of dynamic configs (not incremental). */
const alterConfigs: ApiDefinition = {
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 0,
  handle(reader, _version, context) {
    const resources = reader.array((r) => ({
      type: r.int8(),
      name: r.string('resource name'),
      entries: r.array((c) => ({ name: c.string('config name'), value: c.nullableString() })),
    }));
    const validateOnly = reader.boolean();
    reader.end();
    const writer = new Writer().int32(0);
    writer.array(resources, (w, resource) => {
      const answer = (code: number, message: string | null) =>
        w.int16(code).string(message).int8(resource.type).string(resource.name);
      if (context.injected !== undefined) return answer(context.injected, null);
      if (resource.type !== RESOURCE_TOPIC) return answer(ERROR.INVALID_REQUEST, 'The fake alters topic configs only');
      if (!canChange(context)) return answer(ERROR.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
      const topic = context.state.topics.get(resource.name);
      if (!topic) return answer(ERROR.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resource.name}' does not exist.`);
      for (const entry of resource.entries) {
        const problem = checkTopicConfig(entry.name, entry.value);
        if (problem) return answer(ERROR.INVALID_CONFIG, problem);
      }
      if (!validateOnly) topic.configs = new Map(resource.entries.map((e) => [e.name, e.value ?? '']));
      return answer(ERROR.NONE, null);
    });
    return writer;
  },
};

const createPartitions: ApiDefinition = {
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 0,
  handle(reader, _version, context) {
    const requests = reader.array((r) => ({
      topic: r.string('topic'),
      count: r.int32(),
      assignments: r.nullableArray((a) => a.array((x) => x.int32())),
    }));
    const timeout = reader.int32();
    const validateOnly = reader.boolean();
    reader.end();
    if (timeout < 0) context.violation(`CreatePartitions timeout_ms must not be negative, got ${timeout}`);
    const results = requests.map((request): [string, number, string | null] => {
      if (context.injected !== undefined) return [request.topic, context.injected, null];
      if (!canChange(context)) return [request.topic, ERROR.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'];
      const topic = context.state.topics.get(request.topic);
      if (!topic)
        return [request.topic, ERROR.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${request.topic}' does not exist.`];
      const current = topic.partitions.length;
      if (request.count <= current) {
        const message =
          request.count === current
            ? `Topic already has ${current} partitions.`
            : `Topic currently has ${current} partitions, which is higher than the requested ${request.count}.`;
        return [request.topic, ERROR.INVALID_PARTITIONS, message];
      }
      if (!validateOnly) {
        const rf = topic.partitions[0]?.replicas.length ?? context.state.defaultReplicationFactor;
        topic.partitions.push(...context.state.assign(request.count - current, rf, current));
      }
      return [request.topic, ERROR.NONE, null];
    });
    return new Writer()
      .int32(0)
      .array(results, (w, [name, code, message]) => w.string(name).int16(code).string(message));
  },
};

/** ListOffsets v1: earliest (-2) or latest (-1) offset per partition, answered only by the partition's leader. */
const listOffsets: ApiDefinition = {
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 1,
  handle(reader, _version, context) {
    const replicaId = reader.int32();
    const topics = reader.array((r) => ({
      topic: r.string('topic'),
      partitions: r.array((p) => ({ partition: p.int32(), timestamp: p.int64() })),
    }));
    reader.end();
    if (replicaId !== -1) context.violation(`ListOffsets replica_id must be -1 for a client, got ${replicaId}`);
    return new Writer().array(topics, (w, request) => {
      const topic = context.state.topics.get(request.topic);
      w.string(request.topic).array(request.partitions, (pw, wanted) => {
        const partition: PartitionState | undefined = topic?.partitions.find((p) => p.partition === wanted.partition);
        let code: number = ERROR.NONE;
        if (!partition) code = ERROR.UNKNOWN_TOPIC_OR_PARTITION;
        else if (partition.leader !== context.broker.nodeId) code = ERROR.NOT_LEADER_OR_FOLLOWER;
        code = err(context, code);
        const offset =
          !partition || code !== ERROR.NONE ? -1n : wanted.timestamp === -1n ? partition.high : partition.low;
        pw.int32(wanted.partition).int16(code).int64(-1n).int64(offset);
      });
    });
  },
};

const findCoordinator: ApiDefinition = {
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 0,
  handle(reader, _version, context) {
    const groupId = reader.string('group id');
    reader.end();
    if (groupId === '') context.violation('FindCoordinator with an empty group id');
    const coordinator = context.state.coordinatorFor(groupId);
    return new Writer()
      .int16(err(context, ERROR.NONE))
      .int32(coordinator.nodeId)
      .string(coordinator.host)
      .int32(coordinator.port);
  },
};

/** ListGroups v0: the groups this broker coordinates. */
const listGroups: ApiDefinition = {
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 0,
  handle(reader, _version, context) {
    reader.end();
    const groups = [...context.state.groups.values()].filter(
      (g) => context.state.coordinatorFor(g.groupId).nodeId === context.broker.nodeId,
    );
    return new Writer().int16(err(context, ERROR.NONE)).array(context.injected ? [] : groups, (w, g) => {
      w.string(g.groupId).string(g.protocolType);
    });
  },
};

/** The consumer protocol's member metadata and assignment blobs, as Kafka's ConsumerProtocol encodes them (v0). */
function memberMetadata(topics: string[]): Buffer {
  return new Writer()
    .int16(0)
    .array(topics, (w, t) => w.string(t))
    .bytes(null)
    .toBuffer();
}

function memberAssignment(assignment: Record<string, number[]>): Buffer {
  return new Writer()
    .int16(0)
    .array(Object.entries(assignment), (w, [topic, partitions]) =>
      w.string(topic).array(partitions, (pw, p) => pw.int32(p)),
    )
    .bytes(null)
    .toBuffer();
}

const describeGroups: ApiDefinition = {
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 0,
  handle(reader, _version, context) {
    const ids = reader.array((r) => r.string('group id'));
    reader.end();
    return new Writer().array(ids, (w, id) => {
      if (context.state.coordinatorFor(id).nodeId !== context.broker.nodeId) {
        w.int16(ERROR.NOT_COORDINATOR)
          .string(id)
          .string('')
          .string('')
          .string('')
          .array([], () => {});
        return;
      }
      const group = context.state.groups.get(id);
      if (!group || context.injected !== undefined) {
        // Kafka answers an unknown group with no error and the Dead state.
        w.int16(context.injected ?? ERROR.NONE)
          .string(id)
          .string('Dead')
          .string('')
          .string('')
          .array([], () => {});
        return;
      }
      w.int16(ERROR.NONE).string(id).string(group.state).string(group.protocolType).string(group.protocol);
      w.array(group.members, (mw, m) => {
        mw.string(m.memberId)
          .string(m.clientId)
          .string(m.clientHost)
          .bytes(memberMetadata(Object.keys(m.assignment)))
          .bytes(memberAssignment(m.assignment));
      });
    });
  },
};

/** OffsetFetch v3: a group's committed offsets; topics null means every topic the group committed for. */
const offsetFetch: ApiDefinition = {
  name: 'OffsetFetch',
  minVersion: 3,
  maxVersion: 3,
  handle(reader, _version, context) {
    const groupId = reader.string('group id');
    const topics = reader.nullableArray((r) => ({ topic: r.string('topic'), partitions: r.array((p) => p.int32()) }));
    reader.end();
    const writer = new Writer().int32(0);
    if (context.state.coordinatorFor(groupId).nodeId !== context.broker.nodeId || context.injected !== undefined) {
      return writer.array([], () => {}).int16(context.injected ?? ERROR.NOT_COORDINATOR);
    }
    const group = context.state.groups.get(groupId);
    const wanted =
      topics ??
      [...(group?.offsets ?? new Map<string, Map<number, bigint>>())].map(([topic, byPartition]) => ({
        topic,
        partitions: [...byPartition.keys()].sort((a, b) => a - b),
      }));
    writer.array(wanted, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, partition) => {
        const offset = group?.offsets.get(t.topic)?.get(partition);
        pw.int32(partition)
          .int64(offset ?? -1n)
          .string('')
          .int16(ERROR.NONE);
      });
    });
    return writer.int16(ERROR.NONE);
  },
};

export const API_DEFINITIONS: ApiDefinition[] = [
  listOffsets,
  metadata,
  offsetFetch,
  findCoordinator,
  describeGroups,
  listGroups,
  saslHandshake,
  apiVersions,
  createTopics,
  deleteTopics,
  describeConfigs,
  alterConfigs,
  saslAuthenticate,
  createPartitions,
];

export function apiByKey(key: number): ApiDefinition | undefined {
  return API_DEFINITIONS.find((api) => API_KEYS[api.name] === key);
}

export { ProtocolError };
