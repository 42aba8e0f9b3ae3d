import {
  createUpstreamFetch,
  type FetchFunction,
  type Logger,
  parseRetryAfter,
  ToolError,
  upstreamHttpError,
} from '@idp-mcp/core';
import type { Client, SendRequestOptions } from 'jira.js/core';

/**
 * The only place that talks to Jira: the transport jira.js's API functions run on, its error mapping, and paging.
 *
 * jira.js 6 (Node >= 22; we run 24) replaced axios with the global `fetch`, and its own `createClient` accepts neither
 * a custom fetch nor a per-call AbortSignal. Its documented extension point is the `Client` interface ("anything with
 * `sendRequest`"), which every API function takes as its first argument. So the library still builds every request
 * (path, query parameters, body, response schema) and this file supplies `sendRequest`: the core's upstream fetch
 * (timeout per attempt, retries with backoff for GET only, Retry-After, cancellation by the tool call's signal),
 * the credentials, and jira.js's response schema check. The library's own retry option is therefore never used, so
 * nothing retries twice. Rich-text fields are always sent as Atlassian documents, so jira.js's v2 fallback for string
 * descriptions (an extra request) never runs.
 */

export type JiraAuth = { type: 'basic'; email: string; apiToken: string } | { type: 'bearer'; token: string };

export interface JiraOptions {
  /** Site URL, e.g. https://acme.atlassian.net (or the OAuth gateway https://api.atlassian.com/ex/jira/{cloudId}). */
  baseUrl: string;
  auth: JiraAuth;
  timeoutMs?: number;
  log: Logger;
}

export interface Jira {
  /** A jira.js Client whose every request is cancelled with `signal`. */
  client(signal: AbortSignal): Client;
  /** Browse URL of an issue, for links in outputs. */
  browseUrl(key: string): string;
}

/** A non-2xx answer from Jira, mapped to a ToolError by `mapJiraError`. */
export class JiraHttpError extends Error {
  readonly status: number;
  readonly method: string;
  readonly body: unknown;
  readonly retryAfter: string | null;

  constructor(status: number, method: string, body: unknown, retryAfter: string | null) {
    super(`Jira answered ${status}`);
    this.name = 'JiraHttpError';
    this.status = status;
    this.method = method;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

/** The query string the way jira.js's own transport writes it: arrays repeat the key, objects are JSON. */
function withSearchParams(url: string, searchParams: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== undefined && item !== null) params.append(key, String(item));
    } else {
      params.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
  }
  const query = params.toString();
  return query ? `${url}?${query}` : url;
}

export function createJira(options: JiraOptions): Jira {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetch: FetchFunction = createUpstreamFetch({
    upstream: 'Jira',
    log: options.log,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const authorization =
    options.auth.type === 'basic'
      ? `Basic ${Buffer.from(`${options.auth.email}:${options.auth.apiToken}`).toString('base64')}`
      : `Bearer ${options.auth.token}`;
  const reportedMismatches = new Set<string>();

  async function sendRequest<T>(request: SendRequestOptions<T>, signal: AbortSignal): Promise<T> {
    const method = request.method ?? 'GET';
    const path = request.url.startsWith('/') ? request.url : `/${request.url}`;
    const hasBody = request.body !== undefined && request.body !== null;
    const response = await fetch(withSearchParams(baseUrl + path, request.searchParams), {
      method,
      headers: {
        Accept: 'application/json',
        ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        Authorization: authorization,
        'User-Agent': 'idp-mcp',
        ...request.headers,
      },
      ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
      signal,
    });
    const text = await response.text();
    let data: unknown = text === '' ? undefined : text;
    if (text !== '' && response.headers.get('content-type')?.includes('json')) {
      try {
        data = JSON.parse(text);
      } catch {
        // keep the text
      }
    }
    if (!response.ok) throw new JiraHttpError(response.status, method, data, response.headers.get('retry-after'));
    if (response.status === 204 || data === undefined || !request.schema) return data as T;
    const parsed = request.schema.safeParse(data);
    if (parsed.success) return parsed.data;
    // jira.js's default ('warn'): report the drift once per endpoint and hand the body back unvalidated.
    const endpoint = `${method} ${request.url.replace(/\/\d+|\/[A-Z][A-Z0-9]+-\d+/g, '/{id}')}`;
    if (!reportedMismatches.has(endpoint)) {
      reportedMismatches.add(endpoint);
      options.log.warn('Jira response does not match the jira.js schema', {
        endpoint,
        issues: parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      });
    }
    return data as T;
  }

  return {
    client: (signal) => ({ sendRequest: (request) => sendRequest(request, signal) }),
    browseUrl: (key) => `${baseUrl}/browse/${key}`,
  };
}

/** Jira's ErrorCollection (`{ errorMessages: [...], errors: { field: message } }`) as one line. */
function describeJiraError(body: unknown): { message: string; fields: Record<string, string> } {
  if (typeof body === 'string') return { message: body.slice(0, 300), fields: {} };
  const collection = (body ?? {}) as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const messages = Array.isArray(collection.errorMessages) ? collection.errorMessages.map(String) : [];
  const fields =
    collection.errors && typeof collection.errors === 'object'
      ? Object.fromEntries(Object.entries(collection.errors as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
      : {};
  const parts = [...messages, ...Object.entries(fields).map(([field, message]) => `${field}: ${message}`)];
  if (parts.length === 0 && typeof collection.message === 'string') parts.push(collection.message);
  return { message: parts.join('; ') || 'request failed', fields };
}

/** Errors from the transport above as ToolErrors: Jira's own messages, field errors named, Retry-After kept. */
export function mapJiraError(error: unknown): ToolError | undefined {
  if (error instanceof ToolError) return error;
  if (!(error instanceof JiraHttpError)) return undefined;
  const { message, fields } = describeJiraError(error.body);
  const retryAfterSeconds = parseRetryAfter(error.retryAfter);
  const fieldNames = Object.keys(fields);
  const hint =
    error.status === 400 && fieldNames.length > 0
      ? `fix the field${fieldNames.length > 1 ? 's' : ''} ${fieldNames.join(', ')} and call again`
      : error.status === 400 && /Unbounded JQL/.test(message)
        ? 'add a restriction to the JQL, e.g. "project = PAY AND ..." or "assignee = currentUser()"'
        : error.status === 400 && /JQL|jql|Field '/.test(message)
          ? 'correct the JQL: quote values with spaces, use field names Jira knows (project, status, assignee, labels, ...)'
          : undefined;
  return upstreamHttpError('Jira', error.status, message, {
    method: error.method,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(hint ? { hint } : {}),
  });
}
