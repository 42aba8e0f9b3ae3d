/** @idp-mcp/rego: an embedded Rego evaluator and an adapter for OPA wasm bundles. See README.md. */
export type { Annotation } from './annotations.ts';
export { type CompileErrorDetail, type EvalErrorCode, RegoCompileError, RegoEvalError } from './errors.ts';
export { type CompileOptions, compile, type EvalOptions, Policy, type RegoModule } from './policy.ts';
export { type JSONValue, RObject, RSet, type Value } from './values.ts';
export { loadWasmPolicy, WasmPolicy, type WasmPolicyOptions } from './wasm.ts';
