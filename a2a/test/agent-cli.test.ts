import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/agent/index.ts';
import { envFor, type FakeLlm, startFakeLlm } from './fake-llm.ts';

const MAIN = new URL('../../servers/cli/src/main.ts', import.meta.url).pathname;
/** Provider settings a developer's shell may have: each run starts without them. */
const UNSET = [
  'AGENT_LLM',
  'AGENT_MODEL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
];

/** `idp-mcp agent --sandbox "<request>"` as cron or CI runs it: its own process, answer on stdout, an exit code. */
describe('idp-mcp agent --sandbox', () => {
  let dir: string;
  let fake: FakeLlm;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-mcp-agent-cli-'));
    fake = await startFakeLlm(() => ({ text: 'unscripted' }));
  });
  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const agent = (request: string, env: Record<string, string>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !UNSET.includes(key)));
      const child = spawn(process.execPath, [MAIN, 'agent', '--sandbox', request], {
        env: { ...base, IDP_MCP_STATE: join(dir, 'state.db'), IDP_MCP_LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('says clearly that no LLM endpoint is configured, with its own exit code', async () => {
    const result = await agent('list the runs', {});
    expect(result.code).toBe(EXIT_CODES['no-llm']);
    expect(result.stderr).toContain('no LLM endpoint is configured');
    expect(result.stderr).toContain('AGENT_LLM');
  }, 60_000);

  it('exits 3 with the plan waiting for approval, and 4 when the policies refuse', async () => {
    fake.script = (seen) =>
      [
        () => ({
          calls: [{ name: 'create_kafka_topic', input: { team: 'payments', topic: { name: 'payments.cron.v1' } } }],
        }),
        () => ({ calls: [{ name: 'apply_plan', input: { plan_id: JSON.parse(seen.results[0]!.text).plan_id } }] }),
        () => ({ text: 'Planned; waiting for approval.' }),
      ][seen.turn]!();
    const waits = await agent('Create the topic payments.cron.v1', envFor('openai', fake));
    expect(waits.code, waits.stderr).toBe(EXIT_CODES['needs-approval']);
    expect(waits.stdout).toMatch(
      /^Planned; waiting for approval.\nWaiting for approval: apply_plan plan_\w+ \(create_kafka_topic\)\n$/,
    );
    expect(waits.stderr).toContain('step 2 [held] apply_plan');
    expect(waits.stderr).not.toContain('sk-fake-key-0123456789');

    fake.script = (seen) =>
      seen.turn === 0
        ? {
            calls: [
              {
                name: 'create_kafka_topic',
                input: { team: 'payments', topic: { name: 'payments.one.v1', partitions: 1 } },
              },
            ],
          }
        : { text: `Refused: ${seen.results[0]!.text}` };
    const refused = await agent('A topic with one partition', envFor('openai', fake));
    expect(refused.code, refused.stderr).toBe(EXIT_CODES.refused);
    expect(refused.stdout).toContain('KAFKA-001');
  }, 120_000);
});
