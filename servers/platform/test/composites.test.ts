import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

const orderApi = {
  name: 'order-api',
  team: 'payments',
  description: 'Takes and tracks customer orders',
  kafka_topic: { name: 'orders.created.v1' },
};

async function call<T>(mcp: ConnectedClient, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await mcp.client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${textOf(result)}`);
  return result.structuredContent as T;
}

describe("the platform's own calls on a caller's behalf", () => {
  let mcp: ConnectedClient;

  // Three calls a minute: planning create_service alone reads the template and the repository far more often.
  beforeAll(async () => {
    mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'platform-admin'],
      env: { IDP_MCP_STATE: ':memory:', PLATFORM_RATE_LIMIT: '3' },
    });
  });
  afterAll(() => mcp.close());

  it("spend none of the caller's rate limit: create_service and apply_plan count once each", async () => {
    const plan = await call<{ plan_id: string; status: string }>(mcp, 'create_service', orderApi);
    expect(plan.status).toBe('planned');
    const run = await call<{ status: string; done: string[] }>(mcp, 'apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');

    // Still audited: every write a step made, under the caller's name.
    const { entries } = await call<{ entries: Array<{ tool: string; caller: string; result: string }> }>(
      mcp,
      'query_audit',
      { limit: 50 },
    );
    expect(entries.map((entry) => `${entry.caller} ${entry.tool} ${entry.result}`)).toEqual(
      expect.arrayContaining([
        'local apply_plan ok',
        'local github_create_repository ok',
        'local github_create_pull_request ok',
        'local kafka_create_kafka_topic ok',
      ]),
    );

    // The caller's own fourth call of the minute is the one refused.
    const fourth = await mcp.client.callTool({ name: 'platform_status', arguments: {} });
    expect(fourth.isError).toBe(true);
    expect(textOf(fourth)).toContain('rate_limited: local made more than 3 calls a minute');
  });
});

describe("the platform's own calls keep the caller's tier", () => {
  let mcp: ConnectedClient;

  beforeAll(async () => {
    mcp = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'developer'],
      env: { IDP_MCP_STATE: ':memory:' },
    });
  });
  afterAll(() => mcp.close());

  it('a developer cannot onboard a team: the namespace it needs is an admin-tier tool', async () => {
    const result = await mcp.client.callTool({ name: 'onboard_team', arguments: { team: 'checkout' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('forbidden: kubernetes_onboard_team needs the admin tier; your roles grant write');
  });
});
