import type { PolicyGate, PolicyViolation } from '@idp-mcp/core';
import { type GitHubFake, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { startPostgres, type TestPostgres } from '@idp-mcp/testing/postgres';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * A stand-in for the policy gate with one kafka rule, so that these tests show the platform refusing a
 * denied plan whatever the policies in policies/ say.
 */
const partitionsGate: PolicyGate = {
  check: async (domain, documents) => {
    const violations: PolicyViolation[] =
      domain === 'kafka'
        ? (documents as Array<{ metadata: { name: string }; spec: { partitions: number } }>)
            .filter((topic) => topic.spec.partitions < 3)
            .map((topic) => ({
              rule: 'KAFKA-001',
              severity: 'deny',
              message: `topic ${topic.metadata.name} has ${topic.spec.partitions} partition(s); set spec.partitions to at least 3`,
              resource: `KafkaTopic/${topic.metadata.name}`,
              field: 'spec.partitions',
            }))
        : [];
    return { allowed: violations.length === 0, violations, gate: 'test gate' };
  },
};

interface PlanOutput {
  plan_id: string;
  status: string;
  steps: Array<{ name: string }>;
  files: Array<{ repo: string; path: string; domain?: string; content: string }>;
  notes: string[];
}
interface RunOutput {
  run_id: string;
  status: string;
  done: string[];
  undone: string[];
  left: Array<{ step: string; reason: string }>;
  remains: string[];
  failed?: { step: string; error: string };
}

describe.each(['sqlite', 'postgres'] as const)('self-service with state in %s', (backend) => {
  let fake: GitHubFake;
  let mcp: ConnectedClient;
  let postgres: TestPostgres | undefined;

  beforeAll(async () => {
    fake = await startGitHubFake();
    let state: Record<string, string> = { IDP_MCP_STATE: ':memory:' };
    if (backend === 'postgres') {
      postgres = await startPostgres();
      state = { DATABASE_URL: await postgres.createDatabase() };
    }
    mcp = await connectClient(platformModule, {
      args: ['--role', 'platform-admin'],
      env: {
        ...state,
        PLATFORM_INTEGRATIONS: 'github,slack,jira',
        PLATFORM_ALLOW_MIXED: 'true',
        GITHUB_API_URL: fake.url,
        GITHUB_TOKEN: SANDBOX_TOKEN,
      },
      gate: partitionsGate,
    });
  }, 120_000);
  afterAll(async () => {
    await mcp.close();
    await fake.close();
    await postgres?.stop();
  });
  afterEach(() => assertNoViolations(fake));

  it('keeps its state where configured', async () => {
    const status = await call<{ store: string }>('platform_status', {});
    expect(status.store).toBe(backend);
  });

  const call = async <T>(name: string, args: Record<string, unknown>, onprogress?: (update: unknown) => void) => {
    const result = await mcp.client.callTool({ name, arguments: args }, onprogress ? { onprogress } : {});
    if (result.isError) throw new Error(`${name}: ${textOf(result)}`);
    return result.structuredContent as T;
  };

  const orderApi = {
    name: 'order-api',
    team: 'payments',
    description: 'Takes and tracks customer orders',
    kafka_topic: { name: 'orders.created.v1' },
  };

  describe('create_service: order-api with a Kafka topic', () => {
    let plan: PlanOutput;

    it('plans every artefact, checks it, and changes nothing', async () => {
      const requestsBefore = fake.requests.filter((request) => request.method !== 'GET').length;
      plan = await call<PlanOutput>('create_service', orderApi);
      expect(plan.status).toBe('planned');
      expect(plan.plan_id).toMatch(/^plan_[a-z2-7]{20}$/);
      const paths = plan.files.map((file) => `${file.repo}:${file.path}`);
      expect(paths).toEqual(
        expect.arrayContaining([
          'acme/order-api:catalog-info.yaml',
          'acme/gitops:apps/order-api/dev/workload.yaml',
          'acme/gitops:argocd/order-api-dev.yaml',
          'acme/gitops:kafka/main/orders.created.v1.yaml',
        ]),
      );
      const workflow = plan.files.find((file) => file.path === '.github/workflows/ci.yml');
      expect(workflow?.domain).toBe('cicd');
      expect(workflow?.content).toContain('order-api');
      expect(plan.files.every((file) => !file.content.includes('{{service_name}}'))).toBe(true);
      expect(plan.steps.map((step) => step.name)).toEqual([
        'create_repository',
        'commit_service_files',
        'gitops_branch',
        'gitops_commit',
        'gitops_pull_request',
        'notify',
        'tracking_ticket',
      ]);
      expect(plan.notes).toEqual([
        'Kafka topic orders.created.v1: KafkaTopic in the GitOps pull request, applied once merged (PLATFORM_KAFKA_TOPICS=gitops)',
        'Catalog registration skipped: backstage is not mounted on this platform',
      ]);
      expect(fake.state.findRepo('acme/order-api')).toBeUndefined();
      expect(fake.requests.filter((request) => request.method !== 'GET').length).toBe(requestsBefore);
    });

    it('refuses a plan the policies deny, with the rule and how to fix it', async () => {
      const result = await mcp.client.callTool({
        name: 'create_service',
        arguments: { ...orderApi, name: 'order-events', kafka_topic: { name: 'orders.events.v1', partitions: 1 } },
      });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('policy_denied');
      expect(textOf(result)).toContain(
        '[KAFKA-001] KafkaTopic/orders.events.v1: topic orders.events.v1 has 1 partition(s); set spec.partitions to at least 3',
      );
      const error = result._meta?.['idp-mcp/error'] as { details: { plan_id: string } } | undefined;
      const deniedPlan = error?.details.plan_id;
      expect(deniedPlan).toMatch(/^plan_/);
      const apply = await mcp.client.callTool({ name: 'apply_plan', arguments: { plan_id: deniedPlan } });
      expect(textOf(apply)).toContain('policy_denied');
      expect(fake.state.findRepo('acme/order-events')).toBeUndefined();
    });

    it('applies the plan step by step with progress and leaves every artefact in place', async () => {
      const progress: unknown[] = [];
      const run = await call<RunOutput>('apply_plan', { plan_id: plan.plan_id }, (update) => progress.push(update));
      expect(run.status).toBe('succeeded');
      expect(run.done).toEqual(plan.steps.map((step) => step.name));
      expect(progress.length).toBeGreaterThanOrEqual(plan.steps.length);

      const repo = fake.state.repo('acme/order-api');
      expect(repo.file('main', 'catalog-info.yaml')).toContain('name: order-api');
      expect(repo.file('main', 'Dockerfile')).toBeDefined();

      const gitops = fake.state.repo('acme/gitops');
      const pr = gitops.pullRequests().find((candidate) => candidate.pull?.head === 'service/order-api-dev');
      expect(pr?.state).toBe('open');
      expect(gitops.file('service/order-api-dev', 'kafka/main/orders.created.v1.yaml')).toContain('partitions: 3');
      expect(gitops.file('service/order-api-dev', 'apps/order-api/dev/workload.yaml')).toContain(
        'readOnlyRootFilesystem: true',
      );
      expect(gitops.file('service/order-api-dev', 'argocd/order-api-dev.yaml')).toContain('selfHeal: true');
    });

    it('applying the same plan again creates nothing twice', async () => {
      const pullsBefore = fake.state.repo('acme/gitops').pullRequests().length;
      const first = await call<RunOutput>('get_run', {
        run_id: (await call<{ runs: Array<{ run_id: string; plan_id: string }> }>('list_runs', {})).runs.find(
          (run) => run.plan_id === plan.plan_id,
        )!.run_id,
      });
      const again = await call<RunOutput>('apply_plan', { plan_id: plan.plan_id });
      expect(again.run_id).toBe(first.run_id);
      expect(again.status).toBe('succeeded');
      expect(fake.state.repo('acme/gitops').pullRequests().length).toBe(pullsBefore);
    });

    it('audits the apply and every write it made, with the caller, the plan id, the run id and the verdict', async () => {
      const { entries } = await call<{
        entries: Array<{ tool: string; caller: string; plan_id: string | null; run_id: string | null; result: string }>;
      }>('query_audit', { limit: 50 });
      const { runs } = await call<{ runs: Array<{ run_id: string; plan_id: string }> }>('list_runs', {});
      const runId = runs.find((run) => run.plan_id === plan.plan_id)!.run_id;
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ tool: 'apply_plan', caller: 'local', plan_id: plan.plan_id, result: 'ok' }),
        ]),
      );
      const stepWrites = entries.filter((entry) => /^(github|slack|jira)_/.test(entry.tool));
      expect(stepWrites.map((entry) => entry.tool)).toEqual(
        expect.arrayContaining(['github_create_repository', 'github_create_pull_request', 'slack_send_message']),
      );
      for (const entry of stepWrites) {
        expect(entry).toMatchObject({
          caller: 'local',
          result: 'ok',
          plan_id: plan.plan_id,
          run_id: runId,
          verdict: expect.objectContaining({ allowed: true, gate: 'test gate' }),
        });
      }
    });
  });

  describe('a failing step', () => {
    it('stops, undoes what it made, reports exactly what remains, and marks the run failed', async () => {
      const plan = await call<PlanOutput>('create_service', {
        name: 'billing-api',
        team: 'payments',
        description: 'Bills customers',
      });
      fake.failNext({ method: 'POST', path: '/repos/acme/gitops/pulls', status: 500 });
      const run = await call<RunOutput>('apply_plan', { plan_id: plan.plan_id });
      expect(run.status).toBe('failed');
      expect(run.failed?.step).toBe('gitops_pull_request');
      expect(run.failed?.error).toContain('GitHub answered 500');
      // The repository is archived and the branch (with its commit) deleted: only the archive remains.
      expect(run.undone).toEqual(['gitops_branch', 'create_repository']);
      expect(run.left).toEqual([]);
      expect(run.remains).toEqual([expect.stringContaining('repository acme/billing-api, archived (read-only)')]);
      expect(fake.state.repo('acme/billing-api').archived).toBe(true);
      expect(fake.state.repo('acme/gitops').branch('service/billing-api-dev')).toBeUndefined();
      fake.reset();
    });
  });
});
