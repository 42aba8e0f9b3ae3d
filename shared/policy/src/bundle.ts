import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Policy, RegoModule } from '@idp-mcp/rego';

/** The policies shipped with the repository (policies/ at its root). */
export const BUILTIN_POLICY_DIR = new URL('../../../policies', import.meta.url).pathname;

/** Every .rego file under a directory (recursively), with its path relative to the directory. */
export function readRegoDir(dir: string): RegoModule[] {
  const out: RegoModule[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.rego')) out.push({ path: relative(dir, path), source: readFileSync(path, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

export function packageOf(source: string): string | undefined {
  return /^package\s+([\w.]+)/m.exec(source)?.[1];
}

export interface TestResult {
  name: string;
  package: string;
  file: string;
  passed: boolean;
  /** Why it failed: undefined/false result or an evaluation error. */
  error?: string;
  ms: number;
}

/** The `test_` rules of the *_test.rego modules, in source order. */
export function discoverTests(modules: RegoModule[]): Array<{ package: string; name: string; file: string }> {
  const tests: Array<{ package: string; name: string; file: string }> = [];
  for (const module of modules) {
    if (!module.path.endsWith('_test.rego')) continue;
    const pkg = packageOf(module.source);
    if (!pkg) continue;
    const seen = new Set<string>();
    for (const match of module.source.matchAll(/^(test_\w+)\s+if\b/gm)) {
      const name = match[1]!;
      if (seen.has(name)) continue;
      seen.add(name);
      tests.push({ package: pkg, name, file: module.path });
    }
  }
  return tests;
}

/** Runs OPA-style tests: each `test_` rule must evaluate to true. */
export function runTests(
  policy: Policy,
  modules: RegoModule[],
  options: { filter?: RegExp; data?: unknown } = {},
): TestResult[] {
  return discoverTests(modules)
    .filter((test) => !options.filter || options.filter.test(`${test.package}.${test.name}`))
    .map((test) => {
      const started = performance.now();
      let passed = false;
      let error: string | undefined;
      try {
        const value = policy.evalRule(
          `data.${test.package}.${test.name}`,
          options.data !== undefined ? { data: options.data } : {},
        );
        passed = value === true;
        if (!passed)
          error = value === undefined ? 'undefined (a condition failed)' : `evaluated to ${JSON.stringify(value)}`;
      } catch (caught) {
        error = (caught as Error).message;
      }
      const result: TestResult = { ...test, passed, ms: Math.round((performance.now() - started) * 100) / 100 };
      if (error !== undefined) result.error = error;
      return result;
    });
}
