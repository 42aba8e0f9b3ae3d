/**
 * Backtracking evaluator over the compiled IR, in continuation-passing style: every step calls its continuation
 * once per solution, and a continuation returning true stops the search (first solution found, conflict found).
 */
import type { BuiltinContext } from './builtins/types.ts';
import { BuiltinError, type Location, RegoEvalError } from './errors.ts';
import type { Callable, CClause, CExpr, CRule, CTerm, CWith, RuleNode } from './ir.ts';
import { childNode } from './ruletree.ts';
import { equal, isObject, keyOf, RObject, RSet, toRegoString, type Value } from './values.ts';

/** Continuation: called once per solution; returning true stops the search. */
type Next = () => boolean;
type Yield = (v: Value) => boolean;
type Frame = (Value | undefined)[];

type Mock = { kind: 'value'; value: Value } | { kind: 'fn'; fn: Callable };

const PENDING = Symbol('pending');

export interface EvalOptions {
  input: Value | undefined;
  data: Value;
  strict: boolean;
  builtins: BuiltinContext;
}

/** One evaluation's state: input, base data, `with` overrides and the memo of computed documents. */
export class Context {
  readonly input: Value | undefined;
  readonly data: Value;
  readonly strict: boolean;
  readonly builtins: BuiltinContext;
  readonly overrides: { path: Value[]; value: Value }[] | undefined;
  readonly mocks: Map<string, Mock> | undefined;
  readonly cache = new Map<RuleNode, Value | undefined | typeof PENDING>();
  readonly root: RuleNode;

  constructor(
    root: RuleNode,
    opts: EvalOptions,
    overrides?: { path: Value[]; value: Value }[],
    mocks?: Map<string, Mock>,
  ) {
    this.root = root;
    this.input = opts.input;
    this.data = opts.data;
    this.strict = opts.strict;
    this.builtins = opts.builtins;
    this.overrides = overrides;
    this.mocks = mocks;
  }
}

/** Safety checks make this unreachable; it guards against an evaluator bug reading an unbound variable. */
function unsafe(name: string): never {
  throw new RegoEvalError('eval_internal_error', `var ${name} is unbound`);
}

function isGround(t: CTerm, f: Frame): boolean {
  return t.k === 'const' || (t.k === 'var' && f[t.slot] !== undefined);
}

// ---------- bodies and expressions ----------

export function evalBody(body: CExpr[], i: number, f: Frame, ctx: Context, k: Next): boolean {
  if (i === body.length) return k();
  const x = body[i]!;
  return evalExpr(x, f, ctx, i + 1 === body.length ? k : () => evalBody(body, i + 1, f, ctx, k));
}

function evalExpr(x: CExpr, f: Frame, ctx: Context, k: Next): boolean {
  if (x.withs) {
    const inner = withContext(x.withs, f, ctx);
    return inner ? evalExprPlain(x, f, inner, k) : false;
  }
  return evalExprPlain(x, f, ctx, k);
}

function evalExprPlain(x: CExpr, f: Frame, ctx: Context, k: Next): boolean {
  switch (x.k) {
    case 'term':
      return evalTerm(x.term, f, ctx, (v) => (v !== false ? k() : false));
    case 'unify':
      return unify(x.a, x.b, f, ctx, k);
    case 'not': {
      let found = false;
      evalExpr(x.inner, f, ctx, () => {
        found = true;
        return true;
      });
      return found ? false : k();
    }
    case 'somein':
      return evalTerm(x.coll, f, ctx, (coll) =>
        eachEntry(coll, (key, value) =>
          x.key
            ? unifyValue(x.key, key, f, ctx, () => unifyValue(x.value, value, f, ctx, k))
            : unifyValue(x.value, value, f, ctx, k),
        ),
      );
    case 'every':
      return evalTerm(x.domain, f, ctx, (coll) => {
        if (!Array.isArray(coll) && !(coll instanceof RObject) && !(coll instanceof RSet)) return false;
        const ok = !eachEntry(coll, (key, value) => {
          let holds = false;
          const check = () =>
            evalBody(x.body, 0, f, ctx, () => {
              holds = true;
              return true;
            });
          if (x.key) unifyValue(x.key, key, f, ctx, () => unifyValue(x.value, value, f, ctx, check));
          else unifyValue(x.value, value, f, ctx, check);
          return !holds;
        });
        return ok ? k() : false;
      });
  }
}

