/** Comparison, arithmetic, bits, aggregates, sets, arrays, types and casts. */
import {
  compare,
  equal,
  isInteger,
  isNumber,
  normalizeBig,
  RObject,
  RSet,
  toBig,
  typeName,
  type Value,
} from '../values.ts';
import { arr, builtinError, collection, int, num, operandError, set, str, typeError } from './args.ts';
import type { Builtin } from './types.ts';

type Num = number | bigint;

function bothInts(a: Num, b: Num): boolean {
  return isInteger(a) && isInteger(b);
}

function intResult(small: number, big: () => bigint): Num {
  return Number.isSafeInteger(small) ? small : normalizeBig(big());
}

export function add(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number' && !bothInts(a, b)) return a + b;
  if (bothInts(a, b)) return intResult(Number(a) + Number(b), () => toBig(a) + toBig(b));
  return Number(a) + Number(b);
}

function sub(a: Num, b: Num): Num {
  if (bothInts(a, b)) return intResult(Number(a) - Number(b), () => toBig(a) - toBig(b));
  return Number(a) - Number(b);
}

function mul(a: Num, b: Num): Num {
  if (bothInts(a, b)) return intResult(Number(a) * Number(b), () => toBig(a) * toBig(b));
  return Number(a) * Number(b);
}

function divide(a: Num, b: Num): Num {
  // biome-ignore lint/suspicious/noDoubleEquals: compares number and bigint zero
  if (b == 0) builtinError('divide by zero');
  if (bothInts(a, b)) {
    const ba = toBig(a);
    const bb = toBig(b);
    if (ba % bb === 0n) return normalizeBig(ba / bb);
  }
  return Number(a) / Number(b);
}

function numArgs(args: Value[]): [Num, Num] {
  return [num(args, 0), num(args, 1)];
}

const arithmetic: Builtin[] = [
  {
    name: 'plus',
    arity: 2,
    fn: (args) => add(...numArgs(args)),
  },
  {
    name: 'minus',
    arity: 2,
    fn: (args) => {
      const [a, b] = args as [Value, Value];
      if (a instanceof RSet && b instanceof RSet) return new RSet([...a.values()].filter((v) => !b.has(v)));
      if (isNumber(a) && isNumber(b)) return sub(a, b);
      if (a instanceof RSet) return operandError(2, 'set', b);
      if (isNumber(a)) return operandError(2, 'number', b);
      return operandError(1, 'one of {number, set}', a);
    },
  },
  { name: 'mul', arity: 2, fn: (args) => mul(...numArgs(args)) },
  { name: 'div', arity: 2, fn: (args) => divide(...numArgs(args)) },
  {
    name: 'rem',
    arity: 2,
    fn: (args) => {
      const [a, b] = numArgs(args);
      if (!bothInts(a, b)) builtinError('modulo on floating-point number');
      // biome-ignore lint/suspicious/noDoubleEquals: compares number and bigint zero
      if (b == 0) builtinError('modulo by zero');
      return normalizeBig(toBig(a) % toBig(b));
    },
  },
  {
    name: 'abs',
    arity: 1,
    fn: (args) => {
      const a = num(args, 0);
      return typeof a === 'bigint' ? (a < 0n ? normalizeBig(-a) : a) : Math.abs(a);
    },
  },
  { name: 'round', arity: 1, fn: (args) => roundish(num(args, 0), (x) => (x < 0 ? -Math.round(-x) : Math.round(x))) },
  { name: 'ceil', arity: 1, fn: (args) => roundish(num(args, 0), Math.ceil) },
  { name: 'floor', arity: 1, fn: (args) => roundish(num(args, 0), Math.floor) },
  {
    name: 'numbers.range',
    arity: 2,
    fn: (args) => range(int(args, 0), int(args, 1), 1),
  },
  {
    name: 'numbers.range_step',
    arity: 3,
    fn: (args) => {
      const step = int(args, 2);
      if (step <= 0) builtinError('step must be a positive integer');
      return range(int(args, 0), int(args, 1), step);
    },
  },
];

function roundish(a: Num, f: (x: number) => number): Num {
  return typeof a === 'bigint' ? a : intResult(f(a), () => BigInt(f(a)));
}

function range(a: number, b: number, step: number): Value {
  const out: Value[] = [];
  if (a <= b) for (let i = a; i <= b; i += step) out.push(i);
  else for (let i = a; i >= b; i -= step) out.push(i);
  return out;
}

