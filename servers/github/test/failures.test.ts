import { textOf } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { useGitHub } from './support.ts';

const github = useGitHub({ env: { GITHUB_TIMEOUT_MS: '300' }, checkViolations: false });

// Compile the validators of the operations these tests time before any client timeout can run out.
beforeAll(() => github.fake().warmUp('repos/get', 'issues/create', 'repos/get-content'));

const getRepo = () =>
  github.mcp().client.callTool({ name: 'get_repository', arguments: { owner: 'acme', repo: 'payments-api' } });
const errorOf = (result: { _meta?: Record<string, unknown> }) =>
  result._meta?.['idp-mcp/error'] as Record<string, unknown>;

describe('invalid input', () => {
  it('names the field and the expected form before calling GitHub', async () => {
    const result = await github
      .mcp()
      .client.callTool({ name: 'get_repository', arguments: { owner: 'acme/payments-api', repo: 'x' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('owner: must be a GitHub user or organization login, e.g. acme');
    expect(github.fake().requests).toHaveLength(0);
  });

  it('rejects path traversal', async () => {
    const result = await github.mcp().client.callTool({
      name: 'get_file_contents',
      arguments: { owner: 'acme', repo: 'payments-api', path: '../../etc/passwd' },
    });
    expect(textOf(result)).toContain('path: must not contain ".." segments');
  });
});

describe('upstream failures', () => {
  it('404 is not_found with a hint, not retried', async () => {
    const result = await github
      .mcp()
      .client.callTool({ name: 'get_repository', arguments: { owner: 'acme', repo: 'nope' } });
    expect(errorOf(result)).toEqual({ code: 'not_found', retryable: false });
    expect(textOf(result)).toContain('GitHub answered 404: Not Found');
    assertNoViolations(github.fake());
  });

  it('403 is forbidden', async () => {
    github.fake().failNext({ path: '/repos/acme/payments-api', status: 403 });
    expect(errorOf(await getRepo())).toMatchObject({ code: 'forbidden', retryable: false });
  });

  it('401 says the credential was rejected and never echoes it', async () => {
    github.fake().failNext({ path: '/repos/acme/payments-api', status: 401 });
    const result = await getRepo();
    expect(errorOf(result)).toMatchObject({ code: 'unauthorized' });
    expect(textOf(result)).toContain('credential was rejected');
    expect(JSON.stringify(result)).not.toContain('sandbox-token');
  });

  it("422 validation errors carry GitHub's own detail", async () => {
    github.fake().failNext({
      method: 'POST',
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'Issue', field: 'title', code: 'missing_field', message: 'title is too long' }],
        documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      },
    });
    const result = await github.mcp().client.callTool({
      name: 'create_issue',
      arguments: { owner: 'acme', repo: 'payments-api', title: 'x' },
    });
    expect(textOf(result)).toContain('invalid_request: GitHub answered 422: Validation Failed: title is too long');
  });

  it('retries a read after 429 with a short Retry-After and succeeds', async () => {
    github.fake().failNext({ path: '/repos/acme/payments-api', status: 429, headers: { 'retry-after': '1' } });
    const result = await getRepo();
    expect(result.isError).toBeFalsy();
    expect(github.fake().requests.filter((request) => request.path === '/repos/acme/payments-api')).toHaveLength(2);
  });

  it('does not wait out a long Retry-After: rate_limited with the wait', async () => {
    github.fake().failNext({ path: '/repos/acme/payments-api', status: 429, headers: { 'retry-after': '120' } });
    expect(errorOf(await getRepo())).toEqual({ code: 'rate_limited', retryable: true, retryAfterSeconds: 120 });
  });

  it('reports an exhausted primary rate limit with the reset time', async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    github.fake().failNext({
      path: '/repos/acme/payments-api',
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest' },
    });
    const error = errorOf(await getRepo());
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(error.retryAfterSeconds).toBeGreaterThan(500);
  });

  it('retries 5xx on reads until it succeeds', async () => {
    github.fake().failNext({ path: '/repos/acme/payments-api', status: 502, times: 2 });
    expect((await getRepo()).isError).toBeFalsy();
  });

  it('does not retry a write on 5xx and says so', async () => {
    github.fake().failNext({ method: 'POST', status: 503 });
    const result = await github.mcp().client.callTool({
      name: 'create_issue',
      arguments: { owner: 'acme', repo: 'payments-api', title: 'Flaky upstream' },
    });
    expect(errorOf(result)).toMatchObject({ code: 'upstream_unavailable', retryable: false });
    expect(github.fake().requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });

  it('times out a slow GitHub and reports a retryable timeout', async () => {
    github.fake().failNext({ path: '/repos/acme/payments-api', delayMs: 1_000, times: 3 });
    const result = await getRepo();
    expect(errorOf(result)).toMatchObject({ code: 'timeout', retryable: true });
    expect(textOf(result)).toContain('GitHub did not answer within 300 ms');
  });
});
