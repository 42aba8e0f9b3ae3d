import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.ts';
import { loadCases, readExpectedPass, runCase, type Suite } from './compliance.ts';

// Regression gate: every case listed in compliance/expected-pass.json must keep passing.
// Regenerate the list with: sh scripts/with-node.sh node shared/rego/scripts/compliance.ts --write
describe('OPA compliance suite', () => {
  const expected = readExpectedPass();
  for (const suite of ['v1', 'v0'] as Suite[]) {
    it(`${suite}: every expected case passes`, () => {
      const want = new Set(expected[suite]);
      const failures: string[] = [];
      let seen = 0;
      for (const c of loadCases([suite])) {
        if (!want.has(c.note)) continue;
        seen++;
        const r = runCase(c);
        if (!r.passed) failures.push(`${c.note}: ${r.detail}`);
      }
      expect(failures).toEqual([]);
      expect(seen).toBe(want.size);
    });
  }
});

// Cases the compliance suite lacks. OPA's compiler moves references, calls and comprehensions out of a call's
// arguments (and a reference's indices) before the expression, a negated one included (rewriteDynamicTerms,
// expression expansion; open-policy-agent/opa#5793, #4743, #7558): an undefined argument makes `not f(...)`
// undefined, while `not ref` and `not ref = value` stay true for an undefined ref.
describe('negation over calls with undefined arguments, as OPA', () => {
  const policy = compile([
    {
      path: 'negation.rego',
      source: `package negation

is_one(x) if x == 1
obj := {}

call_arg if not is_one(input.missing)
builtin_arg if not startswith(input.missing, "x")
comparison if not input.missing == "a"
membership if not "a" in input.missing
nested_call if not count(input.missing) > 0
ref_index if not obj[input.missing]
call_head if not is_one(input.missing).field
bare_ref if not input.missing
unification if not input.missing = "a"
defined_arg if not is_one(input.two)
wildcard if not is_one(input.list[_])
`,
    },
  ]);
  const input = { two: 2, list: [1] };
  it.each([
    ['call_arg', undefined],
    ['builtin_arg', undefined],
    ['comparison', undefined],
    ['membership', undefined],
    ['nested_call', undefined],
    ['ref_index', undefined],
    ['call_head', undefined],
    ['bare_ref', true],
    ['unification', true],
    ['defined_arg', true],
    ['wildcard', undefined],
  ])('%s is %s', (rule, want) => {
    expect(policy.evalRule(`data.negation.${rule}`, { input })).toBe(want);
  });
});
