/** The public API: compile Rego modules into a Policy, then evaluate queries and documents against it. */
import { type Annotation, type ModuleAnnotations, parseAnnotations } from './annotations.ts';
import type { ModuleAst } from './ast.ts';
import { CompileFailure, compileQuery } from './compiler.ts';
import { type CompileErrorDetail, RegoCompileError } from './errors.ts';
import { Context, evalBody, evalTerm } from './evaluator.ts';
import type { CExpr, CTerm, RuleNode } from './ir.ts';
import { ParseError, parseModule, parseQuery } from './parser.ts';
import { buildRuleTree } from './rules.ts';
import { fromJSON, type JSONValue, RObject, toJSON, type Value } from './values.ts';

export interface RegoModule {
  path: string;
  source: string;
}

export interface CompileOptions {
  /** Syntax of modules without `import rego.v1`; default v1. */
  regoVersion?: 'v0' | 'v1';
}

export interface EvalOptions {
  input?: unknown;
  /** Base documents. Converted once per object identity: treat a data object passed here as immutable. */
  data?: unknown;
  /** Builtin errors abort evaluation (RegoEvalError) instead of making the expression undefined. */
  strictBuiltinErrors?: boolean;
  /** Clock for time.now_ns; a Date or nanoseconds since the epoch. Default: now. */
  now?: Date | bigint;
  /** Receives print() output; default discards it. */
  print?: (message: string) => void;
  /** Environment visible through opa.runtime().env. */
  env?: Record<string, string>;
}

interface CompiledQuery {
  body: CExpr[];
  nslots: number;
  vars: [string, number][];
}

const MAX_CACHED_QUERIES = 1000;

/** Converted base documents, by identity: pass the same (unmodified) data object to skip conversion. */
const dataCache = new WeakMap<object, Value>();

function dataValue(x: unknown): Value {
  if (x !== null && typeof x === 'object') {
    const hit = dataCache.get(x);
    if (hit !== undefined) return hit;
    const v = fromJSON(x);
    dataCache.set(x, v);
    return v;
  }
  return fromJSON(x);
}

/** A compiled set of Rego modules. Compile once, evaluate many times. */
export class Policy {
  private readonly root: RuleNode;
  private readonly queries = new Map<string, CompiledQuery>();
  private readonly rulePaths = new Map<string, CTerm>();
  private readonly regoVersion: 'v0' | 'v1';
  private readonly annotationList: Annotation[];

  constructor(root: RuleNode, annotations: Annotation[], regoVersion: 'v0' | 'v1') {
    this.root = root;
    this.annotationList = annotations;
    this.regoVersion = regoVersion;
  }

  /** Evaluates a query; one binding set per solution, sets converted to sorted arrays. */
  eval(query: string, options: EvalOptions = {}): Array<Record<string, JSONValue>> {
    return this.evalValues(query, options).map((row) => {
      const out: Record<string, JSONValue> = {};
      for (const [k, v] of Object.entries(row)) out[k] = toJSON(v);
      return out;
    });
  }

  /** Like eval, but values stay Rego values (sets stay sets). */
  evalValues(query: string, options: EvalOptions = {}): Array<Record<string, Value>> {
    const q = this.compileQuery(query);
    const ctx = this.context(options);
    const frame = new Array<Value | undefined>(q.nslots);
    const rows: Array<Record<string, Value>> = [];
    evalBody(q.body, 0, frame, ctx, () => {
      const row: Record<string, Value> = {};
      for (const [name, slot] of q.vars) {
        const v = frame[slot];
        if (v !== undefined) row[name] = v;
      }
      rows.push(row);
      return false;
    });
    return rows;
  }

  /** The value of a document such as `data.kubernetes.deny`, or undefined. */
  evalRule(path: string, options: EvalOptions = {}): JSONValue | undefined {
    let term = this.rulePaths.get(path);
    if (!term) {
      const parts = path.split('.');
      if (parts[0] !== 'data' || parts.some((p) => p === '')) throw new Error(`invalid rule path: ${path}`);
      term = { k: 'data', path: parts.slice(1).map((p) => ({ k: 'const', v: p })) };
      this.rulePaths.set(path, term);
    }
    const ctx = this.context(options);
    let out: Value | undefined;
    evalTerm(term, [], ctx, (v) => {
      out = v;
      return true;
    });
    return out === undefined ? undefined : toJSON(out);
  }

  /** METADATA annotations of all modules, in source order. */
  annotations(): Annotation[] {
    return this.annotationList.map((a) => ({ ...a }));
  }

  private compileQuery(query: string): CompiledQuery {
    let q = this.queries.get(query);
    if (!q) {
      try {
        q = compileQuery(this.root, parseQuery(query, this.regoVersion));
      } catch (e) {
        throw asCompileError(e);
      }
      // queries built from user input would otherwise grow the cache without bound
      if (this.queries.size >= MAX_CACHED_QUERIES) this.queries.clear();
      this.queries.set(query, q);
    }
    return q;
  }

  private context(options: EvalOptions): Context {
    const now = options.now;
    const nowNs = typeof now === 'bigint' ? now : BigInt(now ? now.getTime() : Date.now()) * 1_000_000n;
    const memo = new Map<string, Value>();
    if (options.env) memo.set('\u0000env', fromJSON(options.env));
    return new Context(this.root, {
      input: options.input === undefined ? undefined : fromJSON(options.input),
      data: options.data === undefined ? new RObject() : dataValue(options.data),
      strict: options.strictBuiltinErrors ?? false,
      builtins: { nowNs, print: options.print ?? (() => {}), memo },
    });
  }
}

function asCompileError(e: unknown): RegoCompileError {
  if (e instanceof ParseError) return new RegoCompileError([{ ...e.loc, message: `rego_parse_error: ${e.message}` }]);
  if (e instanceof CompileFailure) return new RegoCompileError(e.details);
  throw e;
}

/** Parses and compiles Rego modules. Throws RegoCompileError listing every problem found. */
export function compile(modules: RegoModule[], options: CompileOptions = {}): Policy {
  const regoVersion = options.regoVersion ?? 'v1';
  const errors: CompileErrorDetail[] = [];
  const asts: ModuleAst[] = [];
  const annotations: Annotation[] = [];
  const metadata = new Map<ModuleAst, ModuleAnnotations>();
  for (const m of modules) {
    try {
      const { module, comments } = parseModule(m.path, m.source, regoVersion);
      asts.push(module);
      const parsed = parseAnnotations(module, comments, errors);
      annotations.push(...parsed.list);
      metadata.set(module, parsed);
    } catch (e) {
      if (e instanceof ParseError) errors.push({ ...e.loc, message: `rego_parse_error: ${e.message}` });
      else throw e;
    }
  }
  if (errors.length) throw new RegoCompileError(errors);
  const compileErrors: CompileErrorDetail[] = [];
  const root = buildRuleTree(asts, compileErrors, metadata);
  if (compileErrors.length) throw new RegoCompileError(compileErrors);
  return new Policy(root, annotations, regoVersion);
}
