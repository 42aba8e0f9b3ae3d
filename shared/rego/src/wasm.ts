/**
 * The second engine: policies compiled by `opa build -t wasm`, run through @open-policy-agent/opa-wasm.
 * Behaviour comes entirely from the compiled bundle; this adapter only gives it the evalRule interface.
 */
import { type LoadedPolicy, loadPolicy } from '@open-policy-agent/opa-wasm';
import { RegoEvalError } from './errors.ts';
import type { JSONValue } from './values.ts';

export interface WasmPolicyOptions {
  /** Base documents (data) for every evaluation. */
  data?: unknown;
  /** Implementations of builtins the bundle imports but opa-wasm does not provide, by name. */
  builtins?: Record<string, (...args: unknown[]) => unknown>;
  /** Initial memory in 64 KiB pages (default 5, grows on demand). */
  memoryPages?: number;
}

export class WasmPolicy {
  private readonly loaded: LoadedPolicy;

  constructor(loaded: LoadedPolicy) {
    this.loaded = loaded;
  }

  /** Entrypoint names of the bundle, e.g. `kubernetes/deny`. */
  entrypoints(): string[] {
    return Object.keys(this.loaded.entrypoints as Record<string, number>).sort();
  }

  /** Replaces the base documents. */
  setData(data: unknown): void {
    this.loaded.setData((data ?? {}) as object);
  }

  /**
   * Value of an entrypoint (`kubernetes/deny` or `data.kubernetes.deny`), undefined when the rule is undefined.
   * Errors of the policy (opa_abort) become RegoEvalError.
   */
  evalRule(path: string, options: { input?: unknown } = {}): JSONValue | undefined {
    const entrypoint = toEntrypoint(path);
    if (!Object.hasOwn(this.loaded.entrypoints as object, entrypoint))
      throw new RegoEvalError('eval_internal_error', `unknown entrypoint ${entrypoint}`);
    let resultSet: unknown;
    try {
      resultSet = this.loaded.evaluate(options.input, entrypoint);
    } catch (e) {
      const message = typeof e === 'string' ? e : ((e as { message?: string }).message ?? String(e));
      throw new RegoEvalError('eval_internal_error', `wasm policy ${entrypoint}: ${message}`);
    }
    if (!Array.isArray(resultSet) || resultSet.length === 0) return undefined;
    return (resultSet[0] as { result?: JSONValue }).result;
  }
}

function toEntrypoint(path: string): string {
  return path.startsWith('data.') ? path.slice(5).replaceAll('.', '/') : path;
}

/** Instantiates a wasm bundle module (policy.wasm from `opa build -t wasm`). */
export async function loadWasmPolicy(
  bytes: Uint8Array | ArrayBuffer,
  options: WasmPolicyOptions = {},
): Promise<WasmPolicy> {
  let loaded: LoadedPolicy;
  try {
    loaded = await loadPolicy(
      bytes as Parameters<typeof loadPolicy>[0],
      options.memoryPages ?? 5,
      options.builtins ?? {},
    );
  } catch (e) {
    const message = typeof e === 'string' ? e : ((e as Error).message ?? String(e));
    throw new RegoEvalError('eval_internal_error', `cannot load wasm policy: ${message}`);
  }
  const policy = new WasmPolicy(loaded);
  if (options.data !== undefined) policy.setData(options.data);
  return policy;
}
