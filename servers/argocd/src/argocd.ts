import { createJsonClient, type JsonClient, type Logger, ToolError, upstreamHttpError } from '@idp-mcp/core';

/**
 * The only place that talks to Argo CD: its REST API (the grpc-gateway in front of the API server) over the core's
 * upstream fetch, with a bearer token. Error mapping and the shapes idp-mcp reads live here too.
 */

export const UPSTREAM = 'Argo CD';

export interface ArgoCdClientOptions {
  /** e.g. https://argocd.acme.example (no /api suffix). */
  url: string;
  token: string;
  timeoutMs?: number;
  log: Logger;
}

/** A non-2xx answer from Argo CD: the HTTP status and its runtimeError body `{ error, code, message }`. */
export class ArgoCdApiError extends Error {
  readonly status: number;
  readonly method: string;
  readonly grpcCode: number | undefined;
  readonly retryAfter: string | undefined;

  constructor(status: number, method: string, message: string, grpcCode?: number, retryAfter?: string) {
    super(message);
    this.name = 'ArgoCdApiError';
    this.status = status;
    this.method = method;
    this.grpcCode = grpcCode;
    this.retryAfter = retryAfter;
  }
}

export type ArgoCd = JsonClient;

export function createArgoCdClient(options: ArgoCdClientOptions): ArgoCd {
  return createJsonClient({
    upstream: UPSTREAM,
    log: options.log,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    baseUrl: options.url,
    headers: { authorization: `Bearer ${options.token}` },
    failure: ({ status, method, statusText, body, retryAfter }) => {
      const error = body as { message?: string; error?: string; code?: number } | string | undefined;
      const message =
        typeof error === 'object' && error !== null
          ? (error.message ?? error.error ?? statusText)
          : (error || statusText).slice(0, 300);
      return new ArgoCdApiError(
        status,
        method,
        message,
        typeof error === 'object' && error !== null ? error.code : undefined,
        retryAfter,
      );
    },
  });
}

/** Path segment, encoded. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

/**
 * Argo CD's errors as ToolErrors, in one place. Argo CD answers gRPC status codes through grpc-gateway, so some
 * meanings hide behind 400 (FailedPrecondition, InvalidArgument); those get their real code here.
 */
export function mapArgoCdError(error: unknown): ToolError | undefined {
  if (!(error instanceof ArgoCdApiError)) return undefined;
  const message = error.message;
  if (/another operation is already in progress/.test(message)) {
    return new ToolError('conflict', `${UPSTREAM}: ${message}`, {
      upstream: UPSTREAM,
      status: error.status,
      retryable: false,
      hint: 'wait for the running sync to finish (get_application_status shows it) or stop it with terminate_operation',
    });
  }
  if (/existing application spec is different/.test(message)) {
    return new ToolError('conflict', `${UPSTREAM}: the application already exists with a different spec`, {
      upstream: UPSTREAM,
      status: error.status,
      retryable: false,
      hint: 'pass upsert: true to replace its spec, or use update_application',
    });
  }
  if (/rollback cannot be initiated when auto-sync is enabled/.test(message)) {
    return new ToolError('invalid_request', `${UPSTREAM}: ${message}`, {
      upstream: UPSTREAM,
      status: error.status,
      retryable: false,
      hint: 'turn automated sync off first (update_application with automated_sync omitted), then roll back',
    });
  }
  if (/does not have deployment with id/.test(message)) {
    return new ToolError('not_found', `${UPSTREAM}: ${message}`, {
      upstream: UPSTREAM,
      status: error.status,
      retryable: false,
      hint: 'get_application_history lists the ids that can be rolled back to',
    });
  }
  const retryAfter = error.retryAfter && /^\d+$/.test(error.retryAfter) ? Number(error.retryAfter) : undefined;
  const hint =
    error.status === 401
      ? 'ARGOCD_TOKEN was rejected: create a fresh token (argocd account generate-token) and set ARGOCD_TOKEN'
      : error.status === 403
        ? 'the Argo CD account behind ARGOCD_TOKEN lacks this RBAC permission (the message names resource, action and object)'
        : error.status === 400
          ? 'fix the argument the message names and call again'
          : undefined;
  return upstreamHttpError(UPSTREAM, error.status, message, {
    method: error.method,
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    ...(hint ? { hint } : {}),
  });
}
