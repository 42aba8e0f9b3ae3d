import { createUpstreamFetch, type Logger, ToolError, upstreamHttpError } from '@idp-mcp/core';

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

export interface RequestOptions {
  query?: Record<string, string | string[] | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
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

export interface ArgoCd {
  readonly url: string;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
}

export function createArgoCdClient(options: ArgoCdClientOptions): ArgoCd {
  const base = options.url.replace(/\/+$/, '');
  const fetch = createUpstreamFetch({
    upstream: UPSTREAM,
    log: options.log,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return {
    url: base,
    async request<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
      const url = new URL(`${base}${path}`);
      for (const [name, value] of Object.entries(request.query ?? {})) {
        if (value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
      }
      const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url, {
        method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      if (!response.ok) {
        const error = body as { message?: string; error?: string; code?: number } | string | undefined;
        const message =
          typeof error === 'object' && error !== null
            ? (error.message ?? error.error ?? response.statusText)
            : (error || response.statusText).slice(0, 300);
        throw new ArgoCdApiError(
          response.status,
          method,
          message,
          typeof error === 'object' && error !== null ? error.code : undefined,
          response.headers.get('retry-after') ?? undefined,
        );
      }
      return body as T;
    },
  };
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
