// The Kafka fake's world: brokers, topics with partitions (leader, replicas, ISR, log start and end offsets), topic
// configuration overrides, consumer groups with members and committed offsets, and SASL/PLAIN users.

export interface BrokerInfo {
  nodeId: number;
  host: string;
  /** Filled in when the fake listens. */
  port: number;
  rack: string | null;
}

export interface PartitionState {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  /** Log start offset (earliest). */
  low: bigint;
  /** Log end offset (high watermark). */
  high: bigint;
}

export interface TopicState {
  name: string;
  internal: boolean;
  partitions: PartitionState[];
  /** Dynamic topic configs (overrides); everything else comes from the broker defaults. */
  configs: Map<string, string>;
}

export interface MemberState {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** Topic -> assigned partitions. */
  assignment: Record<string, number[]>;
}

export interface GroupState {
  groupId: string;
  state: 'Stable' | 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Dead';
  protocolType: string;
  protocol: string;
  members: MemberState[];
  /** Topic -> partition -> committed offset. */
  offsets: Map<string, Map<number, bigint>>;
}

export interface KafkaUser {
  password: string;
  /** `admin` may do everything; `reader` may describe, and every change is refused with an authorization error. */
  role: 'admin' | 'reader';
}

/** Topic-level configs a broker knows, with the broker defaults (Kafka 3.x). */
export const TOPIC_CONFIG_DEFAULTS: Record<string, string> = {
  'cleanup.policy': 'delete',
  'compression.type': 'producer',
  'delete.retention.ms': '86400000',
  'file.delete.delay.ms': '60000',
  'flush.messages': '9223372036854775807',
  'flush.ms': '9223372036854775807',
  'index.interval.bytes': '4096',
  'max.compaction.lag.ms': '9223372036854775807',
  'max.message.bytes': '1048588',
  'message.timestamp.type': 'CreateTime',
  'min.cleanable.dirty.ratio': '0.5',
  'min.compaction.lag.ms': '0',
  'min.insync.replicas': '1',
  preallocate: 'false',
  'retention.bytes': '-1',
  'retention.ms': '604800000',
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
  'unclean.leader.election.enable': 'false',
};

/** The broker property each topic config falls back to (shown as a synonym). */
export function brokerSynonym(name: string): string {
  const special: Record<string, string> = {
    'cleanup.policy': 'log.cleanup.policy',
    'retention.ms': 'log.retention.ms',
    'retention.bytes': 'log.retention.bytes',
    'segment.bytes': 'log.segment.bytes',
    'segment.ms': 'log.roll.ms',
    'max.message.bytes': 'message.max.bytes',
    'min.insync.replicas': 'min.insync.replicas',
  };
  return special[name] ?? `log.${name}`;
}

export class KafkaState {
  readonly brokers: BrokerInfo[] = [];
  readonly topics = new Map<string, TopicState>();
  readonly groups = new Map<string, GroupState>();
  /** SASL/PLAIN users; when empty the listeners are PLAINTEXT and every client is allowed everything. */
  readonly users = new Map<string, KafkaUser>();
  clusterId = 'fake-kafka-cluster-0001';
  controllerId = 1;
  defaultPartitions = 3;
  defaultReplicationFactor = 3;
  /** Brokers whose listener is down: absent from metadata, connections refused. */
  readonly offline = new Set<number>();

  liveBrokers(): BrokerInfo[] {
    return this.brokers.filter((b) => !this.offline.has(b.nodeId));
  }

  /** The broker coordinating a group: Kafka hashes the group id onto a __consumer_offsets partition's leader. */
  coordinatorFor(groupId: string): BrokerInfo {
    const live = this.liveBrokers();
    let hash = 0;
    for (const char of groupId) hash = (hash * 31 + char.charCodeAt(0)) | 0;
    return live[Math.abs(hash) % live.length]!;
  }

  /** Spreads partitions' leaders and replicas over the brokers, like the default replica assignment. */
  assign(partitionCount: number, replicationFactor: number, start = 0): PartitionState[] {
    const ids = this.brokers.map((b) => b.nodeId);
    return Array.from({ length: partitionCount }, (_, index) => {
      const partition = start + index;
      const replicas = Array.from({ length: replicationFactor }, (_, r) => ids[(partition + r) % ids.length]!);
      return { partition, leader: replicas[0]!, replicas, isr: [...replicas], low: 0n, high: 0n };
    });
  }

  addTopic(
    name: string,
    partitions: number,
    replicationFactor: number,
    configs: Record<string, string> = {},
  ): TopicState {
    const topic: TopicState = {
      name,
      internal: name.startsWith('__'),
      partitions: this.assign(partitions, replicationFactor),
      configs: new Map(Object.entries(configs)),
    };
    this.topics.set(name, topic);
    return topic;
  }

