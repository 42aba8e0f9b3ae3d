/**
 * Rego values. JSON scalars map to JS scalars; integers beyond 2^53 are bigints (OPA numbers are arbitrary
 * precision); arrays are JS arrays; objects and sets are RObject/RSet, keyed by a canonical string so that
 * any value can be a key.
 */
export type Value = null | boolean | number | bigint | string | Value[] | RObject | RSet;

/** Plain JSON as seen at the API boundary (bigint for integers that do not fit a double exactly). */
export type JSONValue = null | boolean | number | bigint | string | JSONValue[] | { [key: string]: JSONValue };

export class RObject {
  readonly map = new Map<string, [Value, Value]>();
  /** Memoised keyOf(this); cleared when the object changes. */
  canonical: string | undefined;
  get size(): number {
    return this.map.size;
  }
  get(key: Value): Value | undefined {
    return this.map.get(keyOf(key))?.[1];
  }
  set(key: Value, value: Value): void {
    this.canonical = undefined;
    this.map.set(keyOf(key), [key, value]);
  }
  has(key: Value): boolean {
    return this.map.has(keyOf(key));
  }
  delete(key: Value): void {
    this.canonical = undefined;
    this.map.delete(keyOf(key));
  }
  entries(): IterableIterator<[Value, Value]> {
    return this.map.values();
  }
  keys(): Value[] {
    return [...this.map.values()].map((e) => e[0]);
  }
  /** Entries ordered by key, as OPA iterates them. */
  sortedEntries(): [Value, Value][] {
    return [...this.map.values()].sort((a, b) => compare(a[0], b[0]));
  }
  clone(): RObject {
    const o = new RObject();
    for (const [k, e] of this.map) o.map.set(k, e);
    return o;
  }
}

export class RSet {
  readonly map = new Map<string, Value>();
  /** Memoised keyOf(this); cleared when the set changes. */
  canonical: string | undefined;
  constructor(items?: Iterable<Value>) {
    if (items) for (const v of items) this.add(v);
  }
  get size(): number {
    return this.map.size;
  }
  add(v: Value): void {
    this.canonical = undefined;
    this.map.set(keyOf(v), v);
  }
  has(v: Value): boolean {
    return this.map.has(keyOf(v));
  }
  values(): IterableIterator<Value> {
    return this.map.values();
  }
  sorted(): Value[] {
    return [...this.map.values()].sort(compare);
  }
}

export function isNumber(v: Value | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

export function isObject(v: Value | undefined): v is RObject {
  return v instanceof RObject;
}

export function isSet(v: Value | undefined): v is RSet {
  return v instanceof RSet;
}

/** Integers that fit a double exactly become numbers, the rest stay bigints. */
export function normalizeBig(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

export function isInteger(v: number | bigint): boolean {
  return typeof v === 'bigint' || Number.isInteger(v);
}

export function toBig(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

function numberKey(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isInteger(v) && !Number.isSafeInteger(v)) return BigInt(v).toString();
  return Object.is(v, -0) ? '0' : String(v);
}

/** Canonical keys of arrays, which values never mutate once built. */
const arrayKeys = new WeakMap<Value[], string>();

/** Canonical key: equal values have equal keys. Strings are their own key (escaped when they start with \0 or \1). */
export function keyOf(v: Value): string {
  switch (typeof v) {
    case 'string': {
      const c = v.charCodeAt(0);
      return c === 0 || c === 1 ? `\u0001${v}` : v;
    }
    case 'number':
    case 'bigint':
      return `\u0000n${numberKey(v)}`;
    case 'boolean':
      return v ? '\u0000t' : '\u0000f';
    default:
      if (v === null) return '\u0000z';
      if (Array.isArray(v)) {
        let key = arrayKeys.get(v);
        if (key === undefined) {
          key = `\u0000a${JSON.stringify(v.map(keyOf))}`;
          arrayKeys.set(v, key);
        }
        return key;
      }
      if (v instanceof RObject) {
        if (v.canonical === undefined) {
          const parts = [...v.map.entries()].map(([k, e]) => [k, keyOf(e[1])]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
          v.canonical = `\u0000o${JSON.stringify(parts)}`;
        }
        return v.canonical;
      }
      v.canonical ??= `\u0000s${JSON.stringify([...v.map.keys()].sort())}`;
      return v.canonical;
  }
}

function typeRank(v: Value): number {
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
    default:
      if (v === null) return 0;
      if (Array.isArray(v)) return 4;
      return v instanceof RObject ? 5 : 6;
  }
}

/** OPA's total order: null < booleans < numbers < strings < arrays < objects < sets. */
export function compare(a: Value, b: Value): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 4:
      return compareLists(a as Value[], b as Value[]);
    case 5: {
      const ea = (a as RObject).sortedEntries();
      const eb = (b as RObject).sortedEntries();
      const n = Math.min(ea.length, eb.length);
      for (let i = 0; i < n; i++) {
        const c = compare(ea[i]![0], eb[i]![0]) || compare(ea[i]![1], eb[i]![1]);
        if (c !== 0) return c;
      }
      return ea.length - eb.length;
    }
    default:
      return compareLists((a as RSet).sorted(), (b as RSet).sorted());
  }
}

