import type { PolicyGate, PolicyViolation } from '@idp-mcp/core';
import { assertNoKafkaViolations, type KafkaFake, SAMPLE_USERS, startKafkaFake } from '@idp-mcp/sandbox/kafka';
import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kafkaModule } from '../src/index.ts';
import { callTool, errorMeta, type Result, sc } from './support.ts';

/**
 * A small stand-in for the Rego gate: denies a topic with a single partition and warns when retention.ms is not set.
 * Every document it saw is kept for assertions.
 */
function stubGate() {
  const seen: Array<{ domain: string; documents: unknown[] }> = [];
  const gate: PolicyGate = {
    check: async (domain, documents) => {
      seen.push({ domain, documents });
      const violations: PolicyViolation[] = [];
      for (const doc of documents as Array<{
        metadata?: { name?: string };
        spec?: { partitions?: number; config?: Record<string, string> };
      }>) {
        if ((doc.spec?.partitions ?? 0) < 2) {
          violations.push({
            rule: 'kafka.min_partitions',
            severity: 'deny',
            message: 'topics need at least 2 partitions',
            resource: `KafkaTopic/${doc.metadata?.name}`,
            field: 'spec.partitions',
          });
        }
        if (!doc.spec?.config?.['retention.ms']) {
          violations.push({
            rule: 'kafka.retention',
            severity: 'warn',
            message: 'set retention.ms explicitly',
            field: 'spec.config',
          });
        }
      }
      return { allowed: !violations.some((v) => v.severity === 'deny'), violations, gate: 'stub' };
    },
  };
  return { gate, seen };
}

let fake: KafkaFake;
let mcp: ConnectedClient;
let policy: ReturnType<typeof stubGate>;

async function connect(options: { env?: Record<string, string>; args?: string[]; brokers?: string } = {}) {
  return connectClient(kafkaModule, {
    env: { KAFKA_BROKERS: options.brokers ?? fake.brokers.join(','), KAFKA_WRITE_MODE: 'direct', ...options.env },
    args: options.args ?? [],
    gate: policy.gate,
  });
}

function call(name: string, args: Record<string, unknown> = {}, client = mcp): Promise<Result> {
  return callTool(client, name, args);
}

function apis(): string[] {
  return fake.requests.map((r) => r.api);
}

beforeEach(async () => {
  fake = await startKafkaFake();
  policy = stubGate();
  mcp = await connect();
});

afterEach(async () => {
  await mcp.close();
  try {
    assertNoKafkaViolations(fake);
  } finally {
    await fake.close();
  }
});