/** Calls fn for each (key, value) of a collection; stops when it returns true. */
function eachEntry(coll: Value, fn: (key: Value, value: Value) => boolean): boolean {
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) if (fn(i, coll[i]!)) return true;
  } else if (coll instanceof RObject) {
    for (const [key, value] of coll.entries()) if (fn(key, value)) return true;
  } else if (coll instanceof RSet) {
    for (const v of coll.values()) if (fn(v, v)) return true;
  }
  return false;
}

// ---------- with ----------

const UNDEFINED_WITH = Symbol('undefined-with');

function evalOne(t: CTerm, f: Frame, ctx: Context): Value | undefined {
  if (t.k === 'const') return t.v;
  let out: Value | undefined;
  evalTerm(t, f, ctx, (v) => {
    out = v;
    return true;
  });
  return out;
}

/** The context the `with` modifiers describe, or undefined when one of their values is undefined. */
function withContext(withs: CWith[], f: Frame, ctx: Context): Context | undefined {
  try {
    return applyWith(withs, f, ctx);
  } catch (e) {
    if (e === UNDEFINED_WITH) return undefined;
    throw e;
  }
}

function applyWith(withs: CWith[], f: Frame, ctx: Context): Context {
  let input = ctx.input;
  let data = ctx.data;
  let overrides = ctx.overrides;
  let mocks = ctx.mocks;
  for (const w of withs) {
    const t = w.target;
    if (t.kind === 'fn') {
      mocks = new Map(mocks);
      if (w.fn) mocks.set(t.key, { kind: 'fn', fn: w.fn });
      else {
        const v = evalOne(w.value, f, ctx);
        if (v === undefined) throw UNDEFINED_WITH;
        mocks.set(t.key, { kind: 'value', value: v });
      }
      continue;
    }
    const v = evalOne(w.value, f, ctx);
    if (v === undefined) throw UNDEFINED_WITH;
    if (t.kind === 'input') input = t.path.length ? setPath(input, t.path, v) : v;
    else {
      data = setPath(data, t.path, v);
      overrides = [...(overrides ?? []).filter((o) => !isPrefix(t.path, o.path)), { path: t.path, value: v }];
    }
  }
  return new Context(ctx.root, { input, data, strict: ctx.strict, builtins: ctx.builtins }, overrides, mocks);
}

