import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * The one call path on the platform: direct calls and call_tool alike pass runTool's checks and the gateway's rate
 * limit, metrics and audit; nothing writes unrecorded; the audit log holds no secret.
 */

const errorCode = (result: { _meta?: Record<string, unknown> }) =>
  (result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code;

interface AuditRow {
  tool: string;
  args: unknown;
  result: string;
  error: string | null;
}

async function auditOf(mcp: Client, tool: string): Promise<AuditRow[]> {
  const result = await mcp.callTool({ name: 'query_audit', arguments: { tool } });
  return (result.structuredContent as { entries: AuditRow[] }).entries;
}

/** Stands for a value JSON.stringify cannot write (it overflows the stack): the request body carries DEEP instead. */
const DEEP_PLACEHOLDER = 'deep-arguments-placeholder';
const DEEP = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

/** A real client whose request bodies carry DEEP where the placeholder string stood. */
async function deepClient(url: string): Promise<Client> {
  const client = new Client({ name: 'idp-mcp-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  const deepFetch: typeof fetch = (input, init) =>
    fetch(input, {
      ...init,
      ...(typeof init?.body === 'string' ? { body: init.body.replace(`"${DEEP_PLACEHOLDER}"`, DEEP) } : {}),
    });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: deepFetch }));
  return client;
}

