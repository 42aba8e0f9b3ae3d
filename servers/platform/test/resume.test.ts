import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type GitHubFake, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { textOf } from '@idp-mcp/testing/mcp';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, expect, it } from 'vitest';

/**
 * A platform process killed in the middle of apply_plan, and a new one on the same state file: the run
 * resumes at start-up, and nothing is done twice. GitHub (the fake) lives in this test process, so it
 * outlives both platform processes, as the real GitHub would.
 */
const bin = new URL('../src/bin.ts', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
let fake: GitHubFake;
let dir: string;

beforeAll(async () => {
  fake = await startGitHubFake();
  dir = mkdtempSync(join(tmpdir(), 'idp-mcp-resume-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function platformProcess(): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin],
    env: {
      ...(process.env as Record<string, string>),
      IDP_MCP_LOG_LEVEL: 'warn',
      IDP_MCP_STATE: join(dir, 'state.db'),
      GITHUB_API_URL: fake.url,
      GITHUB_TOKEN: SANDBOX_TOKEN,
      PLATFORM_ALLOW_MIXED: 'true',
    },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'resume-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

const count = (method: string, path: RegExp) =>
  fake.requests.filter((request) => request.method === method && path.test(request.path)).length;

it('resumes a run after the process is killed mid-step, doing nothing twice', { timeout: 60_000 }, async () => {
  const first = await platformProcess();
  const planned = await first.client.callTool({
    name: 'create_service',
    arguments: { name: 'inventory-api', team: 'orders', description: 'Stock levels per warehouse' },
  });
  expect(planned.isError).toBeFalsy();
  const planId = (planned.structuredContent as { plan_id: string }).plan_id;

  // The pull request call reaches GitHub, which answers slowly; the process dies before it hears back.
  fake.failNext({ method: 'POST', path: '/repos/acme/gitops/pulls', delayMs: 3_000 });
  void first.client.callTool({ name: 'apply_plan', arguments: { plan_id: planId } }).catch(() => {});
  await expect.poll(() => count('POST', /^\/repos\/acme\/gitops\/pulls$/), { timeout: 20_000, interval: 50 }).toBe(1);
  process.kill(first.transport.pid!, 'SIGKILL');
  await first.client.close().catch(() => {});
  // GitHub finishes the request the dead process made: the pull request exists, the run does not know it.
  await expect.poll(() => fake.state.repo('acme/gitops').pullRequests().length, { timeout: 10_000 }).toBeGreaterThan(0);

  const second = await platformProcess();
  try {
    // Resumed in the background at start-up.
    const status = async () => {
      const runs = await second.client.callTool({ name: 'list_runs', arguments: {} });
      return (runs.structuredContent as { runs: Array<{ plan_id: string; status: string }> }).runs.find(
        (candidate) => candidate.plan_id === planId,
      )?.status;
    };
    await expect.poll(status, { timeout: 20_000, interval: 100 }).toBe('succeeded');
    const again = await second.client.callTool({ name: 'apply_plan', arguments: { plan_id: planId } });
    expect(textOf(again)).toContain('"status":"succeeded"');
  } finally {
    await second.client.close();
  }

  // The interrupted step ran again on resume (GitHub saw it twice) and found its pull request already there.
  expect(count('POST', /^\/repos\/acme\/gitops\/pulls$/)).toBe(2);
  expect(count('POST', /^\/repos\/acme\/service-template\/generate$/)).toBe(1);
  expect(count('POST', /^\/repos\/acme\/gitops\/git\/refs$/)).toBe(1);
  expect(count('POST', /^\/repos\/acme\/gitops\/git\/commits$/)).toBe(1);
  const pulls = fake.state
    .repo('acme/gitops')
    .pullRequests()
    .filter((pr) => pr.pull?.head === 'service/inventory-api-dev');
  expect(pulls).toHaveLength(1);
});

it('exports the audit log of those runs as JSON lines', async () => {
  const { stdout } = await execFileAsync(process.execPath, [bin, 'audit-export'], {
    env: { ...process.env, IDP_MCP_LOG_LEVEL: 'warn', IDP_MCP_STATE: join(dir, 'state.db') },
  });
  const entries = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { tool: string; caller: string; result: string });
  expect(entries.map((entry) => entry.tool)).toEqual(
    expect.arrayContaining(['apply_plan', 'github_create_repository']),
  );
  expect(entries.every((entry) => entry.caller && entry.result)).toBe(true);
});
