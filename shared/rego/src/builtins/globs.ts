/**
 * regex.globs_match: whether two "glob regexes" (`.`, `[...]` classes, `*` and `+`, `\` escapes) accept a common
 * string. Each pattern becomes a sequence of character sets with repetition; the search walks both at once.
 */
import { builtinError, str } from './args.ts';
import type { Builtin } from './types.ts';

type Range = [number, number];

interface Item {
  ranges: Range[];
  repeat: boolean;
}

const MAX = 0x10ffff;

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX) out.push([next, MAX]);
  return out;
}

function invalid(pattern: string, pos: number, what: string): never {
  return builtinError(`input:${pattern}, pos:${pos}, ${what}: the input provided is invalid`);
}

function parseGlob(pattern: string): Item[] {
  const chars = [...pattern];
  const items: Item[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    let ranges: Range[];
    if (c === '.') ranges = [[0, MAX]];
    else if (c === '\\') {
      i++;
      if (i >= chars.length) invalid(pattern, i, 'trailing backslash');
      const code = chars[i]!.codePointAt(0)!;
      ranges = [[code, code]];
    } else if (c === '[') {
      let j = i + 1;
      const negate = chars[j] === '^';
      if (negate) j++;
      const set: Range[] = [];
      while (j < chars.length && chars[j] !== ']') {
        let lo = chars[j]!;
        if (lo === '\\') lo = chars[++j] ?? '';
        let hi = lo;
        if (chars[j + 1] === '-' && chars[j + 2] !== undefined && chars[j + 2] !== ']') {
          hi = chars[j + 2]!;
          j += 2;
        }
        set.push([lo.codePointAt(0)!, hi.codePointAt(0)!]);
        j++;
      }
      if (j >= chars.length) invalid(pattern, i, "set-open '[' with no closing ']'");
      ranges = negate ? complement(set) : set;
      i = j;
    } else if (c === ']') return invalid(pattern, i + 1, "set-close ']' with no preceding '['");
    else if (c === '*' || c === '+') {
      const prev = items[items.length - 1];
      if (!prev || prev.repeat) invalid(pattern, i + 1, `quantifier '${c}' with nothing to repeat`);
      if (c === '*') prev!.repeat = true;
      else items.push({ ranges: prev!.ranges, repeat: true });
      continue;
    } else {
      const code = c.codePointAt(0)!;
      ranges = [[code, code]];
    }
    items.push({ ranges, repeat: false });
  }
  return items;
}

function overlaps(a: Range[], b: Range[]): boolean {
  return a.some(([alo, ahi]) => b.some(([blo, bhi]) => alo <= bhi && blo <= ahi));
}

/** Search over (position in a, position in b): skip repeatable items, or consume one common character. */
function intersects(a: Item[], b: Item[]): boolean {
  const seen = new Set<number>();
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const key = i * (b.length + 1) + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    if (x?.repeat) stack.push([i + 1, j]);
    if (y?.repeat) stack.push([i, j + 1]);
    if (x && y && overlaps(x.ranges, y.ranges))
      for (const ni of x.repeat ? [i, i + 1] : [i + 1])
        for (const nj of y.repeat ? [j, j + 1] : [j + 1]) stack.push([ni, nj]);
  }
  return false;
}

export const globsBuiltins: Builtin[] = [
  {
    name: 'regex.globs_match',
    arity: 2,
    fn: (args) => intersects(parseGlob(str(args, 0)), parseGlob(str(args, 1))),
  },
];
