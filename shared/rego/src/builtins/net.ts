/** net.cidr_* builtins over IPv4/IPv6 addresses held as bigints. */
import { RObject, RSet, type Value } from '../values.ts';
import { builtinError, operandError, str } from './args.ts';
import type { Builtin } from './types.ts';

interface Net {
  addr: bigint;
  bits: number;
  prefix: number;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    out = (out << 8n) | BigInt(p);
  }
  return out;
}

function parseIPv6(s: string): bigint | undefined {
  let text = s;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = `${text.slice(0, lastColon + 1)}x`;
    text = text.replace(/:x$/, tail.length ? ':' : '').replace(/::$/, '::');
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const groups = [...head, ...rest];
  for (const g of groups) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
  const total = groups.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const zeros = 8 - total;
  const all = [
    ...head.map((g) => BigInt(`0x${g}`)),
    ...Array(halves.length === 2 ? zeros : 0).fill(0n),
    ...rest.map((g) => BigInt(`0x${g}`)),
    ...tail,
  ];
  return all.reduce((acc: bigint, g: bigint) => (acc << 16n) | g, 0n);
}

function parseIP(s: string): { addr: bigint; bits: number } | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { addr: v4, bits: 32 };
  const v6 = s.includes(':') ? parseIPv6(s) : undefined;
  return v6 === undefined ? undefined : { addr: v6, bits: 128 };
}

function parseCIDR(s: string): Net | undefined {
  const m = /^(.+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIP(m[1]!);
  const prefix = Number(m[2]);
  if (!ip || prefix > ip.bits) return undefined;
  return { ...ip, addr: mask(ip.addr, ip.bits, prefix), prefix };
}

function mask(addr: bigint, bits: number, prefix: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return (addr >> hostBits) << hostBits;
}

function cidrArg(args: Value[], i: number): Net {
  const s = str(args, i);
  const n = parseCIDR(s);
  if (!n) builtinError(`invalid CIDR address: ${s}`);
  return n!;
}

function cidrOrIP(s: string): Net | undefined {
  const n = parseCIDR(s);
  if (n) return n;
  const ip = parseIP(s);
  return ip ? { ...ip, prefix: ip.bits } : undefined;
}

function contains(outer: Net, inner: Net): boolean {
  return (
    outer.bits === inner.bits &&
    inner.prefix >= outer.prefix &&
    mask(inner.addr, inner.bits, outer.prefix) === outer.addr
  );
}

function formatIP(addr: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((addr >> BigInt(i * 16)) & 0xffffn).toString(16));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function cidrContains(args: Value[]): Value {
  const outer = cidrArg(args, 0);
  const s = str(args, 1);
  const inner = cidrOrIP(s);
  if (!inner) builtinError(`invalid CIDR address: ${s}`);
  return contains(outer, inner!);
}

/** (key, CIDR) pairs of a cidr_contains_matches operand: a string, or a collection of strings or [cidr, ...] tuples. */
function cidrItems(v: Value, pos: number): [Value, string][] {
  const item = (key: Value, x: Value): [Value, string] => {
    if (typeof x === 'string') return [key, x];
    if (Array.isArray(x) && typeof x[0] === 'string') return [key, x[0]];
    return builtinError(`operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => item(i, x));
  if (v instanceof RSet) return [...v.values()].map((x) => item(x, x));
  if (v instanceof RObject) return [...v.entries()].map(([k, x]) => item(k, x));
  return operandError(pos, 'one of {string, array, set, object}', v);
}

function parseOrFail(s: string, parse: (s: string) => Net | undefined): Net {
  const n = parse(s);
  if (!n) builtinError(`invalid CIDR address: ${s}`);
  return n!;
}

/** Smallest set of networks covering the same addresses: drop contained networks, join sibling halves. */
function mergeNets(nets: Net[]): Net[] {
  let list = [...nets].sort(
    (a, b) => a.bits - b.bits || (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.prefix - b.prefix),
  );
  for (let changed = true; changed; ) {
    changed = false;
    const out: Net[] = [];
    for (const n of list) {
      const last = out[out.length - 1];
      if (last && contains(last, n)) {
        changed = changed || last.prefix !== n.prefix || last.addr !== n.addr;
        continue;
      }
      if (last && last.bits === n.bits && last.prefix === n.prefix && last.prefix > 0) {
        const parent = mask(last.addr, last.bits, last.prefix - 1);
        if (parent === mask(n.addr, n.bits, n.prefix - 1)) {
          out[out.length - 1] = { addr: parent, bits: last.bits, prefix: last.prefix - 1 };
          changed = true;
          continue;
        }
      }
      out.push(n);
    }
    list = out;
  }
  return list;
}

export const netBuiltins: Builtin[] = [
  {
    name: 'net.cidr_contains_matches',
    arity: 2,
    fn: (args) => {
      const outer = cidrItems(args[0]!, 1).map(([k, c]) => [k, parseOrFail(c, parseCIDR)] as const);
      const inner = cidrItems(args[1]!, 2).map(([k, c]) => [k, parseOrFail(c, cidrOrIP)] as const);
      const out = new RSet();
      for (const [k1, a] of outer) for (const [k2, b] of inner) if (contains(a, b)) out.add([k1, k2]);
      return out;
    },
  },
  {
    name: 'net.cidr_merge',
    arity: 1,
    fn: (args) => {
      const v = args[0]!;
      if (!Array.isArray(v) && !(v instanceof RSet)) return operandError(1, 'one of {array, set}', v);
      const nets = [...(Array.isArray(v) ? v : v.values())].map((x) => {
        if (typeof x !== 'string') return operandError(1, 'array of strings', x);
        if (!x.includes('/')) {
          const ip = parseIP(x);
          if (ip?.bits === 128) builtinError('IPv6 invalid: needs prefix length');
          // as Go's net.IP.DefaultMask: the classful network of the address
          if (ip) {
            const first = Number(ip.addr >> 24n);
            const prefix = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
            return { ...ip, addr: mask(ip.addr, 32, prefix), prefix };
          }
        }
        return parseOrFail(x, parseCIDR);
      });
      return new RSet(mergeNets(nets).map((n) => `${formatIP(n.addr, n.bits)}/${n.prefix}`));
    },
  },
  { name: 'net.cidr_contains', arity: 2, fn: cidrContains },
  // deprecated name kept for v0 policies
  { name: 'net.cidr_overlap', arity: 2, fn: cidrContains },
  {
    name: 'net.cidr_intersects',
    arity: 2,
    fn: (args) => {
      const a = cidrArg(args, 0);
      const b = cidrArg(args, 1);
      return contains(a, b) || contains(b, a);
    },
  },
  {
    name: 'net.cidr_is_valid',
    arity: 1,
    fn: (args) => typeof args[0] === 'string' && parseCIDR(args[0]) !== undefined,
  },
  {
    name: 'net.cidr_expand',
    arity: 1,
    fn: (args) => {
      const n = cidrArg(args, 0);
      const count = 1n << BigInt(n.bits - n.prefix);
      if (count > 65536n) builtinError('CIDR range too large to expand');
      const out = new RSet();
      for (let i = 0n; i < count; i++) out.add(formatIP(n.addr + i, n.bits));
      return out;
    },
  },
];
