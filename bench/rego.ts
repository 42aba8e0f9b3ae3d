/**
 * Rego evaluator benchmark: compile time of the Kubernetes policy set in bench/fixtures/rego-kubernetes and
 * evaluations per second / latency percentiles of a typical Deployment against it.
 *   sh scripts/with-node.sh node bench/rego.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../shared/rego/src/index.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/rego-kubernetes');
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.rego'))
  .sort()
  .map((f) => ({ path: f, source: readFileSync(join(dir, f), 'utf8') }));
const input = JSON.parse(readFileSync(join(dir, 'deployment.json'), 'utf8')) as unknown;
const data = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) as unknown;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const compileTimes: number[] = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  compile(modules);
  compileTimes.push(performance.now() - t);
}
compileTimes.sort((a, b) => a - b);

const policy = compile(modules);
const rules = policy.annotations().filter((a) => a.fields.custom !== undefined).length;
const evaluate = () => policy.evalRule('data.kubernetes.violations', { input, data });
const violations = (evaluate() as unknown[]).length;

for (let i = 0; i < 2000; i++) evaluate();
const latencies: number[] = [];
const started = performance.now();
const iterations = 20_000;
for (let i = 0; i < iterations; i++) {
  const t = performance.now();
  evaluate();
  latencies.push(performance.now() - t);
}
const elapsed = performance.now() - started;
latencies.sort((a, b) => a - b);

const fmt = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
console.log(`Rego evaluator benchmark — Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}`);
console.log(
  `policy set: ${modules.length} modules, ${rules} annotated rules; deployment yields ${violations} violations`,
);
console.log(`compile: median ${compileTimes[25]!.toFixed(2)} ms, p99 ${percentile(compileTimes, 99).toFixed(2)} ms`);
console.log(
  `evaluate data.kubernetes.violations: ${Math.round(iterations / (elapsed / 1000))} evals/s, ` +
    `p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}`,
);
