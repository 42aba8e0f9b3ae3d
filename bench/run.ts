import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { measureA2aLatency } from './a2a.ts';
import { measureColdStart } from './cold-start.ts';
import { fuzzSection, measureFuzz } from './fuzz.ts';
import { measureLatency } from './latency.ts';
import { loadSection, measureLoad } from './load.ts';
import { measureTokenCost } from './token.ts';
import { measureToolsList } from './tools-list.ts';

/** Runs the server benchmarks and writes bench/RESULTS.md (committed, quoted in notes). */
const toolsList = await measureToolsList();
const coldStart = await measureColdStart();
const latency = await measureLatency();
const tokenCost = await measureTokenCost();
const load = await measureLoad();
const a2a = await measureA2aLatency();
const fuzz = await measureFuzz();

const table = (headers: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

const report = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version},
${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}.

## tools/list size per server

Tokens of the whole tools/list JSON a client receives, and of the part clients usually give the model
(name, description, input schema), counted with gpt-tokenizer (o200k_base): relative sizes, since
Claude's own tokenizer is not published.

${table(
  ['server', 'profile', 'tools', 'characters', 'tokens (all)', 'tokens (model-facing)'],
  toolsList.map((size) => [size.server, size.profile, size.tools, size.characters, size.tokens, size.modelTokens]),
)}

## Cold start to first tools/list over stdio

Spawn \`idp-mcp <server> --sandbox\`, initialize (2025-11-25), tools/list; wall clock.

${table(
  ['server', 'runs', 'median ms', 'min ms', 'max ms'],
  coldStart.map((result) => [result.server, result.runs, result.medianMs, result.minMs, result.maxMs]),
)}

## Latency the platform adds per call

The same read (get_repository on the in-process sandbox) by four paths; each client talks Streamable
HTTP on loopback; sequential calls after 20 warm-up calls.

${table(
  ['path', 'calls', 'p50 ms', 'p99 ms'],
  latency.map((result) => [result.path, result.calls, result.p50Ms, result.p99Ms]),
)}

## What identity costs a request

Access-token validation with the realm's keys cached (signature, claims, roles; bench/token.ts against the
Keycloak-shaped test issuer), and the same read over Streamable HTTP on two servers, one serving the local
role and one requiring a realm token, calls alternating between them after 20 warm-up calls.

${table(
  ['what', 'runs', 'p50 ms', 'p99 ms'],
  tokenCost.map((result) => [result.what, result.runs, result.p50Ms, result.p99Ms]),
)}

${loadSection(load)}

## What the A2A supervisor adds per task step

The same self-service task (plan a Kafka topic, then apply the plan) on the platform over MCP (Streamable HTTP),
and through the A2A supervisor over JSON-RPC (a send that plans, a send that approves and applies: task store
writes included); loopback, sandbox, local role, after 5 warm-up tasks (bench/a2a.ts).

${table(
  ['step', 'path', 'tasks', 'p50 ms', 'p99 ms'],
  a2a.map((result) => [result.step, result.path, result.tasks, result.p50Ms, result.p99Ms]),
)}

${fuzzSection(fuzz)}`;

writeFileSync(new URL('./RESULTS.md', import.meta.url), report);
process.stdout.write(report);
