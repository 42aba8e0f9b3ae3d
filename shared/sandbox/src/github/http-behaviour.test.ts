import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import { createEmptyGitHubState, SANDBOX_TOKEN, startGitHubFake } from './index.ts';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();

describe('authentication', () => {
  it('answers 401 without a token or with an unknown one', async () => {
    const anonymous = new Octokit({ baseUrl: gh.fake.url, log: { debug() {}, info() {}, warn() {}, error() {} } });
    expect(await failure(anonymous.rest.users.getAuthenticated())).toMatchObject({
      status: 401,
      data: { message: 'Requires authentication' },
    });
    expect(await failure(gh.as('ghp_wrong').rest.repos.get({ owner: 'acme', repo: 'gitops' }))).toMatchObject({
      status: 401,
      data: { message: 'Bad credentials', documentation_url: expect.any(String) },
    });
  });

  it('accepts `token X` and `Bearer X`, and the sandbox token', async () => {
    const bearer = await fetch(`${gh.fake.url}/user`, { headers: { authorization: `Bearer ${SANDBOX_TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(((await bearer.json()) as { login: string }).login).toBe('alice');
    const { data } = await gh.as('bob-token').rest.users.getAuthenticated();
    expect(data.login).toBe('bob');
  });

  it('takes file paths and refs with unencoded slashes, as GitHub does', async () => {
    const headers = { authorization: 'token alice-token' };
    const file = await fetch(`${gh.fake.url}/repos/acme/gitops/contents/apps/payments-api/base/service.yaml`, {
      headers,
    });
    expect(((await file.json()) as { path: string }).path).toBe('apps/payments-api/base/service.yaml');
    const ref = await fetch(`${gh.fake.url}/repos/acme/gitops/git/ref/heads/main`, { headers });
    expect(ref.status).toBe(200);
  });

  it('records requests without credentials', async () => {
    await gh.octokit.rest.repos.get({ owner: 'acme', repo: 'gitops' });
    const [recorded] = gh.fake.requests;
    expect(recorded).toMatchObject({ method: 'GET', path: '/repos/acme/gitops', operationId: 'repos/get' });
    expect(recorded?.headers.authorization).toBeUndefined();
    expect(recorded?.headers['user-agent']).toContain('octokit');
  });
});

describe('injected faults', () => {
  it('answers 429 with Retry-After and GitHub’s secondary-rate-limit body', async () => {
    gh.fake.failNext({ path: '/repos/acme/gitops', status: 429, headers: { 'retry-after': '30' } });
    const limited = await failure(gh.octokit.rest.repos.get({ owner: 'acme', repo: 'gitops' }));
    expect(limited).toMatchObject({
      status: 429,
      headers: { 'retry-after': '30' },
      data: { message: expect.stringContaining('secondary rate limit') },
    });
    expect((await gh.octokit.rest.repos.get({ owner: 'acme', repo: 'gitops' })).status).toBe(200);
  });

  it('fails a number of times with 5xx, then succeeds', async () => {
    gh.fake.failNext({ method: 'GET', path: /\/pulls$/, status: 503, times: 2 });
    expect((await failure(gh.octokit.rest.pulls.list({ owner: 'acme', repo: 'gitops' }))).status).toBe(503);
    expect((await failure(gh.octokit.rest.pulls.list({ owner: 'acme', repo: 'gitops' }))).status).toBe(503);
    expect((await gh.octokit.rest.pulls.list({ owner: 'acme', repo: 'gitops' })).status).toBe(200);
  });

  it('answers a custom 403 body, e.g. the primary rate limit', async () => {
    gh.fake.failNext({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0' },
      body: {
        message: 'API rate limit exceeded for user ID 1001.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      },
    });
    const limited = await failure(gh.octokit.rest.repos.get({ owner: 'acme', repo: 'gitops' }));
    expect(limited).toMatchObject({ status: 403, headers: { 'x-ratelimit-remaining': '0' } });
  });

  it('delays an answer beyond the client’s timeout', async () => {
    gh.fake.failNext({ path: '/user', delayMs: 300 });
    const started = Date.now();
    const timedOut = gh.octokit.rest.users.getAuthenticated({ request: { signal: AbortSignal.timeout(50) } });
    await expect(timedOut).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeLessThan(250);
    // Once the delay has passed the fake answers normally again.
    expect((await gh.octokit.rest.users.getAuthenticated()).status).toBe(200);
  });
});

describe('spec enforcement', () => {
  // Client bugs the types would catch: sent untyped, as a JavaScript caller could.
  const untyped = (route: string, params: object) =>
    (gh.octokit.request as (route: string, params: object) => Promise<unknown>)(route, params);

  it('records a request that breaks the published spec and answers 400', async () => {
    const wrong = await failure(
      untyped('POST /repos/{owner}/{repo}/issues', {
        owner: 'acme',
        repo: 'gitops',
        title: 'x',
        labels: 'bug',
      }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.data).toMatchObject({ message: expect.stringContaining('fake: request violates the published spec') });
    expect(gh.fake.violations).toEqual([
      expect.objectContaining({
        operationId: 'issues/create',
        where: 'request.body',
        message: '/labels must be array',
      }),
    ]);
    gh.fake.violations.length = 0;
  });

  it('records query parameters of the wrong type', async () => {
    await failure(
      untyped('GET /repos/{owner}/{repo}/pulls', {
        owner: 'acme',
        repo: 'gitops',
        per_page: 'lots',
      }),
    );
    expect(gh.fake.violations.map((v) => v.message)).toEqual(['/per_page must be integer']);
    gh.fake.violations.length = 0;
  });

  it('records a route the fake does not implement', async () => {
    const missing = await failure(
      gh.octokit.request('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'gitops' }),
    );
    expect(missing.status).toBe(404);
    expect(gh.fake.violations[0]?.message).toBe('fake does not implement GET /repos/acme/gitops/deployments');
    gh.fake.violations.length = 0;
  });
});

describe('an empty world', () => {
  it('starts with no accounts; tests seed what they need', async () => {
    const state = createEmptyGitHubState();
    const fake = await startGitHubFake({ state });
    try {
      expect(fake.token).toBe('');
      state.addUser('carol');
      state.addToken('carol-token', 'carol');
      state.createRepo('carol/hello', { files: { 'README.md': '# hello\n' } });
      expect(fake.token).toBe('carol-token');
      const octokit = new Octokit({ auth: fake.token, baseUrl: fake.url });
      const { data } = await octokit.rest.repos.listForAuthenticatedUser();
      expect(data.map((r) => r.full_name)).toEqual(['carol/hello']);
      assertNoViolations(fake);
    } finally {
      await fake.close();
    }
  });
});
