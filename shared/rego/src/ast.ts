/** Syntax tree produced by the parser. */
import type { Location } from './errors.ts';
import type { Value } from './values.ts';

export type Term =
  | { type: 'scalar'; value: Value; loc: Location }
  | { type: 'var'; name: string; loc: Location }
  | { type: 'ref'; head: Term; path: Term[]; loc: Location }
  | { type: 'array'; items: Term[]; loc: Location }
  | { type: 'object'; entries: [Term, Term][]; loc: Location }
  | { type: 'set'; items: Term[]; loc: Location }
  | { type: 'arraycompr'; head: Term; body: Expr[]; loc: Location }
  | { type: 'setcompr'; head: Term; body: Expr[]; loc: Location }
  | { type: 'objectcompr'; key: Term; value: Term; body: Expr[]; loc: Location }
  | { type: 'call'; fn: Term; args: Term[]; loc: Location }
  | { type: 'template'; parts: (string | TemplatePart)[]; loc: Location };

/** An embedded `{expr}` of a template string; it may carry `with` modifiers. */
export interface TemplatePart {
  term: Term;
  withs: With[];
}

export interface With {
  target: Term;
  value: Term;
  loc: Location;
}

export type ExprNode =
  | { kind: 'term'; term: Term }
  | { kind: 'unify'; lhs: Term; rhs: Term }
  | { kind: 'assign'; lhs: Term; rhs: Term }
  | { kind: 'some'; vars: Term[] }
  | { kind: 'somein'; key: Term | undefined; value: Term; coll: Term }
  | { kind: 'every'; key: Term | undefined; value: Term; domain: Term; body: Expr[] };

export interface Expr {
  node: ExprNode;
  negated: boolean;
  withs: With[];
  loc: Location;
}

export interface RuleHead {
  /** Head reference: first a var (the rule name), then dotted strings or bracketed terms. */
  ref: Term[];
  args: Term[] | undefined;
  /** `contains` term (v1) or the v0 partial-set key. */
  key: Term | undefined;
  value: Term | undefined;
  assign: boolean;
}

export interface ElseClause {
  value: Term | undefined;
  body: Expr[];
  loc: Location;
}

export interface RuleAst {
  head: RuleHead;
  body: Expr[];
  elses: ElseClause[];
  isDefault: boolean;
  loc: Location;
}

export interface ImportAst {
  path: Term;
  alias: string | undefined;
  loc: Location;
}

export interface ModuleAst {
  file: string;
  packagePath: string[];
  packageLoc: Location;
  imports: ImportAst[];
  rules: RuleAst[];
  regoVersion: 'v0' | 'v1';
}
