// The Kafka fake's own tests: kafkajs itself against it, every request decoded strictly at the advertised versions.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertNoKafkaViolations, type KafkaFake, SAMPLE_USERS, startKafkaFake } from './index.ts';

let fake: KafkaFake;
beforeAll(async () => {
  fake = await startKafkaFake();
});
afterEach(() => {
  try {
    assertNoKafkaViolations(fake);
  } finally {
    fake.reset();
  }
});
afterAll(() => fake.close());

function admin(brokers = fake.brokers, sasl?: { username: string; password: string }) {
  const kafka = new Kafka({
    clientId: 'fake-test',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
    ...(sasl ? { sasl: { mechanism: 'plain' as const, ...sasl } } : {}),
  });
  return kafka.admin();
}

describe('kafka fake', () => {
  it('serves metadata, offsets, configs and groups to kafkajs', async () => {
    const client = admin();
    await client.connect();
    try {
      const cluster = await client.describeCluster();
      expect(cluster.brokers).toHaveLength(3);
      expect(cluster.controller).toBe(1);
      expect(cluster.clusterId).toBe('Vq3x9Jd2TnK4acmeDevKfk');
      const topics = await client.listTopics();
      expect(topics).toContain('payments.transactions.v1');
      const offsets = await client.fetchTopicOffsets('payments.refunds.v1');
      expect(offsets).toEqual(
        expect.arrayContaining([expect.objectContaining({ partition: 0, low: '0', high: '8412', offset: '8412' })]),
      );
      const configs = await client.describeConfigs({
        resources: [
          { type: 2, name: 'payments.transactions.v1', configNames: ['min.insync.replicas', 'retention.ms'] },
        ],
        includeSynonyms: false,
      });
      expect(configs.resources[0]?.configEntries).toEqual([
        expect.objectContaining({ configName: 'min.insync.replicas', configValue: '2', isDefault: false }),
        expect.objectContaining({ configName: 'retention.ms', configValue: '1209600000' }),
      ]);
      const groups = await client.listGroups();
      expect(groups.groups.map((g) => g.groupId).sort()).toEqual([
        'analytics-export',
        'orders-fulfilment',
        'payments-ledger',
      ]);
      const described = await client.describeGroups(['payments-ledger']);
      expect(described.groups[0]).toMatchObject({ state: 'Stable', protocol: 'cooperative-sticky' });
      expect(described.groups[0]?.members).toHaveLength(2);
      const committed = await client.fetchOffsets({ groupId: 'payments-ledger' });
      expect(committed).toEqual([expect.objectContaining({ topic: 'payments.transactions.v1' })]);
      expect(committed[0]?.partitions).toHaveLength(6);
    } finally {
      await client.disconnect();
    }
    const versions = new Set(fake.requests.map((r) => `${r.api}@${r.version}`));
    expect(versions).toContain('Metadata@2');
    expect(versions).toContain('OffsetFetch@3');
    expect(versions).toContain('ApiVersions@2');
    // Offsets were asked of each partition's leader, on more than one broker.
    expect(new Set(fake.requests.filter((r) => r.api === 'ListOffsets').map((r) => r.broker)).size).toBeGreaterThan(1);
  });

  it("creates, alters, grows and deletes topics with Kafka's own refusals", async () => {
    const client = admin();
    await client.connect();
    try {
      expect(
        await client.createTopics({
          topics: [
            {
              topic: 'fake.test.v1',
              numPartitions: 2,
              replicationFactor: 3,
              configEntries: [{ name: 'retention.ms', value: '3600000' }],
            },
          ],
        }),
      ).toBe(true);
      expect(await client.createTopics({ topics: [{ topic: 'fake.test.v1', numPartitions: 2 }] })).toBe(false);
      await expect(client.createTopics({ topics: [{ topic: 'fake.rf.v1', replicationFactor: 4 }] })).rejects.toThrow(
        /Topic creation errors/,
      );
      await expect(
        client.createTopics({
          topics: [{ topic: 'fake.cfg.v1', configEntries: [{ name: 'retention.mss', value: '1' }] }],
        }),
      ).rejects.toThrow();
      await client.alterConfigs({
        validateOnly: false,
        resources: [{ type: 2, name: 'fake.test.v1', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
      // AlterConfigs replaces every override: retention.ms is back to its default.
      expect(Object.fromEntries(fake.state.topics.get('fake.test.v1')!.configs)).toEqual({
        'cleanup.policy': 'compact',
      });
      await client.createPartitions({ topicPartitions: [{ topic: 'fake.test.v1', count: 4 }] });
      expect(fake.state.topics.get('fake.test.v1')?.partitions).toHaveLength(4);
      await expect(client.createPartitions({ topicPartitions: [{ topic: 'fake.test.v1', count: 2 }] })).rejects.toThrow(
        /partitions/i,
      );
      await client.deleteTopics({ topics: ['fake.test.v1'] });
      expect(fake.state.topics.has('fake.test.v1')).toBe(false);
    } finally {
      await client.disconnect();
    }
  });

  it('authenticates SASL/PLAIN and authorizes changes by role', async () => {
    const secured = await startKafkaFake({ users: SAMPLE_USERS });
    try {
      const bob = admin(secured.brokers, { username: 'bob', password: SAMPLE_USERS.bob.password });
      await bob.connect();
      expect(await bob.listTopics()).toContain('orders.events.v1');
      await expect(bob.createTopics({ topics: [{ topic: 'bob.topic' }] })).rejects.toThrow();
      await bob.disconnect();
      const intruder = admin(secured.brokers, { username: 'alice', password: 'wrong' });
      await expect(intruder.connect()).rejects.toThrow(/Invalid username or password|SASL/);
      assertNoKafkaViolations(secured);
    } finally {
      await secured.close();
    }
  });

  it('records a request that does not decode as a violation and drops the connection', async () => {
    const { connect } = await import('node:net');
    const [host, port] = fake.brokers[0]!.split(':') as [string, string];
    const socket = connect(Number(port), host);
    await new Promise((resolve) => socket.once('connect', resolve));
    // Metadata v2 header whose topics array claims 5 entries that are not there.
    const body = Buffer.from([0, 3, 0, 2, 0, 0, 0, 7, 0xff, 0xff, 0, 0, 0, 5]);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    socket.write(frame);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(fake.violations).toEqual([
      expect.objectContaining({ api: 'Metadata', message: 'ARRAY count 5 exceeds the request' }),
    ]);
    fake.violations.length = 0;
  });
});
