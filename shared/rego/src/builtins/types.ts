/** The shape of a builtin and what the evaluator gives it. */
import type { Value } from '../values.ts';

export interface BuiltinContext {
  /** Evaluation time in nanoseconds since the epoch, fixed for one evaluation. */
  nowNs: bigint;
  print: (message: string) => void;
  /** Per-evaluation memory for nondeterministic builtins (rand.intn). */
  memo: Map<string, Value>;
}

export interface Builtin {
  name: string;
  arity: number;
  fn: (args: Value[], ctx: BuiltinContext) => Value | undefined;
  /** Accepts any number of arguments (print). */
  variadic?: boolean;
  /** fn returns an array holding every output (walk enumerates). */
  relation?: boolean;
}
