import { describe, expect, it } from 'vitest';
import { useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();

describe('users and repositories', () => {
  it('GET /user returns the authenticated user', async () => {
    const { data, headers } = await gh.octokit.rest.users.getAuthenticated();
    expect(data.login).toBe('alice');
    expect(headers['x-ratelimit-limit']).toBe('5000');
  });

  it('lists and gets repositories', async () => {
    const mine = await gh.octokit.rest.repos.listForAuthenticatedUser();
    expect(mine.data.map((r) => r.full_name)).toContain('acme/payments-api');
    const org = await gh.octokit.rest.repos.listForOrg({ org: 'acme' });
    expect(org.data.map((r) => r.name)).toEqual(
      expect.arrayContaining(['payments-api', 'gitops', 'service-template', 'platform-docs']),
    );
    const user = await gh.octokit.rest.repos.listForUser({ username: 'alice' });
    expect(user.data.map((r) => r.full_name)).toEqual(['alice/platform-experiments']);
    const repo = await gh.octokit.rest.repos.get({ owner: 'acme', repo: 'service-template' });
    expect(repo.data.is_template).toBe(true);
    expect(repo.data.default_branch).toBe('main');
  });
});
