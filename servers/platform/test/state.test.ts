import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultStatePath } from '@idp-mcp/store';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * State in the user's place: README's Claude Desktop command line (`node .../main.ts platform`), started over stdio
 * from `/` as Claude Desktop does, by an unprivileged user (this test drops to `nobody` when it runs as root), keeps
 * its state under that user's home and says where.
 */
const main = new URL('../../cli/src/main.ts', import.meta.url).pathname;
const asRoot = process.getuid?.() === 0;

/** The command line, run as `nobody` when this test runs as root (a root process may write anywhere, even /). */
function commandLine(args: string[]): { command: string; args: string[] } {
  if (!asRoot) return { command: process.execPath, args: [main, ...args] };
  return {
    command: 'setpriv',
    args: ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, main, ...args],
  };
}

let home: string;
let client: Client;
let stderr = '';

beforeAll(async () => {
  if (asRoot) {
    // As nobody, the checkout itself must be readable, as a user's own clone is to them.
    const readable = await promisify(execFile)('setpriv', [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      'test',
      '-r',
      main,
    ]).then(
      () => true,
      () => false,
    );
    if (!readable)
      throw new Error(`${main} is not readable by nobody: make the checkout's folders world-readable (chmod o+rx)`);
  }
  home = mkdtempSync(join(tmpdir(), 'idp-mcp-home-'));
  chmodSync(home, 0o777);
  const { command, args } = commandLine(['platform']);
  const { IDP_MCP_STATE: _state, XDG_STATE_HOME: _xdg, DATABASE_URL: _db, ...env } = process.env;
  const transport = new StdioClientTransport({
    command,
    args,
    cwd: '/',
    env: { ...(env as Record<string, string>), HOME: home, IDP_MCP_LOG_LEVEL: 'info' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  client = new Client({ name: 'idp-mcp-test', version: '1.0.0' });
  await client.connect(transport);
}, 120_000);
afterAll(async () => {
  await client?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the platform started from / over stdio by an unprivileged user', () => {
  const expected = () => join(home, '.local', 'state', 'idp-mcp', 'state.db');

  it('keeps its state under the home directory and says where, in platform_status and the banner', async () => {
    const result = await client.callTool({ name: 'platform_status', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { state: string }).state).toBe(`SQLite ${expected()}`);
    expect(existsSync(expected())).toBe(true);
    expect(stderr).toContain(`state        SQLite ${expected()}`);
  });
});

describe('the default state path', () => {
  it('is $XDG_STATE_HOME/idp-mcp when that is absolute, else ~/.local/state/idp-mcp', () => {
    expect(defaultStatePath({ XDG_STATE_HOME: '/var/lib/me' })).toBe('/var/lib/me/idp-mcp/state.db');
    expect(defaultStatePath({ XDG_STATE_HOME: 'relative' })).toMatch(/\/\.local\/state\/idp-mcp\/state\.db$/);
  });
});

describe('idp-mcp platform audit-export', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [main, 'platform', 'audit-export', ...args], {
      env: { ...process.env, HOME: home, IDP_MCP_STATE: join(home, 'export.db') },
    });

  it('--help shows its usage and exports nothing', async () => {
    const { stdout } = await run('--help');
    expect(stdout).toMatch(/^usage: idp-mcp platform audit-export \[--since ISO-TIME\]/);
    expect(existsSync(join(home, 'export.db'))).toBe(false);
  });

  it('refuses an unknown argument with its usage', async () => {
    await expect(run('--sinse', '2026-01-01T00:00:00Z')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('audit-export: unknown argument --sinse'),
    });
  });
});
