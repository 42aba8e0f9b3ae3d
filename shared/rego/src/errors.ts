/** Errors of compilation (with locations) and of evaluation (with OPA error codes). */
export interface Location {
  file: string;
  line: number;
  col: number;
}

export interface CompileErrorDetail extends Location {
  message: string;
}

/** Thrown by compile(): every parse, safety, recursion and reference error found, each with its location. */
export class RegoCompileError extends Error {
  readonly errors: CompileErrorDetail[];
  constructor(errors: CompileErrorDetail[]) {
    super(errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`).join('\n'));
    this.name = 'RegoCompileError';
    this.errors = errors;
  }
}

export type EvalErrorCode =
  | 'eval_type_error'
  | 'eval_builtin_error'
  | 'eval_conflict_error'
  | 'eval_recursion_error'
  | 'eval_internal_error';

/** Thrown by evaluation. The message reads like OPA's: `file:line: code: message`. */
export class RegoEvalError extends Error {
  readonly code: EvalErrorCode;
  readonly location: Location | undefined;
  constructor(code: EvalErrorCode, message: string, location?: Location) {
    super(location ? `${location.file}:${location.line}: ${code}: ${message}` : `${code}: ${message}`);
    this.name = 'RegoEvalError';
    this.code = code;
    this.location = location;
  }
}

/** Raised inside builtins; the evaluator turns it into a RegoEvalError (strict) or an undefined expression. */
export class BuiltinError extends Error {
  readonly code: 'eval_type_error' | 'eval_builtin_error';
  constructor(code: 'eval_type_error' | 'eval_builtin_error', message: string) {
    super(message);
    this.code = code;
  }
}
