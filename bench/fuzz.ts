import type { ServerModule } from '@idp-mcp/core';
import { platformModule } from '@idp-mcp/platform';
import { INTEGRATION_LOADERS } from '@idp-mcp/platform/registry';
import { describeFinding, type FuzzReport, fuzzCalls, fuzzTools } from '@idp-mcp/testing/fuzz';
import { connectClient } from '@idp-mcp/testing/mcp';

/**
 * The full argument fuzz (issue 16): what servers/platform/test/fuzz.test.ts does in CI with 150 calls per server,
 * with 1,000 (`IDP_MCP_FUZZ_CALLS`, `IDP_MCP_FUZZ_SEED`): every tool of every server in --sandbox as
 * platform-admin, arguments generated from its input schema, counted by outcome. `node bench/fuzz.ts` runs this
 * alone and prints its RESULTS.md section; it exits 1 on any finding (an `internal` result, a protocol error, a
 * call that never answered, a server that stopped answering).
 */
export interface FuzzResult extends FuzzReport {
  server: string;
}

export async function measureFuzz(calls = fuzzCalls(process.env, 1000)): Promise<FuzzResult[]> {
  const seed = process.env.IDP_MCP_FUZZ_SEED ?? 'idp-mcp';
  const servers: Array<[string, () => Promise<ServerModule>]> = [
    ['platform', async () => platformModule],
    ...Object.entries(INTEGRATION_LOADERS),
  ];
  const results: FuzzResult[] = [];
  for (const [server, load] of servers) {
    const mcp = await connectClient(await load(), {
      args: ['--sandbox', '--role', 'platform-admin'],
      env: server === 'platform' ? { IDP_MCP_STATE: ':memory:', PLATFORM_RATE_LIMIT: '1000000' } : {},
    });
    try {
      results.push({ server, ...(await fuzzTools(mcp.client, { seed: `${seed}:${server}`, calls })) });
    } finally {
      await mcp.close();
    }
  }
  return results;
}

export function fuzzSection(results: FuzzResult[]): string {
  const count = (result: FuzzResult, code: string) => result.outcomes[code] ?? 0;
  const others = (result: FuzzResult) =>
    Object.entries(result.outcomes)
      .filter(([code]) => !['ok', 'invalid_request', 'not_found', 'internal'].includes(code))
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || '-';
  const problems = (result: FuzzResult, problem: string) =>
    result.findings.filter((finding) => finding.problem === problem).length;
  const rows = results.map((r) =>
    [
      r.server,
      r.tools,
      r.calls,
      count(r, 'ok'),
      count(r, 'invalid_request'),
      count(r, 'not_found'),
      others(r),
      count(r, 'internal'),
      problems(r, 'crash') + problems(r, 'hang') + problems(r, 'protocol'),
      Math.round(r.ms / 100) / 10,
    ].join(' | '),
  );
  const findings = results.flatMap((r) => r.findings.map((finding) => `- ${r.server}: ${describeFinding(finding)}`));
  return `## Argument fuzz

Every tool of every server in \`--sandbox\` as platform-admin, through a real MCP client over Streamable HTTP, with
arguments generated from its own input schema (40% valid, 20% at the boundaries, 40% invalid at the top level or
in a nested object: wrong types, missing required, huge strings, hostile unicode, prototype keys, out-of-range
numbers, deep nesting), the server checked to answer after every call (\`node bench/fuzz.ts\`; \`IDP_MCP_FUZZ_CALLS\`,
\`IDP_MCP_FUZZ_SEED\` \`idp-mcp\`; CI runs 150 calls per server in servers/platform/test/fuzz.test.ts).

| server | tools | calls | ok | invalid_request | not_found | other refusals | internal | crashes, hangs, protocol errors | seconds |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.map((row) => `| ${row} |`).join('\n')}
${findings.length ? `\nFindings:\n\n${findings.join('\n')}\n` : ''}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await measureFuzz();
  process.stdout.write(fuzzSection(results));
  process.exitCode = results.some((result) => result.findings.length > 0) ? 1 : 0;
}