  addGroup(group: Omit<GroupState, 'offsets'> & { offsets: Record<string, Record<number, bigint>> }): GroupState {
    const offsets = new Map(
      Object.entries(group.offsets).map(([topic, byPartition]) => [
        topic,
        new Map(Object.entries(byPartition).map(([p, o]) => [Number(p), o])),
      ]),
    );
    const stored = { ...group, offsets };
    this.groups.set(group.groupId, stored);
    return stored;
  }
}

export function createEmptyKafkaState(brokerCount = 3): KafkaState {
  const state = new KafkaState();
  for (let id = 1; id <= brokerCount; id++) {
    state.brokers.push({ nodeId: id, host: '127.0.0.1', port: 0, rack: `eu-west-1${'abc'[(id - 1) % 3]}` });
  }
  state.addTopic('__consumer_offsets', 50, Math.min(3, brokerCount), {
    'cleanup.policy': 'compact',
    'compression.type': 'producer',
    'segment.bytes': '104857600',
  });
  return state;
}

/** The sample cluster a new user meets in the sandbox: the payments and orders teams' topics and consumers. */
export function createSampleKafkaState(): KafkaState {
  const state = createEmptyKafkaState(3);
  state.clusterId = 'Vq3x9Jd2TnK4acmeDevKfk';
  const fill = (topic: TopicState, sizes: Array<[bigint, bigint]>) => {
    topic.partitions.forEach((p, i) => {
      const [low, high] = sizes[i % sizes.length]!;
      p.low = low;
      p.high = high;
    });
  };
  const transactions = state.addTopic('payments.transactions.v1', 6, 3, {
    'min.insync.replicas': '2',
    'retention.ms': '1209600000',
    'cleanup.policy': 'delete',
  });
  fill(transactions, [
    [120_000n, 1_284_511n],
    [118_400n, 1_279_902n],
    [121_050n, 1_290_377n],
  ]);
  const refunds = state.addTopic('payments.refunds.v1', 3, 3, { 'min.insync.replicas': '2' });
  fill(refunds, [[0n, 8_412n]]);
  const orders = state.addTopic('orders.events.v1', 6, 3, {
    'min.insync.replicas': '2',
    'retention.ms': '604800000',
  });
  fill(orders, [[40_000n, 955_310n]]);
  // Broker 2 fell behind on one partition: it is still a replica but not in sync.
  const lagging = orders.partitions[4]!;
  lagging.isr = lagging.isr.filter((id) => id !== 2);
  const dlq = state.addTopic('orders.events.v1.dlq', 1, 3, { 'retention.ms': '2592000000' });
  fill(dlq, [[0n, 37n]]);
  const customers = state.addTopic('customers.profiles.v1', 3, 3, {
    'cleanup.policy': 'compact',
    'min.compaction.lag.ms': '3600000',
  });
  fill(customers, [[0n, 52_004n]]);

  const committed = (topic: TopicState, behind: bigint[]) =>
    Object.fromEntries(topic.partitions.map((p, i) => [p.partition, p.high - (behind[i % behind.length] ?? 0n)]));
  state.addGroup({
    groupId: 'payments-ledger',
    state: 'Stable',
    protocolType: 'consumer',
    protocol: 'cooperative-sticky',
    members: [
      {
        memberId: 'payments-ledger-0-4b1f2c7e-9a4d-4c55-8a0e-2d6f1b7c9e01',
        clientId: 'payments-ledger-0',
        clientHost: '/10.42.1.17',
        assignment: { 'payments.transactions.v1': [0, 1, 2] },
      },
      {
        memberId: 'payments-ledger-1-7c3e9d2a-1b5f-4e6a-9c8d-3f2e1a0b4c02',
        clientId: 'payments-ledger-1',
        clientHost: '/10.42.2.23',
        assignment: { 'payments.transactions.v1': [3, 4, 5] },
      },
    ],
    offsets: { 'payments.transactions.v1': committed(transactions, [12n, 0n, 3n, 7n, 0n, 1n]) },
  });
  state.addGroup({
    groupId: 'orders-fulfilment',
    state: 'Stable',
    protocolType: 'consumer',
    protocol: 'range',
    members: [
      {
        memberId: 'orders-fulfilment-5f7a1c3e-2d4b-4f6a-8b9c-0e1d2f3a4b03',
        clientId: 'orders-fulfilment',
        clientHost: '/10.42.3.9',
        assignment: { 'orders.events.v1': [0, 1, 2, 3, 4, 5], 'payments.refunds.v1': [0, 1, 2] },
      },
    ],
    offsets: {
      'orders.events.v1': committed(orders, [18_250n, 17_990n, 18_400n, 18_120n, 17_860n, 18_305n]),
      'payments.refunds.v1': committed(refunds, [0n]),
    },
  });
  state.addGroup({
    groupId: 'analytics-export',
    state: 'Empty',
    protocolType: 'consumer',
    protocol: '',
    members: [],
    offsets: { 'customers.profiles.v1': committed(customers, [52_004n, 40_100n, 51_000n]) },
  });
  return state;
}