function isPrefix(prefix: Value[], path: Value[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (!equal(prefix[i]!, path[i]!)) return false;
  return true;
}

/** Copy of doc with value placed at path, creating objects on the way. */
function setPath(doc: Value | undefined, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  const obj = isObject(doc) ? doc.clone() : new RObject();
  const [head, ...rest] = path;
  obj.set(head!, setPath(obj.get(head!), rest, value));
  return obj;
}

// ---------- unification ----------

function bind(slot: number, v: Value, f: Frame, k: Next): boolean {
  f[slot] = v;
  const r = k();
  f[slot] = undefined;
  return r;
}

function isPattern(t: CTerm): boolean {
  return t.k === 'var' || t.k === 'array' || t.k === 'object';
}

/** Whether a pattern term still holds unbound variables. */
function hasUnbound(t: CTerm, f: Frame): boolean {
  switch (t.k) {
    case 'var':
      return f[t.slot] === undefined;
    case 'array':
      return t.items.some((i) => hasUnbound(i, f));
    case 'object':
      return t.entries.some(([, v]) => hasUnbound(v, f));
    default:
      return false;
  }
}

function unify(a: CTerm, b: CTerm, f: Frame, ctx: Context, k: Next): boolean {
  if (a.k === 'var' && f[a.slot] === undefined) {
    if (b.k === 'var' && f[b.slot] === undefined) unsafe(b.name);
    return evalTerm(b, f, ctx, (v) => bind(a.slot, v, f, k));
  }
  if (b.k === 'var' && f[b.slot] === undefined) return evalTerm(a, f, ctx, (v) => bind(b.slot, v, f, k));
  if (a.k === 'array' && b.k === 'array') {
    if (a.items.length !== b.items.length) return false;
    return unifyPairs(a.items, b.items, 0, f, ctx, k);
  }
  if (a.k === 'object' && b.k === 'object') return unifyObjects(a.entries, b.entries, f, ctx, k);
  if (hasUnbound(a, f)) return evalTerm(b, f, ctx, (v) => unifyValue(a, v, f, ctx, k));
  return evalTerm(a, f, ctx, (v) => unifyValue(b, v, f, ctx, k));
}

function unifyPairs(as: CTerm[], bs: CTerm[], i: number, f: Frame, ctx: Context, k: Next): boolean {
  if (i === as.length) return k();
  return unify(as[i]!, bs[i]!, f, ctx, () => unifyPairs(as, bs, i + 1, f, ctx, k));
}

function unifyObjects(a: [CTerm, CTerm][], b: [CTerm, CTerm][], f: Frame, ctx: Context, k: Next): boolean {
  if (a.length !== b.length) return false;
  const bKeys = new Map<string, CTerm>();
  for (const [kt, vt] of b) {
    const kv = evalOne(kt, f, ctx);
    if (kv === undefined) return false;
    bKeys.set(keyOf(kv), vt);
  }
  const pairs: [CTerm, CTerm][] = [];
  for (const [kt, vt] of a) {
    const kv = evalOne(kt, f, ctx);
    const other = kv === undefined ? undefined : bKeys.get(keyOf(kv));
    if (!other) return false;
    pairs.push([vt, other]);
  }
  return unifyPairs(
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
    0,
    f,
    ctx,
    k,
  );
}

/** Unifies a term (possibly a pattern with unbound vars) with a value. */
function unifyValue(t: CTerm, v: Value, f: Frame, ctx: Context, k: Next): boolean {
  switch (t.k) {
    case 'const':
      return equal(t.v, v) ? k() : false;
    case 'var': {
      const cur = f[t.slot];
      if (cur === undefined) return bind(t.slot, v, f, k);
      return equal(cur, v) ? k() : false;
    }
    case 'array':
      if (!Array.isArray(v) || v.length !== t.items.length) return false;
      return unifyItems(t.items, v, 0, f, ctx, k);
    case 'object': {
      if (!(v instanceof RObject) || v.size !== t.entries.length) return false;
      return unifyEntries(t.entries, v, 0, f, ctx, k);
    }
    default:
      return evalTerm(t, f, ctx, (tv) => (equal(tv, v) ? k() : false));
  }
}

function unifyItems(items: CTerm[], vs: Value[], i: number, f: Frame, ctx: Context, k: Next): boolean {
  if (i === items.length) return k();
  return unifyValue(items[i]!, vs[i]!, f, ctx, () => unifyItems(items, vs, i + 1, f, ctx, k));
}

function unifyEntries(entries: [CTerm, CTerm][], obj: RObject, i: number, f: Frame, ctx: Context, k: Next): boolean {
  if (i === entries.length) return k();
  const [kt, vt] = entries[i]!;
  return evalTerm(kt, f, ctx, (key) => {
    const v = obj.get(key);
    if (v === undefined) return false;
    return unifyValue(vt, v, f, ctx, () => unifyEntries(entries, obj, i + 1, f, ctx, k));
  });
}

// ---------- terms ----------

export function evalTerm(t: CTerm, f: Frame, ctx: Context, k: Yield): boolean {
  switch (t.k) {
    case 'const':
      return k(t.v);
    case 'var': {
      const v = f[t.slot];
      if (v === undefined) unsafe(t.name);
      return k(v);
    }
    case 'input':
      if (ctx.input === undefined) return false;
      return indexPath(ctx.input, t.path, 0, f, ctx, k);
    case 'data':
      return evalData(ctx.root, t.path, 0, f, ctx, k);
    case 'ref':
      return evalTerm(t.head, f, ctx, (v) => indexPath(v, t.path, 0, f, ctx, k));
    case 'array':
      return evalItems(t.items, 0, [], f, ctx, (items) => k(items));
    case 'set':
      return evalItems(t.items, 0, [], f, ctx, (items) => k(new RSet(items)));
    case 'object':
      return evalObject(t.entries, 0, new RObject(), f, ctx, k);
    case 'compr':
      return k(evalComprehension(t, f, ctx));
    case 'call':
      return evalCall(t, f, ctx, k);
    case 'template': {
      const parts: string[] = [];
      const step = (i: number): boolean => {
        if (i === t.parts.length) return k(parts.join(''));
        const p = t.parts[i]!;
        if (typeof p === 'string') {
          parts.push(p);
          const r = step(i + 1);
          parts.pop();
          return r;
        }
        let found = false;
        const partCtx = p.withs ? withContext(p.withs, f, ctx) : ctx;
        const r = !partCtx
          ? false
          : evalTerm(p.term, f, partCtx, (v) => {
              found = true;
              parts.push(typeof v === 'string' ? v : toRegoString(v));
              const out = step(i + 1);
              parts.pop();
              return out;
            });
        if (found) return r;
        parts.push('<undefined>');
        const out = step(i + 1);
        parts.pop();
        return out;
      };
      return step(0);
    }
  }
}

/** Evaluates terms into one array per combination of their values, in `order` when given (call arguments). */
function evalItems(
  items: CTerm[],
  i: number,
  acc: Value[],
  f: Frame,
  ctx: Context,
  k: (vs: Value[]) => boolean,
  order?: number[],
): boolean {
  if (i === items.length) return k(acc.slice());
  const idx = order ? order[i]! : i;
  return evalTerm(items[idx]!, f, ctx, (v) => {
    acc[idx] = v;
    return evalItems(items, i + 1, acc, f, ctx, k, order);
  });
}

function evalObject(entries: [CTerm, CTerm][], i: number, acc: RObject, f: Frame, ctx: Context, k: Yield): boolean {
  if (i === entries.length) return k(acc.clone());
  const [kt, vt] = entries[i]!;
  return evalTerm(kt, f, ctx, (key) =>
    evalTerm(vt, f, ctx, (v) => {
      const had = acc.map.get(keyOf(key));
      acc.set(key, v);
      const r = evalObject(entries, i + 1, acc, f, ctx, k);
      if (had) acc.map.set(keyOf(key), had);
      else acc.delete(key);
      return r;
    }),
  );
}

function evalComprehension(t: Extract<CTerm, { k: 'compr' }>, f: Frame, ctx: Context): Value {
  if (t.kind === 'array') {
    const out: Value[] = [];
    evalBody(t.body, 0, f, ctx, () =>
      evalTerm(t.head, f, ctx, (v) => {
        out.push(v);
        return false;
      }),
    );
    return out;
  }
  if (t.kind === 'set') {
    const out = new RSet();
    evalBody(t.body, 0, f, ctx, () =>
      evalTerm(t.head, f, ctx, (v) => {
        out.add(v);
        return false;
      }),
    );
    return out;
  }
  const out = new RObject();
  evalBody(t.body, 0, f, ctx, () =>
    evalTerm(t.head, f, ctx, (key) =>
      evalTerm(t.value!, f, ctx, (v) => {
        const prev = out.get(key);
        if (prev !== undefined && !equal(prev, v))
          throw new RegoEvalError('eval_conflict_error', 'object keys must be unique');
        out.set(key, v);
        return false;
      }),
    ),
  );
  return out;
}

/** Looks up (or enumerates, for unbound vars and patterns) the path below a value. */
/**
 * Looks up (or enumerates, for unbound vars and patterns) the path below a value. Below base documents
 * (`inData`), an integer key also names the string key it prints as, since data comes from JSON.
 */
function indexPath(v: Value, path: CTerm[], i: number, f: Frame, ctx: Context, k: Yield, inData = false): boolean {
  if (i === path.length) return k(v);
  const t = path[i]!;
  const step = (key: Value): boolean => {
    const child = inData ? lookupData(v, key) : lookup(v, key);
    return child === undefined ? false : indexPath(child, path, i + 1, f, ctx, k, inData);
  };
  if (isGround(t, f)) return step(t.k === 'const' ? t.v : f[(t as { slot: number }).slot]!);
  if (isPattern(t)) {
    return eachEntry(v, (key, child) =>
      unifyValue(t, key, f, ctx, () => indexPath(child, path, i + 1, f, ctx, k, inData)),
    );
  }
  return evalTerm(t, f, ctx, step);
}

function lookupData(v: Value, key: Value): Value | undefined {
  const child = lookup(v, key);
  return child === undefined && typeof key === 'number' && v instanceof RObject ? v.get(String(key)) : child;
}

function lookup(v: Value, key: Value): Value | undefined {
  if (v instanceof RObject) return v.get(key);
  if (Array.isArray(v)) return typeof key === 'number' && Number.isInteger(key) ? v[key] : undefined;
  if (v instanceof RSet) return v.has(key) ? key : undefined;
  return undefined;
}

// ---------- data documents ----------

function overrideAt(ctx: Context, path: Value[]): Value | undefined {
  if (!ctx.overrides) return undefined;
  for (const o of ctx.overrides) {
    if (o.path.length === path.length && isPrefix(o.path, path)) return o.value;
  }
  return undefined;
}

function baseDataAt(ctx: Context, path: Value[]): Value | undefined {
  let v: Value | undefined = ctx.data;
  for (const p of path) {
    if (v === undefined) return undefined;
    v = lookup(v, p);
  }
  return v;
}

function evalData(node: RuleNode, path: CTerm[], i: number, f: Frame, ctx: Context, k: Yield): boolean {
  if (ctx.overrides) {
    const o = overrideAt(ctx, node.path);
    if (o !== undefined) return indexPath(o, path, i, f, ctx, k);
  }
  if (node.rules.length || node.defaultRule || i === path.length) {
    const v = nodeValue(node, ctx);
    return v === undefined ? false : indexPath(v, path, i, f, ctx, k);
  }
  const t = path[i]!;
  if (isGround(t, f)) {
    const key = t.k === 'const' ? t.v : f[(t as { slot: number }).slot]!;
    const child = childNode(node, key, false);
    if (child) return evalData(child, path, i + 1, f, ctx, k);
    const base = baseDataAt(ctx, node.path);
    const sub = base === undefined ? undefined : lookupData(base, key);
    return sub === undefined ? false : indexPath(sub, path, i + 1, f, ctx, k, true);
  }
  const v = nodeValue(node, ctx);
  return v === undefined ? false : indexPath(v, path, i, f, ctx, k);
}

/** The full value of a document in the rule tree (memoised per context). */
function nodeValue(node: RuleNode, ctx: Context): Value | undefined {
  const cached = ctx.cache.get(node);
  if (cached === PENDING) throw new RegoEvalError('eval_recursion_error', `rule ${node.name} is recursive`);
  if (cached !== undefined || ctx.cache.has(node)) return cached as Value | undefined;
  ctx.cache.set(node, PENDING);
  try {
    const v = computeNode(node, ctx);
    ctx.cache.set(node, v);
    return v;
  } catch (e) {
    ctx.cache.delete(node);
    throw e;
  }
}

function computeNode(node: RuleNode, ctx: Context): Value | undefined {
  const o = overrideAt(ctx, node.path);
  if (o !== undefined) return o;
  const rules = node.rules;
  if (rules.length && rules[0]!.kind === 'complete') return completeValue(node, ctx);
  if (rules.length && rules[0]!.kind === 'set' && rules[0]!.suffix.length === 0) {
    const out = new RSet();
    for (const r of rules)
      eachSolution(r, ctx, (f) =>
        evalTerm(r.key!, f, ctx, (v) => {
          out.add(v);
          return false;
        }),
      );
    return out;
  }
  if (!rules.length && node.defaultRule) return completeValue(node, ctx);
  // a function is no document, except one without arguments, whose value it is
  if (!rules.length && node.arity === 0) return callUser(node, [], ctx);
  if (!rules.length && node.arity !== undefined && node.children.size === 0) return undefined;
  const base = baseDataAt(ctx, node.path);
  const out = isObject(base) ? base.clone() : new RObject();
  for (const child of node.children.values()) {
    const cv = nodeValue(child, ctx);
    if (cv === undefined) continue;
    const existing = out.get(child.key);
    out.set(child.key, existing === undefined ? cv : mergeBase(existing, cv));
  }
  for (const r of rules) {
    eachSolution(r, ctx, (f) =>
      evalItems(r.suffix, 0, [], f, ctx, (keys) =>
        evalTerm(r.kind === 'set' ? r.key! : r.clauses[0]!.value, f, ctx, (v) => {
          insertNested(out, keys, v, r.kind === 'set', r.loc);
          return false;
        }),
      ),
    );
  }
  if (ctx.overrides) {
    for (const ov of ctx.overrides) {
      if (ov.path.length > node.path.length && isPrefix(node.path, ov.path)) {
        const rest = ov.path.slice(node.path.length);
        const patched = setPath(out, rest, ov.value) as RObject;
        return patched;
      }
    }
  }
  return out;
}

/** Base data and virtual documents at one path: objects merge, elsewhere the base document wins (as OPA). */
function mergeBase(base: Value, virtual: Value): Value {
  if (!(base instanceof RObject) || !(virtual instanceof RObject)) return base;
  const out = base.clone();
  for (const [k, v] of virtual.entries()) {
    const b = out.get(k);
    out.set(k, b === undefined ? v : mergeBase(b, v));
  }
  return out;
}

function conflict(message: string, loc: Location): never {
  throw new RegoEvalError('eval_conflict_error', message, loc);
}

function insertNested(obj: RObject, keys: Value[], v: Value, isSet: boolean, loc: Location): void {
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur.get(keys[i]!);
    if (next === undefined) {
      const created = new RObject();
      cur.set(keys[i]!, created);
      cur = created;
    } else if (next instanceof RObject) cur = next;
    else conflict('object keys must be unique', loc);
  }
  const last = keys[keys.length - 1]!;
  const prev = cur.get(last);
  if (isSet) {
    if (prev === undefined) cur.set(last, new RSet([v]));
    else if (prev instanceof RSet) prev.add(v);
    else conflict('object keys must be unique', loc);
    return;
  }
  if (prev !== undefined && !equal(prev, v)) conflict('object keys must be unique', loc);
  cur.set(last, v);
}

