import { createJsonClient, type JsonClient, type Logger, type ToolError, upstreamHttpError } from '@idp-mcp/core';

/**
 * The only place that talks to Rancher: its v3 management API (and the Steve API for cluster events) over the core's
 * upstream fetch with an API token, and the mapping of Rancher's error bodies.
 */

export const UPSTREAM = 'Rancher';

export interface RancherClientOptions {
  /** e.g. https://rancher.acme.example (no /v3 suffix). */
  url: string;
  token: string;
  timeoutMs?: number;
  log: Logger;
}

/** A Rancher error answer: `{ type: 'error', status, code, message, fieldName? }`. */
export class RancherApiError extends Error {
  readonly status: number;
  readonly method: string;
  readonly code: string | undefined;
  readonly fieldName: string | undefined;
  readonly retryAfter: string | undefined;

  constructor(status: number, method: string, message: string, code?: string, fieldName?: string, retryAfter?: string) {
    super(message);
    this.name = 'RancherApiError';
    this.status = status;
    this.method = method;
    this.code = code;
    this.fieldName = fieldName;
    this.retryAfter = retryAfter;
  }
}

export type Rancher = JsonClient;

/** Rancher's collection envelope. */
export interface Collection<T> {
  type: 'collection';
  data: T[];
  pagination?: { limit?: number; total?: number; next?: string; marker?: string; continue?: string };
}

export function createRancherClient(options: RancherClientOptions): Rancher {
  return createJsonClient({
    upstream: UPSTREAM,
    log: options.log,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    baseUrl: options.url.replace(/\/+$/, '').replace(/\/v3$/, ''),
    headers: { authorization: `Bearer ${options.token}` },
    failure: ({ status, method, statusText, body, retryAfter }) => {
      const error = (typeof body === 'object' && body !== null ? body : {}) as {
        message?: string;
        code?: string;
        fieldName?: string;
      };
      const message = error.message ?? (typeof body === 'string' && body ? body.slice(0, 300) : statusText);
      return new RancherApiError(status, method, message, error.code, error.fieldName, retryAfter);
    },
  });
}

/** The marker of a collection's next page (Rancher puts it in pagination.next as a full URL). */
export function nextMarker(collection: Collection<unknown>): string | undefined {
  const next = collection.pagination?.next;
  if (!next) return undefined;
  try {
    return new URL(next).searchParams.get('marker') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Rancher's errors as ToolErrors, in one place. */
export function mapRancherError(error: unknown): ToolError | undefined {
  if (!(error instanceof RancherApiError)) return undefined;
  const retryAfter = error.retryAfter && /^\d+$/.test(error.retryAfter) ? Number(error.retryAfter) : undefined;
  const hint =
    error.status === 401
      ? 'RANCHER_TOKEN was rejected: create an API key in Rancher (Account & API Keys) and set RANCHER_TOKEN to token-xxxxx:secret'
      : error.status === 403
        ? "the Rancher user behind RANCHER_TOKEN lacks this permission (a cluster owner or the node pool's cluster role is needed)"
        : error.status === 404
          ? 'list_clusters and list_node_pools show the ids that exist'
          : error.status === 422 && error.fieldName
            ? `fix ${error.fieldName} and call again`
            : undefined;
  return upstreamHttpError(UPSTREAM, error.status, `${error.code ? `${error.code}: ` : ''}${error.message}`, {
    method: error.method,
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    ...(hint ? { hint } : {}),
  });
}
