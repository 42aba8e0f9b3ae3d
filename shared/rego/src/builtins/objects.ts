/** Object builtins and the json.filter/remove/patch family. */
import { equal, RObject, RSet, typeName, type Value } from '../values.ts';
import { arr, builtinError, collection, obj, operandError, typeError } from './args.ts';
import type { Builtin } from './types.ts';

function keysOf(args: Value[], i: number): Value[] {
  const v = args[i]!;
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return [...v.values()];
  if (v instanceof RObject) return v.keys();
  return operandError(i + 1, 'one of {object, set, array}', v);
}

function unionObjects(a: RObject, b: RObject): RObject {
  const out = a.clone();
  for (const [k, bv] of b.entries()) {
    const av = out.get(k);
    out.set(k, av instanceof RObject && bv instanceof RObject ? unionObjects(av, bv) : bv);
  }
  return out;
}

function isSubset(sup: Value, sub: Value): boolean {
  if (sup instanceof RObject && sub instanceof RObject) {
    for (const [k, v] of sub.entries()) {
      const sv = sup.get(k);
      if (sv === undefined) return false;
      const nested =
        (sv instanceof RObject && v instanceof RObject) ||
        (sv instanceof RSet && v instanceof RSet) ||
        (Array.isArray(sv) && Array.isArray(v));
      if (nested ? !isSubset(sv, v) : !equal(sv, v)) return false;
    }
    return true;
  }
  if (sup instanceof RSet && sub instanceof RSet) return [...sub.values()].every((v) => sup.has(v));
  if (Array.isArray(sup) && Array.isArray(sub)) {
    if (sub.length === 0) return true;
    for (let i = 0; i + sub.length <= sup.length; i++) if (sub.every((v, j) => equal(v, sup[i + j]!))) return true;
    return false;
  }
  if (Array.isArray(sup) && sub instanceof RSet) return [...sub.values()].every((v) => sup.some((x) => equal(x, v)));
  return false;
}

/** Paths for json.filter/json.remove: "a/b" strings or arrays of segments. */
function jsonPaths(args: Value[], i: number): Value[][] {
  const v = args[i]!;
  if (!Array.isArray(v) && !(v instanceof RSet))
    typeError(`operand ${i + 1} must be one of {set, array} but got ${typeName(v)}`);
  const out: Value[][] = [];
  for (const p of Array.isArray(v) ? v : v.values()) {
    if (typeof p === 'string')
      out.push(
        p
          .replace(/^\//, '')
          .split('/')
          .filter((s, _i, a) => !(s === '' && a.length === 1))
          .map(unescapePointer),
      );
    else if (Array.isArray(p)) out.push(p);
    else
      typeError(
        `operand ${i + 1} must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`,
      );
  }
  return out;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

interface PathTree {
  leaf: boolean;
  children: Map<string, { key: Value; tree: PathTree }>;
}

function buildTree(paths: Value[][]): PathTree {
  const root: PathTree = { leaf: false, children: new Map() };
  for (const p of paths) {
    let t = root;
    for (const seg of p) {
      const k = typeof seg === 'string' ? seg : JSON.stringify(seg);
      let c = t.children.get(k);
      if (!c) {
        c = { key: seg, tree: { leaf: false, children: new Map() } };
        t.children.set(k, c);
      }
      t = c.tree;
    }
    t.leaf = true;
  }
  return root;
}

function segmentMatches(seg: string, key: Value): boolean {
  return typeof key === 'string' ? seg === key : typeof key === 'number' ? seg === String(key) : false;
}

function filterValue(v: Value, tree: PathTree): Value | undefined {
  if (tree.leaf) return v;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, child] of v.entries())
      for (const [seg, c] of tree.children)
        if (segmentMatches(seg, k)) {
          const f = filterValue(child, c.tree);
          if (f !== undefined) out.set(k, f);
        }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((child, idx) => {
      for (const [seg, c] of tree.children)
        if (segmentMatches(seg, idx)) {
          const f = filterValue(child, c.tree);
          if (f !== undefined) out.push(f);
        }
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const child of v.values())
      for (const [, c] of tree.children)
        if (equal(c.key, child)) {
          const f = filterValue(child, c.tree);
          if (f !== undefined) out.add(f);
        }
    return out;
  }
  return undefined;
}