describe('kafka inspection', () => {
  it('shows a model the reviewed tool list in direct mode (every tier)', async () => {
    const admin = await connect({ args: ['--role', 'platform-admin'] });
    try {
      await expect(await toolsSnapshot(admin.client)).toMatchFileSnapshot('./__snapshots__/tools-direct.json');
    } finally {
      await admin.close();
    }
  });

  it('lists topics with their health, filtered and paged', async () => {
    const all = await call('list_topics');
    expect(all.structuredContent?.total).toBe(5);
    expect(all.structuredContent?.topics).toContainEqual({
      name: 'orders.events.v1',
      partitions: 6,
      replication_factor: 3,
      under_replicated: 1,
      offline: 0,
    });
    expect(JSON.stringify(all.structuredContent)).not.toContain('__consumer_offsets');
    const payments = await call('list_topics', { name_contains: 'payments.', limit: 1 });
    expect(payments.structuredContent?.topics).toEqual([expect.objectContaining({ name: 'payments.refunds.v1' })]);
    const next = await call('list_topics', {
      name_contains: 'payments.',
      limit: 1,
      cursor: payments.structuredContent?.nextCursor,
    });
    expect(next.structuredContent?.topics).toEqual([expect.objectContaining({ name: 'payments.transactions.v1' })]);
    expect(next.structuredContent?.nextCursor).toBeUndefined();
    const internal = await call('list_topics', { include_internal: true, name_contains: '__' });
    expect(internal.structuredContent?.topics).toEqual([
      expect.objectContaining({ name: '__consumer_offsets', partitions: 50 }),
    ]);
  });

  it('describes a topic: partitions, offsets and overrides', async () => {
    const result = await call('describe_topic', { name: 'payments.transactions.v1' });
    expect(result.structuredContent).toMatchObject({
      partition_count: 6,
      replication_factor: 3,
      under_replicated_partitions: [],
      config_overrides: { 'min.insync.replicas': '2', 'retention.ms': '1209600000', 'cleanup.policy': 'delete' },
    });
    const partitions = result.structuredContent?.partitions as Array<{
      partition: number;
      leader: number;
      low: number;
      high: number;
    }>;
    expect(partitions[0]).toEqual({
      partition: 0,
      leader: 1,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      low: 120000,
      high: 1284511,
    });
    expect(result.structuredContent?.messages).toBe(partitions.reduce((sum, p) => sum + p.high - p.low, 0));
    // Offsets were asked of each partition's leader: all three brokers answered.
    expect(new Set(fake.requests.filter((r) => r.api === 'ListOffsets').map((r) => r.broker))).toEqual(
      new Set([1, 2, 3]),
    );

    const lagging = await call('describe_topic', { name: 'orders.events.v1' });
    expect(lagging.structuredContent?.under_replicated_partitions).toEqual([4]);

    const missing = await call('describe_topic', { name: 'payments.nope.v1' });
    expect(errorMeta(missing)?.code).toBe('not_found');
    expect(textOf(missing)).toContain('list_topics');
  });

  it('lists topic configs with their source', async () => {
    const overrides = await call('get_topic_configs', { name: 'customers.profiles.v1' });
    expect(overrides.structuredContent?.configs).toEqual([
      { name: 'cleanup.policy', value: 'compact', source: 'topic', read_only: false },
      { name: 'min.compaction.lag.ms', value: '3600000', source: 'topic', read_only: false },
    ]);
    const named = await call('get_topic_configs', { name: 'customers.profiles.v1', config_names: ['retention.ms'] });
    expect(named.structuredContent?.configs).toEqual([
      { name: 'retention.ms', value: '604800000', source: 'default', read_only: false },
    ]);
    const all = await call('get_topic_configs', { name: 'customers.profiles.v1', include_defaults: true });
    expect((sc(all).configs as unknown[]).length).toBe(19);
  });

  it('reports cluster health, and a broker going down', async () => {
    const healthy = await call('describe_cluster');
    expect(healthy.structuredContent).toMatchObject({
      cluster_id: 'Vq3x9Jd2TnK4acmeDevKfk',
      controller: 1,
      brokers: [
        expect.objectContaining({ id: 1 }),
        expect.objectContaining({ id: 2 }),
        expect.objectContaining({ id: 3 }),
      ],
      unavailable_brokers: [],
      topics: 5,
      under_replicated: [{ topic: 'orders.events.v1', partition: 4, replicas: [2, 3, 1], isr: [3, 1] }],
      offline: [],
      healthy: false,
    });

    await fake.setBrokerOnline(3, false);
    const degraded = await connect({ brokers: fake.brokers.join(',') });
    try {
      const result = await call('describe_cluster', {}, degraded);
      expect(result.structuredContent).toMatchObject({ unavailable_brokers: [3], offline: [], healthy: false });
      expect((sc(result).brokers as unknown[]).length).toBe(2);
      expect((sc(result).under_replicated as unknown[]).length).toBeGreaterThan(10);
    } finally {
      await degraded.close();
    }
  });
});

describe('kafka offline partitions', () => {
  it('says a partition is offline when kafkajs cannot read metadata because of it', async () => {
    // kafkajs rejects a whole Metadata answer when any partition has no leader (LEADER_NOT_AVAILABLE), so an offline
    // partition (every replica down) makes cluster-wide reads fail; the error says so instead of hiding it.
    fake.state.addTopic('scratch.single-replica.v1', 1, 1);
    await fake.setBrokerOnline(1, false);
    const client = await connect({ brokers: fake.brokers.join(',') });
    try {
      const result = await call('describe_cluster', {}, client);
      expect(errorMeta(result)).toMatchObject({ code: 'upstream_unavailable', retryable: true });
      expect(textOf(result)).toContain('some partition is offline');
    } finally {
      await client.close();
    }
  });
});

