import { createUpstreamFetch, type Logger, parseRetryAfter, ToolError, upstreamHttpError } from '@idp-mcp/core';
import { api } from '@pagerduty/pdjs';

/** What pdjs's `api()` resolves to (its type is not exported from the package root). */
type APIResponse = Response & { data: unknown };

/**
 * The only place that talks to PagerDuty.
 *
 * REST v2 goes through pdjs (`api()`): it builds the URL, the `Authorization: Token token=...` and versioned Accept
 * headers, the query string and the body. pdjs sends with cross-fetch (node-fetch 2) and takes no custom fetch, so
 * our upstream fetch cannot be plugged in. What we do instead, documented here:
 * - timeout and cancellation: every call carries AbortSignal.any([caller's signal, a PAGERDUTY_TIMEOUT_MS timer]),
 *   which node-fetch honours (pdjs's own `requestTimeout` is a no-op timer);
 * - 429: pdjs retries a 429 itself, up to 3 times, `retryTimeout` apart (it ignores Retry-After); we set that wait
 *   (PAGERDUTY_RETRY_MS, default 2 s) and map a 429 that outlasts the retries to rate_limited with Retry-After;
 * - 5xx and network errors are not retried (pdjs has no hook for it); GETs are reported retryable.
 *
 * The Events API v2 (POST /v2/enqueue) is sent with the core's upstream fetch: pdjs's `event()` always builds
 * `https://{server}/v2/enqueue`, so it cannot reach a plain-HTTP endpoint such as the sandbox fake, and one code path
 * for every environment beats two.
 */

export interface PagerDutyClientOptions {
  token: string;
  /** REST base URL, e.g. https://api.pagerduty.com */
  apiUrl: string;
  /** Events API base URL, e.g. https://events.pagerduty.com */
  eventsUrl: string;
  routingKey?: string;
  from?: string;
  timeoutMs: number;
  retryMs: number;
  log: Logger;
}

export interface PageOf<T> {
  items: T[];
  more: boolean;
  offset: number;
  total: number | null;
}

type Query = Record<string, string | string[]>;

export interface EventResult {
  status: string;
  message: string;
  dedup_key: string;
}

export class PagerDutyClient {
  readonly routingKeyConfigured: boolean;
  private readonly options: PagerDutyClientOptions;
  private readonly eventsFetch: ReturnType<typeof createUpstreamFetch>;

  constructor(options: PagerDutyClientOptions) {
    this.options = options;
    this.routingKeyConfigured = Boolean(options.routingKey);
    this.eventsFetch = createUpstreamFetch({
      upstream: 'PagerDuty Events API',
      timeoutMs: options.timeoutMs,
      log: options.log,
    });
  }

  get<T>(path: string, query: Query, signal: AbortSignal): Promise<T> {
    return this.call<T>('GET', path, { queryParameters: query }, signal);
  }

  /** A list endpoint with PagerDuty's offset pagination: `key` names the array in the answer. */
  async list<T>(path: string, key: string, query: Query, page: { limit: number; offset: number }, signal: AbortSignal) {
    const data = await this.get<Record<string, unknown>>(
      path,
      { ...query, limit: String(page.limit), offset: String(page.offset), total: 'true' },
      signal,
    );
    return {
      items: (data[key] ?? []) as T[],
      more: data.more === true,
      offset: Number(data.offset ?? page.offset),
      total: typeof data.total === 'number' ? data.total : null,
    } satisfies PageOf<T>;
  }

  /** A write: needs PAGERDUTY_FROM, the email of the PagerDuty user the change is made as. */
  write<T>(method: 'PUT' | 'POST', path: string, body: object, signal: AbortSignal): Promise<T> {
    const from = this.options.from;
    if (!from) {
      throw new ToolError('invalid_request', 'PAGERDUTY_FROM is not set: PagerDuty records every change as a user', {
        hint: 'set PAGERDUTY_FROM to the email of a PagerDuty user of the account and restart the server',
        retryable: false,
      });
    }
    return this.call<T>(method, path, { data: body, headers: { From: from } }, signal);
  }

