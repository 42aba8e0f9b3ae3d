/** Compiles bodies (rule bodies, queries, closures) to IR: scopes and frame slots, name resolution, safety reordering. */
import type { Expr, ModuleAst, Term } from './ast.ts';
import { lookupBuiltin } from './builtins/index.ts';
import type { CompileErrorDetail, Location } from './errors.ts';
import type { Callable, CExpr, CTerm, CWith, RuleNode, WithTarget } from './ir.ts';
import { refToPath } from './parser.ts';
import { findNode } from './ruletree.ts';
import { RObject, RSet, type Value } from './values.ts';

export type CompileErrorCode =
  | 'rego_compile_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'rego_type_error';

/** Compile problems found while compiling one rule or query; each message starts with OPA's error code. */
export class CompileFailure extends Error {
  readonly details: CompileErrorDetail[];
  constructor(
    message: string,
    loc: Location,
    code: CompileErrorCode = 'rego_compile_error',
    more: CompileErrorDetail[] = [],
  ) {
    super(`${code}: ${message}`);
    this.details = [{ ...loc, message: `${code}: ${message}` }, ...more];
  }
}

export function detail(code: CompileErrorCode, message: string, loc: Location): CompileErrorDetail {
  return { ...loc, message: `${code}: ${message}` };
}

export class Scope {
  readonly vars = new Map<string, number>();
  readonly parent: Scope | undefined;
  readonly depth: number;
  constructor(parent: Scope | undefined) {
    this.parent = parent;
    this.depth = parent ? parent.depth + 1 : 0;
  }
  lookup(name: string): number | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const slot = s.vars.get(name);
      if (slot !== undefined) return slot;
    }
    return undefined;
  }
}

interface Analysis {
  needs: Set<number>;
  patA: Set<number>;
  patB: Set<number>;
  composite: boolean;
  binds: Set<number>;
  all: Set<number>;
}

/** Compiles the bodies of one rule (or query) into slot-addressed IR, reordering expressions for safety. */
export class BodyCompiler {
  nslots = 0;
  /** Values of rego.metadata.rule() and rego.metadata.chain() inside the rule being compiled. */
  metadata: { rule: Value; chain: Value } = { rule: new RObject(), chain: [] };
  readonly slotNames: string[] = [];
  readonly slotDepth: number[] = [];
  private readonly ctx: ModuleContext;

  constructor(ctx: ModuleContext) {
    this.ctx = ctx;
  }

  newSlot(scope: Scope, name: string): number {
    const slot = this.nslots++;
    this.slotNames.push(name);
    this.slotDepth.push(scope.depth);
    if (name !== '_') scope.vars.set(name, slot);
    return slot;
  }

  /** Compiles a body; `headTerms` are compiled in the body's scope after it and must be bound by it. */
  compileBody(
    exprs: Expr[],
    parent: Scope | undefined,
    headTerms: Term[],
    declared: Term[] = [],
  ): { body: CExpr[]; heads: CTerm[]; scope: Scope } {
    const scope = new Scope(parent);
    const initiallyBound: number[] = [];
    for (const d of declared) for (const name of patternVarNames(d)) initiallyBound.push(this.newSlot(scope, name));
    // `some`, `:=` and `some ... in` declare names from their position on (closures before them do not see them)
    const declaredBy = exprs.map((e) => {
      const n = e.node;
      if (n.kind === 'some') return n.vars.flatMap(patternVarNames);
      if (n.kind === 'assign') return patternVarNames(n.lhs);
      if (n.kind === 'somein') return [...(n.key ? patternVarNames(n.key) : []), ...patternVarNames(n.value)];
      return [];
    });
    const assigned = new Set<string>();
    exprs.forEach((e, i) => {
      if (e.node.kind !== 'assign') return;
      for (const name of declaredBy[i]!) {
        if (name !== '_' && assigned.has(name)) throw new CompileFailure(`var ${name} assigned above`, e.loc);
        assigned.add(name);
      }
    });
    const allDeclared = new Set(declaredBy.flat());
    const used = new Set<string>();
    for (const e of exprs) collectExprNames(e, used);
    for (const t of headTerms) collectTermNames(t, used);
    for (const name of used) {
      if (name === '_' || allDeclared.has(name) || scope.lookup(name) !== undefined || this.ctx.resolveGlobal(name))
        continue;
      this.newSlot(scope, name);
    }
    const compiled: CExpr[] = [];
    exprs.forEach((e, i) => {
      for (const name of declaredBy[i]!) this.declareName(scope, name);
      if (e.node.kind !== 'some') compiled.push(...this.compileExpr(e, scope));
    });
    const heads = headTerms.map((t) => this.term(t, scope));
    const body = this.schedule(compiled, scope, heads, exprs[0]?.loc ?? this.ctx.loc, initiallyBound);
    return { body, heads, scope };
  }

