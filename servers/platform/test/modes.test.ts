import { type GitHubFake, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * Live and sandbox never mix silently: with only GITHUB_TOKEN set (README's Claude Desktop example), a plan whose
 * steps would also go to sandboxed Slack and Jira is refused, naming what to set; PLATFORM_ALLOW_MIXED=true allows it
 * for a demo, and the plan then says for each step which integration it goes to and whether that one is live.
 */
let fake: GitHubFake;
beforeAll(async () => {
  fake = await startGitHubFake();
});
afterAll(() => fake.close());
afterEach(() => assertNoViolations(fake));

const connect = (env: Record<string, string> = {}) =>
  connectClient(platformModule, {
    args: ['--role', 'developer'],
    env: {
      IDP_MCP_STATE: ':memory:',
      PLATFORM_INTEGRATIONS: 'github,slack,jira',
      GITHUB_API_URL: fake.url,
      GITHUB_TOKEN: SANDBOX_TOKEN,
      ...env,
    },
  });
const request = { name: 'order-api', team: 'payments', description: 'Takes orders' };

describe('a plan over live GitHub and sandboxed Slack and Jira', () => {
  let mcp: ConnectedClient;
  afterEach(() => mcp?.close());

  it('is refused by default, naming the variables that make the others live', async () => {
    mcp = await connect();
    const writesBefore = fake.requests.filter((r) => r.method !== 'GET').length;
    const result = await mcp.client.callTool({ name: 'create_service', arguments: request });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain(
      'invalid_request: create_service would mix live and sandboxed integrations: github live, slack, jira sandboxed',
    );
    expect(text).toContain('slack: SLACK_BOT_TOKEN');
    expect(text).toMatch(/jira: JIRA_URL/);
    expect(text).toContain('PLATFORM_ALLOW_MIXED=true');
    expect(fake.requests.filter((r) => r.method !== 'GET').length).toBe(writesBefore);
    const { runs } = (await mcp.client.callTool({ name: 'list_runs', arguments: {} })).structuredContent as {
      runs: unknown[];
    };
    expect(runs).toEqual([]);
  });

  it('is planned with PLATFORM_ALLOW_MIXED=true, each step showing its integration and mode', async () => {
    mcp = await connect({ PLATFORM_ALLOW_MIXED: 'true' });
    const result = await mcp.client.callTool({ name: 'create_service', arguments: request });
    expect(result.isError, textOf(result)).toBeFalsy();
    const { steps } = result.structuredContent as { steps: Array<{ name: string; integration: string; mode: string }> };
    expect(steps.map((step) => `${step.name} ${step.integration} ${step.mode}`)).toEqual([
      'create_repository github live',
      'commit_service_files github live',
      'gitops_branch github live',
      'gitops_commit github live',
      'gitops_pull_request github live',
      'notify slack sandbox',
      'tracking_ticket jira sandbox',
    ]);
  });

  it('refuses a setting that is neither true nor false at start', async () => {
    await expect(connect({ PLATFORM_ALLOW_MIXED: 'yes' })).rejects.toThrow(
      'PLATFORM_ALLOW_MIXED: "yes" is not one of true, false',
    );
  });
});