const comparison: Builtin[] = [
  { name: 'equal', arity: 2, fn: (args) => equal(args[0]!, args[1]!) },
  { name: 'neq', arity: 2, fn: (args) => !equal(args[0]!, args[1]!) },
  { name: 'lt', arity: 2, fn: (args) => compare(args[0]!, args[1]!) < 0 },
  { name: 'lte', arity: 2, fn: (args) => compare(args[0]!, args[1]!) <= 0 },
  { name: 'gt', arity: 2, fn: (args) => compare(args[0]!, args[1]!) > 0 },
  { name: 'gte', arity: 2, fn: (args) => compare(args[0]!, args[1]!) >= 0 },
];

function bitInts(args: Value[]): [bigint, bigint] {
  return [toBig(int(args, 0)), toBig(int(args, 1))];
}

const bits: Builtin[] = [
  {
    name: 'bits.and',
    arity: 2,
    fn: (args) => {
      const [a, b] = bitInts(args);
      return normalizeBig(a & b);
    },
  },
  {
    name: 'bits.or',
    arity: 2,
    fn: (args) => {
      const [a, b] = bitInts(args);
      return normalizeBig(a | b);
    },
  },
  {
    name: 'bits.xor',
    arity: 2,
    fn: (args) => {
      const [a, b] = bitInts(args);
      return normalizeBig(a ^ b);
    },
  },
  { name: 'bits.negate', arity: 1, fn: (args) => normalizeBig(~toBig(int(args, 0))) },
  {
    name: 'bits.lsh',
    arity: 2,
    fn: (args) => {
      const [a, b] = bitInts(args);
      if (b < 0n) typeError('operand 2 must be an unsigned integer number but got a negative integer');
      return normalizeBig(a << b);
    },
  },
  {
    name: 'bits.rsh',
    arity: 2,
    fn: (args) => {
      const [a, b] = bitInts(args);
      if (b < 0n) typeError('operand 2 must be an unsigned integer number but got a negative integer');
      return normalizeBig(a >> b);
    },
  },
];

function numbersOf(args: Value[]): Num[] {
  const items = collection(args, 0);
  for (const x of items) if (!isNumber(x)) typeError(`operand 1 must be array of numbers but got ${typeName(x)}`);
  return items as Num[];
}

const aggregates: Builtin[] = [
  {
    name: 'count',
    arity: 1,
    fn: (args) => {
      const v = args[0]!;
      if (typeof v === 'string') return [...v].length;
      if (Array.isArray(v)) return v.length;
      if (v instanceof RObject || v instanceof RSet) return v.size;
      return operandError(1, 'one of {array, object, set, string}', v);
    },
  },
  { name: 'sum', arity: 1, fn: (args) => numbersOf(args).reduce<Num>((a, b) => add(a, b), 0) },
  { name: 'product', arity: 1, fn: (args) => numbersOf(args).reduce<Num>((a, b) => mul(a, b), 1) },
  {
    name: 'max',
    arity: 1,
    fn: (args) => {
      const items = collection(args, 0);
      return items.length ? items.reduce((a, b) => (compare(a, b) >= 0 ? a : b)) : undefined;
    },
  },
  {
    name: 'min',
    arity: 1,
    fn: (args) => {
      const items = collection(args, 0);
      return items.length ? items.reduce((a, b) => (compare(a, b) <= 0 ? a : b)) : undefined;
    },
  },
  { name: 'sort', arity: 1, fn: (args) => [...collection(args, 0)].sort(compare) },
  { name: 'all', arity: 1, fn: (args) => collection(args, 0).every((v) => v === true) },
  { name: 'any', arity: 1, fn: (args) => collection(args, 0).some((v) => v === true) },
];

function setsOf(args: Value[]): RSet[] {
  const s = set(args, 0);
  const out: RSet[] = [];
  for (const v of s.values()) {
    if (!(v instanceof RSet)) typeError(`operand 1 must be set of sets but got set containing ${typeName(v)}`);
    out.push(v);
  }
  return out;
}

function union(sets: RSet[]): RSet {
  const out = new RSet();
  for (const s of sets) for (const [k, v] of s.map) out.map.set(k, v);
  return out;
}

function intersect(sets: RSet[]): RSet {
  if (sets.length === 0) return new RSet();
  const [first, ...rest] = sets;
  const out = new RSet();
  for (const [k, v] of first!.map) if (rest.every((s) => s.map.has(k))) out.map.set(k, v);
  return out;
}

