import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role, type Task, TaskState } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = new URL('../../servers/cli/src/main.ts', import.meta.url).pathname;

/** `idp-mcp a2a --sandbox` as a user starts it: its own process, the shipped policy gate, a state file. */
describe('idp-mcp a2a --sandbox', () => {
  let dir: string;
  let child: ChildProcess;
  let cardUrl: string;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-mcp-a2a-cli-'));
    child = spawn(process.execPath, [MAIN, 'a2a', '--sandbox', '--port', '0'], {
      env: { ...process.env, IDP_MCP_STATE: join(dir, 'state.db'), IDP_MCP_OIDC_ISSUER: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cardUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${stderr}`)), 60_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /Agent card: (\S+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
    });
  }, 90_000);
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the card, refuses what the shipped policies deny, and stops cleanly on SIGTERM', async () => {
    const client = await new ClientFactory().createFromUrl(cardUrl.replace('/.well-known/agent-card.json', ''));
    const result = (await client.sendMessage({
      tenant: '',
      message: {
        messageId: 'cli-1',
        contextId: '',
        taskId: '',
        role: Role.ROLE_USER,
        parts: [
          {
            content: {
              $case: 'data',
              value: {
                skill: 'create_kafka_topic',
                arguments: { team: 'payments', topic: { name: 'a.b.v1', partitions: 1 } },
              },
            },
            mediaType: 'application/json',
            filename: '',
            metadata: undefined,
          },
        ],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      },
      configuration: undefined,
      metadata: undefined,
    })) as Task;
    expect(result.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(JSON.stringify(result.status?.message)).toContain('KAFKA-001');

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