  private declareName(scope: Scope, name: string): void {
    if (name === '_' || scope.vars.has(name)) return;
    this.newSlot(scope, name);
  }

  /** One expression; a negated one comes after the expressions lifted out of it (see liftOutOfNegation). */
  private compileExpr(e: Expr, scope: Scope): CExpr[] {
    const withs = e.withs.length ? e.withs.map((w) => this.compileWith(w.target, w.value, scope, w.loc)) : undefined;
    const n = e.node;
    let x: CExpr;
    switch (n.kind) {
      case 'term':
        x = { k: 'term', term: this.term(n.term, scope), withs, loc: e.loc };
        break;
      case 'unify':
      case 'assign':
        x = { k: 'unify', a: this.term(n.lhs, scope), b: this.term(n.rhs, scope), withs, loc: e.loc };
        break;
      case 'somein':
        x = {
          k: 'somein',
          key: n.key ? this.term(n.key, scope) : undefined,
          value: this.term(n.value, scope),
          coll: this.term(n.coll, scope),
          withs,
          loc: e.loc,
        };
        break;
      case 'every': {
        const declared = n.key ? [n.key, n.value] : [n.value];
        const inner = this.compileBody(n.body, scope, [], declared);
        const key = n.key ? this.term(n.key, inner.scope) : undefined;
        x = {
          k: 'every',
          key,
          value: this.term(n.value, inner.scope),
          domain: this.term(n.domain, scope),
          body: inner.body,
          withs,
          loc: e.loc,
        };
        break;
      }
      default:
        throw new CompileFailure('unexpected some declaration', e.loc);
    }
    if (e.negated) {
      const lifted = this.liftOutOfNegation(x, scope);
      const inner = { ...x, withs: undefined } as CExpr;
      return [...lifted, { k: 'not', inner, withs: x.withs, loc: e.loc }];
    }
    return [x];
  }

  /**
   * OPA's compiler moves the references, calls and comprehensions among a call's arguments (and in a reference's
   * indices) into expressions of their own before the call (rewriteDynamicTerms, expression expansion), negated
   * expressions included: `not f(x.missing)` is undefined when x.missing is, not true. Terms with a wildcard stay
   * inside, since iterating them outside would change what the negation means.
   */
  private liftOutOfNegation(x: CExpr, scope: Scope): CExpr[] {
    if (x.k !== 'term') return [];
    const lifted: CExpr[] = [];
    const lift = (t: CTerm): CTerm => {
      if (t.k === 'array' || t.k === 'set') return { ...t, items: t.items.map(lift) };
      if (t.k === 'object') return { ...t, entries: t.entries.map(([a, b]) => [lift(a), lift(b)] as [CTerm, CTerm]) };
      if (t.k !== 'ref' && t.k !== 'data' && t.k !== 'input' && t.k !== 'call' && t.k !== 'compr') return t;
      if (this.hasWildcard(t, scope.depth)) return t;
      const slot = this.newSlot(scope, `$lifted${this.nslots}`);
      const v: CTerm = { k: 'var', slot, name: `$lifted${slot}` };
      lifted.push({ k: 'unify', a: v, b: t, withs: x.withs, loc: x.loc });
      return v;
    };
    const t = x.term;
    if (t.k === 'call' && !(t.fn.kind === 'builtin' && t.fn.key === 'print')) {
      const args = t.args.map(lift);
      x.term = { ...t, args, order: argumentOrder(args) };
    } else if (t.k === 'ref' || t.k === 'data' || t.k === 'input') {
      const path = t.path.map((p) => (p.k === 'const' || p.k === 'var' ? p : lift(p)));
      x.term = t.k === 'ref' ? { ...t, head: t.head.k === 'call' ? lift(t.head) : t.head, path } : { ...t, path };
    }
    return lifted;
  }