/** Runs the rule body once per solution (set and object rules have no else clauses). */
function eachSolution(r: CRule, ctx: Context, onSolution: (f: Frame) => boolean): void {
  const frame = new Array<Value | undefined>(r.nslots);
  evalBody(r.clauses[0]!.body, 0, frame, ctx, () => onSolution(frame));
}

function clauseValues(r: CRule, frame: Frame, ctx: Context, add: (v: Value, c: CClause) => void): void {
  for (const clause of r.clauses) {
    let found = false;
    const stopAtFirst = clause.value.k === 'const';
    evalBody(clause.body, 0, frame, ctx, () => {
      found = true;
      evalTerm(clause.value, frame, ctx, (v) => {
        add(v, clause);
        return false;
      });
      return stopAtFirst;
    });
    if (found) return;
  }
}

function completeValue(node: RuleNode, ctx: Context): Value | undefined {
  let result: Value | undefined;
  for (const r of node.rules) {
    clauseValues(r, new Array(r.nslots), ctx, (v, c) => {
      if (result !== undefined && !equal(result, v))
        conflict('complete rules must not produce multiple outputs', c.loc);
      result = v;
    });
  }
  if (result === undefined && node.defaultRule) result = evalOne(node.defaultRule.clauses[0]!.value, [], ctx);
  return result;
}

