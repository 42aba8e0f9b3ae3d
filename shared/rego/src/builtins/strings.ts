/** String builtins, including sprintf with Go's formatting verbs. */
import { formatNumber, isInteger, isNumber, RSet, toBig, toRegoString, typeName, type Value } from '../values.ts';
import { builtinError, collection, int, num, obj, operandError, str, stringsOf, typeError } from './args.ts';
import type { Builtin } from './types.ts';

function runes(s: string): string[] {
  return [...s];
}

function trimSet(s: string, cutset: string, left: boolean, right: boolean): string {
  const cut = new Set(runes(cutset));
  const r = runes(s);
  let a = 0;
  let b = r.length;
  if (left) while (a < b && cut.has(r[a]!)) a++;
  if (right) while (b > a && cut.has(r[b - 1]!)) b--;
  return r.slice(a, b).join('');
}

/** Go's strings.NewReplacer: at each position the first old string (in order) that matches is replaced. */
function replaceMany(s: string, pairs: [string, string][]): string {
  let out = '';
  let i = 0;
  outer: while (i < s.length) {
    for (const [from, to] of pairs) {
      if (from !== '' && s.startsWith(from, i)) {
        out += to;
        i += from.length;
        continue outer;
      }
    }
    out += s[i];
    i++;
  }
  return out;
}

/** %v rendering of a value: strings bare, everything else as Rego prints it. */
function plain(v: Value): string {
  if (typeof v === 'string') return v;
  if (isNumber(v)) return formatNumber(v);
  return toRegoString(v);
}

function pad(s: string, width: number | undefined, left: boolean, zero: boolean): string {
  if (width === undefined || s.length >= width) return s;
  if (left) return s.padEnd(width, ' ');
  if (zero) {
    const sign = s.startsWith('-') || s.startsWith('+') ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width, ' ');
}

function goFloat(n: number, verb: string, prec: number | undefined): string {
  switch (verb) {
    case 'f':
    case 'F':
      return n.toFixed(prec ?? 6);
    case 'e':
    case 'E': {
      const s = n.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return verb === 'E' ? s.toUpperCase() : s;
    }
    default: {
      if (prec !== undefined) return String(Number(n.toPrecision(prec)));
      return formatNumber(n);
    }
  }
}

