import { randomUUID } from 'node:crypto';
import { type Part, Role, type Task, TaskState } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { startSupervisor } from '@idp-mcp/a2a';
import { silentLogger } from '@idp-mcp/core';
import { platformModule } from '@idp-mcp/platform';
import { connectClient, shippedPolicyGate } from '@idp-mcp/testing/mcp';

/**
 * What the A2A supervisor adds to a task step: the same self-service request (plan a Kafka topic, then apply the
 * plan) made on the platform over MCP (Streamable HTTP), and through the supervisor over A2A JSON-RPC (a send that
 * plans, a send that approves and applies), both on loopback against the in-process sandbox, local role, no token.
 */
export interface StepLatency {
  step: string;
  path: string;
  tasks: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 100) / 100;

const timed = async <T>(samples: number[], run: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await run();
  samples.push(performance.now() - started);
  return result;
};

export async function measureA2aLatency(tasks = 40): Promise<StepLatency[]> {
  const env = { PLATFORM_RATE_LIMIT: '1000000', IDP_MCP_STATE: ':memory:' };
  const request = (n: number, path: string) => ({ team: 'payments', topic: { name: `bench${path}.t${n}.v1` } });
  const results: StepLatency[] = [];
  const record = (step: string, path: string, samples: number[], warm: number) => {
    const sorted = samples.slice(warm).sort((a, b) => a - b);
    results.push({ step, path, tasks: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) });
  };
  const warm = 5;

  const mcp = await connectClient(platformModule, { args: ['--sandbox'], env });
  const mcpPlan: number[] = [];
  const mcpApply: number[] = [];
  for (let n = 0; n < tasks + warm; n++) {
    const plan = await timed(mcpPlan, () =>
      mcp.client.callTool({ name: 'create_kafka_topic', arguments: request(n, 'mcp') }),
    );
    const { plan_id } = plan.structuredContent as { plan_id: string };
    const run = await timed(mcpApply, () => mcp.client.callTool({ name: 'apply_plan', arguments: { plan_id } }));
    if (run.isError) throw new Error(`apply_plan failed during the benchmark: ${JSON.stringify(run.content)}`);
  }
  await mcp.close();
  record('plan', 'platform over MCP', mcpPlan, warm);
  record('approve and apply', 'platform over MCP', mcpApply, warm);

  const supervisor = await startSupervisor({
    env,
    sandbox: true,
    host: '127.0.0.1',
    port: 0,
    role: 'developer',
    gate: shippedPolicyGate,
    log: silentLogger,
  });
  const client = await new ClientFactory().createFromUrl(supervisor.url);
  const send = (part: Part, taskId = '') =>
    client.sendMessage({
      tenant: '',
      message: {
        messageId: randomUUID(),
        contextId: '',
        taskId,
        role: Role.ROLE_USER,
        parts: [part],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      },
      configuration: undefined,
      metadata: undefined,
    }) as Promise<Task>;
  const data = (value: unknown): Part => ({
    content: { $case: 'data', value },
    mediaType: 'application/json',
    filename: '',
    metadata: undefined,
  });
  const a2aPlan: number[] = [];
  const a2aApply: number[] = [];
  for (let n = 0; n < tasks + warm; n++) {
    const task = await timed(a2aPlan, () => send(data({ skill: 'create_kafka_topic', arguments: request(n, 'a2a') })));
    const done = await timed(a2aApply, () => send(data({ approve: true }), task.id));
    if (done.status?.state !== TaskState.TASK_STATE_COMPLETED)
      throw new Error(`a task did not complete during the benchmark: ${done.status?.state}`);
  }
  await supervisor.close();
  record('plan', 'supervisor over A2A JSON-RPC', a2aPlan, warm);
  record('approve and apply', 'supervisor over A2A JSON-RPC', a2aApply, warm);
  return results;
}

if (import.meta.main) {
  for (const result of await measureA2aLatency()) process.stdout.write(`${JSON.stringify(result)}\n`);
}
