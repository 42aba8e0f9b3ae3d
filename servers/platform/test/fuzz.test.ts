import type { ServerModule } from '@idp-mcp/core';
import { describeFinding, fuzzCalls, fuzzTools } from '@idp-mcp/testing/fuzz';
import { connectClient } from '@idp-mcp/testing/mcp';
import { describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';
import { INTEGRATION_LOADERS } from '../src/registry.ts';

/**
 * The standing argument fuzz: every tool of every server, in --sandbox as platform-admin (write and admin tools
 * run too), called through a real MCP client with arguments generated from its own input schema: valid, at the
 * boundaries, invalid. No call may end in `internal`, a protocol error or no answer, and the server must answer
 * after every call. CI sends 150 calls per server; IDP_MCP_FUZZ_CALLS=1000 (bench/fuzz.ts) the full run;
 * IDP_MCP_FUZZ_SEED another deterministic sequence.
 */
const calls = fuzzCalls();
const seed = process.env.IDP_MCP_FUZZ_SEED ?? 'idp-mcp';

/** The platform's own environment: state in memory, the per-caller rate limit out of the fuzz's way. */
export const FUZZ_ENV: Record<string, Record<string, string>> = {
  platform: { IDP_MCP_STATE: ':memory:', PLATFORM_RATE_LIMIT: '1000000' },
};

const servers: Array<[string, () => Promise<ServerModule>]> = [
  ['platform', async () => platformModule],
  ...Object.entries(INTEGRATION_LOADERS),
];

describe.each(servers)('%s', (name, load) => {
  it(`${calls} generated calls: no internal error, no crash`, { timeout: 60_000 + calls * 400 }, async () => {
    const mcp = await connectClient(await load(), {
      args: ['--sandbox', '--role', 'platform-admin'],
      env: FUZZ_ENV[name] ?? {},
    });
    try {
      const report = await fuzzTools(mcp.client, { seed: `${seed}:${name}`, calls });
      expect(report.findings.map(describeFinding)).toEqual([]);
      expect(report.tools).toBeGreaterThan(0);
      // The fuzz reaches past validation: some calls succeed, some are refused as invalid.
      expect(report.outcomes.ok ?? 0).toBeGreaterThan(0);
      expect(report.outcomes.invalid_request ?? 0).toBeGreaterThan(0);
    } finally {
      await mcp.close();
    }
  });
});