  private hasWildcard(t: CTerm, depth: number): boolean {
    const slots = new Set<number>();
    this.termSlots(t, depth, 'input', slots, slots, slots);
    for (const s of slots) if (this.slotNames[s] === '_') return true;
    return false;
  }

  private compileWith(target: Term, value: Term, scope: Scope, loc: Location): CWith {
    const path = refToPath(target);
    if (!path) throw new CompileFailure('with keyword target must reference existing input, data, or a function', loc);
    const resolvedFn = this.ctx.resolveFunction(path, loc, false);
    let wt: WithTarget;
    if (path[0] === 'input') wt = { kind: 'input', path: path.slice(1) };
    else if (path[0] === 'data' && !resolvedFn) wt = { kind: 'data', path: path.slice(1) };
    else if (resolvedFn) wt = { kind: 'fn', key: resolvedFn.key };
    else {
      const g = this.ctx.resolveGlobal(path[0]!);
      if (g?.k === 'data') wt = { kind: 'data', path: [...g.path.map((p) => (p as { v: Value }).v), ...path.slice(1)] };
      else if (g?.k === 'input') wt = { kind: 'input', path: path.slice(1) };
      else throw new CompileFailure('with keyword target must reference existing input, data, or a function', loc);
    }
    let fn: Callable | undefined;
    if (wt.kind === 'fn') {
      const vpath = refToPath(value);
      if (vpath && (value.type === 'var' || value.type === 'ref') && scope.lookup(vpath[0]!) === undefined)
        fn = this.ctx.resolveFunction(vpath, loc, false);
    }
    return { target: wt, value: fn ? { k: 'const', v: null } : this.term(value, scope), fn };
  }

