/**
 * Runs OPA's compliance cases (vendored in shared/vendor/opa-compliance) against the evaluator.
 * Used by scripts/compliance.ts (report, rewrite expectations) and test/compliance.test.ts (regression gate).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readVendoredBundle } from '@idp-mcp/vendor';
import { compile, RegoCompileError, RegoEvalError } from '../src/index.ts';
import { compare, keyOf, parseJSON, RObject, RSet, stringify, type Value } from '../src/values.ts';

export type Suite = 'v0' | 'v1';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const expectedPassFile = resolve(repoRoot, 'shared/rego/compliance/expected-pass.json');

/** Builtins this evaluator does not provide (crypto keys, JWT, network, schemas, GraphQL, Rego introspection). */
const OUT_OF_SCOPE = /\b(http\.send|net\.lookup_ip_addr|graphql\.|rego\.parse_module|test\.sleep)/;

export interface ComplianceCase {
  suite: Suite;
  folder: string;
  note: string;
  outOfScope: boolean;
  raw: RObject;
}

export interface CaseResult {
  passed: boolean;
  detail?: string;
}

export function loadCases(suites: Suite[] = ['v1', 'v0']): ComplianceCase[] {
  const out: ComplianceCase[] = [];
  for (const suite of suites) {
    const seen = new Map<string, number>();
    for (const [file, text] of readVendoredBundle(`opa-compliance/${suite}.json`)) {
      const folder = file.slice(0, file.indexOf('/'));
      const doc = parseJSON(text) as RObject;
      for (const c of doc.get('cases') as Value[]) {
        const raw = c as RObject;
        const source = [...((raw.get('modules') as Value[] | undefined) ?? []), raw.get('query') ?? ''].join('\n');
        // a few notes repeat: number the repeats so each case has its own id
        const base = raw.get('note') as string;
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        const note = n === 1 ? base : `${base} #${n}`;
        out.push({ suite, folder, note, outOfScope: OUT_OF_SCOPE.test(String(source)), raw });
      }
    }
  }
  return out;
}

/**
 * Canonical form of a result for comparison: sets become sorted arrays, as at the JSON boundary. Integers beyond
 * 2^53 compare as doubles, since the expected results were written through JSON doubles.
 */
function normalize(v: Value, sortArrays: boolean): Value {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof RSet)
    return v
      .sorted()
      .map((x) => normalize(x, sortArrays))
      .sort(compare);
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x, sortArrays));
    return sortArrays ? items.sort(compare) : items;
  }
  if (v instanceof RObject) {
    const o = new RObject();
    for (const [k, x] of v.entries()) o.set(typeof k === 'string' ? k : stringify(k), normalize(x, sortArrays));
    return o;
  }
  return v;
}

function rowsKey(rows: Value[], sortArrays: boolean): string[] {
  return rows.map((r) => keyOf(normalize(r, sortArrays))).sort();
}

export function runCase(c: ComplianceCase): CaseResult {
  const raw = c.raw;
  const get = (k: string) => raw.get(k);
  const modules = ((get('modules') as Value[] | undefined) ?? []).map((source, i) => ({
    path: `test-${i}.rego`,
    source: source as string,
  }));
  const wantError = get('want_error') as string | undefined;
  const wantCode = get('want_error_code') as string | undefined;
  const expectError = wantError !== undefined || wantCode !== undefined;
  try {
    const policy = compile(modules, { regoVersion: c.suite });
    let input: Value | undefined = get('input');
    const inputTerm = get('input_term');
    if (typeof inputTerm === 'string') input = compile([]).evalValues(`x = ${inputTerm}`)[0]?.x;
    const env = get('env');
    const rows = policy.evalValues(get('query') as string, {
      input,
      data: get('data') ?? new RObject(),
      strictBuiltinErrors: get('strict_error') === true,
      env: env instanceof RObject ? (Object.fromEntries([...env.entries()]) as Record<string, string>) : undefined,
      now: 1_700_000_000_000_000_000n,
    });
    if (expectError)
      return {
        passed: false,
        detail: `expected error ${wantCode ?? ''} ${wantError ?? ''}, got ${rows.length} results`,
      };
    const wantRows = get('want_result') as Value[] | undefined;
    if (get('want_defined') !== undefined) {
      return { passed: rows.length > 0 === get('want_defined'), detail: `defined=${rows.length > 0}` };
    }
    if (wantRows === undefined) return { passed: true };
    const sortArrays = get('sort_bindings') === true;
    const got = rowsKey(
      rows.map((r) => {
        const o = new RObject();
        for (const [k, v] of Object.entries(r)) o.set(k, v);
        return o;
      }),
      sortArrays,
    );
    const want = rowsKey(wantRows, sortArrays);
    const same = [...new Set(got)].sort().join('\n') === [...new Set(want)].sort().join('\n');
    return same ? { passed: true } : { passed: false, detail: `got ${preview(rows)}` };
  } catch (e) {
    if (e instanceof RegoEvalError || e instanceof RegoCompileError) {
      if (!expectError) return { passed: false, detail: e.message };
      const codeOk = wantCode === undefined || (e instanceof RegoEvalError && e.code === wantCode);
      const msgOk = wantError === undefined || e.message.includes(wantError);
      return codeOk && msgOk ? { passed: true } : { passed: false, detail: `wrong error: ${e.message}` };
    }
    return { passed: false, detail: `crash: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}` };
  }
}

function preview(rows: unknown): string {
  const s = JSON.stringify(rows, (_k, v) =>
    typeof v === 'bigint'
      ? v.toString()
      : v instanceof RObject
        ? Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), x]))
        : v instanceof RSet
          ? { set: [...v.values()] }
          : v,
  );
  return s.length > 300 ? `${s.slice(0, 300)}...` : s;
}

export function readExpectedPass(): Record<Suite, string[]> {
  return JSON.parse(readFileSync(expectedPassFile, 'utf8')) as Record<Suite, string[]>;
}
