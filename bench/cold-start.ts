import { fileURLToPath } from 'node:url';
import { loadServers } from '@idp-mcp/cli';
import { connectStdio } from '@idp-mcp/testing/mcp';

/**
 * Cold start to first tools/list over stdio, the way a desktop client starts a server: spawn the
 * process with --sandbox, initialize, list tools. Wall-clock milliseconds, several runs.
 */
const cli = fileURLToPath(new URL('../servers/cli/src/main.ts', import.meta.url));

export interface ColdStart {
  server: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export async function measureColdStart(runs = 7): Promise<ColdStart[]> {
  const results: ColdStart[] = [];
  for (const module of await loadServers()) {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const client = await connectStdio(cli, [module.name, '--sandbox']);
      await client.listTools();
      times.push(performance.now() - started);
      await client.close();
    }
    times.sort((a, b) => a - b);
    results.push({
      server: module.name,
      runs,
      medianMs: Math.round(times[Math.floor(runs / 2)]!),
      minMs: Math.round(times[0]!),
      maxMs: Math.round(times.at(-1)!),
    });
  }
  return results;
}
