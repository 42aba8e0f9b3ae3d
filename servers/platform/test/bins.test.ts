import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectStdio, textOf } from '@idp-mcp/testing/mcp';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The platform's own bin (`idp-mcp-platform --sandbox`) and the one command (`idp-mcp platform --sandbox`) start
 * the same policy gate: one used to start with an allow-all gate. Each process gets its own state file.
 */
const bins = {
  'idp-mcp-platform': { path: new URL('../src/bin.ts', import.meta.url).pathname, args: ['--sandbox'] },
  'idp-mcp platform': {
    path: new URL('../../cli/src/main.ts', import.meta.url).pathname,
    args: ['platform', '--sandbox'],
  },
};

let dir: string;
const clients: Record<string, Client> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idp-mcp-bins-'));
  for (const [name, bin] of Object.entries(bins)) {
    clients[name] = await connectStdio(bin.path, bin.args, {
      IDP_MCP_STATE: join(dir, `${name.replace(/\W/g, '-')}.db`),
    });
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(clients).map((client) => client.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** What the gate made of a create_service request: its error code and rules, or the plan's status. */
async function verdictOf(client: Client, kafkaTopic: Record<string, unknown>) {
  const result = await client.callTool({
    name: 'create_service',
    arguments: { name: 'order-events', team: 'payments', description: 'Order events', kafka_topic: kafkaTopic },
  });
  if (!result.isError) return { status: (result.structuredContent as { status: string }).status };
  const error = result._meta?.['idp-mcp/error'] as
    | { code: string; details?: { violations?: Array<{ rule: string }> } }
    | undefined;
  return {
    code: error?.code ?? textOf(result),
    rules: (error?.details?.violations ?? []).map((violation) => violation.rule),
  };
}

describe.each(Object.keys(bins))('%s --sandbox', (name) => {
  it('refuses a one-partition topic with KAFKA-001', async () => {
    expect(await verdictOf(clients[name]!, { name: 'orders.events.v1', partitions: 1 })).toEqual({
      code: 'policy_denied',
      rules: ['KAFKA-001'],
    });
  });

  it('plans a good one', async () => {
    expect(await verdictOf(clients[name]!, { name: 'orders.events.v1' })).toEqual({ status: 'planned' });
  });
});

it('both give the same verdicts on the same calls', async () => {
  for (const topic of [{ name: 'orders.audit.v1', partitions: 1 }, { name: 'orders.audit.v1' }]) {
    const [platform, cli] = await Promise.all(Object.values(clients).map((client) => verdictOf(client, topic)));
    expect(cli).toEqual(platform);
  }
});
