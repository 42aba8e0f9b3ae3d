/** Places rules in the document tree, compiles their bodies and checks the whole policy (rule kinds, recursion). */
import { type Annotation, type ModuleAnnotations, metadataChain, metadataValue, rulePath } from './annotations.ts';
import type { Expr, ModuleAst, RuleAst, Term } from './ast.ts';
import { BodyCompiler, CompileFailure, detail, ModuleContext, patternVarNames, Scope } from './compiler.ts';
import type { CompileErrorDetail } from './errors.ts';
import type { CClause, CExpr, CRule, CTerm, RuleKind, RuleNode } from './ir.ts';
import { childNode, newNode } from './ruletree.ts';
import { fromJSON } from './values.ts';

interface PlacedRule {
  ast: RuleAst;
  module: ModuleAst;
  node: RuleNode;
  kind: RuleKind;
  suffix: Term[];
}

/** Places every rule in the tree by the ground prefix of its head, then compiles bodies. */
export function buildRuleTree(
  modules: ModuleAst[],
  errors: CompileErrorDetail[],
  metadata: Map<ModuleAst, ModuleAnnotations> = new Map(),
): RuleNode {
  const root = newNode('data', []);
  const placed: PlacedRule[] = [];
  const ruleNames = new Map<string, Set<string>>();
  for (const m of modules) {
    const pkgKey = m.packagePath.join('.');
    const names = ruleNames.get(pkgKey) ?? new Set<string>();
    ruleNames.set(pkgKey, names);
    let pkgNode = root;
    for (const p of m.packagePath.slice(1)) pkgNode = childNode(pkgNode, p, true)!;
    for (const r of m.rules) {
      const ref = r.head.ref;
      const name = (ref[0] as { name: string }).name;
      names.add(name);
      let node = childNode(pkgNode, name, true)!;
      let i = 1;
      for (; i < ref.length; i++) {
        const t = ref[i]!;
        if (t.type !== 'scalar') break;
        node = childNode(node, t.value, true)!;
      }
      const suffix = ref.slice(i);
      const kind: RuleKind = r.head.args
        ? 'function'
        : r.head.key
          ? 'set'
          : suffix.length === 0
            ? 'complete'
            : 'object';
      if (kind === 'function' && suffix.length) {
        errors.push(detail('rego_compile_error', 'function head must be a ground reference', r.loc));
        continue;
      }
      if ((kind === 'set' || kind === 'object') && r.elses.length) {
        errors.push(detail('rego_compile_error', 'else keyword cannot be used on multi-value rules', r.loc));
        continue;
      }
      placed.push({ ast: r, module: m, node, kind, suffix });
    }
  }
  const allAnnotations = [...metadata.values()].flatMap((m) => m.list);
  const contexts = new Map<ModuleAst, ModuleContext>();
  for (const p of placed) {
    let ctx = contexts.get(p.module);
    if (!ctx) {
      ctx = new ModuleContext(root, p.module, ruleNames.get(p.module.packagePath.join('.'))!);
      contexts.set(p.module, ctx);
    }
    if (p.kind === 'function') p.node.arity = p.ast.head.args!.length;
  }
  for (const p of placed) {
    try {
      const rule = compileRule(p, contexts.get(p.module)!, metadata.get(p.module), allAnnotations);
      const node = p.node;
      if (rule.isDefault) {
        if (rule.kind === 'function') node.defaultFunc = rule;
        else if (node.defaultRule) throw new CompileFailure(`multiple default rules ${node.name} found`, rule.loc);
        else node.defaultRule = rule;
      } else if (rule.kind === 'function') node.funcs.push(rule);
      else node.rules.push(rule);
    } catch (e) {
      if (e instanceof CompileFailure) errors.push(...e.details);
      else throw e;
    }
  }
  if (errors.length === 0) checkRuleKinds(root, errors);
  if (errors.length === 0) checkRecursion(root, errors);
  return root;
}

/** Rule nodes a rule body refers to through `data` references with a constant path, or calls. */
function dependencies(rules: CRule[], root: RuleNode): Set<RuleNode> {
  const out = new Set<RuleNode>();
  const dataRef = (path: CTerm[]) => {
    let node = root;
    for (const p of path) {
      if (node.rules.length || node.defaultRule) break;
      if (p.k !== 'const') return;
      const child = childNode(node, p.v, false);
      if (!child) return;
      node = child;
    }
    if (node.rules.length || node.defaultRule) out.add(node);
  };
  const term = (t: CTerm | undefined): void => {
    if (!t) return;
    switch (t.k) {
      case 'data':
        dataRef(t.path);
        t.path.forEach(term);
        break;
      case 'input':
        t.path.forEach(term);
        break;
      case 'ref':
        term(t.head);
        t.path.forEach(term);
        break;
      case 'array':
      case 'set':
        t.items.forEach(term);
        break;
      case 'object':
        for (const [a, b] of t.entries) {
          term(a);
          term(b);
        }
        break;
      case 'compr':
        term(t.head);
        term(t.value);
        t.body.forEach(expr);
        break;
      case 'call':
        if (t.fn.kind === 'user') out.add(t.fn.node);
        t.args.forEach(term);
        term(t.out);
        break;
      case 'template':
        for (const p of t.parts) {
          if (typeof p === 'string') continue;
          term(p.term);
          for (const w of p.withs ?? []) term(w.value);
        }
        break;
    }
  };
  const expr = (x: CExpr): void => {
    switch (x.k) {
      case 'term':
        term(x.term);
        break;
      case 'unify':
        term(x.a);
        term(x.b);
        break;
      case 'not':
        expr(x.inner);
        break;
      case 'somein':
        term(x.key);
        term(x.value);
        term(x.coll);
        break;
      case 'every':
        term(x.domain);
        x.body.forEach(expr);
        break;
    }
    for (const w of x.withs ?? []) term(w.value);
  };
  for (const r of rules) {
    r.suffix.forEach(term);
    term(r.key);
    for (const c of r.clauses) {
      term(c.value);
      c.body.forEach(expr);
    }
  }
  return out;
}