// ---------- calls ----------

/** print() sees every argument, even an undefined one: each is passed as the set of its values (as OPA does). */
function evalPrint(t: Extract<CTerm, { k: 'call' }>, f: Frame, ctx: Context, k: Yield): boolean {
  const args = t.args.map((a) => {
    const values = new RSet();
    evalTerm(a, f, ctx, (v) => {
      values.add(v);
      return false;
    });
    return values;
  });
  const r = callFunction(t.fn, args, ctx, t.loc);
  return r === undefined ? false : k(r);
}

function evalCall(t: Extract<CTerm, { k: 'call' }>, f: Frame, ctx: Context, k: Yield): boolean {
  if (t.fn.kind === 'builtin' && t.fn.builtin.name === 'print') return evalPrint(t, f, ctx, k);
  const yieldResult = t.out ? (v: Value) => unifyValue(t.out!, v, f, ctx, () => k(true)) : k;
  const argsReady = (args: Value[]) => {
    const r = callFunction(t.fn, args, ctx, t.loc);
    if (r === undefined) return false;
    if (t.fn.kind === 'builtin' && t.fn.builtin.relation) {
      for (const v of r as Value[]) if (yieldResult(v)) return true;
      return false;
    }
    return yieldResult(r);
  };
  return evalItems(t.args, 0, new Array(t.args.length), f, ctx, argsReady, t.order);
}

