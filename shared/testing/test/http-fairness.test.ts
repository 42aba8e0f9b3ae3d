import {
  defineTool,
  type PolicyGate,
  parseFlags,
  READ,
  type ServerModule,
  silentLogger,
  startServer,
} from '@idp-mcp/core';
import { expect, it } from 'vitest';
import * as z from 'zod';
import { connectWithToken, startKeycloakIssuer } from '../src/oidc/index.ts';

/**
 * Issue 16, "one client starves the rest": with an identity provider, the in-flight limit is per token
 * subject, so one caller at its limit is refused while another caller is still served.
 */
it('limits requests in flight per token subject: a busy caller does not starve another', async () => {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const holding: string[] = [];
  const module: ServerModule = {
    name: 'hold',
    title: 'Hold',
    description: 'Holds calls open.',
    toolsets: { hold: 'hold' },
    env: {},
    async start() {
      return {
        upstream: { mode: 'sandbox', url: 'http://hold.invalid' },
        close: async () => {},
        tools: [
          defineTool({
            name: 'hold',
            title: 'Hold',
            description: 'Waits until the test releases it.',
            toolset: 'hold',
            tier: 'read',
            annotations: READ,
            input: z.object({}),
            output: z.object({ caller: z.string() }),
            handler: async (_args, ctx) => {
              holding.push(ctx.caller.id);
              await released;
              return { caller: ctx.caller.id };
            },
          }),
        ],
      };
    },
  };
  const allowAll: PolicyGate = { check: async () => ({ allowed: true, violations: [], gate: 'none (test)' }) };
  const issuer = await startKeycloakIssuer();
  const server = await startServer(
    module,
    parseFlags(['--transport', 'http', '--port', '0', '--max-inflight-per-caller', '2']),
    { IDP_MCP_OIDC_ISSUER: issuer.issuer },
    allowAll,
    silentLogger,
  );
  try {
    const tokenOf = (sub: string) => issuer.sign(issuer.claimsFor('dev-developer', { sub }));
    const alice = await Promise.all([1, 2, 3].map(async () => connectWithToken(server.url!, await tokenOf('alice'))));
    const bob = await connectWithToken(server.url!, await tokenOf('bob'));
    const aliceCalls = alice.slice(0, 2).map((client) => client.callTool({ name: 'hold', arguments: {} }));
    await expect.poll(() => holding.length, { timeout: 3000 }).toBe(2);
    await expect(alice[2]!.callTool({ name: 'hold', arguments: {} })).rejects.toMatchObject({ status: 429 });
    const bobCall = bob.callTool({ name: 'hold', arguments: {} });
    await expect.poll(() => holding.length, { timeout: 3000 }).toBe(3);
    expect(holding).toEqual(['alice', 'alice', 'bob']);
    release();
    expect((await bobCall).structuredContent).toEqual({ caller: 'bob' });
    for (const call of aliceCalls) expect((await call).structuredContent).toEqual({ caller: 'alice' });
    await Promise.all([...alice, bob].map((client) => client.close()));
  } finally {
    release();
    await server.close();
    await issuer.close();
  }
});
