import { parseFlags, type StartedServer, silentLogger, startServer } from '@idp-mcp/core';
import { githubModule } from '@idp-mcp/github';
import { connectClient, shippedPolicyGate, textOf } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

const errorCode = (result: { _meta?: Record<string, unknown> }) =>
  (result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code;

describe('remote MCP servers', () => {
  let remote: StartedServer;

  beforeAll(async () => {
    remote = await startServer(
      githubModule,
      parseFlags(['--sandbox', '--transport', 'http', '--port', '0']),
      {},
      shippedPolicyGate,
      silentLogger,
    );
  });
  afterAll(() => remote.close());

  const mountedWith = (servers: unknown[]) =>
    connectClient(platformModule, {
      args: ['--sandbox', '--toolsets', 'core,remote'],
      env: { IDP_MCP_STATE: ':memory:', PLATFORM_REMOTE_SERVERS: JSON.stringify(servers) },
    });

  it('mounts a remote server over Streamable HTTP, namespaced, with tiers from its annotations', async () => {
    const mcp = await mountedWith([
      { name: 'ghremote', url: remote.url, headers: { 'X-Api-Key': 'remote-key-value' } },
    ]);
    try {
      const tools = (await mcp.client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toContain('ghremote_get_repository');
      expect(tools).toContain('ghremote_create_issue');
      const repo = await mcp.client.callTool({
        name: 'ghremote_get_repository',
        arguments: { owner: 'acme', repo: 'gitops' },
      });
      expect(repo.structuredContent).toMatchObject({ full_name: 'acme/gitops' });
      const missing = await mcp.client.callTool({
        name: 'ghremote_get_repository',
        arguments: { owner: 'acme', repo: 'nope' },
      });
      expect(errorCode(missing)).toBe('not_found');
      expect(textOf(missing)).toContain('ghremote refused get_repository: GitHub answered 404');
      const invalid = await mcp.client.callTool({ name: 'ghremote_get_repository', arguments: { owner: 'acme' } });
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toContain('repo: Invalid input: expected string, received undefined');
    } finally {
      await mcp.close();
    }
  });

  it('reports a remote that is down at start as unavailable and serves the rest', async () => {
    const mcp = await mountedWith([{ name: 'gone', url: 'http://127.0.0.1:9/mcp' }]);
    try {
      const status = await mcp.client.callTool({ name: 'platform_status', arguments: {} });
      const gone = (
        status.structuredContent as { integrations: Array<{ name: string; mode: string }> }
      ).integrations.find((integration) => integration.name === 'gone');
      expect(gone?.mode).toBe('unavailable');
      const local = await mcp.client.callTool({
        name: 'call_tool',
        arguments: { name: 'github_get_repository', arguments: { owner: 'acme', repo: 'gitops' } },
      });
      expect(local.isError).toBeFalsy();
    } finally {
      await mcp.close();
    }
  });

  it('fails the calls of a remote that went down, clearly, and nothing else', async () => {
    const doomed = await startServer(
      githubModule,
      parseFlags(['--sandbox', '--transport', 'http', '--port', '0']),
      {},
      shippedPolicyGate,
      silentLogger,
    );
    const mcp = await mountedWith([{ name: 'doomed', url: doomed.url }]);
    try {
      await doomed.close();
      const result = await mcp.client.callTool({
        name: 'doomed_get_repository',
        arguments: { owner: 'acme', repo: 'gitops' },
      });
      expect(errorCode(result)).toBe('upstream_unavailable');
      expect(textOf(result)).toContain('remote MCP server doomed did not answer');
      expect((await mcp.client.callTool({ name: 'platform_status', arguments: {} })).isError).toBeFalsy();
    } finally {
      await mcp.close();
    }
  });

  it('explains a bad PLATFORM_REMOTE_SERVERS entry', async () => {
    await expect(mountedWith([{ name: 'Bad Name', url: remote.url }])).rejects.toThrow(
      'PLATFORM_REMOTE_SERVERS[0].name: must be lower-case letters and digits, e.g. ghofficial',
    );
    await expect(
      connectClient(platformModule, {
        args: ['--sandbox'],
        env: { IDP_MCP_STATE: ':memory:', PLATFORM_REMOTE_SERVERS: '{not json' },
      }),
    ).rejects.toThrow(/PLATFORM_REMOTE_SERVERS must be JSON/);
  });
});
