import { type GitHubFake, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { type ConnectedClient, callOk, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';
import { TOOLS } from '../src/selfservice/handles.ts';

const orderApi = {
  name: 'order-api',
  team: 'payments',
  description: 'Takes and tracks customer orders',
  kafka_topic: { name: 'orders.created.v1' },
};

const call = <T>(mcp: ConnectedClient, name: string, args: Record<string, unknown>) =>
  callOk<T>(mcp.client, name, args);

describe("the platform's own calls on a caller's behalf", () => {
  let mcp: ConnectedClient;

  // Three calls a minute: planning create_service alone reads the template and the repository far more often.
  beforeAll(async () => {
    mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'platform-admin'],
      env: { IDP_MCP_STATE: ':memory:', PLATFORM_RATE_LIMIT: '3', PLATFORM_KAFKA_TOPICS: 'direct' },
    });
  });
  afterAll(() => mcp.close());

  it("spend none of the caller's rate limit: create_service and apply_plan count once each", async () => {
    const plan = await call<{ plan_id: string; status: string }>(mcp, 'create_service', orderApi);
    expect(plan.status).toBe('planned');
    const run = await call<{ status: string; done: string[] }>(mcp, 'apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');

    // Still audited: every write a step made, under the caller's name.
    const { entries } = await call<{ entries: Array<{ tool: string; caller: string; result: string }> }>(
      mcp,
      'query_audit',
      { limit: 50 },
    );
    expect(entries.map((entry) => `${entry.caller} ${entry.tool} ${entry.result}`)).toEqual(
      expect.arrayContaining([
        'local apply_plan ok',
        'local github_create_repository ok',
        'local github_create_pull_request ok',
        'local kafka_create_kafka_topic ok',
      ]),
    );

    // The caller's own fourth call of the minute is the one refused.
    const fourth = await mcp.client.callTool({ name: 'platform_status', arguments: {} });
    expect(fourth.isError).toBe(true);
    expect(textOf(fourth)).toContain('rate_limited: local made more than 3 calls a minute');
  });
});

describe("the platform's own calls keep the caller's tier", () => {
  let mcp: ConnectedClient;

  beforeAll(async () => {
    mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'developer'],
      env: { IDP_MCP_STATE: ':memory:' },
    });
  });
  afterAll(() => mcp.close());

  it('a developer cannot onboard a team: the namespace it needs is an admin-tier tool', async () => {
    const result = await mcp.client.callTool({ name: 'onboard_team', arguments: { team: 'checkout' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('forbidden: kubernetes_onboard_team needs the admin tier; your roles grant write');
  });
});

describe('the tools the composites call', () => {
  it('are each a tool the platform mounts, under the name the handle gives', async () => {
    const mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'platform-admin', '--toolsets', 'all'],
      env: { IDP_MCP_STATE: ':memory:' },
    });
    try {
      const { tools } = await mcp.client.listTools();
      const mounted = new Set(tools.map((tool) => tool.name));
      expect(Object.values(TOOLS).filter((handle) => !mounted.has(handle.name))).toEqual([]);
    } finally {
      await mcp.close();
    }
  });
});

describe('a step that finds its change already made', () => {
  let fake: GitHubFake;
  let mcp: ConnectedClient;

  beforeAll(async () => {
    fake = await startGitHubFake();
    mcp = await connectClient(platformModule, {
      args: ['--role', 'developer'],
      env: {
        IDP_MCP_STATE: ':memory:',
        PLATFORM_INTEGRATIONS: 'github',
        GITHUB_API_URL: fake.url,
        GITHUB_TOKEN: SANDBOX_TOKEN,
      },
    });
  });
  afterAll(async () => {
    await mcp.close();
    await fake.close();
  });
  afterEach(() => assertNoViolations(fake));

  const planAndApply = async (topic: string) => {
    const plan = await call<{ plan_id: string }>(mcp, 'create_kafka_topic', {
      team: 'payments',
      topic: { name: topic },
    });
    return call<{ status: string; done: string[]; failed?: { step: string; code: string } }>(mcp, 'apply_plan', {
      plan_id: plan.plan_id,
    });
  };
  const pullsFrom = (branch: string) =>
    fake.state
      .repo('acme/gitops')
      .pullRequests()
      .filter((pr) => pr.pull?.head === branch);

  it('counts as done by its error code and what a read finds: the branch and pull request of an earlier plan', async () => {
    expect((await planAndApply('payments.refunds.v1')).status).toBe('succeeded');
    // The same topic again: its branch exists (conflict) and so does its open pull request (GitHub's 422).
    const again = await planAndApply('payments.refunds.v1');
    expect(again.status).toBe('succeeded');
    expect(again.done).toEqual(['gitops_branch', 'gitops_commit', 'gitops_pull_request']);
    expect(pullsFrom('topic/payments.refunds.v1')).toHaveLength(1);
  });

  it('fails when the refusal only says so in its text: no pull request, whatever the message', async () => {
    fake.failNext({
      method: 'POST',
      path: '/repos/acme/gitops/pulls',
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for acme:x.' }],
        documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      },
    });
    const run = await planAndApply('payments.chargebacks.v1');
    expect(run.status).toBe('failed');
    expect(run.failed).toMatchObject({ step: 'gitops_pull_request', code: 'invalid_request' });
    expect(pullsFrom('topic/payments.chargebacks.v1')).toHaveLength(0);
  });
});
