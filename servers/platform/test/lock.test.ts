import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * Another process holds the SQLite state file (a second idp-mcp, a sqlite3 shell with a write open): a write
 * through the platform is refused at once, retry-safe, because its audit record cannot be written; it neither
 * waits the lock out nor runs unrecorded.
 */
let mcp: ConnectedClient;
let dir: string;
let state: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idp-mcp-lock-'));
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

/** A child process that takes the file's write lock, says so, and keeps it for `ms`. */
async function holdLock(ms: number): Promise<{ released: Promise<void>; held: () => boolean }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { DatabaseSync } = require('node:sqlite');
       const db = new DatabaseSync(process.argv[1]);
       db.exec('BEGIN IMMEDIATE');
       process.stdout.write('locked\\n');
       setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`,
      state,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  let held = true;
  const released = new Promise<void>((resolve) =>
    child.once('exit', () => {
      held = false;
      resolve();
    }),
  );
  return { released, held: () => held };
}

it('refuses a write while another process holds the state file, and runs nothing unrecorded', async () => {
  const lock = await holdLock(6_000);
  const result = await mcp.client.callTool({
    name: 'github_create_issue',
    arguments: { owner: 'acme', repo: 'platform-docs', title: 'Written under a lock' },
  });
  expect(lock.held(), 'the answer came while the lock was still held').toBe(true);
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/^upstream_unavailable: github_create_issue did not run/);
  await lock.released;
  const issues = await mcp.client.callTool({
    name: 'github_list_issues',
    arguments: { owner: 'acme', repo: 'platform-docs', state: 'all' },
  });
  expect(JSON.stringify(issues.structuredContent)).not.toContain('Written under a lock');
  const retried = await mcp.client.callTool({
    name: 'github_create_issue',
    arguments: { owner: 'acme', repo: 'platform-docs', title: 'Written under a lock' },
  });
  expect(retried.isError).toBeFalsy();
});