function callFunction(fn: Callable, args: Value[], ctx: Context, loc: Location): Value | undefined {
  if (ctx.mocks) {
    const mock = ctx.mocks.get(fn.key);
    if (mock) {
      if (mock.kind === 'value') return mock.value;
      if (mock.fn !== fn) return callFunction(mock.fn, args, withoutMocks(ctx), loc);
    }
  }
  if (fn.kind === 'user') return callUser(fn.node, args, ctx);
  try {
    return fn.builtin.fn(args, ctx.builtins);
  } catch (e) {
    if (e instanceof BuiltinError) {
      if (ctx.strict) throw new RegoEvalError(e.code, `${fn.key}: ${e.message}`, loc);
      return undefined;
    }
    if (e instanceof RegoEvalError) throw e;
    if (ctx.strict) throw new RegoEvalError('eval_builtin_error', `${fn.key}: ${(e as Error).message}`, loc);
    return undefined;
  }
}

/** A replacement function runs with the real functions: one mock never calls another. */
function withoutMocks(ctx: Context): Context {
  return new Context(ctx.root, ctx, ctx.overrides, undefined);
}

function callUser(node: RuleNode, args: Value[], ctx: Context): Value | undefined {
  let result: Value | undefined;
  for (const r of node.funcs) {
    const frame: Frame = new Array(r.nslots);
    unifyItems(r.args!, args, 0, frame, ctx, () => {
      clauseValues(r, frame, ctx, (v, c) => {
        if (result !== undefined && !equal(result, v))
          conflict('functions must not produce multiple outputs for same inputs', c.loc);
        result = v;
      });
      return false;
    });
  }
  if (result === undefined && node.defaultFunc) result = evalOne(node.defaultFunc.clauses[0]!.value, [], ctx);
  return result;
}