export function sprintf(format: string, values: Value[]): string {
  let out = '';
  let argi = 0;
  const re = /%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', w, p, verb = 'v'] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    const width = w === undefined ? undefined : Number(w);
    const prec = p === undefined ? undefined : Number(p);
    if (argi >= values.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const v = values[argi++]!;
    let s: string;
    switch (verb) {
      case 'v':
      case 's':
        s = plain(v);
        if (prec !== undefined && typeof v === 'string') s = runes(s).slice(0, prec).join('');
        break;
      case 'q':
        s = typeof v === 'string' ? JSON.stringify(v) : `%!q(${plain(v)})`;
        break;
      case 'd':
        if (isNumber(v) && isInteger(v)) s = (flags.includes('+') && v >= 0 ? '+' : '') + toBig(v).toString();
        else s = `%!d(${isNumber(v) ? 'float64' : typeName(v)}=${plain(v)})`;
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        if (isNumber(v)) s = (flags.includes('+') && v >= 0 ? '+' : '') + goFloat(Number(v), verb, prec);
        else s = `%!${verb}(${typeName(v)}=${plain(v)})`;
        break;
      case 'x':
      case 'X': {
        if (isNumber(v) && isInteger(v)) s = toBig(v).toString(16);
        else if (typeof v === 'string') s = Buffer.from(v, 'utf8').toString('hex');
        else s = `%!${verb}(${plain(v)})`;
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      case 'o':
        s = isNumber(v) && isInteger(v) ? toBig(v).toString(8) : `%!o(${plain(v)})`;
        break;
      case 'b':
        s = isNumber(v) && isInteger(v) ? toBig(v).toString(2) : `%!b(${plain(v)})`;
        break;
      case 't':
        s = typeof v === 'boolean' ? String(v) : `%!t(${typeName(v)}=${plain(v)})`;
        break;
      case 'T':
        s = typeName(v);
        break;
      default:
        s = `%!${verb}(${plain(v)})`;
    }
    out += pad(s, width, flags.includes('-'), flags.includes('0'));
  }
  out += format.slice(last);
  if (argi < values.length)
    out += `%!(EXTRA ${values
      .slice(argi)
      .map((v) => `${goType(v)}=${plain(v)}`)
      .join(', ')})`;
  return out;
}

function goType(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (isNumber(v)) return isInteger(v) ? '*big.Int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return typeName(v);
}

function indexOfRunes(s: string, sub: string, from = 0): number {
  const idx = s.indexOf(sub, from);
  return idx < 0 ? -1 : runes(s.slice(0, idx)).length;
}

export const stringBuiltins: Builtin[] = [
  {
    name: 'concat',
    arity: 2,
    fn: (args) => {
      const delim = str(args, 0);
      const items = collection(args, 1, 'one of {array, set}');
      for (const x of items) if (typeof x !== 'string') operandError(2, 'one of {array, set} of strings', x);
      return (args[1] instanceof RSet ? [...(items as string[])].sort() : (items as string[])).join(delim);
    },
  },
  { name: 'contains', arity: 2, fn: (args) => str(args, 0).includes(str(args, 1)) },
  { name: 'startswith', arity: 2, fn: (args) => str(args, 0).startsWith(str(args, 1)) },
  { name: 'endswith', arity: 2, fn: (args) => str(args, 0).endsWith(str(args, 1)) },
  { name: 'lower', arity: 1, fn: (args) => str(args, 0).toLowerCase() },
  { name: 'upper', arity: 1, fn: (args) => str(args, 0).toUpperCase() },
  {
    name: 'split',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const d = str(args, 1);
      return d === '' ? runes(s) : s.split(d);
    },
  },
  {
    name: 'replace',
    arity: 3,
    fn: (args) => {
      const s = str(args, 0);
      const from = str(args, 1);
      const to = str(args, 2);
      return from === ''
        ? runes(s)
            .map((c) => to + c)
            .join('') + to
        : s.split(from).join(to);
    },
  },
  {
    name: 'strings.replace_n',
    arity: 2,
    fn: (args) => {
      const patterns = obj(args, 0);
      const s = str(args, 1);
      const pairs: [string, string][] = [];
      for (const [k, v] of patterns.sortedEntries()) {
        if (typeof k !== 'string') typeError('operand 1 non-string key found in pattern object');
        if (typeof v !== 'string') typeError('operand 1 non-string value found in pattern object');
        pairs.push([k, v]);
      }
      return replaceMany(s, pairs);
    },
  },
  { name: 'strings.reverse', arity: 1, fn: (args) => runes(str(args, 0)).reverse().join('') },
  {
    name: 'strings.count',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const sub = str(args, 1);
      if (sub === '') return runes(s).length + 1;
      return s.split(sub).length - 1;
    },
  },
  {
    name: 'strings.any_prefix_match',
    arity: 2,
    fn: (args) => {
      const ss = stringsOf(args, 0);
      const ps = stringsOf(args, 1);
      return ss.some((s) => ps.some((p) => s.startsWith(p)));
    },
  },
  {
    name: 'strings.any_suffix_match',
    arity: 2,
    fn: (args) => {
      const ss = stringsOf(args, 0);
      const ps = stringsOf(args, 1);
      return ss.some((s) => ps.some((p) => s.endsWith(p)));
    },
  },
  { name: 'trim', arity: 2, fn: (args) => trimSet(str(args, 0), str(args, 1), true, true) },
  { name: 'trim_left', arity: 2, fn: (args) => trimSet(str(args, 0), str(args, 1), true, false) },
  { name: 'trim_right', arity: 2, fn: (args) => trimSet(str(args, 0), str(args, 1), false, true) },
  {
    name: 'trim_prefix',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const p = str(args, 1);
      return s.startsWith(p) ? s.slice(p.length) : s;
    },
  },
  {
    name: 'trim_suffix',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const p = str(args, 1);
      return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
    },
  },
  { name: 'trim_space', arity: 1, fn: (args) => str(args, 0).replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '') },
  { name: 'indexof', arity: 2, fn: (args) => indexOfRunes(str(args, 0), str(args, 1)) },
  {
    name: 'indexof_n',
    arity: 2,
    fn: (args) => {
      const s = str(args, 0);
      const sub = str(args, 1);
      const out: Value[] = [];
      if (sub === '') return out;
      for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) out.push(runes(s.slice(0, i)).length);
      return out;
    },
  },
  {
    name: 'substring',
    arity: 3,
    fn: (args) => {
      const r = runes(str(args, 0));
      const start = int(args, 1);
      const length = int(args, 2);
      if (start < 0) builtinError('negative offset');
      if (start >= r.length) return '';
      return length < 0 ? r.slice(start).join('') : r.slice(start, start + length).join('');
    },
  },
  {
    name: 'format_int',
    arity: 2,
    fn: (args) => {
      const n = num(args, 0);
      const base = int(args, 1);
      if (![2, 8, 10, 16].includes(base)) typeError('operand 2 must be one of {2, 8, 10, 16}');
      const i = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
      return i.toString(base);
    },
  },
  {
    name: 'sprintf',
    arity: 2,
    fn: (args) => {
      const f = str(args, 0);
      const vs = args[1]!;
      if (!Array.isArray(vs)) return operandError(2, 'array', vs);
      return sprintf(f, vs);
    },
  },
];
