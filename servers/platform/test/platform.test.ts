import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

async function platform(args: string[] = [], env: Record<string, string> = {}): Promise<ConnectedClient> {
  return connectClient(platformModule, { args: ['--sandbox', ...args], env: { IDP_MCP_STATE: ':memory:', ...env } });
}

const errorCode = (result: { _meta?: Record<string, unknown> }) =>
  (result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code;

describe('started with no credentials, as npm start does', () => {
  it('says every integration is sandboxed: the policy engine, which has no sandbox, does not make it mixed', async () => {
    const mcp = await connectClient(platformModule, { env: { IDP_MCP_STATE: ':memory:' } });
    try {
      expect(mcp.server.instance.upstream).toEqual({
        mode: 'sandbox',
        url: '13 integrations, mounted in-process:',
      });
      const { tools } = await mcp.client.listTools();
      expect(tools).toHaveLength(13);
    } finally {
      await mcp.close();
    }
  });
});

describe('the default profile', () => {
  let mcp: ConnectedClient;
  beforeAll(async () => {
    mcp = await platform(['--role', 'platform-admin']);
  });
  afterAll(() => mcp.close());

  it('shows a small core and the self-service tools, not every integration tool', async () => {
    const names = (await mcp.client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual([
      'find_tools',
      'call_tool',
      'platform_status',
      'query_audit',
      'export_evidence',
      'create_service',
      'create_kafka_topic',
      'create_repo',
      'onboard_team',
      'provision_database',
      'provision_bucket',
      'apply_plan',
      'get_run',
      'list_runs',
      'resume_run',
    ]);
    await expect(await toolsSnapshot(mcp.client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('finds tools by intent across the catalog', async () => {
    const found = await mcp.client.callTool({ name: 'find_tools', arguments: { query: 'merge a pull request' } });
    const tools = (found.structuredContent as { tools: Array<{ name: string; input_schema: { properties: object } }> })
      .tools;
    expect(tools[0]?.name).toBe('github_merge_pull_request');
    expect(tools[0]?.input_schema.properties).toHaveProperty('pull_number');
    const terraform = await mcp.client.callTool({
      name: 'find_tools',
      arguments: { query: 'what will this terraform change do' },
    });
    expect((terraform.structuredContent as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toContain(
      'terraform_plan',
    );
    const logs = await mcp.client.callTool({ name: 'find_tools', arguments: { query: 'job logs of a failed CI run' } });
    expect(JSON.stringify(logs.structuredContent)).toContain('github_get_job_logs');
  });

  it('calls any tool by name with the same validation and error mapping as a direct call', async () => {
    const ok = await mcp.client.callTool({
      name: 'call_tool',
      arguments: { name: 'github_get_repository', arguments: { owner: 'acme', repo: 'gitops' } },
    });
    expect(ok.structuredContent).toMatchObject({ tool: 'github_get_repository', result: { full_name: 'acme/gitops' } });

    const invalid = await mcp.client.callTool({
      name: 'call_tool',
      arguments: { name: 'github_get_repository', arguments: { owner: 'acme/gitops' } },
    });
    expect(errorCode(invalid)).toBe('invalid_request');
    expect(textOf(invalid)).toContain('owner: must be a GitHub user or organization login');
    expect(textOf(invalid)).toContain('repo:');

    const missing = await mcp.client.callTool({
      name: 'call_tool',
      arguments: { name: 'github_get_repository', arguments: { owner: 'acme', repo: 'nope' } },
    });
    expect(errorCode(missing)).toBe('not_found');
    expect(textOf(missing)).toContain('GitHub answered 404');
  });

  it('suggests tools for an unknown name', async () => {
    const result = await mcp.client.callTool({
      name: 'call_tool',
      arguments: { name: 'github_merge_pr', arguments: {} },
    });
    expect(errorCode(result)).toBe('not_found');
    expect(textOf(result)).toContain('did you mean github_merge_pull_request');
  });

  it('audits writes made through call_tool, with the caller and the arguments', async () => {
    await mcp.client.callTool({
      name: 'call_tool',
      arguments: {
        name: 'github_create_issue',
        arguments: { owner: 'acme', repo: 'platform-docs', title: 'Audit me', body: 'password: hunter2' },
      },
    });
    const audit = await mcp.client.callTool({ name: 'query_audit', arguments: { tool: 'github_create_issue' } });
    const [entry] = (audit.structuredContent as { entries: Array<Record<string, unknown>> }).entries;
    expect(entry).toMatchObject({ caller: 'local', tool: 'github_create_issue', result: 'ok' });
    expect(JSON.stringify(entry)).not.toContain('hunter2');
  });

  it('reports which integrations are sandboxed', async () => {
    const status = await mcp.client.callTool({ name: 'platform_status', arguments: {} });
    const { integrations, store } = status.structuredContent as {
      integrations: Array<{ name: string; mode: string }>;
      store: string;
    };
    expect(store).toBe('sqlite');
    expect(integrations.map((integration) => integration.name)).toEqual([
      'github',
      'kubernetes',
      'flux',
      'argocd',
      'kafka',
      'rancher',
      'policy',
      'jira',
      'slack',
      'pagerduty',
      'backstage',
      'vault',
      'terraform',
    ]);
    expect(integrations.every((integration) => integration.mode === 'sandbox')).toBe(true);
  });
});

describe('exposure and permissions', () => {
  it('switches an integration toolset on with namespaced names', async () => {
    const mcp = await platform(['--toolsets', 'core,github']);
    const names = (await mcp.client.listTools()).tools.map((tool) => tool.name);
    await mcp.close();
    expect(names).toContain('github_create_pull_request');
    expect(names.every((name) => /^[A-Za-z0-9_]{1,64}$/.test(name))).toBe(true);
  });

  it('keeps a viewer to reads, through find_tools and call_tool too', async () => {
    const mcp = await platform(['--role', 'viewer']);
    try {
      const found = await mcp.client.callTool({ name: 'find_tools', arguments: { query: 'create issue' } });
      expect(JSON.stringify(found.structuredContent)).not.toContain('github_create_issue');
      const denied = await mcp.client.callTool({
        name: 'call_tool',
        arguments: { name: 'github_create_issue', arguments: { owner: 'acme', repo: 'gitops', title: 'x' } },
      });
      expect(errorCode(denied)).toBe('forbidden');
      expect(textOf(denied)).toContain('needs the write tier');
    } finally {
      await mcp.close();
    }
  });

  it('refuses writes through call_tool when read-only', async () => {
    const mcp = await platform(['--read-only']);
    const denied = await mcp.client.callTool({
      name: 'call_tool',
      arguments: { name: 'github_create_issue', arguments: { owner: 'acme', repo: 'gitops', title: 'x' } },
    });
    await mcp.close();
    expect(errorCode(denied)).toBe('forbidden');
  });

  it('rate-limits a caller, counting the calls call_tool makes', async () => {
    const mcp = await platform([], { PLATFORM_RATE_LIMIT: '2' });
    const get = () =>
      mcp.client.callTool({
        name: 'call_tool',
        arguments: { name: 'github_get_repository', arguments: { owner: 'acme', repo: 'gitops' } },
      });
    try {
      expect((await get()).isError).toBeFalsy();
      expect((await get()).isError).toBeFalsy();
      const limited = await get();
      expect(errorCode(limited)).toBe('rate_limited');
      expect(textOf(limited)).toMatch(/Retry: safe after \d+s/);
    } finally {
      await mcp.close();
    }
  });
});