function removeValue(v: Value, tree: PathTree): Value | undefined {
  if (tree.leaf) return undefined;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, child] of v.entries()) {
      const c = [...tree.children].find(([seg]) => segmentMatches(seg, k))?.[1];
      if (!c) out.set(k, child);
      else {
        const r = removeValue(child, c.tree);
        if (r !== undefined) out.set(k, r);
      }
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((child, idx) => {
      const c = [...tree.children].find(([seg]) => segmentMatches(seg, idx))?.[1];
      if (!c) out.push(child);
      else {
        const r = removeValue(child, c.tree);
        if (r !== undefined) out.push(r);
      }
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const child of v.values()) {
      const c = [...tree.children.values()].find((x) => equal(x.key, child));
      if (!c) out.add(child);
      else {
        const r = removeValue(child, c.tree);
        if (r !== undefined) out.add(r);
      }
    }
    return out;
  }
  return v;
}

// ---------- json.patch (RFC 6902) ----------

function parsePointer(p: Value): Value[] {
  if (Array.isArray(p)) return p;
  if (typeof p !== 'string') builtinError('invalid path');
  if (p === '') return [];
  return p.replace(/^\//, '').split('/').map(unescapePointer);
}

function arrayIndex(a: Value[], seg: Value, forAdd: boolean): number | undefined {
  if (seg === '-' && forAdd) return a.length;
  const n =
    typeof seg === 'number' ? seg : typeof seg === 'string' && /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : undefined;
  if (n === undefined || n > a.length || (!forAdd && n === a.length)) return undefined;
  return n;
}

function getAt(doc: Value, path: Value[]): Value | undefined {
  let cur: Value | undefined = doc;
  for (const seg of path) {
    if (cur instanceof RObject) cur = cur.get(seg);
    else if (Array.isArray(cur)) {
      const i = arrayIndex(cur, seg, false);
      cur = i === undefined ? undefined : cur[i];
    } else if (cur instanceof RSet) cur = cur.has(seg) ? seg : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Returns a new document with the container at path's parent rebuilt by fn, or undefined when the path is missing. */
function updateAt(doc: Value, path: Value[], fn: (parent: Value, last: Value) => Value | undefined): Value | undefined {
  if (path.length === 0) return undefined;
  const [seg, ...rest] = path as [Value, ...Value[]];
  if (rest.length === 0) return fn(doc, seg);
  const child = getAt(doc, [seg]);
  if (child === undefined) return undefined;
  const updated = updateAt(child, rest, fn);
  if (updated === undefined) return undefined;
  if (doc instanceof RObject) {
    const o = doc.clone();
    o.set(seg, updated);
    return o;
  }
  if (Array.isArray(doc)) {
    const a = doc.slice();
    a[arrayIndex(doc, seg, false)!] = updated;
    return a;
  }
  if (doc instanceof RSet) {
    const s = new RSet([...doc.values()].filter((v) => !equal(v, seg)));
    s.add(updated);
    return s;
  }
  return undefined;
}

function addAt(doc: Value, path: Value[], value: Value): Value | undefined {
  if (path.length === 0) return value;
  return updateAt(doc, path, (parent, last) => {
    if (parent instanceof RObject) {
      const o = parent.clone();
      o.set(last, value);
      return o;
    }
    if (Array.isArray(parent)) {
      const i = arrayIndex(parent, last, true);
      if (i === undefined) return undefined;
      const a = parent.slice();
      a.splice(i, 0, value);
      return a;
    }
    if (parent instanceof RSet) {
      // a set member's path segment is the member itself
      if (!equal(last, value)) return undefined;
      const s = new RSet(parent.values());
      s.add(value);
      return s;
    }
    return undefined;
  });
}

function removeAt(doc: Value, path: Value[]): Value | undefined {
  return updateAt(doc, path, (parent, last) => {
    if (parent instanceof RObject) {
      if (!parent.has(last)) return undefined;
      const o = parent.clone();
      o.delete(last);
      return o;
    }
    if (Array.isArray(parent)) {
      const i = arrayIndex(parent, last, false);
      if (i === undefined) return undefined;
      const a = parent.slice();
      a.splice(i, 1);
      return a;
    }
    if (parent instanceof RSet) {
      if (!parent.has(last)) return undefined;
      return new RSet([...parent.values()].filter((v) => !equal(v, last)));
    }
    return undefined;
  });
}

function applyPatch(doc: Value, op: RObject): Value | undefined {
  const kind = op.get('op');
  const path = op.get('path');
  if (typeof kind !== 'string' || path === undefined) return undefined;
  const p = parsePointer(path);
  switch (kind) {
    case 'add': {
      const v = op.get('value');
      return v === undefined ? undefined : addAt(doc, p, v);
    }
    case 'remove':
      return removeAt(doc, p);
    case 'replace': {
      const v = op.get('value');
      if (v === undefined || getAt(doc, p) === undefined) return undefined;
      const removed = p.length === 0 ? doc : removeAt(doc, p);
      return removed === undefined ? undefined : addAt(removed, p, v);
    }
    case 'move': {
      const from = op.get('from');
      if (from === undefined) return undefined;
      const fp = parsePointer(from);
      const v = getAt(doc, fp);
      if (v === undefined) return undefined;
      const removed = removeAt(doc, fp);
      return removed === undefined ? undefined : addAt(removed, p, v);
    }
    case 'copy': {
      const from = op.get('from');
      if (from === undefined) return undefined;
      const v = getAt(doc, parsePointer(from));
      return v === undefined ? undefined : addAt(doc, p, v);
    }
    case 'test': {
      const v = op.get('value');
      const cur = getAt(doc, p);
      return v !== undefined && cur !== undefined && equal(cur, v) ? doc : undefined;
    }
    default:
      return undefined;
  }
}

export const objectBuiltins: Builtin[] = [
  {
    name: 'object.get',
    arity: 3,
    fn: (args) => {
      const o = obj(args, 0);
      const key = args[1]!;
      const dflt = args[2]!;
      if (Array.isArray(key)) {
        let cur: Value | undefined = o;
        for (const k of key) {
          if (cur instanceof RObject) cur = cur.get(k);
          else if (Array.isArray(cur)) cur = typeof k === 'number' ? cur[k] : undefined;
          else if (cur instanceof RSet) cur = cur.has(k) ? k : undefined;
          else cur = undefined;
          if (cur === undefined) return dflt;
        }
        return cur;
      }
      return o.get(key) ?? dflt;
    },
  },
  { name: 'object.keys', arity: 1, fn: (args) => new RSet(obj(args, 0).keys()) },
  {
    name: 'object.remove',
    arity: 2,
    fn: (args) => {
      const o = obj(args, 0);
      const out = o.clone();
      for (const k of keysOf(args, 1)) out.delete(k);
      return out;
    },
  },
  {
    name: 'object.filter',
    arity: 2,
    fn: (args) => {
      const o = obj(args, 0);
      const out = new RObject();
      for (const k of keysOf(args, 1)) {
        const v = o.get(k);
        if (v !== undefined) out.set(k, v);
      }
      return out;
    },
  },
  { name: 'object.union', arity: 2, fn: (args) => unionObjects(obj(args, 0), obj(args, 1)) },
  {
    name: 'object.union_n',
    arity: 1,
    fn: (args) => {
      let out = new RObject();
      for (const o of arr(args, 0)) {
        if (!(o instanceof RObject)) return operandError(1, 'array of objects', o);
        out = unionObjects(out, o);
      }
      return out;
    },
  },
  {
    name: 'object.subset',
    arity: 2,
    fn: (args) => {
      const [sup, sub] = args as [Value, Value];
      const ok = (v: Value) => v instanceof RObject || v instanceof RSet || Array.isArray(v);
      if (!ok(sup)) operandError(1, 'one of {object, set, array}', sup);
      if (!ok(sub)) operandError(2, 'one of {object, set, array}', sub);
      if (sup instanceof RObject !== sub instanceof RObject)
        typeError('both arguments must be objects, or neither may be');
      return isSubset(sup, sub);
    },
  },
  {
    name: 'json.filter',
    arity: 2,
    fn: (args) => filterValue(obj(args, 0), buildTree(jsonPaths(args, 1))) ?? new RObject(),
  },
  {
    name: 'json.remove',
    arity: 2,
    fn: (args) => removeValue(obj(args, 0), buildTree(jsonPaths(args, 1))),
  },
  {
    name: 'json.patch',
    arity: 2,
    fn: (args) => {
      let doc: Value | undefined = args[0]!;
      for (const op of collection(args, 1, 'array')) {
        if (!(op instanceof RObject)) return undefined;
        doc = applyPatch(doc, op);
        if (doc === undefined) return undefined;
      }
      return doc;
    },
  },
];
