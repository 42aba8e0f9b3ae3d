import { randomUUID } from 'node:crypto';
import { Role, type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import { type Client, ClientFactory } from '@a2a-js/sdk/client';
import { silentLogger } from '@idp-mcp/core';
import { shippedPolicyGate } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSupervisor, startSupervisor } from '../src/index.ts';
import { envFor, type FakeLlm, startFakeLlm } from './fake-llm.ts';

const send = (text: string, taskId = '') => ({
  tenant: '',
  message: {
    messageId: randomUUID(),
    contextId: '',
    taskId,
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text' as const, value: text }, mediaType: 'text/plain', filename: '', metadata: undefined },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  },
  configuration: undefined,
  metadata: undefined,
});
const texts = (parts: Task['history'][number]['parts'] | undefined) =>
  (parts ?? []).flatMap((part) => (part.content?.$case === 'text' ? [part.content.value] : []));
const statusUpdates = (events: StreamResponse[]) =>
  events.flatMap((event) => (event.payload?.$case === 'statusUpdate' ? [event.payload.value] : []));

/** A free-text request through the supervisor's operate_platform skill, with the bundled agent on a fake model. */
describe('the free-text skill: the bundled agent behind the supervisor', () => {
  let fake: FakeLlm;
  let supervisor: RunningSupervisor;
  let client: Client;

  beforeAll(async () => {
    fake = await startFakeLlm(() => ({ text: 'unscripted' }));
    supervisor = await startSupervisor({
      env: { IDP_MCP_STATE: ':memory:', ...envFor('anthropic', fake) },
      sandbox: true,
      host: '127.0.0.1',
      port: 0,
      role: 'developer',
      gate: shippedPolicyGate,
      log: silentLogger,
    });
    client = await new ClientFactory().createFromUrl(supervisor.url);
  });
  afterAll(async () => {
    await supervisor?.close();
    await fake?.close();
  });

  it('streams each step as a status update, keeps them in the history, and waits on the plan for approval', async () => {
    const card = await client.getAgentCard();
    expect(card.skills.find((skill) => skill.id === 'operate_platform')?.description).toContain(
      'bundled headless agent (anthropic claude-sonnet-4-5)',
    );
    fake.script = (seen) =>
      [
        () => ({
          calls: [{ name: 'create_kafka_topic', input: { team: 'payments', topic: { name: 'payments.freetext.v1' } } }],
        }),
        () => ({ calls: [{ name: 'apply_plan', input: { plan_id: JSON.parse(seen.results[0]!.text).plan_id } }] }),
        () => ({ text: 'The topic is planned; it waits for your approval.' }),
      ][seen.turn]!();

    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream(send('Create the Kafka topic payments.freetext.v1'))) {
      events.push(event);
    }
    const updates = statusUpdates(events);
    const steps = updates.flatMap((update) =>
      (update.status?.message?.parts ?? []).flatMap((part) =>
        part.content?.$case === 'data' && 'step' in (part.content.value as object) ? [part.content.value] : [],
      ),
    );
    expect(steps).toEqual([
      { step: 1, kind: 'call', tool: 'create_kafka_topic', status: 'ok' },
      { step: 2, kind: 'call', tool: 'apply_plan', status: 'held' },
      { step: 3, kind: 'answer', status: 'ok' },
    ]);
    const last = updates.at(-1)!;
    expect(last.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const taskId = last.taskId;
    const task = await client.getTask({ tenant: '', id: taskId, historyLength: undefined });
    const planId = task.metadata?.['idp-mcp/plan_id'] as string;
    expect(planId).toMatch(/^plan_/);
    expect(texts(task.status?.message?.parts).join()).toContain(
      `Plan ${planId} (create_kafka_topic) waits for your approval`,
    );
    // Every step is in the stored history, after the request.
    const history = task.history.map((message) => texts(message.parts).join());
    expect(history[0]).toBe('Create the Kafka topic payments.freetext.v1');
    expect(history.filter((entry) => /^Step \d: /.test(entry))).toHaveLength(3);
    expect(task.artifacts.map((artifact) => artifact.artifactId)).toEqual(['answer']);

    // Approved on the task like any plan: applied as the caller.
    const approved = (await client.sendMessage(send('approve', taskId))) as Task;
    expect(approved.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(texts(approved.status?.message?.parts).join()).toContain(`Plan ${planId} applied`);
  });

  it('cancels a run at its next step boundary: the task ends canceled and nothing more is called', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let turns = 0;
    fake.script = async (seen) => {
      turns = seen.turn + 1;
      if (seen.turn === 1) await held;
      return { calls: [{ name: 'platform_status', input: {} }] };
    };
    const events: StreamResponse[] = [];
    let canceled: Task | undefined;
    for await (const event of client.sendMessageStream(send('Keep checking the platform status'))) {
      events.push(event);
      const update = event.payload?.$case === 'statusUpdate' ? event.payload.value : undefined;
      const step = update?.status?.message?.parts.find((part) => part.content?.$case === 'data');
      if (update && step && !canceled) {
        canceled = await client.cancelTask({ tenant: '', id: update.taskId, metadata: undefined });
        release();
      }
    }
    expect(canceled?.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(texts(canceled?.status?.message?.parts).join()).toContain('Canceled at a step boundary');
    expect(turns).toBe(2);
    const stored = await client.getTask({ tenant: '', id: canceled!.id, historyLength: undefined });
    expect(stored.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(stored.history.filter((message) => /^Step \d: /.test(texts(message.parts).join()))).toHaveLength(1);
  });
});
