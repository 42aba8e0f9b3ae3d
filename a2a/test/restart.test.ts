import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role, type Task, TaskState } from '@a2a-js/sdk';
import { type Client, ClientFactory, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { silentLogger } from '@idp-mcp/core';
import { openTaskStore } from '@idp-mcp/store';
import { shippedPolicyGate } from '@idp-mcp/testing/mcp';
import { bearerFetch, type KeycloakIssuer, startKeycloakIssuer } from '@idp-mcp/testing/oidc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSupervisor, startSupervisor } from '../src/index.ts';

const send = (parts: Array<{ approve: boolean } | Record<string, unknown>>, taskId = '') => ({
  tenant: '',
  message: {
    messageId: randomUUID(),
    contextId: '',
    taskId,
    role: Role.ROLE_USER,
    parts: parts.map((value) => ({
      content: { $case: 'data' as const, value },
      mediaType: 'application/json',
      filename: '',
      metadata: undefined,
    })),
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  },
  configuration: undefined,
  metadata: undefined,
});
const topic = (name: string) => ({ skill: 'create_kafka_topic', arguments: { team: 'payments', topic: { name } } });

/** Tasks live in the platform's SQLite file: a new process finds them, answers them and finishes what was left. */
describe('the supervisor across a restart', () => {
  let issuer: KeycloakIssuer;
  let dir: string;
  let supervisor: RunningSupervisor | undefined;

  const start = async () => {
    supervisor = await startSupervisor({
      env: { IDP_MCP_STATE: join(dir, 'state.db'), IDP_MCP_OIDC_ISSUER: issuer.issuer },
      sandbox: true,
      host: '127.0.0.1',
      port: 0,
      role: 'developer',
      gate: shippedPolicyGate,
      log: silentLogger,
    });
    const token = await issuer.sign(issuer.claimsFor('dev-developer'));
    const fetchImpl = bearerFetch(token);
    return new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl })] }).createFromUrl(
      supervisor.url,
    );
  };

  beforeAll(async () => {
    issuer = await startKeycloakIssuer();
    dir = mkdtempSync(join(tmpdir(), 'idp-mcp-a2a-restart-'));
  });
  afterAll(async () => {
    await supervisor?.close();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a task planned before the restart, and finishes one whose approval the stop cut off', async () => {
    let client: Client = await start();
    const waiting = (await client.sendMessage(send([topic('payments.before.v1')]))) as Task;
    const cutOff = (await client.sendMessage(send([topic('payments.cutoff.v1')]))) as Task;
    expect(cutOff.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    await supervisor!.close();
    supervisor = undefined;

    // The process died right after it took the approval (the task says working) and before the run was done.
    const tasks = await openTaskStore({ sqlitePath: join(dir, 'state.db') });
    const scope = { tenant: '', owner: String(issuer.claimsFor('dev-developer').sub) };
    const stored = (await tasks.load(scope, cutOff.id)) as { status: { state: string } };
    stored.status.state = 'TASK_STATE_WORKING';
    await tasks.save(scope, {
      id: cutOff.id,
      contextId: cutOff.contextId,
      state: 'TASK_STATE_WORKING',
      statusAt: Date.now(),
      task: stored,
    });
    await tasks.close();

    client = await start();
    const resumed = await client.getTask({ tenant: '', id: cutOff.id });
    expect(resumed.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(resumed.artifacts.map((artifact) => artifact.artifactId)).toEqual(['plan', 'run']);

    expect((await client.getTask({ tenant: '', id: waiting.id })).status?.state).toBe(
      TaskState.TASK_STATE_INPUT_REQUIRED,
    );
    const applied = (await client.sendMessage(send([{ approve: true }], waiting.id))) as Task;
    expect(applied.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });
});