describe('kafka consumer groups', () => {
  it('lists groups with state and members', async () => {
    const result = await call('list_consumer_groups');
    expect(result.structuredContent).toEqual({
      total: 3,
      groups: [
        { group_id: 'analytics-export', state: 'Empty', members: 0, protocol_type: 'consumer' },
        { group_id: 'orders-fulfilment', state: 'Stable', members: 1, protocol_type: 'consumer' },
        { group_id: 'payments-ledger', state: 'Stable', members: 2, protocol_type: 'consumer' },
      ],
    });
    // Each broker was asked for the groups it coordinates.
    expect(new Set(fake.requests.filter((r) => r.api === 'ListGroups').map((r) => r.broker)).size).toBe(3);
  });

  it('describes a group with members, assignments and lag', async () => {
    const result = await call('describe_consumer_group', { group_id: 'payments-ledger' });
    expect(result.structuredContent).toEqual({
      group_id: 'payments-ledger',
      state: 'Stable',
      protocol: 'cooperative-sticky',
      members: [
        { client_id: 'payments-ledger-0', host: '10.42.1.17', assignment: ['payments.transactions.v1:0,1,2'] },
        { client_id: 'payments-ledger-1', host: '10.42.2.23', assignment: ['payments.transactions.v1:3,4,5'] },
      ],
      lag_by_topic: { 'payments.transactions.v1': 23 },
      total_lag: 23,
    });
    const missing = await call('describe_consumer_group', { group_id: 'nobody' });
    expect(errorMeta(missing)?.code).toBe('not_found');
  });

  it('computes lag per partition, largest first', async () => {
    const result = await call('get_consumer_lag', { group_id: 'orders-fulfilment' });
    expect(result.structuredContent?.total_lag).toBe(18_250 + 17_990 + 18_400 + 18_120 + 17_860 + 18_305);
    const [orders, refunds] = sc(result).topics as Array<{
      topic: string;
      lag: number;
      partitions: Array<{ partition: number; lag: number }>;
    }>;
    expect(orders?.topic).toBe('orders.events.v1');
    expect(orders?.partitions[0]).toEqual({ partition: 2, committed: 955_310 - 18_400, high: 955_310, lag: 18_400 });
    expect(refunds).toMatchObject({ topic: 'payments.refunds.v1', lag: 0 });
    const one = await call('get_consumer_lag', { group_id: 'analytics-export', topic: 'customers.profiles.v1' });
    expect(one.structuredContent?.total_lag).toBe(52_004 + 40_100 + 51_000);
    const none = await call('get_consumer_lag', { group_id: 'nobody' });
    expect(errorMeta(none)?.code).toBe('not_found');
  });
});

