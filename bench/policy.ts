/**
 * Policy gate benchmark: compile time of the shipped policies (policies/ without the tests, as a gate
 * loads them) and evaluations per second / latency percentiles of gate.check('kubernetes', [Deployment]).
 *   sh scripts/with-node.sh node bench/policy.ts
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createPolicyGate, parseConfig } from '../shared/policy/src/index.ts';

const [deployment] = (
  await parseConfig(readFileSync(new URL('../servers/policy/test/fixtures/deployment.yaml', import.meta.url), 'utf8'))
).documents;
const bad = structuredClone(deployment) as {
  spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
};
bad.spec.template.spec.containers[0]!.image = 'nginx:latest';
delete bad.spec.template.spec.containers[0]!.securityContext;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

const compileTimes: number[] = [];
let gate = createPolicyGate();
for (let i = 0; i < 20; i++) {
  const started = performance.now();
  gate = createPolicyGate();
  compileTimes.push(performance.now() - started);
}
compileTimes.sort((a, b) => a - b);

async function measure(label: string, documents: unknown[], on = gate) {
  gate = on;
  for (let i = 0; i < 300; i++) await gate.check('kubernetes', documents);
  const times: number[] = [];
  const until = performance.now() + 3000;
  while (performance.now() < until) {
    const started = performance.now();
    await gate.check('kubernetes', documents);
    times.push(performance.now() - started);
  }
  const total = times.reduce((sum, t) => sum + t, 0);
  times.sort((a, b) => a - b);
  const verdict = await gate.check('kubernetes', documents);
  console.log(
    `${label.padEnd(34)} ${String(Math.round((times.length / total) * 1000)).padStart(6)} checks/s   p50 ${fmt(percentile(times, 50))}   p99 ${fmt(percentile(times, 99))}   (${verdict.violations.length} findings)`,
  );
}

console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`);
console.log(
  `compile policies/ (${gate.bundle.modules.filter((m) => !m.path.endsWith('_test.rego')).length} modules, tests excluded): median ${fmt(percentile(compileTimes, 50))}, min ${fmt(compileTimes[0]!)}, max ${fmt(compileTimes.at(-1)!)}`,
);
await measure('compliant Deployment', [deployment]);
await measure('non-compliant Deployment', [bad]);
await measure(
  '10 Deployments in one check',
  Array.from({ length: 10 }, () => deployment),
);

// The shipped policies plus a directory of gatekeeper-library-style templates (five templates, seven constraints,
// one referential): the latency per Deployment the issue asks to stay under 1 ms at p99.
const withGatekeeper = createPolicyGate({
  policyDirs: [new URL('../servers/policy/test/fixtures/gatekeeper-library', import.meta.url).pathname],
});
await measure('Deployment + Gatekeeper library', [deployment], withGatekeeper);
await measure('non-compliant + Gatekeeper library', [bad], withGatekeeper);