describe('direct calls and call_tool take one path', () => {
  let mcp: ConnectedClient;
  let dir: string;
  let state: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-mcp-callpath-'));
    state = join(dir, 'state.db');
    mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'platform-admin', '--toolsets', 'all'],
      env: { IDP_MCP_STATE: state },
    });
  });
  afterAll(async () => {
    await mcp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a direct call with bad input in our shape, and counts and audits it', async () => {
    const bad = await mcp.client.callTool({ name: 'github_create_issue', arguments: { owner: 'acme' } });
    expect(errorCode(bad)).toBe('invalid_request');
    expect(textOf(bad)).toMatch(/^invalid_request: invalid arguments for github_create_issue: repo: .*title: /);
    expect(textOf(bad)).toContain('Fix: correct the named arguments');
    expect(textOf(bad)).toContain('Retry: not safe to repeat unchanged.');

    const status = await mcp.client.callTool({ name: 'platform_status', arguments: {} });
    const metrics = (status.structuredContent as { metrics: Record<string, { calls: number; errors: number }> })
      .metrics;
    expect(metrics.github_create_issue).toMatchObject({ calls: 1, errors: 1 });
    const [entry] = await auditOf(mcp.client, 'github_create_issue');
    expect(entry).toMatchObject({ result: 'error', args: { owner: 'acme' } });
    expect(entry?.error).toMatch(/^invalid_request: /);
  });

  it('refuses a write with an argument nested 5,000 deep before it runs, through call_tool or directly', async () => {
    const client = await deepClient(mcp.server.url!);
    const args = { owner: 'acme', repo: 'platform-docs', title: 'Nested deep', extra: DEEP_PLACEHOLDER };
    try {
      const viaCallTool = await client.callTool({
        name: 'call_tool',
        arguments: { name: 'github_create_issue', arguments: args },
      });
      expect(errorCode(viaCallTool)).toBe('invalid_request');
      expect(textOf(viaCallTool)).toContain('arguments.extra.a.…: nested more than 64 levels deep');
      const direct = await client.callTool({ name: 'github_create_issue', arguments: args });
      expect(errorCode(direct)).toBe('invalid_request');
      expect(textOf(direct)).toContain('extra.a.a.…: nested more than 64 levels deep');
    } finally {
      await client.close();
    }
    const issues = await mcp.client.callTool({
      name: 'github_list_issues',
      arguments: { owner: 'acme', repo: 'platform-docs', state: 'all' },
    });
    expect(JSON.stringify(issues.structuredContent)).not.toContain('Nested deep');
    const [entry] = await auditOf(mcp.client, 'github_create_issue');
    expect(entry).toMatchObject({ result: 'error', args: { withheld: expect.stringContaining('64 levels') } });
  });

  it('does not run a write whose audit record the store refuses', async () => {
    const db = new DatabaseSync(state);
    db.exec("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(FAIL, 'disk full'); END");
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await mcp.client.callTool({
        name: 'github_create_issue',
        arguments: { owner: 'acme', repo: 'platform-docs', title: 'Unrecorded' },
      });
    } finally {
      db.exec('DROP TRIGGER refuse_audit');
      db.close();
    }
    expect(errorCode(result)).toBe('upstream_unavailable');
    expect(textOf(result)).toContain('github_create_issue did not run: its audit record could not be written');
    expect(textOf(result)).toContain('nothing changed');
    const issues = await mcp.client.callTool({
      name: 'github_list_issues',
      arguments: { owner: 'acme', repo: 'platform-docs', state: 'all' },
    });
    expect(JSON.stringify(issues.structuredContent)).not.toContain('Unrecorded');
  });

  it('keeps Vault values, Secret data and literal passwords out of the audit log and its export', async () => {
    const secrets = ['Zq9-dsn-pass', 'Zq9-kv-value', 'Zq9-secret-data', 'Zq9-literal-db-password'];
    const written = await mcp.client.callTool({
      name: 'vault_write_secret',
      arguments: {
        path: 'payments/audit-test',
        data: { dsn: `postgres://app:${secrets[0]}@db:5432/app`, value: secrets[1] },
      },
    });
    expect(written.isError).toBeFalsy();
    const refused = await mcp.client.callTool({
      name: 'kubernetes_apply_manifests',
      arguments: {
        manifests: `apiVersion: v1\nkind: Secret\nmetadata: {name: leaked, namespace: payments}\nstringData: {dsn: ${secrets[2]}}\n`,
      },
    });
    expect(errorCode(refused)).toBe('forbidden');
    await mcp.client.callTool({
      name: 'kubernetes_apply_manifests',
      arguments: {
        dry_run: true,
        manifests: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: {name: audit-env, namespace: payments}',
          'spec:',
          '  selector: {matchLabels: {app: audit-env}}',
          '  template:',
          '    metadata: {labels: {app: audit-env}}',
          '    spec:',
          '      containers:',
          '        - name: app',
          '          image: ghcr.io/acme/app:1.0.0',
          `          env: [{name: DB_PASSWORD, value: ${secrets[3]}}]`,
        ].join('\n'),
      },
    });

    const vault = await auditOf(mcp.client, 'vault_write_secret');
    expect(vault[0]).toMatchObject({ result: 'ok', args: { data: { dsn: '[REDACTED]', value: '[REDACTED]' } } });
    const applies = await auditOf(mcp.client, 'kubernetes_apply_manifests');
    expect(applies).toHaveLength(2);
    expect(applies[1]).toMatchObject({
      result: 'error',
      args: { manifests: [{ kind: 'Secret', data: { dsn: '[REDACTED]' } }] },
    });
    const all = await mcp.client.callTool({ name: 'query_audit', arguments: { limit: 200 } });
    const lines: string[] = [];
    // The command reads its settings from the process environment, as `idp-mcp platform audit-export` does.
    const saved = process.env.IDP_MCP_STATE;
    process.env.IDP_MCP_STATE = state;
    try {
      await platformModule.commands!['audit-export']!.run([], {
        stdout: (line: string) => lines.push(line),
        stderr: () => {},
      });
    } finally {
      if (saved === undefined) delete process.env.IDP_MCP_STATE;
      else process.env.IDP_MCP_STATE = saved;
    }
    expect(lines.length).toBeGreaterThan(3);
    for (const text of [JSON.stringify(all.structuredContent), lines.join('')]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it('audits every reveal of secret values', async () => {
    const read = await mcp.client.callTool({
      name: 'vault_read_secret',
      arguments: { path: 'payments/payments-api/database', reveal: true },
    });
    expect(JSON.stringify(read.structuredContent)).toContain('pg-pay-7Qw!xR2vLm');
    const [entry] = await auditOf(mcp.client, 'vault_read_secret');
    expect(entry).toMatchObject({
      result: 'ok',
      args: { path: 'payments/payments-api/database', reveal: true },
    });
    expect(JSON.stringify(entry)).not.toContain('pg-pay-7Qw!xR2vLm');
  });
});

describe('the rate limit', () => {
  it('counts direct calls with bad input too', async () => {
    const mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--toolsets', 'all'],
      env: { IDP_MCP_STATE: ':memory:', PLATFORM_RATE_LIMIT: '2' },
    });
    try {
      const bad = () => mcp.client.callTool({ name: 'github_create_issue', arguments: { owner: 'acme' } });
      expect(errorCode(await bad())).toBe('invalid_request');
      expect(errorCode(await bad())).toBe('invalid_request');
      const limited = await bad();
      expect(errorCode(limited)).toBe('rate_limited');
    } finally {
      await mcp.close();
    }
  });
});