  /** Sends an Events API v2 event with the configured routing key. */
  async enqueue(event: Record<string, unknown>, signal: AbortSignal): Promise<EventResult> {
    const routingKey = this.options.routingKey;
    if (!routingKey) {
      throw new ToolError(
        'invalid_request',
        'PAGERDUTY_ROUTING_KEY is not set: triggering needs an Events API v2 key',
        {
          hint: "set PAGERDUTY_ROUTING_KEY to the integration key of the service's Events API v2 integration",
          retryable: false,
        },
      );
    }
    const response = await this.eventsFetch(`${this.options.eventsUrl.replace(/\/+$/, '')}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...event, routing_key: routingKey }),
      signal,
    });
    const data = (await response.json().catch(() => ({}))) as Partial<EventResult> & { errors?: string[] };
    if (response.status !== 202) {
      const details = [data.message, ...(data.errors ?? [])].filter(Boolean).join(': ');
      throw upstreamHttpError('PagerDuty Events API', response.status, details || response.statusText, {
        method: 'POST',
        ...retryAfter(response.headers),
        ...(response.status === 400 && data.errors?.some((e) => /routing key/i.test(e))
          ? { hint: 'PAGERDUTY_ROUTING_KEY is not a valid Events API v2 integration key' }
          : {}),
      });
    }
    return { status: data.status ?? 'success', message: data.message ?? '', dedup_key: data.dedup_key ?? '' };
  }

  private async call<T>(
    method: string,
    path: string,
    options: { queryParameters?: Query; data?: object; headers?: Record<string, string> },
    signal: AbortSignal,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: APIResponse;
    try {
      response = (await api({
        url: `${this.options.apiUrl.replace(/\/+$/, '')}${path}`,
        method,
        token: this.options.token,
        tokenType: 'token',
        retryTimeout: this.options.retryMs,
        signal: AbortSignal.any([signal, timeout]),
        ...options,
      })) as APIResponse;
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      if (timeout.aborted) {
        throw new ToolError('timeout', `PagerDuty did not answer within ${this.options.timeoutMs} ms`, {
          upstream: 'PagerDuty',
          retryable: method === 'GET',
          ...(method === 'GET'
            ? {}
            : { hint: 'the change may or may not have been made: read the incident before repeating it' }),
        });
      }
      // pdjs rejects with the Response itself when an answer is not JSON.
      if (error instanceof Object && 'status' in error && typeof error.status === 'number') {
        throw pagerDutyHttpError(method, error.status, undefined, (error as Response).headers);
      }
      throw new ToolError('upstream_unavailable', `PagerDuty could not be reached: ${(error as Error).message}`, {
        upstream: 'PagerDuty',
        retryable: method === 'GET',
      });
    }
    if (!response.ok) throw pagerDutyHttpError(method, response.status, response.data, response.headers);
    return response.data as T;
  }
}

function retryAfter(headers: Headers | undefined): { retryAfterSeconds?: number } {
  const seconds = parseRetryAfter(headers?.get('retry-after'));
  return seconds === undefined ? {} : { retryAfterSeconds: seconds };
}

/** PagerDuty's `{ error: { message, code, errors } }` as a ToolError. */
export function pagerDutyHttpError(method: string, status: number, body: unknown, headers?: Headers): ToolError {
  const error = (body as { error?: { message?: string; errors?: string[] } } | undefined)?.error;
  const message = [error?.message ?? `HTTP ${status}`, ...(error?.errors ?? [])].join(': ');
  const hint =
    status === 401
      ? 'PAGERDUTY_TOKEN was rejected: create a REST API key (full access for writes) and set it'
      : status === 403
        ? 'the API key may be read-only or lack access to this object: writes need a full-access key'
        : status === 400 && /Requester User Not Found/i.test(message)
          ? 'PAGERDUTY_FROM must be the email of a user of this PagerDuty account'
          : undefined;
  return upstreamHttpError('PagerDuty', status, message, {
    method,
    ...retryAfter(headers),
    ...(hint ? { hint } : {}),
  });
}

/** Errors that reach the core unmapped: none expected, since every call above throws ToolErrors. */
export function mapPagerDutyError(error: unknown): ToolError | undefined {
  const cause = (error as { cause?: unknown })?.cause;
  return cause instanceof ToolError ? cause : undefined;
}
