import { describe, expect, it } from 'vitest';
import { codeForStatus, parseRetryAfter, renderToolError, ToolError, upstreamHttpError } from './errors.ts';

describe('errors', () => {
  it('maps HTTP statuses to stable codes', () => {
    expect([400, 401, 403, 404, 409, 422, 429, 500, 503, 504].map(codeForStatus)).toEqual([
      'invalid_request',
      'unauthorized',
      'forbidden',
      'not_found',
      'conflict',
      'invalid_request',
      'rate_limited',
      'upstream_unavailable',
      'upstream_unavailable',
      'timeout',
    ]);
  });

  it('says a retry is safe only for idempotent calls, except for rate limits', () => {
    expect(upstreamHttpError('GitHub', 503, 'down', { method: 'GET' }).retryable).toBe(true);
    expect(upstreamHttpError('GitHub', 503, 'down', { method: 'POST' }).retryable).toBe(false);
    expect(upstreamHttpError('GitHub', 429, 'slow down', { method: 'POST' }).retryable).toBe(true);
    expect(upstreamHttpError('GitHub', 404, 'Not Found').retryable).toBe(false);
    expect(upstreamHttpError('Vault', 503, 'sealed', { method: 'LIST' }).retryable).toBe(true);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('renders code, fix and retry advice for a model', () => {
    const text = renderToolError(
      new ToolError('rate_limited', 'GitHub answered 429: slow down', { retryAfterSeconds: 12, hint: 'wait' }),
    );
    expect(text).toBe('rate_limited: GitHub answered 429: slow down\nFix: wait\nRetry: safe after 12s.');
    expect(renderToolError(new ToolError('conflict', 'exists'))).toContain('Retry: not safe');
  });
});
