/** JSON, YAML, base64, hex, URL query encodings, units and hashes. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import YAML from 'yaml';
import { fromJSON, normalizeBig, parseJSON, RObject, RSet, stringify, type Value } from '../values.ts';
import { builtinError, obj, operandError, str, typeError, validates } from './args.ts';
import type { Builtin } from './types.ts';

function toPlain(v: Value): unknown {
  if (v instanceof RSet) return v.sorted().map(toPlain);
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof RObject) {
    const o: Record<string, unknown> = {};
    for (const [k, val] of v.sortedEntries()) o[typeof k === 'string' ? k : stringify(k)] = toPlain(val);
    return o;
  }
  return v;
}

function prettyJSON(v: Value, prefix: string, indent: string, depth: number): string {
  const pad = prefix + indent.repeat(depth + 1);
  const end = prefix + indent.repeat(depth);
  if (Array.isArray(v) || v instanceof RSet) {
    const items = Array.isArray(v) ? v : v.sorted();
    if (!items.length) return '[]';
    return `[\n${items.map((x) => pad + prettyJSON(x, prefix, indent, depth + 1)).join(',\n')}\n${end}]`;
  }
  if (v instanceof RObject) {
    const entries = v.sortedEntries();
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(typeof k === 'string' ? k : stringify(k))}: ${prettyJSON(x, prefix, indent, depth + 1)}`).join(',\n')}\n${end}}`;
  }
  return stringify(v);
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function decodeBase64(s: string, url: boolean): string {
  const re = url ? B64URL : B64;
  const padded = url && s.length % 4 !== 0 && !s.includes('=') ? s + '='.repeat((4 - (s.length % 4)) % 4) : s;
  if (!re.test(padded) || padded.length % 4 !== 0) {
    const bad = [...s].findIndex((c) => !/[A-Za-z0-9+/_=-]/.test(c));
    builtinError(`illegal base64 data at input byte ${bad >= 0 ? bad : Math.max(0, s.length - (s.length % 4))}`);
  }
  return Buffer.from(padded, url ? 'base64url' : 'base64').toString('utf8');
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/~/g, '~');
}

function queryUnescape(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return builtinError(`invalid URL escape ${JSON.stringify(s)}`);
  }
}

const SI: Record<string, number> = {
  '': 1,
  k: 1e3,
  m: 1e-3,
  M: 1e6,
  g: 1e9,
  G: 1e9,
  t: 1e12,
  T: 1e12,
  p: 1e15,
  P: 1e15,
  e: 1e18,
  E: 1e18,
};
const BIN: Record<string, number> = { ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50, ei: 2 ** 60 };

function splitAmount(s: string, what: string): [string, number, string] {
  if (s.includes(' ')) builtinError('spaces not allowed in resource strings');
  const m = /^([+-]?[0-9.]*(?:[eE][+-]?[0-9]+)?)(.*)$/.exec(s.replace(/^"|"$/g, ''))!;
  const amount = m[1]!;
  if (amount === '' || amount === '+' || amount === '-') builtinError(`no ${what}amount provided`);
  const n = Number(amount);
  if (Number.isNaN(n)) builtinError(`could not parse ${what}amount to a number`);
  return [amount, n, m[2]!];
}

function parseUnits(s: string): Value {
  const [amount, n, unit] = splitAmount(s, '');
  let factor: number | undefined;
  if (unit === 'm') factor = 1e-3;
  else if (BIN[unit.toLowerCase()]) factor = BIN[unit.toLowerCase()];
  else if (SI[unit] !== undefined) factor = SI[unit];
  else if (SI[unit.toLowerCase()] !== undefined && unit.length === 1) factor = SI[unit.toLowerCase()];
  if (factor === undefined) return builtinError(`unknown unit ${unit}`);
  return exactProduct(amount, n, factor);
}

function exactProduct(amount: string, n: number, factor: number): Value {
  if (Number.isInteger(factor) && /^[+-]?\d+$/.test(amount)) return normalizeBig(BigInt(amount) * BigInt(factor));
  const r = n * factor;
  return Number.isInteger(r) ? r : Number(r.toPrecision(15));
}

function parseBytes(s: string): Value {
  const [amount, n, rawUnit] = splitAmount(s, 'byte ');
  const unit = rawUnit.toLowerCase().replace(/b$/, '');
  let factor: number;
  if (unit === '') factor = 1;
  else if (BIN[unit]) factor = BIN[unit];
  else if (unit === 'm') factor = 1e6;
  else if (SI[unit] !== undefined) factor = SI[unit]!;
  else return builtinError(`unknown unit ${rawUnit}`);
  const r = exactProduct(amount, n, factor);
  return typeof r === 'number' && !Number.isInteger(r) ? Math.floor(r) : r;
}

/** go-yaml's wording (`yaml: line N: ...`) for errors of the yaml package. */
function yamlErrorMessage(e: Error & { code?: string; linePos?: { line: number }[] }): string {
  const text = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const flow = /^Flow (sequence|map) must end with a ([\]}])/.exec(text);
  const detail = flow ? `did not find expected ',' or '${flow[2]}'` : text;
  const line = e.linePos?.[0]?.line;
  return line === undefined ? `yaml: ${detail}` : `yaml: line ${line}: ${detail}`;
}

