/**
 * OPA compliance report: pass/fail per folder and totals, for v1 and v0 syntax.
 *   sh scripts/with-node.sh node shared/rego/scripts/compliance.ts [--write] [--verbose] [--suite v1|v0] [--folder name]
 * --write rewrites shared/rego/compliance/expected-pass.json with the notes of every passing case.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expectedPassFile, loadCases, runCase, type Suite } from '../test/compliance.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const suites = (option('--suite') ? [option('--suite')] : ['v1', 'v0']) as Suite[];
const folderFilter = option('--folder');

const passed: Record<Suite, string[]> = { v1: [], v0: [] };
for (const suite of suites) {
  const cases = loadCases([suite]).filter((c) => !folderFilter || c.folder === folderFilter);
  const folders = new Map<string, { pass: number; total: number; oos: number; oosPass: number }>();
  let pass = 0;
  let inScope = 0;
  let inScopePass = 0;
  const started = performance.now();
  for (const c of cases) {
    const r = runCase(c);
    const f = folders.get(c.folder) ?? { pass: 0, total: 0, oos: 0, oosPass: 0 };
    folders.set(c.folder, f);
    f.total++;
    if (c.outOfScope) f.oos++;
    else inScope++;
    if (r.passed) {
      pass++;
      f.pass++;
      passed[suite].push(c.note);
      if (c.outOfScope) f.oosPass++;
      else inScopePass++;
    } else if (flag('--verbose') && !c.outOfScope) console.log(`FAIL ${suite} ${c.note}: ${r.detail}`);
  }
  const ms = performance.now() - started;
  console.log(`\n== ${suite} ==`);
  for (const [name, f] of folders) {
    const mark = f.pass === f.total ? ' ' : f.pass - f.oosPass === f.total - f.oos ? '~' : '!';
    console.log(
      `${mark} ${name.padEnd(40)} ${String(f.pass).padStart(4)}/${String(f.total).padEnd(4)}${f.oos ? ` (out of scope: ${f.oos})` : ''}`,
    );
  }
  console.log(
    `${suite} total: ${pass}/${cases.length} passed (${((100 * pass) / cases.length).toFixed(1)}%); ` +
      `in scope: ${inScopePass}/${inScope} (${((100 * inScopePass) / Math.max(1, inScope)).toFixed(1)}%); ${ms.toFixed(0)} ms`,
  );
}

if (flag('--write')) {
  if (folderFilter || suites.length < 2) throw new Error('--write needs a full run (no --suite/--folder)');
  mkdirSync(dirname(expectedPassFile), { recursive: true });
  writeFileSync(expectedPassFile, `${JSON.stringify({ v1: passed.v1.sort(), v0: passed.v0.sort() }, null, 2)}\n`);
  console.log(`wrote ${expectedPassFile}`);
}
