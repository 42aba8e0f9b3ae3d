import {
  createUpstreamFetch,
  decodeCursor,
  encodeCursor,
  type Logger,
  ToolError,
  upstreamHttpError,
} from '@idp-mcp/core';
import { Octokit } from '@octokit/rest';

/** The only place that talks to GitHub: the client, its error mapping and page handling. */

export interface GitHubClientOptions {
  token: string;
  baseUrl: string;
  timeoutMs?: number;
  log: Logger;
}

export function createGitHubClient(options: GitHubClientOptions): Octokit {
  const log = options.log;
  return new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: 'idp-mcp',
    request: {
      fetch: createUpstreamFetch({
        upstream: 'GitHub',
        log,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      }),
    },
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
    },
  });
}

interface OctokitRequestError {
  name: 'HttpError';
  status: number;
  request?: { method?: string };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

function isRequestError(error: unknown): error is OctokitRequestError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'HttpError' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

/** octokit's RequestError as a ToolError: GitHub's own message, its validation details, rate limits. */
export function mapGitHubError(error: unknown): ToolError | undefined {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof ToolError) return cause;
  if (!isRequestError(error)) return undefined;
  const data = (error.response?.data ?? {}) as {
    message?: string;
    errors?: Array<{ message?: string; field?: string; code?: string }>;
  };
  const headers = error.response?.headers ?? {};
  const details = (data.errors ?? [])
    .map((item) => item.message ?? [item.field, item.code].filter(Boolean).join(' '))
    .filter(Boolean);
  const message = [data.message ?? 'request failed', ...details].join(': ');
  const method = error.request?.method ?? 'GET';
  const rateLimited = (error.status === 403 || error.status === 429) && headers['x-ratelimit-remaining'] === '0';
  if (rateLimited) {
    const reset = Number(headers['x-ratelimit-reset']);
    return new ToolError('rate_limited', `GitHub rate limit exhausted: ${message}`, {
      upstream: 'GitHub',
      status: error.status,
      retryable: true,
      ...(Number.isFinite(reset) ? { retryAfterSeconds: Math.max(0, reset - Math.floor(Date.now() / 1000)) } : {}),
    });
  }
  const retryAfter = headers['retry-after'];
  return upstreamHttpError('GitHub', error.status, message, {
    method,
    ...(retryAfter && /^\d+$/.test(retryAfter) ? { retryAfterSeconds: Number(retryAfter) } : {}),
  });
}

/** GitHub pages by number; our cursor remembers the page and page size so a later call cannot skip items. */
export interface PageRequest {
  page: number;
  per_page: number;
}

export function pageRequest(tool: string, limit: number, cursor: string | undefined): PageRequest {
  const position = decodeCursor<{ page: number; per_page: number }>(tool, cursor, {
    page: 'number',
    per_page: 'number',
  });
  return position ? { page: position.page, per_page: position.per_page } : { page: 1, per_page: limit };
}

/** nextCursor from GitHub's Link header. */
export function nextPageCursor(tool: string, request: PageRequest, link: string | undefined): string | undefined {
  if (!link || !/rel="next"/.test(link)) return undefined;
  return encodeCursor(tool, { page: request.page + 1, per_page: request.per_page });
}

export type GitHub = Octokit;
