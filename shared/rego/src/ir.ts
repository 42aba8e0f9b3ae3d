/** The compiled form the evaluator runs: variables resolved to frame slots, refs to data/input roots, calls bound. */
import type { Builtin } from './builtins/types.ts';
import type { Location } from './errors.ts';
import type { Value } from './values.ts';

export type CTerm =
  | { k: 'const'; v: Value }
  | { k: 'var'; slot: number; name: string }
  | { k: 'ref'; head: CTerm; path: CTerm[] }
  | { k: 'data'; path: CTerm[] }
  | { k: 'input'; path: CTerm[] }
  | { k: 'array'; items: CTerm[] }
  | { k: 'object'; entries: [CTerm, CTerm][] }
  | { k: 'set'; items: CTerm[] }
  | { k: 'compr'; kind: 'array' | 'set' | 'object'; head: CTerm; value: CTerm | undefined; body: CExpr[] }
  | { k: 'call'; fn: Callable; args: CTerm[]; out: CTerm | undefined; order: number[] | undefined; loc: Location }
  | { k: 'template'; parts: (string | CTemplatePart)[] };

export interface CTemplatePart {
  term: CTerm;
  withs: CWith[] | undefined;
}

export type Callable =
  | { kind: 'builtin'; key: string; builtin: Builtin }
  | { kind: 'user'; key: string; node: RuleNode };

export type WithTarget =
  | { kind: 'input'; path: Value[] }
  | { kind: 'data'; path: Value[] }
  | { kind: 'fn'; key: string };

export interface CWith {
  target: WithTarget;
  value: CTerm;
  /** Set when the replacement is itself a function. */
  fn: Callable | undefined;
}

export type CExpr = (
  | { k: 'term'; term: CTerm }
  | { k: 'unify'; a: CTerm; b: CTerm }
  | { k: 'not'; inner: CExpr }
  | { k: 'somein'; key: CTerm | undefined; value: CTerm; coll: CTerm }
  | { k: 'every'; key: CTerm | undefined; value: CTerm; domain: CTerm; body: CExpr[] }
) & { withs: CWith[] | undefined; loc: Location };

export type RuleKind = 'complete' | 'set' | 'object' | 'function';

export interface CClause {
  value: CTerm;
  body: CExpr[];
  loc: Location;
}

export interface CRule {
  kind: RuleKind;
  /** Head terms after the node path (object and multi-value ref heads). */
  suffix: CTerm[];
  /** Element of a multi-value (set) rule. */
  key: CTerm | undefined;
  args: CTerm[] | undefined;
  /** The rule body and its else clauses, tried in order. */
  clauses: CClause[];
  nslots: number;
  isDefault: boolean;
  loc: Location;
}

export interface RuleNode {
  key: Value;
  path: Value[];
  name: string;
  children: Map<string, RuleNode>;
  rules: CRule[];
  funcs: CRule[];
  /** Set when functions are defined here; arity is their argument count. */
  arity: number | undefined;
  defaultRule: CRule | undefined;
  defaultFunc: CRule | undefined;
}
