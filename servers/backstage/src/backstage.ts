import {
  createJsonClient,
  type JsonClient,
  type Logger,
  parseRetryAfter,
  ToolError,
  upstreamHttpError,
} from '@idp-mcp/core';

/**
 * The only place that talks to Backstage: the catalog (/api/catalog) and scaffolder (/api/scaffolder) REST APIs
 * on the core's JSON client (timeouts, retries of idempotent calls, Retry-After, cancellation) with a bearer
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
  private readonly json: JsonClient;

  constructor(options: BackstageClientOptions) {
    this.json = createJsonClient({
      upstream: 'Backstage',
      log: options.log,
      baseUrl: options.baseUrl,
      headers: { authorization: `Bearer ${options.token}` },
      failure: (answer) =>
        backstageHttpError(answer.method, answer.path, answer.status, answer.body, answer.retryAfter),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    this.baseUrl = this.json.url;
  }

  get<T>(path: string, query: Query, signal: AbortSignal): Promise<T> {
    return this.json.request<T>('GET', path, { query, signal });
  }

  post<T>(path: string, body: unknown, signal: AbortSignal, query: Query = {}): Promise<T> {
    return this.json.request<T>('POST', path, { query, body, signal });
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
  retryAfter: string | undefined,
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
  const retryAfterSeconds = parseRetryAfter(retryAfter);
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