function compareLists(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta !== 'object' || typeof b !== 'object') {
    // biome-ignore lint/suspicious/noDoubleEquals: number and bigint compare by value
    return isNumber(a) && isNumber(b) && a == b;
  }
  if (a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i]!, b[i]!)) return false;
    return true;
  }
  if (a instanceof RObject) {
    if (!(b instanceof RObject) || a.size !== b.size) return false;
    for (const [k, e] of a.map) {
      const other = b.map.get(k);
      if (!other || !equal(e[1], other[1])) return false;
    }
    return true;
  }
  if (!(b instanceof RSet) || (a as RSet).size !== b.size) return false;
  for (const k of (a as RSet).map.keys()) if (!(b as RSet).map.has(k)) return false;
  return true;
}

/** Converts plain JSON (as from JSON.parse) to a Rego value. */
export function fromJSON(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'string':
    case 'boolean':
    case 'number':
      return x;
    case 'bigint':
      return normalizeBig(x);
    default:
      if (Array.isArray(x)) return x.map(fromJSON);
      if (x instanceof RObject || x instanceof RSet) return x;
      {
        const o = new RObject();
        for (const [k, v] of Object.entries(x as object)) if (v !== undefined) o.set(k, fromJSON(v));
        return o;
      }
  }
}

/** Converts a Rego value to plain JSON: sets become sorted arrays, non-string keys are JSON-encoded. */
export function toJSON(v: Value): JSONValue {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof RSet) return v.sorted().map(toJSON);
  const out: { [key: string]: JSONValue } = {};
  for (const [k, val] of v.sortedEntries()) out[typeof k === 'string' ? k : stringify(k)] = toJSON(val);
  return out;
}

/** JSON text of a value (sets as arrays, object keys sorted), as json.marshal writes it. */
export function stringify(v: Value): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return formatNumber(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map(stringify).join(',')}]`;
      if (v instanceof RSet) return `[${v.sorted().map(stringify).join(',')}]`;
      return `{${v
        .sortedEntries()
        .map(([k, val]) => `${JSON.stringify(typeof k === 'string' ? k : stringify(k))}:${stringify(val)}`)
        .join(',')}}`;
  }
}

/** Numbers as Go's json.Number/big.Float print them: integers without exponent, others shortest round-trip. */
export function formatNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  const s = String(n);
  const m = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(s);
  if (!m) return s;
  return `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
}

/** Rego source text of a value (sets as {a, b}, set() when empty), as OPA prints terms in messages. */
export function toRegoString(v: Value): string {
  if (v instanceof RSet) return v.size === 0 ? 'set()' : `{${v.sorted().map(toRegoString).join(', ')}}`;
  if (Array.isArray(v)) return `[${v.map(toRegoString).join(', ')}]`;
  if (v instanceof RObject)
    return `{${v
      .sortedEntries()
      .map(([k, val]) => `${toRegoString(k)}: ${toRegoString(val)}`)
      .join(', ')}}`;
  return stringify(v);
}

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'array';
      return v instanceof RObject ? 'object' : 'set';
  }
}

/** JSON parser that keeps integers beyond 2^53 exact (as bigint). Throws SyntaxError on bad input. */
export function parseJSON(text: string): Value {
  let i = 0;
  const fail = (msg: string): never => {
    throw new SyntaxError(msg);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const value = (): Value => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o = new RObject();
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`invalid character '${text[i] ?? ''}' looking for beginning of object key string`);
        const k = str();
        ws();
        if (text[i] !== ':') fail(`invalid character '${text[i] ?? ''}' after object key`);
        i++;
        o.set(k, value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return o;
        } else fail(`invalid character '${text[i] ?? ''}' after object key:value pair`);
      }
    }
    if (c === '[') {
      i++;
      const a: Value[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return a;
        } else fail(`invalid character '${text[i] ?? ''}' after array element`);
      }
    }
    if (c === '"') return str();
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      return parseNumberLiteral(m[0]);
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(
      i >= text.length ? 'unexpected end of JSON input' : `invalid character '${c}' looking for beginning of value`,
    );
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('invalid character in string literal');
      i++;
    }
    if (i >= text.length) fail('unexpected end of JSON input');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value();
  ws();
  if (i < text.length) fail(`invalid character '${text[i]}' after top-level value`);
  return v;
}

export function parseNumberLiteral(s: string): number | bigint {
  if (/^-?\d+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : BigInt(s);
  }
  return Number(s);
}
