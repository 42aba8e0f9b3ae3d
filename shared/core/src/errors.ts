/**
 * The errors a tool can return. Every failure that reaches a model is a ToolError with a stable code,
 * a message with secrets removed, and whether repeating the same call could succeed.
 */
export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'timeout',
  'upstream_unavailable',
  'policy_denied',
  'response_too_large',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ToolErrorOptions {
  /** True when the same call may succeed if repeated unchanged (after retryAfterSeconds when given). */
  retryable?: boolean;
  /** What the caller can do about it, e.g. which argument to change. */
  hint?: string;
  /** Seconds the upstream asked us to wait before retrying. */
  retryAfterSeconds?: number;
  /** The upstream that failed, e.g. 'GitHub'. */
  upstream?: string;
  /** Upstream HTTP status, when there was one. */
  status?: number;
  /** Structured detail safe to show (never secrets), e.g. policy violations. */
  details?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['rate_limited', 'timeout', 'upstream_unavailable']);

export class ToolError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly upstream: string | undefined;
  readonly status: number | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: ToolErrorOptions = {}) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.hint = options.hint;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.upstream = options.upstream;
    this.status = options.status;
    this.details = options.details;
  }
}

/** The stable error code for an upstream HTTP status. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'upstream_unavailable';
  return 'invalid_request';
}

const STATUS_HINTS: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'the configured credential was rejected: check the token variable named in `idp-mcp <server> --help`',
  forbidden: 'the credential lacks permission for this resource: ask for access or use another resource',
  not_found: 'check the names and ids in the arguments (list tools show what exists)',
  conflict: 'the resource changed or already exists: read its current state and retry with it',
};

/** A ToolError for an upstream HTTP failure. `method` decides whether a retry is safe. */
export function upstreamHttpError(
  upstream: string,
  status: number,
  message: string,
  options: { method?: string; retryAfterSeconds?: number; hint?: string } = {},
): ToolError {
  const code = codeForStatus(status);
  const idempotent = isIdempotentMethod(options.method ?? 'GET');
  const retryable = RETRYABLE_BY_DEFAULT.has(code) && (idempotent || code === 'rate_limited');
  const errorOptions: ToolErrorOptions = { upstream, status, retryable };
  if (options.retryAfterSeconds !== undefined) errorOptions.retryAfterSeconds = options.retryAfterSeconds;
  const hint = options.hint ?? STATUS_HINTS[code];
  if (hint !== undefined) errorOptions.hint = hint;
  return new ToolError(code, `${upstream} answered ${status}: ${message}`, errorOptions);
}

export function isIdempotentMethod(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS', 'LIST'].includes(method.toUpperCase());
}

/** Parses a Retry-After header (seconds or HTTP date) into seconds, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** Renders an error for a model: code, message, what to do, and whether a retry is safe. */
export function renderToolError(error: ToolError): string {
  const lines = [`${error.code}: ${error.message}`];
  if (error.hint) lines.push(`Fix: ${error.hint}`);
  if (error.retryable) {
    lines.push(
      error.retryAfterSeconds !== undefined
        ? `Retry: safe after ${error.retryAfterSeconds}s.`
        : 'Retry: safe to repeat this call unchanged.',
    );
  } else {
    lines.push('Retry: not safe to repeat unchanged.');
  }
  return lines.join('\n');
}