const sets: Builtin[] = [
  { name: 'and', arity: 2, fn: (args) => intersect([set(args, 0), set(args, 1)]) },
  { name: 'or', arity: 2, fn: (args) => union([set(args, 0), set(args, 1)]) },
  {
    name: 'set_diff',
    arity: 2,
    fn: (args) => {
      const b = set(args, 1);
      return new RSet([...set(args, 0).values()].filter((v) => !b.has(v)));
    },
  },
  { name: 'intersection', arity: 1, fn: (args) => intersect(setsOf(args)) },
  { name: 'union', arity: 1, fn: (args) => union(setsOf(args)) },
  {
    name: 'internal.member_2',
    arity: 2,
    fn: (args) => {
      const [x, c] = args as [Value, Value];
      if (Array.isArray(c)) return c.some((v) => equal(v, x));
      if (c instanceof RSet) return c.has(x);
      if (c instanceof RObject) {
        for (const [, v] of c.entries()) if (equal(v, x)) return true;
        return false;
      }
      return false;
    },
  },
  {
    name: 'internal.member_3',
    arity: 3,
    fn: (args) => {
      const [k, x, c] = args as [Value, Value, Value];
      if (Array.isArray(c))
        return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < c.length && equal(c[k]!, x);
      if (c instanceof RObject) {
        const v = c.get(k);
        return v !== undefined && equal(v, x);
      }
      if (c instanceof RSet) return equal(k, x) && c.has(x);
      return false;
    },
  },
];

const arrays: Builtin[] = [
  { name: 'array.concat', arity: 2, fn: (args) => [...arr(args, 0), ...arr(args, 1)] },
  {
    name: 'array.slice',
    arity: 3,
    fn: (args) => {
      const a = arr(args, 0);
      let start = int(args, 1);
      let stop = int(args, 2);
      if (start < 0) start = 0;
      if (stop > a.length) stop = a.length;
      if (start >= stop) return [];
      return a.slice(start, stop);
    },
  },
  {
    name: 'array.flatten',
    arity: 1,
    fn: (args) => arr(args, 0).flatMap((x) => (Array.isArray(x) ? x : [x])),
  },
  { name: 'array.reverse', arity: 1, fn: (args) => [...arr(args, 0)].reverse() },
];

const typeChecks: Builtin[] = [
  { name: 'is_number', arity: 1, fn: (args) => isNumber(args[0]) },
  { name: 'is_string', arity: 1, fn: (args) => typeof args[0] === 'string' },
  { name: 'is_boolean', arity: 1, fn: (args) => typeof args[0] === 'boolean' },
  { name: 'is_array', arity: 1, fn: (args) => Array.isArray(args[0]) },
  { name: 'is_set', arity: 1, fn: (args) => args[0] instanceof RSet },
  { name: 'is_object', arity: 1, fn: (args) => args[0] instanceof RObject },
  { name: 'is_null', arity: 1, fn: (args) => args[0] === null },
  { name: 'type_name', arity: 1, fn: (args) => typeName(args[0]!) },
  {
    name: 'to_number',
    arity: 1,
    fn: (args) => {
      const v = args[0]!;
      if (v === null) return 0;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (isNumber(v)) return v;
      if (typeof v === 'string') {
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()) || v.trim() !== v) {
          if (/^[+-]?(inf|infinity|nan)$/i.test(v)) typeError(`operand 1 must be a finite number but got ${v}`);
          builtinError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
        }
        const clean = v.replace(/^\+/, '');
        if (/^-?\d+$/.test(clean)) return normalizeBig(BigInt(clean));
        return Number(clean);
      }
      return operandError(1, 'one of {null, boolean, number, string}', v);
    },
  },
  { name: 'cast_array', arity: 1, fn: (args) => collection(args, 0, 'one of {array, set}') },
  { name: 'cast_set', arity: 1, fn: (args) => new RSet(collection(args, 0)) },
  { name: 'cast_string', arity: 1, fn: (args) => str(args, 0) },
  {
    name: 'cast_boolean',
    arity: 1,
    fn: (args) => (typeof args[0] === 'boolean' ? args[0] : operandError(1, 'boolean', args[0]!)),
  },
  { name: 'cast_null', arity: 1, fn: (args) => (args[0] === null ? null : operandError(1, 'null', args[0]!)) },
  {
    name: 'cast_object',
    arity: 1,
    fn: (args) => (args[0] instanceof RObject ? args[0] : operandError(1, 'object', args[0]!)),
  },
];

export const coreBuiltins: Builtin[] = [
  ...arithmetic,
  ...comparison,
  ...bits,
  ...aggregates,
  ...sets,
  ...arrays,
  ...typeChecks,
];