  term(t: Term, scope: Scope): CTerm {
    switch (t.type) {
      case 'scalar':
        return { k: 'const', v: t.value };
      case 'var': {
        if (t.name === '_') return { k: 'var', slot: this.newSlot(scope, '_'), name: '_' };
        const slot = scope.lookup(t.name);
        if (slot !== undefined) return { k: 'var', slot, name: t.name };
        const g = this.ctx.resolveGlobal(t.name);
        if (g) return g;
        return { k: 'var', slot: this.newSlot(scope, t.name), name: t.name };
      }
      case 'ref': {
        const head = this.term(t.head, scope);
        const path = t.path.map((p) => this.term(p, scope));
        if (head.k === 'data' || head.k === 'input') return { k: head.k, path: [...head.path, ...path] };
        return { k: 'ref', head, path };
      }
      case 'array':
        return constantFold({ k: 'array', items: t.items.map((i) => this.term(i, scope)) });
      case 'set':
        return constantFold({ k: 'set', items: t.items.map((i) => this.term(i, scope)) });
      case 'object':
        return constantFold({
          k: 'object',
          entries: t.entries.map(([a, b]) => [this.term(a, scope), this.term(b, scope)] as [CTerm, CTerm]),
        });
      case 'arraycompr':
      case 'setcompr': {
        const c = this.compileBody(t.body, scope, [t.head]);
        return {
          k: 'compr',
          kind: t.type === 'arraycompr' ? 'array' : 'set',
          head: c.heads[0]!,
          value: undefined,
          body: c.body,
        };
      }
      case 'objectcompr': {
        const c = this.compileBody(t.body, scope, [t.key, t.value]);
        return { k: 'compr', kind: 'object', head: c.heads[0]!, value: c.heads[1]!, body: c.body };
      }
      case 'template':
        return {
          k: 'template',
          parts: t.parts.map((p) =>
            typeof p === 'string'
              ? p
              : {
                  term: this.term(p.term, scope),
                  withs: p.withs.length
                    ? p.withs.map((w) => this.compileWith(w.target, w.value, scope, w.loc))
                    : undefined,
                },
          ),
        };
      case 'call': {
        const path = refToPath(t.fn);
        if (!path) throw new CompileFailure('invalid function reference', t.loc);
        const name = path.join('.');
        if (t.args.length === 0 && name === 'rego.metadata.rule') return { k: 'const', v: this.metadata.rule };
        if (t.args.length === 0 && name === 'rego.metadata.chain') return { k: 'const', v: this.metadata.chain };
        const fn = this.ctx.resolveFunction(path, t.loc, true)!;
        const arity = fn.kind === 'builtin' ? fn.builtin.arity : fn.node.arity!;
        const variadic = fn.kind === 'builtin' && fn.builtin.variadic;
        const all = t.args.map((a) => this.term(a, scope));
        const n = variadic ? all.length : all.length === arity + 1 ? arity : all.length;
        if (n !== arity && !variadic)
          throw new CompileFailure(
            `function ${path.join('.')} has arity ${arity}, got ${all.length} argument${all.length === 1 ? '' : 's'}`,
            t.loc,
            'rego_type_error',
          );
        const args = all.slice(0, n);
        return { k: 'call', fn, args, out: all[n], order: argumentOrder(args), loc: t.loc };
      }
    }
  }

  /** Orders expressions so each runs once its inputs are bound (OPA's safety reordering); reports unsafe vars. */
  private schedule(exprs: CExpr[], scope: Scope, heads: CTerm[], loc: Location, initiallyBound: number[]): CExpr[] {
    const depth = scope.depth;
    const counts = new Map<number, number>();
    const analyses = exprs.map((e) => this.analyze(e, depth));
    for (const a of analyses) for (const s of a.all) counts.set(s, (counts.get(s) ?? 0) + 1);
    const headVars = new Set<number>();
    const headRefVars = new Set<number>();
    for (const h of heads) this.termSlots(h, depth, 'input', headVars, headVars, headRefVars);
    // a `not` only needs the vars it shares with the rest of the body
    exprs.forEach((e, i) => {
      if (e.k !== 'not') return;
      const a = analyses[i]!;
      for (const s of a.all) if ((counts.get(s) ?? 0) > 1 || headVars.has(s)) a.needs.add(s);
      a.binds.clear();
    });
    const bound = new Set<number>(initiallyBound);
    const order: CExpr[] = [];
    const pending = exprs.map((e, i) => ({ e, a: analyses[i]! }));
    while (pending.length) {
      const idx = pending.findIndex(({ a }) => runnable(a, bound));
      if (idx < 0) break;
      const [{ e, a }] = pending.splice(idx, 1) as [{ e: CExpr; a: Analysis }];
      order.push(e);
      for (const s of a.binds) bound.add(s);
    }
    const unsafe: number[] = [];
    for (const { a } of pending) {
      for (const s of a.needs) if (!bound.has(s)) unsafe.push(s);
      for (const s of [...a.patA, ...a.patB]) if (!bound.has(s)) unsafe.push(s);
    }
    if (pending.length === 0) for (const s of headVars) if (!bound.has(s) && !headRefVars.has(s)) unsafe.push(s);
    if (unsafe.length) {
      const names = [...new Set(unsafe.map((s) => this.slotNames[s]!))];
      const where = pending[0]?.e.loc ?? loc;
      const [first, ...rest] = names.map((n) => `var ${n} is unsafe`);
      throw new CompileFailure(
        first!,
        where,
        'rego_unsafe_var_error',
        rest.map((m) => detail('rego_unsafe_var_error', m, where)),
      );
    }
    return order;
  }