function hash(alg: string) {
  return (args: Value[]) => createHash(alg).update(str(args, 0)).digest('hex');
}

function hmac(alg: string) {
  return (args: Value[]) => createHmac(alg, str(args, 1)).update(str(args, 0)).digest('hex');
}

export const encodingBuiltins: Builtin[] = [
  { name: 'json.marshal', arity: 1, fn: (args) => stringify(args[0]!) },
  {
    name: 'json.marshal_with_options',
    arity: 2,
    fn: (args) => {
      const opts = obj(args, 1);
      let prefix = '';
      let indent = '\t';
      let pretty = false;
      for (const [k, v] of opts.entries()) {
        if (k === 'pretty') pretty = typeof v === 'boolean' ? v : typeError('pretty must be a boolean');
        else if (k === 'prefix') {
          prefix = typeof v === 'string' ? v : typeError('prefix must be a string');
          pretty = pretty || opts.get('pretty') === undefined;
        } else if (k === 'indent') {
          indent = typeof v === 'string' ? v : typeError('indent must be a string');
          pretty = pretty || opts.get('pretty') === undefined;
        } else typeError(`object contained unknown key ${stringify(k)}`);
      }
      if (opts.get('pretty') === false) pretty = false;
      if (!pretty) return stringify(args[0]!);
      return prefix + prettyJSON(args[0]!, prefix, indent, 0);
    },
  },
  {
    name: 'json.unmarshal',
    arity: 1,
    fn: (args) => {
      try {
        return parseJSON(str(args, 0));
      } catch (e) {
        if (e instanceof SyntaxError) return builtinError(e.message);
        throw e;
      }
    },
  },
  { name: 'json.is_valid', arity: 1, fn: validates(parseJSON) },
  {
    name: 'yaml.marshal',
    arity: 1,
    fn: (args) => YAML.stringify(toPlain(args[0]!), { sortMapEntries: true }),
  },
  {
    name: 'yaml.unmarshal',
    arity: 1,
    fn: (args) => {
      try {
        return fromJSON(YAML.parse(str(args, 0), { intAsBigInt: true, version: '1.1' }));
      } catch (e) {
        return builtinError(yamlErrorMessage(e as Error & { linePos?: { line: number }[] }));
      }
    },
  },
  { name: 'yaml.is_valid', arity: 1, fn: validates((text) => YAML.parse(text, { version: '1.1' })) },
  { name: 'base64.encode', arity: 1, fn: (args) => Buffer.from(str(args, 0), 'utf8').toString('base64') },
  { name: 'base64.decode', arity: 1, fn: (args) => decodeBase64(str(args, 0), false) },
  {
    name: 'base64.is_valid',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0);
      return B64.test(s) && s.length % 4 === 0;
    },
  },
  {
    name: 'base64url.encode',
    arity: 1,
    fn: (args) =>
      Buffer.from(str(args, 0), 'utf8')
        .toString('base64url')
        .padEnd(Math.ceil(Buffer.byteLength(str(args, 0)) / 3) * 4, '='),
  },
  { name: 'base64url.encode_no_pad', arity: 1, fn: (args) => Buffer.from(str(args, 0), 'utf8').toString('base64url') },
  { name: 'base64url.decode', arity: 1, fn: (args) => decodeBase64(str(args, 0), true) },
  { name: 'hex.encode', arity: 1, fn: (args) => Buffer.from(str(args, 0), 'utf8').toString('hex') },
  {
    name: 'hex.decode',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0);
      const bad = [...s].findIndex((c) => !/[0-9a-fA-F]/.test(c));
      if (bad >= 0)
        builtinError(
          `encoding/hex: invalid byte: U+${s.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(s[bad]).replace(/"/g, "'")}`,
        );
      if (s.length % 2) builtinError('encoding/hex: odd length hex string');
      return Buffer.from(s, 'hex').toString('utf8');
    },
  },
  { name: 'urlquery.encode', arity: 1, fn: (args) => queryEscape(str(args, 0)) },
  { name: 'urlquery.decode', arity: 1, fn: (args) => queryUnescape(str(args, 0)) },
  {
    name: 'urlquery.encode_object',
    arity: 1,
    fn: (args) => {
      const parts: string[] = [];
      for (const [k, v] of obj(args, 0).sortedEntries()) {
        if (typeof k !== 'string') typeError('operand 1 must be object with string keys');
        const vals =
          typeof v === 'string'
            ? [v]
            : Array.isArray(v)
              ? v
              : v instanceof RSet
                ? v.sorted()
                : operandError(1, 'object of strings, arrays or sets', v);
        for (const x of vals) {
          if (typeof x !== 'string') typeError('operand 1 must be object of strings');
          parts.push(`${queryEscape(k)}=${queryEscape(x)}`);
        }
      }
      return parts.join('&');
    },
  },
  {
    name: 'urlquery.decode_object',
    arity: 1,
    fn: (args) => {
      const out = new RObject();
      for (const part of str(args, 0).split(/[&;]/)) {
        if (!part) continue;
        const [k, v = ''] = part.split(/=(.*)/s) as [string, string?];
        const key = queryUnescape(k);
        const list = (out.get(key) as Value[] | undefined) ?? [];
        list.push(queryUnescape(v));
        out.set(key, list);
      }
      return out;
    },
  },
  {
    name: 'units.parse',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0);
      if (s === '') builtinError('no amount provided');
      return parseUnits(s);
    },
  },
  {
    name: 'units.parse_bytes',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0);
      if (s === '') builtinError('no byte amount provided');
      return parseBytes(s);
    },
  },
  { name: 'crypto.md5', arity: 1, fn: hash('md5') },
  { name: 'crypto.sha1', arity: 1, fn: hash('sha1') },
  { name: 'crypto.sha256', arity: 1, fn: hash('sha256') },
  { name: 'crypto.hmac.md5', arity: 2, fn: hmac('md5') },
  { name: 'crypto.hmac.sha1', arity: 2, fn: hmac('sha1') },
  { name: 'crypto.hmac.sha256', arity: 2, fn: hmac('sha256') },
  { name: 'crypto.hmac.sha512', arity: 2, fn: hmac('sha512') },
  {
    name: 'crypto.hmac.equal',
    arity: 2,
    fn: (args) => {
      const a = Buffer.from(str(args, 0));
      const b = Buffer.from(str(args, 1));
      return a.length === b.length && timingSafeEqual(a, b);
    },
  },
];
