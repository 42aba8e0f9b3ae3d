import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

const errorCode = (result: { _meta?: Record<string, unknown> }) =>
  (result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code;

const forgedCursor = (position: Record<string, unknown>) => Buffer.from(JSON.stringify(position)).toString('base64url');

/** Issue 16: inputs that reached `internal` get their precise error, through the platform and a real client. */
describe('clear errors where internal was', () => {
  let mcp: ConnectedClient;
  beforeAll(async () => {
    mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'platform-admin', '--toolsets', 'all'],
      env: { IDP_MCP_STATE: ':memory:' },
    });
  });
  afterAll(() => mcp.close());

  it('maps errors of resource reads through the platform as the integration does', async () => {
    // Resource not found (-32002) with GitHub's answer, where it was `internal`.
    await expect(mcp.client.readResource({ uri: 'github://repos/acme/no-such-repo/readme' })).rejects.toThrow(
      /GitHub answered 404/,
    );
  });

  it('answers policy://domains/<prototype key> as an unknown domain', async () => {
    for (const domain of ['constructor', '__proto__', 'toString']) {
      await expect(mcp.client.readResource({ uri: `policy://domains/${domain}` })).rejects.toThrow(/no policy domain/);
    }
  });

  it('refuses a manifest whose kind is not written exactly, naming the kind to write', async () => {
    const applied = await mcp.client.callTool({
      name: 'kubernetes_apply_manifests',
      arguments: {
        manifests: 'apiVersion: apps/v1\nkind: deployment\nmetadata:\n  name: web\n  namespace: payments\n',
      },
    });
    expect(errorCode(applied)).toBe('invalid_request');
    expect(textOf(applied)).toContain('write Deployment');
  });

  it('keeps field names in validation errors of tools whose names sound secret', async () => {
    const read = await mcp.client.callTool({ name: 'vault_read_secret', arguments: { mount: 1, path: 'payments' } });
    expect(errorCode(read)).toBe('invalid_request');
    expect(textOf(read)).toContain('invalid arguments for vault_read_secret: mount: ');
  });

  it('refuses a forged list_runs or query_audit cursor as a cursor problem', async () => {
    const runs = await mcp.client.callTool({
      name: 'list_runs',
      arguments: { cursor: forgedCursor({ t: 'store.listRuns', c: { x: 1 }, i: [1] }) },
    });
    expect(errorCode(runs)).toBe('invalid_request');
    expect(textOf(runs)).toContain('cursor: not a cursor returned by');
    const audit = await mcp.client.callTool({
      name: 'query_audit',
      arguments: { cursor: forgedCursor({ t: 'store.queryAudit', a: 'x', s: {} }) },
    });
    expect(errorCode(audit)).toBe('invalid_request');
  });

  it('answers arguments that are not an object in runTool format, directly and through call_tool', async () => {
    // The client checks what it sends: the request leaves with a marker the fetch swaps for the raw JSON.
    const raw: Record<string, string> = { string: '"x"', array: '[1]', null: 'null' };
    const rawFetch: typeof fetch = (url, init) => {
      let body = init?.body;
      if (typeof body === 'string') {
        for (const [marker, json] of Object.entries(raw)) body = body.replace(`{"raw-arguments":"${marker}"}`, json);
      }
      return fetch(url, { ...init, body });
    };
    const client = new Client({ name: 'raw', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.server.url!), { fetch: rawFetch }));
    try {
      for (const marker of Object.keys(raw)) {
        const direct = await client.callTool({ name: 'list_runs', arguments: { 'raw-arguments': marker } });
        expect(errorCode(direct)).toBe('invalid_request');
        expect(textOf(direct)).toMatch(
          /^invalid_request: invalid arguments for list_runs: \(arguments\): .*expected object/,
        );
        const dispatched = await client.callTool({
          name: 'call_tool',
          arguments: { name: 'list_runs', arguments: { 'raw-arguments': marker } },
        });
        expect(errorCode(dispatched)).toBe('invalid_request');
        expect(textOf(dispatched)).toMatch(/^invalid_request: invalid arguments for call_tool: arguments: /);
      }
    } finally {
      await client.close();
    }
  });

  // Each tool's own name in the cursor, its position fields of the wrong type: refused before any upstream call.
  it.each([
    ['jira_search_issues', 'search_issues', { jql: 'project = PAY' }, { token: 1, q: 2 }],
    ['github_search_repositories', 'search_repositories', { query: 'payments' }, { page: '2', per_page: {} }],
    ['pagerduty_list_incidents', 'list_incidents', {}, { offset: 'x' }],
    ['kubernetes_list_resources', 'list_resources', { kind: 'Deployment' }, { c: 7 }],
    ['slack_list_channels', 'list_channels', {}, { c: [] }],
    ['backstage_list_tasks', 'list_tasks', {}, { offset: '1' }],
    ['flux_list_sources', 'list_sources', {}, { k: 0, c: 5 }],
  ])('refuses a forged %s cursor as a cursor problem', async (name, own, args, position) => {
    for (const cursor of [forgedCursor({ t: own, ...position }), Buffer.from('"x"').toString('base64url')]) {
      const result = await mcp.client.callTool({ name, arguments: { ...args, cursor } });
      expect(errorCode(result)).toBe('invalid_request');
      expect(textOf(result)).toContain(`cursor: not a cursor returned by ${own}`);
    }
  });
});