function checkRecursion(root: RuleNode, errors: CompileErrorDetail[]): void {
  const nodes: RuleNode[] = [];
  const collect = (n: RuleNode) => {
    if (n.rules.length || n.funcs.length || n.defaultRule || n.defaultFunc) nodes.push(n);
    for (const c of n.children.values()) collect(c);
  };
  collect(root);
  const deps = new Map(nodes.map((n) => [n, dependencies([...n.rules, ...n.funcs], root)]));
  const state = new Map<RuleNode, 'active' | 'done'>();
  const reported = new Set<RuleNode>();
  const visit = (n: RuleNode, stack: RuleNode[]): void => {
    state.set(n, 'active');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      if (state.get(d) === 'active') {
        if (!reported.has(d)) {
          reported.add(d);
          const cycle = [...stack.slice(stack.indexOf(d)), d].map((x) => x.name).join(' -> ');
          const r = d.rules[0] ?? d.funcs[0]!;
          errors.push(detail('rego_recursion_error', `rule ${d.name} is recursive: ${cycle}`, r.loc));
        }
      } else if (!state.has(d)) visit(d, stack);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of nodes) if (!state.has(n)) visit(n, []);
}

function compileRule(
  p: PlacedRule,
  ctx: ModuleContext,
  annotations: ModuleAnnotations | undefined,
  allAnnotations: Annotation[],
): CRule {
  const { ast, kind } = p;
  const bc = new BodyCompiler(ctx);
  const found = annotations?.byRule.get(ast);
  const ruleAnnotation = found?.scope === 'rule' ? found : undefined;
  bc.metadata = {
    rule: fromJSON(metadataValue(ruleAnnotation)),
    chain: fromJSON(metadataChain(rulePath(p.module, ast), ruleAnnotation, allAnnotations)),
  };
  // arguments that are not patterns (templates, refs, calls) are checked after the body binds their variables
  const argChecks: Expr[] = [];
  const args = (ast.head.args ?? []).map((a, i) => {
    if (isPattern(a)) return a;
    const v: Term = { type: 'var', name: `__arg${i}__`, loc: a.loc };
    argChecks.push({ node: { kind: 'unify', lhs: v, rhs: a }, negated: false, withs: [], loc: a.loc });
    return v;
  });
  const argScope = new Scope(undefined);
  for (const a of args) for (const name of patternVarNames(a)) if (!argScope.vars.has(name)) bc.newSlot(argScope, name);
  const trueTerm: Term = { type: 'scalar', value: true, loc: ast.loc };
  const clauses: CClause[] = [];
  let suffix: CTerm[] = [];
  let key: CTerm | undefined;
  let cargs: CTerm[] | undefined;
  const firstHeads: Term[] = [...p.suffix];
  if (ast.head.key) firstHeads.push(ast.head.key);
  firstHeads.push(ast.head.value ?? trueTerm);
  const first = bc.compileBody([...ast.body, ...argChecks], argScope, firstHeads);
  suffix = first.heads.slice(0, p.suffix.length);
  if (ast.head.key) key = first.heads[p.suffix.length];
  clauses.push({ value: first.heads[first.heads.length - 1]!, body: first.body, loc: ast.loc });
  if (ast.head.args) cargs = args.map((a) => bc.term(a, argScope));
  for (const e of ast.elses) {
    const c = bc.compileBody([...e.body, ...argChecks], argScope, [e.value ?? trueTerm]);
    clauses.push({ value: c.heads[0]!, body: c.body, loc: e.loc });
  }
  return { kind, suffix, key, args: cargs, clauses, nslots: bc.nslots, isDefault: ast.isDefault, loc: ast.loc };
}

/** Terms a function argument can be unified with directly: vars, scalars, arrays and objects of those. */
function isPattern(t: Term): boolean {
  if (t.type === 'var' || t.type === 'scalar') return true;
  if (t.type === 'array') return t.items.every(isPattern);
  if (t.type === 'object') return t.entries.every(([k, v]) => k.type === 'scalar' && isPattern(v));
  return false;
}

function checkRuleKinds(node: RuleNode, errors: CompileErrorDetail[]): void {
  const kinds = new Set(
    node.rules.map((r) => (r.kind === 'object' ? 'object' : r.kind === 'set' && r.suffix.length ? 'object' : r.kind)),
  );
  if (kinds.size > 1 || (kinds.size && node.arity !== undefined)) {
    const r = node.rules[0] ?? node.funcs[0]!;
    errors.push(detail('rego_type_error', `conflicting rules ${node.name} found`, r.loc));
  }
  for (const child of node.children.values()) checkRuleKinds(child, errors);
}

/** Compiles an ad-hoc query against the policy; returns the body and the user-visible variables. */