  private analyze(e: CExpr, depth: number): Analysis {
    const a: Analysis = {
      needs: new Set(),
      patA: new Set(),
      patB: new Set(),
      composite: false,
      binds: new Set(),
      all: new Set(),
    };
    const binds = a.binds;
    switch (e.k) {
      case 'term':
        this.termSlots(e.term, depth, 'input', a.needs, binds, binds);
        break;
      case 'unify':
        this.termSlots(e.a, depth, 'pattern', a.needs, a.patA, binds);
        this.termSlots(e.b, depth, 'pattern', a.needs, a.patB, binds);
        for (const s of [...a.patA, ...a.patB]) binds.add(s);
        a.composite = (e.a.k === 'array' && e.b.k === 'array') || (e.a.k === 'object' && e.b.k === 'object');
        break;
      case 'somein':
        this.termSlots(e.coll, depth, 'input', a.needs, binds, binds);
        if (e.key) this.termSlots(e.key, depth, 'pattern', a.needs, binds, binds);
        this.termSlots(e.value, depth, 'pattern', a.needs, binds, binds);
        break;
      case 'every': {
        this.termSlots(e.domain, depth, 'input', a.needs, binds, binds);
        for (const x of e.body) this.exprSlots(x, depth, a.needs);
        break;
      }
      case 'not': {
        const inner = this.analyze(e.inner, depth);
        for (const s of inner.needs) a.needs.add(s);
        for (const s of inner.all) a.all.add(s);
        break;
      }
    }
    for (const w of e.withs ?? []) this.termSlots(w.value, depth, 'input', a.needs, a.needs, a.needs);
    if (e.k === 'term') for (const s of binds) a.needs.delete(s);
    for (const s of [...a.needs, ...a.patA, ...a.patB, ...binds]) a.all.add(s);
    return a;
  }

  /** Slots of this depth a term uses: in input position (needs), as patterns, or bound by ref iteration. */
  private termSlots(
    t: CTerm,
    depth: number,
    mode: 'input' | 'pattern',
    needs: Set<number>,
    pattern: Set<number>,
    refBinds: Set<number>,
  ): void {
    const here = (slot: number) => this.slotDepth[slot] === depth;
    switch (t.k) {
      case 'const':
        return;
      case 'var':
        if (here(t.slot)) (mode === 'pattern' ? pattern : needs).add(t.slot);
        return;
      case 'array':
      case 'set':
        for (const i of t.items) this.termSlots(i, depth, t.k === 'set' ? 'input' : mode, needs, pattern, refBinds);
        return;
      case 'object':
        for (const [k, v] of t.entries) {
          this.termSlots(k, depth, 'input', needs, pattern, refBinds);
          this.termSlots(v, depth, mode, needs, pattern, refBinds);
        }
        return;
      case 'ref':
      case 'data':
      case 'input':
        if (t.k === 'ref') this.termSlots(t.head, depth, 'input', needs, pattern, refBinds);
        for (const p of t.path) {
          if (p.k === 'var' || p.k === 'array' || p.k === 'object')
            this.termSlots(p, depth, 'pattern', needs, refBinds, refBinds);
          else this.termSlots(p, depth, 'input', needs, pattern, refBinds);
        }
        return;
      case 'call':
        for (const arg of t.args) this.termSlots(arg, depth, 'input', needs, pattern, refBinds);
        if (t.out) this.termSlots(t.out, depth, 'pattern', needs, refBinds, refBinds);
        return;
      case 'template':
        for (const p of t.parts) {
          if (typeof p === 'string') continue;
          this.termSlots(p.term, depth, 'input', needs, pattern, refBinds);
          for (const w of p.withs ?? []) this.termSlots(w.value, depth, 'input', needs, needs, needs);
        }
        return;
      case 'compr':
        this.walkSlots(t.head, depth, needs);
        if (t.value) this.walkSlots(t.value, depth, needs);
        for (const x of t.body) this.exprSlots(x, depth, needs);
        return;
    }
  }

