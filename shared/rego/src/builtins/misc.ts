/** semver, uuid, rand, walk, graph, print/trace and opa.runtime. */
import { randomInt, randomUUID } from 'node:crypto';
import { normalizeBig, RObject, RSet, toRegoString, type Value } from '../values.ts';
import { builtinError, int, obj, operandError, str } from './args.ts';
import type { Builtin } from './types.ts';

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function parseSemver(s: string, pos: number): RegExpExecArray {
  const m = SEMVER.exec(s);
  if (!m || s.startsWith('v')) builtinError(`operand ${pos}: string ${JSON.stringify(s)} is not a valid SemVer`);
  return m!;
}

function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (nx) return -1;
    if (ny) return 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(pa.length - pb.length);
}

function walk(v: Value, path: Value[], out: Value[]): void {
  out.push([path.slice(), v]);
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v[i]!, [...path, i], out);
  else if (v instanceof RObject) for (const [k, c] of v.sortedEntries()) walk(c, [...path, k], out);
  else if (v instanceof RSet) for (const c of v.sorted()) walk(c, [...path, c], out);
}

function neighbours(graph: RObject, node: Value): Value[] {
  const edges = graph.get(node);
  if (edges === undefined || edges === null) return [];
  if (Array.isArray(edges)) return edges;
  if (edges instanceof RSet) return [...edges.values()];
  return [];
}

/** Start nodes of graph.reachable[_paths]: an array or set operand. */
function startNodes(args: Value[]): Value[] {
  const initial = args[1]!;
  if (Array.isArray(initial)) return initial;
  if (initial instanceof RSet) return [...initial.values()];
  return operandError(2, 'one of {array, set}', initial);
}

/** One print() argument: the set of its values (empty when undefined). */
function printArg(values: Value): string {
  const items = values instanceof RSet ? values.sorted() : [values];
  if (items.length === 0) return '<undefined>';
  return items.map((v) => (typeof v === 'string' ? v : toRegoString(v))).join(', ');
}

export const miscBuiltins: Builtin[] = [
  {
    name: 'semver.is_valid',
    arity: 1,
    fn: (args) => typeof args[0] === 'string' && SEMVER.test(args[0]) && !args[0].startsWith('v'),
  },
  {
    name: 'semver.compare',
    arity: 2,
    fn: (args) => {
      const a = parseSemver(str(args, 0), 1);
      const b = parseSemver(str(args, 1), 2);
      for (let i = 1; i <= 3; i++) {
        const x = BigInt(a[i]!);
        const y = BigInt(b[i]!);
        if (x !== y) return x < y ? -1 : 1;
      }
      return comparePre(a[4], b[4]);
    },
  },
  {
    name: 'uuid.rfc4122',
    arity: 1,
    fn: (args, ctx) => {
      const key = `uuid\u0000${str(args, 0)}`;
      let v = ctx.memo.get(key);
      if (v === undefined) {
        v = randomUUID();
        ctx.memo.set(key, v);
      }
      return v;
    },
  },
  {
    name: 'uuid.parse',
    arity: 1,
    fn: (args) => {
      const s = str(args, 0);
      const m =
        /^(?:urn:uuid:)?\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/.exec(
          s,
        );
      if (!m) return undefined;
      const hex = m.slice(1).join('').toLowerCase();
      const version = Number.parseInt(hex[12]!, 16);
      const variantBits = Number.parseInt(hex[16]!, 16);
      const variant =
        variantBits < 8
          ? 'Reserved, NCS backward compatibility'
          : variantBits < 12
            ? 'RFC4122'
            : variantBits < 14
              ? 'Reserved, Microsoft Corporation backward compatibility'
              : 'Reserved, future definition';
      const o = new RObject();
      o.set('version', version);
      o.set('variant', variant);
      if (version === 1 || version === 2) {
        const time =
          (BigInt(`0x${hex.slice(13, 16)}`) << 48n) |
          (BigInt(`0x${hex.slice(8, 12)}`) << 32n) |
          BigInt(`0x${hex.slice(0, 8)}`);
        const unixNs = (time - 122192928000000000n) * 100n;
        o.set('time', normalizeBig(unixNs));
        o.set('clocksequence', Number.parseInt(hex.slice(16, 20), 16) & 0x3fff);
        o.set('nodeid', hex.slice(20).match(/../g)!.join('-'));
        const first = Number.parseInt(hex.slice(20, 22), 16);
        o.set('macvariables', `${first & 2 ? 'local' : 'global'}:${first & 1 ? 'multicast' : 'unicast'}`);
        if (version === 2) {
          o.set('id', Number.parseInt(hex.slice(0, 8), 16));
          o.set('domain', ['Person', 'Group', 'Org'][Number.parseInt(hex.slice(18, 20), 16)] ?? 'Unknown');
        }
      }
      return o;
    },
  },
  {
    name: 'rand.intn',
    arity: 2,
    fn: (args, ctx) => {
      const s = str(args, 0);
      const n = int(args, 1);
      const key = `rand\u0000${s}\u0000${n}`;
      let v = ctx.memo.get(key);
      if (v === undefined) {
        v = n === 0 ? 0 : randomInt(Math.abs(n));
        ctx.memo.set(key, v);
      }
      return v;
    },
  },
  {
    name: 'walk',
    arity: 1,
    relation: true,
    fn: (args) => {
      const out: Value[] = [];
      walk(args[0]!, [], out);
      return out;
    },
  },
  {
    name: 'graph.reachable',
    arity: 2,
    fn: (args) => {
      const graph = obj(args, 0);
      const seen = new RSet();
      const queue = startNodes(args);
      while (queue.length) {
        const n = queue.shift()!;
        if (seen.has(n) || graph.get(n) === undefined) continue;
        seen.add(n);
        queue.push(...neighbours(graph, n));
      }
      return seen;
    },
  },
  {
    name: 'graph.reachable_paths',
    arity: 2,
    fn: (args) => {
      const graph = obj(args, 0);
      const out = new RSet();
      // a path ends at a leaf, at a node outside the graph (left out), or at an edge to a node already reached
      // from the same first step (as OPA v1.14 does: `reached` is shared within each first step's search)
      const extend = (node: Value, path: Value[], reached: RSet): void => {
        if (graph.get(node) === undefined) {
          out.add(path);
          return;
        }
        const next = [...path, node];
        const edges = neighbours(graph, node);
        if (!edges.length) {
          out.add(next);
          return;
        }
        reached.add(node);
        for (const x of edges) {
          if (reached.has(x)) out.add(next);
          else extend(x, next, reached);
        }
      };
      for (const start of startNodes(args)) {
        if (graph.get(start) === undefined) continue;
        const edges = neighbours(graph, start);
        if (!edges.length) out.add([start]);
        for (const x of edges) extend(x, [start], new RSet([start]));
      }
      return out;
    },
  },
  {
    name: 'print',
    arity: 0,
    variadic: true,
    fn: (args, ctx) => {
      ctx.print(args.map((a) => printArg(a)).join(' '));
      return true;
    },
  },
  {
    name: 'trace',
    arity: 1,
    fn: (args, ctx) => {
      ctx.print(str(args, 0));
      return true;
    },
  },
  {
    name: 'opa.runtime',
    arity: 0,
    fn: (_args, ctx) => {
      const o = new RObject();
      const env = ctx.memo.get('\u0000env');
      if (env !== undefined) o.set('env', env);
      return o;
    },
  },
];
