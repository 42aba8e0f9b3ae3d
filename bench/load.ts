import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { connectWithToken, startKeycloakIssuer } from '@idp-mcp/testing/oidc';
import type { Client } from '@modelcontextprotocol/client';

/**
 * The platform under load (issue 16): `idp-mcp platform --sandbox` over Streamable HTTP in its own process,
 * with the default HTTP limits, and N concurrent clients, each its own realm user (token subject), calling
 * reads back to back for a bounded time while /healthz is probed every 50 ms. The platform's per-minute rate
 * limit is lifted (it would turn the load into rate_limited answers). Reports calls, tool and transport errors,
 * /healthz latency and the server's resident memory. `LOAD_SECONDS` / `LOAD_CLIENTS` set the run;
 * `node bench/load.ts` runs this alone and prints its RESULTS.md section.
 */
const cli = fileURLToPath(new URL('../servers/cli/src/main.ts', import.meta.url));

export interface LoadResult {
  clients: number;
  seconds: number;
  calls: number;
  callsPerSecond: number;
  toolErrors: number;
  transportErrors: number;
  firstTransportErrors: string[];
  healthzProbes: number;
  healthzP50Ms: number;
  healthzP99Ms: number;
  healthzMaxMs: number;
  rssStartMb: number;
  rssMaxMb: number;
  rssEndMb: number;
}

const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const samples = [];
  const errors = [];
  const deadline = performance.now() + workerData.ms;
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const response = await fetch(workerData.url, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      if (response.status !== 200) errors.push('/healthz answered ' + response.status);
    } catch (error) {
      errors.push('/healthz: ' + error.message + (error.cause ? ' (' + (error.cause.code ?? error.cause.message) + ')' : ''));
    }
    samples.push(performance.now() - started);
    await new Promise((wake) => setTimeout(wake, 50));
  }
  parentPort.postMessage({ samples, errors });
})();
`;

const percentile = (sorted: number[], p: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;

function describe(error: unknown): string {
  const { message, cause } = error as Error & { cause?: { code?: string; message?: string } };
  return cause ? `${message} (${cause.code ?? cause.message})` : message;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function startPlatform(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [cli, 'platform', '--sandbox', '--transport', 'http', '--port', '0', '--toolsets', 'core,github'],
    { env: { ...process.env, IDP_MCP_LOG_LEVEL: 'error', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`the platform did not start in 60 s:\n${stderr}`)), 60_000);
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
      const match = /Streamable HTTP: (\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the platform exited (${code}) before serving:\n${stderr}`)));
  });
  return { child, url };
}

export async function measureLoad(options: { clients?: number; seconds?: number } = {}): Promise<LoadResult> {
  const clients = options.clients ?? Number(process.env.LOAD_CLIENTS ?? 100);
  const seconds = options.seconds ?? Number(process.env.LOAD_SECONDS ?? 10);
  const issuer = await startKeycloakIssuer();
  const state = mkdtempSync(join(tmpdir(), 'idp-mcp-load-'));
  const { child, url } = await startPlatform({
    IDP_MCP_OIDC_ISSUER: issuer.issuer,
    IDP_MCP_STATE: join(state, 'state.db'),
    PLATFORM_RATE_LIMIT: '1000000',
  });
  const pid = child.pid!;
  const base = new URL(url).origin;
  try {
    const connected: Client[] = await Promise.all(
      Array.from({ length: clients }, async (_, index) =>
        connectWithToken(url, await issuer.sign(issuer.claimsFor('dev-developer', { sub: `load-client-${index}` }))),
      ),
    );
    const rssStartMb = rssMb(pid);
    let rssMaxMb = rssStartMb;
    let calls = 0;
    let toolErrors = 0;
    const transportErrors: string[] = [];
    const healthz: number[] = [];
    const deadline = performance.now() + seconds * 1000;
    const running = () => performance.now() < deadline;

    const memory = setInterval(() => {
      rssMaxMb = Math.max(rssMaxMb, rssMb(pid));
    }, 250);
    // The probe runs on a thread of its own, so the clients' work in this process does not delay it.
    const probe = new Worker(PROBE, { eval: true, workerData: { url: `${base}/healthz`, ms: seconds * 1000 } });
    const probed = new Promise<{ samples: number[]; errors: string[] }>((resolve, reject) => {
      probe.once('message', resolve);
      probe.once('error', reject);
    });
    const repo = { owner: 'acme', repo: 'payments-api' };
    await Promise.all(
      connected.map(async (client, index) => {
        for (let call = index; running(); call++) {
          try {
            if (call % 4 === 0) {
              await client.listTools();
            } else {
              const result = await client.callTool({ name: 'github_get_repository', arguments: repo });
              if (result.isError) toolErrors++;
            }
            calls++;
          } catch (error) {
            transportErrors.push(describe(error));
          }
        }
      }),
    );
    const { samples, errors } = await probed;
    healthz.push(...samples);
    transportErrors.push(...errors);
    clearInterval(memory);
    const rssEndMb = rssMb(pid);
    await Promise.all(connected.map((client) => client.close()));
    healthz.sort((a, b) => a - b);
    return {
      clients,
      seconds,
      calls,
      callsPerSecond: Math.round(calls / seconds),
      toolErrors,
      transportErrors: transportErrors.length,
      firstTransportErrors: [...new Set(transportErrors)].slice(0, 3),
      healthzProbes: healthz.length,
      healthzP50Ms: percentile(healthz, 0.5),
      healthzP99Ms: percentile(healthz, 0.99),
      healthzMaxMs: percentile(healthz, 1),
      rssStartMb,
      rssMaxMb,
      rssEndMb,
    };
  } finally {
    child.kill('SIGTERM');
    await issuer.close();
    rmSync(state, { recursive: true, force: true });
  }
}

/** The RESULTS.md section, shared by bench/run.ts and a run of this script alone. */
export function loadSection(result: LoadResult): string {
  const errors = result.firstTransportErrors.length
    ? `\n\nFirst transport errors: ${result.firstTransportErrors.map((error) => `\`${error}\``).join(', ')}`
    : '';
  return `## The platform under load

\`idp-mcp platform --sandbox --transport http\` in its own process with the default HTTP limits; ${result.clients}
concurrent clients, each a realm user of its own, calling tools/list and github_get_repository back to back for
${result.seconds} s (bench/load.ts; \`LOAD_SECONDS\`, \`LOAD_CLIENTS\`; the per-minute rate limit lifted);
/healthz probed every 50 ms throughout; resident memory of the server process.

| clients | seconds | calls | calls/s | tool errors | transport errors | /healthz probes | /healthz p50 ms | /healthz p99 ms | /healthz max ms | RSS start MB | RSS max MB | RSS end MB |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| ${result.clients} | ${result.seconds} | ${result.calls} | ${result.callsPerSecond} | ${result.toolErrors} | ${result.transportErrors} | ${result.healthzProbes} | ${result.healthzP50Ms} | ${result.healthzP99Ms} | ${result.healthzMaxMs} | ${result.rssStartMb} | ${result.rssMaxMb} | ${result.rssEndMb} |${errors}
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(loadSection(await measureLoad()));
}
