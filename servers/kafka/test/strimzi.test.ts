import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { PolicyGate, PolicyViolation } from '@idp-mcp/core';
import {
  assertNoKafkaViolations,
  type KafkaFake,
  kafkaTopicResources,
  startKafkaFake,
  startTopicOperator,
  type TopicOperator,
} from '@idp-mcp/sandbox/kafka';
import { type KubernetesFake, startKubernetesFake } from '@idp-mcp/sandbox/kubernetes';
import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kafkaModule } from '../src/index.ts';
import { callTool, errorMeta, type Result, sc } from './support.ts';

/** Denies a topic with a single partition; every document it saw is kept. */
function stubGate() {
  const seen: Array<{ domain: string; documents: unknown[]; context: unknown }> = [];
  const gate: PolicyGate = {
    check: async (domain, documents, context) => {
      seen.push({ domain, documents, context });
      const violations: PolicyViolation[] = [];
      for (const doc of documents as Array<{ metadata?: { name?: string }; spec?: { partitions?: number } }>) {
        if ((doc.spec?.partitions ?? 0) < 2) {
          violations.push({
            rule: 'kafka.min_partitions',
            severity: 'deny',
            message: 'topics need at least 2 partitions',
            resource: `KafkaTopic/${doc.metadata?.name}`,
            field: 'spec.partitions',
          });
        }
      }
      return { allowed: violations.length === 0, violations, gate: 'stub' };
    },
  };
  return { gate, seen };
}

let kafka: KafkaFake;
let kube: KubernetesFake;
let operator: TopicOperator;
let mcp: ConnectedClient;
let policy: ReturnType<typeof stubGate>;

async function connect(options: { args?: string[]; env?: Record<string, string> } = {}) {
  return connectClient(kafkaModule, {
    env: {
      KAFKA_BROKERS: kafka.brokers.join(','),
      STRIMZI_CLUSTER: 'events',
      KUBECONFIG: kube.kubeconfigPath,
      ...options.env,
    },
    args: options.args ?? [],
    gate: policy.gate,
  });
}

function call(name: string, args: Record<string, unknown> = {}, client = mcp): Promise<Result> {
  return callTool(client, name, args);
}

function kubeWrites() {
  return kube.requests.filter((r) => r.method !== 'GET');
}

beforeEach(async () => {
  kafka = await startKafkaFake();
  kube = await startKubernetesFake({
    seed: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kafka' } },
      ...kafkaTopicResources(kafka.state, { namespace: 'kafka', cluster: 'events' }),
    ],
  });
  operator = startTopicOperator(kube, kafka, { namespace: 'kafka', cluster: 'events' });
  policy = stubGate();
  mcp = await connect();
});

afterEach(async () => {
  await mcp.close();
  operator.stop();
  try {
    assertNoViolations(kube);
    assertNoKafkaViolations(kafka);
  } finally {
    await kube.close();
    await kafka.close();
  }
});

