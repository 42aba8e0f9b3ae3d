import { policyGateFromEnv } from '@idp-mcp/policy';
import { type ConnectedClient, callOk, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * The main job on embedded defaults, as a new user runs it: every integration sandboxed in one world,
 * the real policy gate, and create_service for "order-api with a Kafka topic" from plan to artefacts.
 */
let mcp: ConnectedClient;

beforeAll(async () => {
  mcp = await connectClient(platformModule, {
    args: ['--sandbox', '--role', 'platform-admin'],
    env: { IDP_MCP_STATE: ':memory:' },
    gate: policyGateFromEnv({}),
  });
});
afterAll(() => mcp.close());

const call = <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) =>
  callOk<T>(mcp.client, name, args);

const through = async <T = Record<string, unknown>>(tool: string, args: Record<string, unknown>) =>
  (await call<{ result: T }>('call_tool', { name: tool, arguments: args })).result;

describe('create_service in the sandbox', () => {
  it('refuses a one-partition topic with the kafka rule', async () => {
    const result = await mcp.client.callTool({
      name: 'create_service',
      arguments: {
        name: 'order-events',
        team: 'payments',
        description: 'Order events',
        kafka_topic: { name: 'orders.events.v1', partitions: 1 },
      },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/policy_denied[\s\S]*\[KAFKA-001\][\s\S]*at least 3/);
  });

  it('plans, applies and leaves the repository, pull request with the topic, catalog entry, message and ticket', async () => {
    const plan = await call<{
      plan_id: string;
      status: string;
      warnings: unknown[];
      steps: Array<{ name: string }>;
      notes: string[];
    }>('create_service', {
      name: 'order-api',
      team: 'payments',
      description: 'Takes and tracks customer orders',
      kafka_topic: { name: 'orders.created.v1' },
    });
    expect(plan.status).toBe('planned');
    expect(plan.steps.map((step) => step.name)).toEqual([
      'create_repository',
      'commit_service_files',
      'gitops_branch',
      'gitops_commit',
      'gitops_pull_request',
      'register_catalog',
      'notify',
      'tracking_ticket',
    ]);

    const run = await call<{ status: string; done: string[] }>('apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');

    const repo = await through<{ full_name: string }>('github_get_repository', { owner: 'acme', repo: 'order-api' });
    expect(repo.full_name).toBe('acme/order-api');
    const pulls = await through<{ pull_requests: Array<{ head: string; title: string }> }>(
      'github_list_pull_requests',
      {
        owner: 'acme',
        repo: 'gitops',
      },
    );
    expect(pulls.pull_requests.map((pr) => pr.head)).toContain('service/order-api-dev');
    const manifest = await through<{ content: string }>('github_get_file_contents', {
      owner: 'acme',
      repo: 'gitops',
      path: 'apps/order-api/dev/workload.yaml',
      ref: 'service/order-api-dev',
    });
    expect(manifest.content).toContain('kind: Deployment');

    // GitOps first: the KafkaTopic is in the pull request (the Topic Operator applies it once merged), not yet live.
    expect(plan.notes).toContain(
      'Kafka topic orders.created.v1: KafkaTopic in the GitOps pull request, applied once merged (PLATFORM_KAFKA_TOPICS=gitops)',
    );
    const topic = await through<{ content: string }>('github_get_file_contents', {
      owner: 'acme',
      repo: 'gitops',
      path: 'kafka/main/orders.created.v1.yaml',
      ref: 'service/order-api-dev',
    });
    expect(topic.content).toContain('kind: KafkaTopic');
    const live = await mcp.client.callTool({
      name: 'call_tool',
      arguments: { name: 'kafka_describe_kafka_topic', arguments: { name: 'orders.created.v1' } },
    });
    expect(textOf(live)).toContain('not_found');

    const entity = await through<Record<string, unknown>>('backstage_get_entity', {
      ref: 'component:default/order-api',
    });
    expect(JSON.stringify(entity)).toContain('group:payments');

    const history = await through<{ messages: Array<{ text: string }> }>('slack_get_channel_history', {
      channel: '#platform',
    });
    expect(history.messages.some((message) => message.text.includes('order-api'))).toBe(true);

    const tickets = await through<{ issues: Array<{ summary: string }> }>('jira_search_issues', {
      jql: 'project = PLAT AND summary ~ "order-api"',
    });
    expect(tickets.issues.map((issue) => issue.summary)).toContain('Onboard service order-api (dev)');
  });
});

describe('the other golden paths in the sandbox', () => {
  const applied = async (tool: string, args: Record<string, unknown>) => {
    const plan = await call<{ plan_id: string; steps: Array<{ name: string }> }>(tool, args);
    const run = await call<{ status: string; done: string[] }>('apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');
    return { plan, run };
  };

  it('create_repo: a template repository registered in the catalog', async () => {
    const { run } = await applied('create_repo', {
      name: 'billing-worker',
      team: 'payments',
      description: 'Bills in batches',
    });
    expect(run.done).toEqual(['create_repository', 'commit_service_files', 'register_catalog', 'notify']);
    const entity = await through('backstage_get_entity', { ref: 'component:default/billing-worker' });
    expect(JSON.stringify(entity)).toContain('billing-worker');
  });

  it('onboard_team: namespace with its guard rails, a Slack channel and a ticket', async () => {
    const { plan } = await applied('onboard_team', { team: 'checkout' });
    expect(plan.steps.map((step) => step.name)).toEqual(['namespace', 'slack_channel', 'tracking_ticket']);
    const namespace = await through('kubernetes_get_resource', { kind: 'Namespace', name: 'checkout' });
    expect(JSON.stringify(namespace)).toContain('checkout');
    const quotas = await through<Record<string, unknown>>('kubernetes_list_resources', {
      kind: 'ResourceQuota',
      namespace: 'checkout',
    });
    expect(JSON.stringify(quotas)).toContain('checkout');
    const channel = await through('slack_get_channel', { channel: '#team-checkout' });
    expect(JSON.stringify(channel)).toContain('team-checkout');
  });

  it('provision_database: Terraform checked by the terraform policies, in a GitOps pull request', async () => {
    const plan = await call<{ plan_id: string; files: Array<{ path: string; domain?: string }> }>(
      'provision_database',
      {
        name: 'orders',
        team: 'payments',
        environment: 'prod',
      },
    );
    expect(plan.files).toEqual([
      expect.objectContaining({ path: 'infra/databases/payments/orders-prod/main.tf.json', domain: 'terraform' }),
      expect.objectContaining({ path: 'infra/databases/payments/orders-prod/external-secret.yaml' }),
    ]);
    const run = await call<{ status: string }>('apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');
    const terraform = await through<{ content: string }>('github_get_file_contents', {
      owner: 'acme',
      repo: 'gitops',
      path: 'infra/databases/payments/orders-prod/main.tf.json',
      ref: 'database/payments-orders-prod',
    });
    expect(terraform.content).toContain('"storage_encrypted": true');
  });
});

describe('the policy gate on integration writes in the sandbox', () => {
  it('github_push_files of a pull_request_target workflow that checks out the pull request is policy_denied', async () => {
    const result = await mcp.client.callTool({
      name: 'call_tool',
      arguments: {
        name: 'github_push_files',
        arguments: {
          owner: 'acme',
          repo: 'payments-api',
          branch: 'main',
          message: 'triage pull requests',
          files: [
            {
              path: '.github/workflows/triage.yml',
              content: `on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {ref: "\${{ github.event.pull_request.head.sha }}"}
      - run: echo "\${{ github.event.pull_request.title }}"
`,
            },
          ],
        },
      },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/policy_denied[\s\S]*\[CICD-003\]/);
    const workflows = await through<{ entries?: Array<{ path: string }> }>('github_get_file_contents', {
      owner: 'acme',
      repo: 'payments-api',
      path: '.github/workflows',
    });
    expect(workflows.entries?.map((entry) => entry.path)).not.toContain('.github/workflows/triage.yml');
  });
});