  /** Every slot of the given depth mentioned anywhere in a term (closures included). */
  private walkSlots(t: CTerm, depth: number, out: Set<number>): void {
    this.termSlots(t, depth, 'input', out, out, out);
  }

  private exprSlots(x: CExpr, depth: number, out: Set<number>): void {
    switch (x.k) {
      case 'term':
        this.walkSlots(x.term, depth, out);
        break;
      case 'unify':
        this.walkSlots(x.a, depth, out);
        this.walkSlots(x.b, depth, out);
        break;
      case 'not':
        this.exprSlots(x.inner, depth, out);
        break;
      case 'somein':
        if (x.key) this.walkSlots(x.key, depth, out);
        this.walkSlots(x.value, depth, out);
        this.walkSlots(x.coll, depth, out);
        break;
      case 'every':
        this.walkSlots(x.domain, depth, out);
        for (const e of x.body) this.exprSlots(e, depth, out);
        break;
    }
    for (const w of x.withs ?? []) this.walkSlots(w.value, depth, out);
  }
}

/** Plain variables are evaluated after the other arguments, whose references may bind them (`x == a[x]`). */
function argumentOrder(args: CTerm[]): number[] | undefined {
  const vars = args.flatMap((a, i) => (a.k === 'var' ? [i] : []));
  if (vars.length === 0 || vars.length === args.length) return undefined;
  return [...args.flatMap((a, i) => (a.k === 'var' ? [] : [i])), ...vars];
}

function runnable(a: Analysis, bound: Set<number>): boolean {
  for (const s of a.needs) if (!bound.has(s)) return false;
  if (a.composite) return true;
  const all = (set: Set<number>) => {
    for (const s of set) if (!bound.has(s)) return false;
    return true;
  };
  return all(a.patA) || all(a.patB);
}

/** Folds array/set/object terms made only of constants into one constant. */
function constantFold(t: CTerm): CTerm {
  if (t.k === 'array' && t.items.every((i) => i.k === 'const'))
    return { k: 'const', v: t.items.map((i) => (i as { v: Value }).v) };
  if (t.k === 'set' && t.items.every((i) => i.k === 'const'))
    return { k: 'const', v: new RSet(t.items.map((i) => (i as { v: Value }).v)) };
  if (t.k === 'object' && t.entries.every(([a, b]) => a.k === 'const' && b.k === 'const')) {
    const o = new RObject();
    for (const [a, b] of t.entries) o.set((a as { v: Value }).v, (b as { v: Value }).v);
    return { k: 'const', v: o };
  }
  return t;
}

export function patternVarNames(t: Term): string[] {
  const out: string[] = [];
  const walk = (x: Term) => {
    if (x.type === 'var') out.push(x.name);
    else if (x.type === 'array') x.items.forEach(walk);
    else if (x.type === 'object') for (const [, v] of x.entries) walk(v);
  };
  walk(t);
  return out;
}

function collectExprNames(e: Expr, out: Set<string>): void {
  const n = e.node;
  switch (n.kind) {
    case 'term':
      collectTermNames(n.term, out);
      break;
    case 'unify':
    case 'assign':
      collectTermNames(n.lhs, out);
      collectTermNames(n.rhs, out);
      break;
    case 'somein':
      collectTermNames(n.coll, out);
      break;
    case 'every':
      collectTermNames(n.domain, out);
      break;
    case 'some':
      break;
  }
  // a with value naming a function (`with count as my_count`) is not a variable
  for (const w of e.withs) if (w.value.type !== 'var' && w.value.type !== 'ref') collectTermNames(w.value, out);
}

