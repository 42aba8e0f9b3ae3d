import { parseFlags, type StartedServer, silentLogger, startServer } from '@idp-mcp/core';
import { githubModule } from '@idp-mcp/github';
import { platformModule } from '@idp-mcp/platform';
import { connectClient, shippedPolicyGate } from '@idp-mcp/testing/mcp';
import type { Client } from '@modelcontextprotocol/client';

/**
 * What the aggregator adds to a call: the same read (get_repository against the in-process GitHub
 * sandbox) made directly on the GitHub server, through the platform by its namespaced name, through
 * call_tool, and through the platform mounting the GitHub server as a remote over Streamable HTTP.
 * Every client talks Streamable HTTP on loopback; p50/p99 over many sequential calls after a warm-up.
 */
export interface Latency {
  path: string;
  calls: number;
  p50Ms: number;
  p99Ms: number;
}

async function time(client: Client, name: string, args: Record<string, unknown>, calls: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) await client.callTool({ name, arguments: args });
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    const result = await client.callTool({ name, arguments: args });
    samples.push(performance.now() - started);
    if (result.isError) throw new Error(`${name} failed during the benchmark: ${JSON.stringify(result.content)}`);
  }
  return samples.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 100) / 100;

export async function measureLatency(calls = 300): Promise<Latency[]> {
  const repo = { owner: 'acme', repo: 'payments-api' };
  const results: Latency[] = [];
  const record = (path: string, samples: number[]) =>
    results.push({ path, calls, p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) });
  // The platform's own rate limit would throttle a benchmark: lift it.
  const env = { PLATFORM_RATE_LIMIT: '1000000' };

  const github = await connectClient(githubModule, { args: ['--sandbox'] });
  record('github server, direct', await time(github.client, 'get_repository', repo, calls));
  await github.close();

  const platform = await connectClient(platformModule, { args: ['--sandbox', '--toolsets', 'core,github'], env });
  record(
    'platform, github_get_repository (in-process)',
    await time(platform.client, 'github_get_repository', repo, calls),
  );
  record(
    'platform, call_tool -> github_get_repository',
    await time(platform.client, 'call_tool', { name: 'github_get_repository', arguments: repo }, calls),
  );
  await platform.close();

  const remote: StartedServer = await startServer(
    githubModule,
    parseFlags(['--sandbox', '--transport', 'http', '--port', '0']),
    {},
    shippedPolicyGate,
    silentLogger,
  );
  const mounted = await connectClient(platformModule, {
    args: ['--sandbox', '--toolsets', 'core,remote'],
    env: { ...env, PLATFORM_REMOTE_SERVERS: JSON.stringify([{ name: 'ghremote', url: remote.url }]) },
  });
  record(
    'platform, ghremote_get_repository (remote over HTTP)',
    await time(mounted.client, 'ghremote_get_repository', repo, calls),
  );
  await mounted.close();
  await remote.close();
  return results;
}
