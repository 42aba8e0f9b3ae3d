import { isIdempotentMethod, parseRetryAfter, ToolError } from './errors.ts';
import type { Logger } from './log.ts';

/**
 * The one fetch every upstream client is given: a timeout per attempt, retries with exponential
 * backoff and full jitter for idempotent calls only, Retry-After honoured, and the caller's
 * AbortSignal respected throughout (including while waiting to retry).
 */
export interface UpstreamFetchOptions {
  /** Upstream name used in errors and logs, e.g. 'GitHub'. */
  upstream: string;
  timeoutMs?: number;
  /** Retries after the first attempt (idempotent methods only). */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails as rate_limited instead. */
  maxRetryAfterMs?: number;
  log?: Logger;
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function createUpstreamFetch(options: UpstreamFetchOptions): FetchFunction {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? 2;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const innerFetch = options.fetch ?? globalThis.fetch;

  return async (input, init = {}) => {
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const attempts = isIdempotentMethod(method) ? retries + 1 : 1;
    const callerSignal = init.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;

    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
      let response: Response;
      try {
        response = await innerFetch(input instanceof Request ? input.clone() : input, { ...init, signal });
      } catch (error) {
        if (callerSignal?.aborted) throw callerSignal.reason ?? error;
        const timedOut = timeout.aborted;
        if (attempt < attempts) {
          options.log?.warn('upstream call failed, retrying', {
            upstream: options.upstream,
            method,
            attempt,
            timedOut,
          });
          await sleep(backoff(attempt, baseDelayMs, maxDelayMs), callerSignal);
          continue;
        }
        throw timedOut
          ? new ToolError('timeout', `${options.upstream} did not answer within ${timeoutMs} ms`, {
              upstream: options.upstream,
              retryable: isIdempotentMethod(method),
              hint: isIdempotentMethod(method)
                ? undefined
                : 'the change may or may not have been made: read the current state before repeating it',
            })
          : new ToolError('upstream_unavailable', `${options.upstream} could not be reached: ${describe(error)}`, {
              upstream: options.upstream,
              retryable: isIdempotentMethod(method),
            });
      }
      if (attempt >= attempts || !RETRY_STATUSES.has(response.status)) return response;
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfterSeconds !== undefined && retryAfterSeconds * 1000 > maxRetryAfterMs) return response;
      const delay =
        retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : backoff(attempt, baseDelayMs, maxDelayMs);
      options.log?.warn('upstream asked to retry', {
        upstream: options.upstream,
        method,
        status: response.status,
        attempt,
        delayMs: delay,
      });
      await response.body?.cancel();
      await sleep(delay, callerSignal);
    }
  };
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^(attempt-1))]. */
function backoff(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.floor(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

export type QueryValue = string | number | boolean | undefined | ReadonlyArray<string | number | boolean>;

export interface JsonRequestOptions {
  /** Query parameters; undefined ones are left out, arrays repeat the name. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Besides the client's own (a per-call token, as node-vault sends). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A non-2xx answer, for the upstream's own error type: the body parsed as JSON when it is JSON, else its text. */
export interface JsonFailure {
  status: number;
  method: string;
  /** The URL's path, without the query. */
  path: string;
  statusText: string;
  body: unknown;
  retryAfter: string | undefined;
}

export interface JsonClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  /** The parsed body of a 2xx answer. */
  request<T>(method: string, path: string, options?: JsonRequestOptions): Promise<T>;
  /** The status and parsed body of a 2xx answer, for a client library that wants both (node-vault). */
  send(method: string, path: string, options?: JsonRequestOptions): Promise<{ status: number; body: unknown }>;
}

/**
 * JSON over the upstream fetch, for REST APIs without a client library (Argo CD, Rancher, Backstage) and under one
 * that hands us the requests it builds (node-vault): base URL, headers (auth), query encoding, JSON bodies, and a
 * failed answer turned into the upstream's own error.
 */
export function createJsonClient(
  options: UpstreamFetchOptions & {
    baseUrl: string;
    headers: Record<string, string>;
    failure(answer: JsonFailure): Error;
  },
): JsonClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetch = createUpstreamFetch(options);
  const send = async (method: string, path: string, request: JsonRequestOptions = {}) => {
    const url = new URL(`${base}${path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...request.headers };
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
      throw options.failure({
        status: response.status,
        method,
        path: url.pathname,
        statusText: response.statusText,
        body,
        retryAfter: response.headers.get('retry-after') ?? undefined,
      });
    }
    return { status: response.status, body };
  };
  return {
    url: base,
    send,
    request: async <T>(method: string, path: string, request: JsonRequestOptions = {}) =>
      (await send(method, path, request)).body as T,
  };
}
