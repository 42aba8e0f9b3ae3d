import type { IncomingMessage } from 'node:http';
import { callerFromRoles, httpIdentity, parseFlags, silentLogger, startServer } from '@idp-mcp/core';
import { githubModule } from '@idp-mcp/github';
import { connectUrl, shippedPolicyGate } from '@idp-mcp/testing/mcp';
import { connectWithToken, startKeycloakIssuer } from '@idp-mcp/testing/oidc';
import type { Client } from '@modelcontextprotocol/client';

/**
 * What identity costs a request: the validation alone (signature against the cached JWKS, claims, roles)
 * and a whole read over Streamable HTTP with a realm token versus the local role on loopback. The
 * realm is the Keycloak-shaped test issuer; its keys are fetched once, before timing starts.
 */
export interface TokenCost {
  what: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 1000) / 1000;

async function sample(runs: number, run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 50; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

export async function measureTokenCost(runs = 2000, calls = 300): Promise<TokenCost[]> {
  const issuer = await startKeycloakIssuer();
  const results: TokenCost[] = [];
  const record = (what: string, count: number, samples: number[]) =>
    results.push({ what, runs: count, p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) });
  try {
    const env = { IDP_MCP_OIDC_ISSUER: issuer.issuer };
    const token = await issuer.sign(issuer.claimsFor('dev-developer'));
    const identity = await httpIdentity({
      host: '127.0.0.1',
      localCaller: callerFromRoles('local', ['developer']),
      allowUnauthenticated: false,
      env,
      log: silentLogger,
    });
    const request = { headers: { host: '127.0.0.1:3000', authorization: `Bearer ${token}` }, url: '/mcp' };
    record(
      'validate one token (RS256, cached JWKS)',
      runs,
      await sample(runs, () => identity.authenticate(request as IncomingMessage)),
    );

    // Both servers at once, calls alternating, so the machine's load weighs on each path alike.
    const repo = { owner: 'acme', repo: 'payments-api' };
    const flags = parseFlags(['--sandbox', '--transport', 'http', '--port', '0']);
    const local = await startServer(githubModule, flags, {}, shippedPolicyGate, silentLogger);
    const protectedServer = await startServer(githubModule, flags, env, shippedPolicyGate, silentLogger);
    const paths: Array<[string, Client]> = [
      ['github get_repository over HTTP, local role', await connectUrl(local.url!)],
      ['github get_repository over HTTP, realm token', await connectWithToken(protectedServer.url!, token)],
    ];
    const samples = paths.map((): number[] => []);
    for (let i = 0; i < calls + 20; i++) {
      for (const [index, [, client]] of paths.entries()) {
        const started = performance.now();
        const result = await client.callTool({ name: 'get_repository', arguments: repo });
        if (result.isError) throw new Error(`get_repository failed during the benchmark: ${JSON.stringify(result)}`);
        if (i >= 20) samples[index]!.push(performance.now() - started);
      }
    }
    for (const [index, [what, client]] of paths.entries()) {
      record(
        what,
        calls,
        samples[index]!.sort((a, b) => a - b),
      );
      await client.close();
    }
    await local.close();
    await protectedServer.close();
  } finally {
    await issuer.close();
  }
  return results;
}

if (import.meta.main) {
  for (const result of await measureTokenCost()) process.stdout.write(`${JSON.stringify(result)}\n`);
}