describe('kafka topics as Strimzi KafkaTopic resources (the default)', () => {
  it('shows a model the reviewed tool list (every tier)', async () => {
    const admin = await connect({ args: ['--role', 'platform-admin'] });
    try {
      await expect(await toolsSnapshot(admin.client)).toMatchFileSnapshot('./__snapshots__/tools.json');
    } finally {
      await admin.close();
    }
  });

  it('lists KafkaTopics of the cluster with their Ready state, paged by the API server', async () => {
    const first = await call('list_kafka_topics', { limit: 3 });
    expect(sc(first).topics).toEqual([
      {
        name: 'customers.profiles.v1',
        topic: 'customers.profiles.v1',
        partitions: 3,
        replicas: 3,
        ready: 'True',
        reconciled: true,
      },
      expect.objectContaining({ name: 'orders.events.v1', partitions: 6 }),
      expect.objectContaining({ name: 'orders.events.v1.dlq', partitions: 1 }),
    ]);
    expect(kube.requests.at(-1)?.query).toMatchObject({ labelSelector: 'strimzi.io/cluster=events', limit: '3' });
    const rest = await call('list_kafka_topics', { cursor: sc(first).nextCursor });
    expect((sc(rest).topics as Array<{ name: string }>).map((t) => t.name)).toEqual([
      'payments.refunds.v1',
      'payments.transactions.v1',
    ]);
    expect(sc(rest).nextCursor).toBeUndefined();
  });

  it('describes a KafkaTopic with what the operator reports', async () => {
    const result = await call('describe_kafka_topic', { name: 'payments.transactions.v1' });
    expect(result.structuredContent).toMatchObject({
      topic: 'payments.transactions.v1',
      partitions: 6,
      replicas: 3,
      config: { 'min.insync.replicas': '2', 'retention.ms': '1209600000', 'cleanup.policy': 'delete' },
      labels: { 'strimzi.io/cluster': 'events', team: 'payments' },
      ready: 'True',
      reconciled: true,
      conditions: [{ type: 'Ready', status: 'True' }],
      topic_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    const missing = await call('describe_kafka_topic', { name: 'payments.nope.v1' });
    expect(errorMeta(missing)?.code).toBe('not_found');
    expect(textOf(missing)).toContain('list_kafka_topics');
  });

  it('creates a KafkaTopic the policies allow; the operator makes the topic', async () => {
    const created = await call('create_kafka_topic', {
      topic: 'payments.chargebacks.v1',
      partitions: 3,
      config: { 'retention.ms': '604800000' },
      labels: { team: 'payments' },
    });
    expect(created.structuredContent).toMatchObject({
      name: 'payments.chargebacks.v1',
      namespace: 'kafka',
      dry_run: false,
      manifest: {
        kind: 'KafkaTopic',
        metadata: { labels: { 'strimzi.io/cluster': 'events', team: 'payments' } },
        spec: { partitions: 3, replicas: 3, config: { 'retention.ms': '604800000' } },
      },
      policy: { gate: 'stub', warnings: [] },
    });
    expect(policy.seen[0]).toMatchObject({
      domain: 'kafka',
      context: { tool: 'kafka.create_kafka_topic', namespace: 'kafka' },
    });
    const pending = await call('describe_kafka_topic', { name: 'payments.chargebacks.v1' });
    expect(pending.structuredContent).toMatchObject({ ready: 'Unknown', reconciled: false });
    expect(kafka.state.topics.has('payments.chargebacks.v1')).toBe(false);

    operator.reconcile();
    const ready = await call('describe_kafka_topic', { name: 'payments.chargebacks.v1' });
    expect(ready.structuredContent).toMatchObject({ ready: 'True', reconciled: true, topic_id: expect.any(String) });
    const inKafka = await call('describe_topic', { name: 'payments.chargebacks.v1' });
    expect(inKafka.structuredContent).toMatchObject({
      partition_count: 3,
      config_overrides: { 'retention.ms': '604800000' },
    });
  });

  it('refuses what the policies deny before anything is stored', async () => {
    const denied = await call('create_kafka_topic', { topic: 'payments.tiny.v1', partitions: 1 });
    expect(errorMeta(denied)?.code).toBe('policy_denied');
    expect(textOf(denied)).toContain('[kafka.min_partitions] KafkaTopic/payments.tiny.v1');
    expect(kubeWrites()).toEqual([]);
  });

  it('dry-runs a create on the API server', async () => {
    const result = await call('create_kafka_topic', { topic: 'payments.dry.v1', partitions: 2, dry_run: true });
    expect(result.structuredContent).toMatchObject({
      dry_run: true,
      next: expect.stringContaining('nothing was stored'),
    });
    expect(kubeWrites()).toEqual([expect.objectContaining({ method: 'POST', query: { dryRun: 'All' } })]);
    expect(kube.get('kafka.strimzi.io/v1', 'KafkaTopic', 'payments.dry.v1', 'kafka')).toBeUndefined();
  });

  it('says when the KafkaTopic exists', async () => {
    const result = await call('create_kafka_topic', { topic: 'orders.events.v1', partitions: 6 });
    expect(errorMeta(result)?.code).toBe('conflict');
    expect(textOf(result)).toContain('update_kafka_topic');
  });

  it('updates partitions and config; the operator applies them', async () => {
    const result = await call('update_kafka_topic', {
      name: 'payments.refunds.v1',
      partitions: 6,
      set: { 'retention.ms': '259200000' },
      remove: ['min.insync.replicas'],
    });
    expect(result.structuredContent).toMatchObject({
      previous: { partitions: 3, replicas: 3, config: { 'min.insync.replicas': '2' } },
      manifest: { spec: { partitions: 6, replicas: 3, config: { 'retention.ms': '259200000' } } },
    });
    const put = kube.requests.find((r) => r.method === 'PUT');
    const putBody = (put?.body ?? {}) as { metadata?: { resourceVersion?: string } };
    expect(putBody.metadata?.resourceVersion).toBeDefined();
    operator.reconcile();
    expect(kafka.state.topics.get('payments.refunds.v1')?.partitions).toHaveLength(6);
    expect(Object.fromEntries(kafka.state.topics.get('payments.refunds.v1')!.configs)).toEqual({
      'retention.ms': '259200000',
    });

    const fewer = await call('update_kafka_topic', { name: 'payments.refunds.v1', partitions: 2 });
    expect(errorMeta(fewer)?.code).toBe('invalid_request');
    expect(textOf(fewer)).toContain('cannot reduce partitions');
  });

  it('shows the operator refusing a change it cannot make', async () => {
    await call('update_kafka_topic', { name: 'orders.events.v1', replicas: 2 });
    operator.reconcile();
    const result = await call('describe_kafka_topic', { name: 'orders.events.v1' });
    expect(result.structuredContent).toMatchObject({
      ready: 'False',
      reconciled: true,
      reason: 'NotSupported',
      message: expect.stringContaining('Replication factor change not supported'),
    });
  });

  it('maps a concurrent change (409) to conflict', async () => {
    kube.failNext({ method: 'PUT', status: 409 });
    const result = await call('update_kafka_topic', { name: 'orders.events.v1', set: { 'retention.ms': '86400000' } });
    expect(errorMeta(result)).toMatchObject({ code: 'conflict', retryable: false });
    expect(textOf(result)).toContain('call again');
  });

  it('deletes a KafkaTopic for platform admins; the operator deletes the topic', async () => {
    expect((await mcp.client.listTools()).tools.map((t) => t.name)).not.toContain('delete_kafka_topic');
    const admin = await connect({ args: ['--role', 'platform-admin'] });
    try {
      const result = await call('delete_kafka_topic', { name: 'orders.events.v1.dlq' }, admin);
      expect(result.structuredContent).toEqual({ deleted: 'orders.events.v1.dlq', namespace: 'kafka' });
      operator.reconcile();
      expect(kafka.state.topics.has('orders.events.v1.dlq')).toBe(false);
    } finally {
      await admin.close();
    }
  });

  it('maps Kubernetes failures: forbidden, unavailable and timeout', async () => {
    kube.failNext({ method: 'GET', status: 403 });
    const forbidden = await call('list_kafka_topics');
    expect(errorMeta(forbidden)?.code).toBe('forbidden');
    expect(textOf(forbidden)).toContain('RBAC');

    kube.failNext({ method: 'GET', status: 503, times: 3 });
    const unavailable = await call('describe_kafka_topic', { name: 'orders.events.v1' });
    expect(errorMeta(unavailable)).toMatchObject({ code: 'upstream_unavailable', retryable: true });

    const slow = await connect({ env: { K8S_TIMEOUT_MS: '200' } });
    try {
      kube.failNext({ method: 'GET', delayMs: 1_000, times: 3 });
      const result = await call('describe_kafka_topic', { name: 'orders.events.v1' }, slow);
      expect(errorMeta(result)).toMatchObject({ code: 'timeout', retryable: true });
    } finally {
      await slow.close();
    }
  });

  it('retries a read the API server could not answer, through the one Kubernetes client', async () => {
    kube.failNext({ method: 'GET', status: 503 });
    const slow = await connect({ env: { K8S_TIMEOUT_MS: '300' } });
    try {
      kube.failNext({ method: 'GET', delayMs: 1_000 });
      const result = await call('describe_kafka_topic', { name: 'orders.events.v1' }, slow);
      expect(result.structuredContent).toMatchObject({ name: 'orders.events.v1', ready: 'True' });
      const reads = kube.requests.filter((r) => r.path.endsWith('/kafkatopics/orders.events.v1'));
      expect(reads).toHaveLength(3);
    } finally {
      await slow.close();
    }
  });

  it('never repeats a write: a create that timed out says the change may have been made', async () => {
    const slow = await connect({ env: { K8S_TIMEOUT_MS: '200' } });
    try {
      kube.failNext({ method: 'POST', delayMs: 1_000 });
      const result = await call('create_kafka_topic', { topic: 'payments.slow.v1', partitions: 3 }, slow);
      expect(errorMeta(result)).toMatchObject({ code: 'timeout', retryable: false });
      expect(textOf(result)).toContain('may or may not have been made');
      expect(kubeWrites()).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});

describe('kafka Strimzi mode configuration', () => {
  it('never falls back to ~/.kube/config: without KUBECONFIG or K8S_IN_CLUSTER it refuses to start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kafka-home-'));
    try {
      mkdirSync(join(home, '.kube'));
      writeFileSync(join(home, '.kube', 'config'), kube.kubeconfig);
      vi.stubEnv('HOME', home);
      vi.stubEnv('KUBECONFIG', undefined);
      await expect(connect({ env: { KUBECONFIG: '' } })).rejects.toThrow(
        /KAFKA_WRITE_MODE=strimzi needs a Kubernetes cluster: set KUBECONFIG, or K8S_IN_CLUSTER=true/,
      );
      expect(kube.requests).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('reads KUBECONFIG and K8S_CONTEXT as the kubernetes server does', async () => {
    await expect(connect({ env: { K8S_CONTEXT: 'prod' } })).rejects.toThrow(
      /K8S_CONTEXT: the kubeconfig has no context "prod"; it has fake/,
    );
    const other = join(mkdtempSync(join(tmpdir(), 'kafka-kubeconfig-')), 'kubeconfig');
    writeFileSync(other, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    try {
      // Several files separated by ":", merged like kubectl merges them.
      const merged = await connect({ env: { KUBECONFIG: `${other}${delimiter}${kube.kubeconfigPath}` } });
      try {
        const result = await call('describe_kafka_topic', { name: 'orders.events.v1' }, merged);
        expect(result.structuredContent).toMatchObject({ name: 'orders.events.v1' });
      } finally {
        await merged.close();
      }
    } finally {
      rmSync(dirname(other), { recursive: true, force: true });
    }
  });
});

describe('kafka sandbox (Strimzi mode)', () => {
  it('starts Kafka, a Kubernetes API with KafkaTopics and a Topic Operator', async () => {
    const sandbox = await connectClient(kafkaModule, { args: ['--sandbox'] });
    try {
      const result = await call('list_kafka_topics', {}, sandbox);
      expect(sc(result).topics).toContainEqual(
        expect.objectContaining({ name: 'payments.transactions.v1', ready: 'True' }),
      );
    } finally {
      await sandbox.close();
    }
  });
});