describe('kafka topic changes pass the kafka policy gate', () => {
  it('creates a topic the policies allow, with their warnings', async () => {
    const result = await call('create_topic', {
      name: 'payments.chargebacks.v1',
      partitions: 3,
      configs: { 'min.insync.replicas': '2' },
    });
    expect(result.structuredContent).toEqual({
      topic: 'payments.chargebacks.v1',
      dry_run: false,
      applied: true,
      partitions: 3,
      replication_factor: 3,
      config: { 'min.insync.replicas': '2' },
      policy: {
        gate: 'stub',
        warnings: [{ rule: 'kafka.retention', message: 'set retention.ms explicitly', field: 'spec.config' }],
      },
    });
    expect(policy.seen).toEqual([
      {
        domain: 'kafka',
        documents: [
          {
            apiVersion: 'kafka.strimzi.io/v1',
            kind: 'KafkaTopic',
            metadata: { name: 'payments.chargebacks.v1', labels: {} },
            spec: { partitions: 3, replicas: 3, config: { 'min.insync.replicas': '2' } },
          },
        ],
      },
    ]);
    const created = fake.state.topics.get('payments.chargebacks.v1');
    expect(created?.partitions).toHaveLength(3);
    expect(Object.fromEntries(created?.configs ?? [])).toEqual({ 'min.insync.replicas': '2' });
  });

  it('refuses what the policies deny before Kafka sees it', async () => {
    const result = await call('create_topic', { name: 'payments.tiny.v1', partitions: 1 });
    expect(errorMeta(result)?.code).toBe('policy_denied');
    expect(textOf(result)).toContain(
      '[kafka.min_partitions] KafkaTopic/payments.tiny.v1: topics need at least 2 partitions',
    );
    expect(apis()).not.toContain('CreateTopics');
    expect(fake.state.topics.has('payments.tiny.v1')).toBe(false);
  });

  it('dry-runs a create: the brokers validate, nothing is created', async () => {
    const ok = await call('create_topic', {
      name: 'payments.dry.v1',
      partitions: 2,
      dry_run: true,
      configs: { 'retention.ms': '86400000' },
    });
    expect(ok.structuredContent).toMatchObject({ dry_run: true, applied: false, policy: { warnings: [] } });
    expect(fake.state.topics.has('payments.dry.v1')).toBe(false);
    expect(apis()).toContain('CreateTopics');
    const bad = await call('create_topic', {
      name: 'payments.dry.v1',
      partitions: 2,
      dry_run: true,
      configs: { 'retention.ms': 'forever' },
    });
    expect(errorMeta(bad)?.code).toBe('invalid_request');
    expect(textOf(bad)).toContain('get_topic_configs');
  });

  it('says when a topic exists or cannot be placed', async () => {
    const exists = await call('create_topic', { name: 'orders.events.v1', partitions: 6 });
    expect(errorMeta(exists)?.code).toBe('conflict');
    const tooMany = await call('create_topic', { name: 'orders.big.v1', partitions: 6, replication_factor: 4 });
    expect(errorMeta(tooMany)?.code).toBe('invalid_request');
    expect(textOf(tooMany)).toContain('describe_cluster');
    const badName = await call('create_topic', { name: 'orders events', partitions: 3 });
    expect(badName.isError).toBe(true);
    expect(textOf(badName)).toContain('must be a Kafka topic name');
  });

  it('updates config overrides by merging (AlterConfigs replaces them all)', async () => {
    const result = await call('update_topic_config', {
      name: 'payments.transactions.v1',
      set: { 'retention.ms': '259200000' },
      remove: ['cleanup.policy'],
    });
    expect(result.structuredContent).toMatchObject({
      applied: true,
      previous_config: { 'min.insync.replicas': '2', 'retention.ms': '1209600000', 'cleanup.policy': 'delete' },
      config: { 'min.insync.replicas': '2', 'retention.ms': '259200000' },
    });
    expect(Object.fromEntries(fake.state.topics.get('payments.transactions.v1')!.configs)).toEqual({
      'min.insync.replicas': '2',
      'retention.ms': '259200000',
    });
    const nothing = await call('update_topic_config', { name: 'payments.transactions.v1' });
    expect(textOf(nothing)).toContain('nothing to change');
    const dry = await call('update_topic_config', {
      name: 'payments.transactions.v1',
      set: { 'cleanup.policy': 'compact' },
      dry_run: true,
    });
    expect(dry.structuredContent).toMatchObject({ applied: false, config: { 'cleanup.policy': 'compact' } });
    expect(fake.state.topics.get('payments.transactions.v1')!.configs.get('cleanup.policy')).toBeUndefined();
  });

  it('adds partitions, never removes them', async () => {
    const grown = await call('add_partitions', { name: 'payments.refunds.v1', partitions: 6 });
    expect(grown.structuredContent).toMatchObject({ previous_partitions: 3, partitions: 6, applied: true });
    expect(fake.state.topics.get('payments.refunds.v1')?.partitions).toHaveLength(6);
    const fewer = await call('add_partitions', { name: 'payments.refunds.v1', partitions: 4 });
    expect(errorMeta(fewer)?.code).toBe('invalid_request');
    expect(apis().filter((api) => api === 'CreatePartitions')).toHaveLength(1);
  });

  it('deletes topics for platform admins only', async () => {
    expect((await mcp.client.listTools()).tools.map((t) => t.name)).not.toContain('delete_topic');
    const admin = await connect({ args: ['--role', 'platform-admin'] });
    try {
      expect((await call('delete_topic', { name: 'orders.events.v1.dlq' }, admin)).structuredContent).toEqual({
        deleted: 'orders.events.v1.dlq',
      });
      expect(fake.state.topics.has('orders.events.v1.dlq')).toBe(false);
      const again = await call('delete_topic', { name: 'orders.events.v1.dlq' }, admin);
      expect(errorMeta(again)?.code).toBe('not_found');
      const internal = await call('delete_topic', { name: '__consumer_offsets' }, admin);
      expect(textOf(internal)).toContain('internal topic');
    } finally {
      await admin.close();
    }
  });
});

