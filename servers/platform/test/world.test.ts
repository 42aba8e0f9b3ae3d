import { policyGateFromEnv } from '@idp-mcp/policy';
import { type ConnectedClient, callOk, connectClient } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * One sandbox world: the integrations of one platform see one cluster. A topic create_service makes through kafka is
 * a KafkaTopic the kubernetes tools list; the Argo CD Application it renders, once in the cluster, is what the argocd
 * tools show, and the namespace its sync creates is a namespace of that same cluster.
 */
let mcp: ConnectedClient;

beforeAll(async () => {
  mcp = await connectClient(platformModule, {
    args: ['--sandbox', '--toolsets', 'all', '--role', 'platform-admin'],
    // Topics straight to the cluster (not the GitOps default), to see kafka and kubernetes share it.
    env: { IDP_MCP_STATE: ':memory:', PLATFORM_KAFKA_TOPICS: 'direct' },
    gate: policyGateFromEnv({}),
  });
});
afterAll(() => mcp.close());

const call = <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) =>
  callOk<T>(mcp.client, name, args);

type Listed = { items: Array<{ name: string; namespace?: string }> };
const names = (list: Listed) => list.items.map((item) => item.name);

describe('one sandbox world', () => {
  it('shows the topic and the namespace create_service makes to kafka, kubernetes and argocd alike', async () => {
    const plan = await call<{ plan_id: string }>('create_service', {
      name: 'ledger-api',
      team: 'payments',
      description: 'Keeps the payments ledger',
      kafka_topic: { name: 'payments.ledger.v1' },
    });
    const run = await call<{ status: string }>('apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');

    // The topic: a KafkaTopic in the world's one cluster, listed by kafka and kubernetes, made a topic by the operator.
    const topics = await call<{ topics: Array<{ name: string }> }>('kafka_list_kafka_topics', { limit: 100 });
    expect(topics.topics.map((topic) => topic.name)).toContain('payments.ledger.v1');
    const kafkaTopics = await call<Listed>('kubernetes_list_resources', { kind: 'KafkaTopic', namespace: 'kafka' });
    expect(names(kafkaTopics)).toContain('payments.ledger.v1');
    expect(names(kafkaTopics).sort()).toEqual(topics.topics.map((topic) => topic.name).sort());
    await vi.waitFor(
      async () => {
        const described = await call<{ partition_count: number }>('kafka_describe_topic', {
          name: 'payments.ledger.v1',
        });
        expect(described.partition_count).toBe(3);
      },
      { timeout: 5_000, interval: 200 },
    );

    // The Application from the GitOps pull request, applied to the cluster, is the one Argo CD serves.
    const file = await call<{ content: string }>('github_get_file_contents', {
      owner: 'acme',
      repo: 'gitops',
      path: 'argocd/ledger-api-dev.yaml',
      ref: 'service/ledger-api-dev',
    });
    await call('kubernetes_apply_manifests', { manifests: file.content });
    const applications = await call<Listed>('kubernetes_list_resources', { kind: 'Application', namespace: 'argocd' });
    const argoApplications = await call<{ applications: Array<{ name: string; destination: string }> }>(
      'argocd_list_applications',
    );
    expect(argoApplications.applications.map((app) => app.name).sort()).toEqual(names(applications).sort());
    expect(argoApplications.applications).toContainEqual(
      expect.objectContaining({ name: 'ledger-api-dev', destination: expect.stringContaining('payments-dev') }),
    );

    // Syncing it creates its namespace (CreateNamespace=true) and workloads in the same cluster.
    const namespacesBefore = await call<Listed>('kubernetes_list_resources', { kind: 'Namespace' });
    expect(names(namespacesBefore)).not.toContain('payments-dev');
    const sync = await call<{ operation: { phase: string } }>('argocd_sync_application', {
      name: 'ledger-api-dev',
      wait_seconds: 10,
    });
    expect(sync.operation.phase).toBe('Succeeded');
    const namespaces = await call<Listed>('kubernetes_list_resources', { kind: 'Namespace' });
    expect(names(namespaces)).toContain('payments-dev');
    const deployments = await call<Listed>('kubernetes_list_resources', {
      kind: 'Deployment',
      namespace: 'payments-dev',
    });
    expect(names(deployments)).toEqual(['ledger-api']);
    const tree = await call<{ by_kind: Record<string, number> }>('argocd_get_resource_tree', {
      name: 'ledger-api-dev',
    });
    expect(tree.by_kind).toMatchObject({ Deployment: 1, Service: 1 });
    const status = await call<{ destination: string }>('argocd_get_application', { name: 'ledger-api-dev' });
    expect(JSON.stringify(status)).toContain('payments-dev');
  });
});
