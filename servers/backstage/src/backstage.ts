import { createUpstreamFetch, type Logger, parseRetryAfter, ToolError, upstreamHttpError } from '@idp-mcp/core';

/**
 * The only place that talks to Backstage: the catalog (/api/catalog) and scaffolder (/api/scaffolder) REST APIs
 * over the core's upstream fetch (timeouts, retries of idempotent calls, Retry-After, cancellation) with a bearer
 * token (a static service token or a user token).
 */

export interface BackstageClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  log: Logger;
}

type Query = Record<string, string | string[] | undefined>;

export class BackstageClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly fetch: ReturnType<typeof createUpstreamFetch>;

  constructor(options: BackstageClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.fetch = createUpstreamFetch({
      upstream: 'Backstage',
      log: options.log,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  get<T>(path: string, query: Query, signal: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, query, undefined, signal);
  }

  post<T>(path: string, body: unknown, signal: AbortSignal, query: Query = {}): Promise<T> {
    return this.request<T>('POST', path, query, body, signal);
  }

  private async request<T>(method: string, path: string, query: Query, body: unknown, signal: AbortSignal): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
        url.searchParams.append(key, item);
    }
    const response = await this.fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal,
    });
    const text = await response.text();
    let data: unknown;
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch {
      data = text;
    }
    if (!response.ok) throw backstageHttpError(method, path, response.status, data, response.headers);
    return data as T;
  }
}

interface SchemaError {
  property?: string;
  message?: string;
  argument?: unknown;
  name?: string;
}

/** Backstage's `{ error: { name, message } }`, or the scaffolder's `{ errors: [...] }` of parameter problems. */
export function backstageHttpError(
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers: Headers,
): ToolError {
  const data = body as { error?: { name?: string; message?: string }; errors?: SchemaError[] } | undefined;
  if (status === 400 && Array.isArray(data?.errors)) {
    const problems = data.errors.map((e) => {
      const field =
        e.name === 'required' ? `values.${String(e.argument)}` : (e.property ?? '').replace(/^instance/, 'values');
      return `${field}: ${e.name === 'required' ? 'is required' : (e.message ?? 'is invalid')}`;
    });
    return new ToolError('invalid_request', `the template rejected the values: ${problems.join('; ')}`, {
      upstream: 'Backstage',
      status,
      retryable: false,
      hint: 'get_template_parameters shows each parameter with its type, pattern and whether it is required',
    });
  }
  const message = data?.error ? `${data.error.name ?? 'Error'}: ${data.error.message ?? ''}` : `HTTP ${status}`;
  const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'));
  return upstreamHttpError('Backstage', status, `${method} ${path.split('?')[0]}: ${message}`, {
    method,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(status === 401 ? { hint: 'BACKSTAGE_TOKEN was rejected: use a valid static service token or user token' } : {}),
  });
}

/** Nothing reaches the core unmapped: the client throws ToolErrors (the core's fetch does for timeouts). */
export function mapBackstageError(error: unknown): ToolError | undefined {
  const cause = (error as { cause?: unknown })?.cause;
  return cause instanceof ToolError ? cause : undefined;
}
