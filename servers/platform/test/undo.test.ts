import { type BackstageFake, startBackstageFake } from '@idp-mcp/sandbox/backstage';
import { type GitHubFake, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { type ConnectedClient, callOk, connectClient } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * A failed apply takes back what a real user would be left with: with GitHub and Backstage live (their fakes), a
 * catalog registration that fails after the repository, the GitOps branch and its pull request were made closes the
 * pull request, deletes the branch and archives the repository (deletes it with PLATFORM_UNDO_REPOSITORY=delete),
 * and the run's report says exactly what is still there.
 */
let github: GitHubFake;
let backstage: BackstageFake;
beforeAll(async () => {
  [github, backstage] = await Promise.all([startGitHubFake(), startBackstageFake()]);
});
afterAll(() => Promise.all([github.close(), backstage.close()]));
afterEach(() => {
  assertNoViolations(github);
  assertNoViolations(backstage);
});

interface RunOutput {
  status: string;
  done: string[];
  undone: string[];
  left: Array<{ step: string; reason: string; error?: string }>;
  remains: string[];
  failed?: { step: string; error: string };
}

const call = <T>(mcp: ConnectedClient, name: string, args: Record<string, unknown>) =>
  callOk<T>(mcp.client, name, args);

async function failAtRegistration(name: string, env: Record<string, string> = {}) {
  const mcp = await connectClient(platformModule, {
    args: ['--role', 'developer'],
    env: {
      IDP_MCP_STATE: ':memory:',
      PLATFORM_INTEGRATIONS: 'github,backstage',
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: SANDBOX_TOKEN,
      BACKSTAGE_URL: backstage.url,
      BACKSTAGE_TOKEN: backstage.token,
      ...env,
    },
  });
  try {
    const plan = await call<{ plan_id: string; steps: Array<{ name: string; mode: string }> }>(mcp, 'create_service', {
      name,
      team: 'payments',
      description: 'Takes orders',
    });
    expect(plan.steps.every((step) => step.mode === 'live')).toBe(true);
    backstage.failNext({ method: 'POST', path: '/api/catalog/locations', status: 500, times: 10 });
    return await call<RunOutput>(mcp, 'apply_plan', { plan_id: plan.plan_id });
  } finally {
    backstage.reset();
    await mcp.close();
  }
}

describe('a create_service apply that fails at the catalog registration', () => {
  it('closes its pull request, deletes its branch, archives its repository, and says the archive remains', async () => {
    const run = await failAtRegistration('order-api');
    expect(run.status).toBe('failed');
    expect(run.failed?.step).toBe('register_catalog');
    expect(run.undone).toEqual(['gitops_pull_request', 'gitops_branch', 'create_repository']);
    expect(run.left).toEqual([]);
    expect(run.remains).toEqual([
      'repository acme/order-api, archived (read-only): an admin deletes it, or PLATFORM_UNDO_REPOSITORY=delete deletes it on undo',
    ]);

    const gitops = github.state.repo('acme/gitops');
    const pull = gitops.pullRequests().find((candidate) => candidate.pull?.head === 'service/order-api-dev')!;
    expect(pull.state).toBe('closed');
    expect(pull.pull?.merged).toBe(false);
    expect(pull.comments.map((comment) => comment.body).join('\n')).toContain('a later step of this plan failed');
    expect(gitops.branch('service/order-api-dev')).toBeUndefined();
    const repo = github.state.repo('acme/order-api');
    expect(repo.archived).toBe(true);
  });

  it('deletes the repository instead with PLATFORM_UNDO_REPOSITORY=delete, and then nothing remains', async () => {
    const run = await failAtRegistration('billing-api', { PLATFORM_UNDO_REPOSITORY: 'delete' });
    expect(run.status).toBe('failed');
    expect(run.undone).toEqual(['gitops_pull_request', 'gitops_branch', 'create_repository']);
    expect(run.left).toEqual([]);
    expect(run.remains).toEqual([]);
    expect(github.state.findRepo('acme/billing-api')).toBeUndefined();
    expect(github.state.repo('acme/gitops').branch('service/billing-api-dev')).toBeUndefined();
  });

  it('leaves a branch it found already there, and says so', async () => {
    github.state.repo('acme/gitops').createBranch('service/ledger-api-dev');
    const run = await failAtRegistration('ledger-api');
    expect(run.status).toBe('failed');
    expect(run.undone).toEqual(['gitops_pull_request', 'create_repository']);
    expect(run.left).toEqual([
      { step: 'gitops_branch', reason: 'undo_failed', error: expect.stringContaining('already there') },
      { step: 'gitops_commit', reason: 'no_undo' },
    ]);
    expect(run.remains).toEqual([
      expect.stringContaining('repository acme/ledger-api, archived'),
      expect.stringMatching(/^Create branch service\/ledger-api-dev in acme\/gitops \(undo failed: .*already there/),
      'Commit 2 file(s) to service/ledger-api-dev (no undo)',
    ]);
    expect(github.state.repo('acme/gitops').branch('service/ledger-api-dev')).toBeDefined();
  });
});