describe('kafka upstream failures', () => {
  it('maps an authorization error from the broker to forbidden, and says a write is not safely retried', async () => {
    fake.failNext({ api: 'CreateTopics', errorCode: 29 });
    const denied = await call('create_topic', { name: 'payments.acl.v1', partitions: 3 });
    expect(errorMeta(denied)).toMatchObject({ code: 'forbidden', retryable: false });
    expect(textOf(denied)).toContain('KAFKA_SASL_USERNAME');
  });

  it('retries a retriable broker error and succeeds', async () => {
    await call('list_topics');
    fake.reset();
    fake.failNext({ api: 'Metadata', errorCode: 5 /* LEADER_NOT_AVAILABLE, as during a leader election */ });
    const result = await call('describe_topic', { name: 'payments.refunds.v1' });
    expect(result.isError).toBeFalsy();
    expect(apis().filter((api) => api === 'Metadata').length).toBeGreaterThanOrEqual(2);
  });

  it('authenticates with SASL/PLAIN; rejects bad credentials without echoing them', async () => {
    const secured = await startKafkaFake({ users: SAMPLE_USERS });
    try {
      const env = {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'bob',
        KAFKA_SASL_PASSWORD: SAMPLE_USERS.bob.password,
      };
      const bob = await connect({ brokers: secured.brokers.join(','), env });
      try {
        expect((await call('list_topics', {}, bob)).structuredContent?.total).toBe(5);
        const refused = await call('create_topic', { name: 'bob.topic.v1', partitions: 3 }, bob);
        expect(errorMeta(refused)?.code).toBe('forbidden');
      } finally {
        await bob.close();
      }
      const wrong = await connect({
        brokers: secured.brokers.join(','),
        env: { ...env, KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: 'hunter2-not-it' },
      });
      try {
        const rejected = await call('list_topics', {}, wrong);
        expect(errorMeta(rejected)?.code).toBe('unauthorized');
        expect(JSON.stringify(rejected)).not.toContain('hunter2-not-it');
      } finally {
        await wrong.close();
      }
      assertNoKafkaViolations(secured);
    } finally {
      await secured.close();
    }
  });

  it('times out a broker that does not answer', async () => {
    const slow = await connect({ env: { KAFKA_TIMEOUT_MS: '300' } });
    try {
      await call('list_topics', {}, slow);
      fake.failNext({ api: 'DescribeConfigs', delayMs: 2_000, times: 5 });
      const result = await call('get_topic_configs', { name: 'payments.refunds.v1' }, slow);
      expect(errorMeta(result)).toMatchObject({ code: 'timeout', retryable: true });
    } finally {
      await slow.close();
    }
  });

  it('reports unreachable brokers', async () => {
    const nowhere = await connect({ brokers: '127.0.0.1:1' });
    try {
      const result = await call('list_topics', {}, nowhere);
      expect(errorMeta(result)).toMatchObject({ code: 'upstream_unavailable', retryable: true });
      expect(textOf(result)).toContain('KAFKA_BROKERS');
    } finally {
      await nowhere.close();
    }
  });
});

describe('kafka sandbox', () => {
  it('starts a fake cluster with sample topics and groups (direct mode)', async () => {
    const sandbox = await connectClient(kafkaModule, { args: ['--sandbox'], env: { KAFKA_WRITE_MODE: 'direct' } });
    try {
      const result = await call('list_topics', {}, sandbox);
      expect((sc(result).topics as Array<{ name: string }>).map((t) => t.name)).toContain('payments.transactions.v1');
    } finally {
      await sandbox.close();
    }
  });
});
