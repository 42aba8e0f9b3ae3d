import { describe, expect, it } from 'vitest';
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
