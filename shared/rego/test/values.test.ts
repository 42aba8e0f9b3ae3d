import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.ts';
import { compare, equal, keyOf, parseJSON, RObject, RSet, stringify, toJSON } from '../src/values.ts';

describe('values', () => {
  it('orders types as OPA does', () => {
    const values = [new RSet([1]), new RObject(), [1], 'a', 2, true, null];
    expect([...values].sort(compare).map((v) => stringify(v))).toEqual([
      'null',
      'true',
      '2',
      '"a"',
      '[1]',
      '{}',
      '[1]',
    ]);
    expect(compare(new RObject(), new RSet())).toBeLessThan(0);
  });

  it('treats equal numbers alike whatever their representation', () => {
    expect(equal(1, 1n)).toBe(true);
    expect(keyOf(2 ** 60)).toBe(keyOf(2n ** 60n));
    expect(new RSet([1, 1.0, 1n]).size).toBe(1);
  });

  it('parses JSON keeping large integers exact', () => {
    const v = parseJSON('{"n": 123456789012345678901234567890, "f": 1.5, "a": [true, null]}') as RObject;
    expect(v.get('n')).toBe(123456789012345678901234567890n);
    expect(toJSON(v)).toEqual({ a: [true, null], f: 1.5, n: 123456789012345678901234567890n });
    expect(() => parseJSON('{"a": }')).toThrow(SyntaxError);
  });

  it('keeps arithmetic exact beyond 2^53 and converts sets to sorted arrays', () => {
    const policy = compile([
      { path: 'n.rego', source: 'package n\nbig := 9007199254740993 * 3\ns := {3, 1, 2}\nd := 7 / 2\n' },
    ]);
    expect(policy.evalRule('data.n.big')).toBe(27021597764222979n);
    expect(policy.evalRule('data.n.s')).toEqual([1, 2, 3]);
    expect(policy.evalRule('data.n.d')).toBe(3.5);
  });
});