/** Var names a term mentions outside closures (comprehension bodies get their own scope). */
function collectTermNames(t: Term, out: Set<string>): void {
  switch (t.type) {
    case 'var':
      out.add(t.name);
      return;
    case 'ref':
      collectTermNames(t.head, out);
      for (const p of t.path) collectTermNames(p, out);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) collectTermNames(i, out);
      return;
    case 'object':
      for (const [a, b] of t.entries) {
        collectTermNames(a, out);
        collectTermNames(b, out);
      }
      return;
    case 'call':
      for (const a of t.args) collectTermNames(a, out);
      return;
    case 'template':
      for (const p of t.parts) {
        if (typeof p === 'string') continue;
        collectTermNames(p.term, out);
        for (const w of p.withs) if (w.value.type !== 'var' && w.value.type !== 'ref') collectTermNames(w.value, out);
      }
      return;
    default:
      return;
  }
}

/** Name resolution for one module: package rules, imports, builtins, user functions. */
export class ModuleContext {
  readonly loc: Location;
  private readonly globals = new Map<string, CTerm>();
  private readonly pkg: string[];
  private readonly root: RuleNode;

  constructor(root: RuleNode, module: ModuleAst | undefined, ruleNames: Set<string>) {
    this.root = root;
    this.pkg = module?.packagePath.slice(1) ?? [];
    this.loc = module?.packageLoc ?? { file: 'query', line: 1, col: 1 };
    if (module) {
      for (const name of ruleNames) this.globals.set(name, dataTerm([...this.pkg, name]));
      for (const imp of module.imports) {
        const path = refToPath(imp.path);
        if (!path || path[0] === 'future' || path[0] === 'rego') continue;
        const alias = imp.alias ?? path[path.length - 1]!;
        if (path[0] === 'input') this.globals.set(alias, { k: 'input', path: path.slice(1).map(constTerm) });
        else if (path[0] === 'data') this.globals.set(alias, dataTerm(path.slice(1)));
      }
    }
    this.globals.set('input', { k: 'input', path: [] });
    this.globals.set('data', { k: 'data', path: [] });
  }

  resolveGlobal(name: string): CTerm | undefined {
    return this.globals.get(name);
  }

  resolveFunction(path: string[], loc: Location, required: boolean): Callable | undefined {
    const candidates: Value[][] = [];
    const head = path[0]!;
    const g = this.globals.get(head);
    if (head === 'data') candidates.push(path.slice(1));
    else if (g?.k === 'data') candidates.push([...g.path.map((p) => (p as { v: Value }).v), ...path.slice(1)]);
    else if (path.length >= 1) candidates.push([...this.pkg, ...path]);
    for (const c of candidates) {
      const node = findNode(this.root, c);
      if (node?.arity !== undefined) return { kind: 'user', key: node.name, node };
    }
    const name = path.join('.');
    const builtin = lookupBuiltin(name);
    if (builtin) return { kind: 'builtin', key: name, builtin };
    if (required) throw new CompileFailure(`undefined function ${name}`, loc, 'rego_type_error');
    return undefined;
  }
}

function constTerm(v: Value): CTerm {
  return { k: 'const', v };
}

function dataTerm(path: Value[]): CTerm {
  return { k: 'data', path: path.map(constTerm) };
}

export function compileQuery(
  root: RuleNode,
  exprs: Expr[],
): { body: CExpr[]; nslots: number; vars: [string, number][] } {
  const ctx = new ModuleContext(root, undefined, new Set());
  const bc = new BodyCompiler(ctx);
  const { body, scope } = bc.compileBody(exprs, undefined, []);
  const vars = [...scope.vars.entries()].filter(([name]) => !name.startsWith('_') && !name.startsWith('$'));
  return { body, nslots: bc.nslots, vars };
}
