import { describe, expect, it } from 'vitest';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();

describe('users and repositories', () => {
  it('GET /user returns the authenticated user with rate-limit headers', async () => {
    const { data, headers } = await gh.octokit.rest.users.getAuthenticated();
    expect(data).toMatchObject({ login: 'alice', name: 'Alice Chen', type: 'User' });
    expect(headers['x-ratelimit-limit']).toBe('5000');
    expect(Number(headers['x-ratelimit-remaining'])).toBeLessThan(5000);
  });

  it('lists the repositories of the caller, an org and a user', async () => {
    const mine = await gh.octokit.rest.repos.listForAuthenticatedUser();
    expect(mine.data.map((r) => r.full_name)).toContain('acme/payments-api');
    const org = await gh.octokit.rest.repos.listForOrg({ org: 'acme', sort: 'full_name' });
    expect(org.data.map((r) => r.name)).toEqual(['gitops', 'payments-api', 'platform-docs', 'service-template']);
    const user = await gh.octokit.rest.repos.listForUser({ username: 'alice' });
    expect(user.data.map((r) => r.full_name)).toEqual(['alice/platform-experiments']);
  });

  it('gets a repository and 404s for an unknown one', async () => {
    const repo = await gh.octokit.rest.repos.get({ owner: 'acme', repo: 'service-template' });
    expect(repo.data).toMatchObject({ is_template: true, default_branch: 'main', visibility: 'public' });
    expect(repo.data.owner.login).toBe('acme');
    const missing = await failure(gh.octokit.rest.repos.get({ owner: 'acme', repo: 'nope' }));
    expect(missing).toMatchObject({ status: 404, data: { message: 'Not Found' } });
  });

  it('paginates with Link headers like GitHub', async () => {
    const first = await gh.octokit.rest.repos.listForOrg({ org: 'acme', per_page: 1, sort: 'full_name' });
    expect(first.data).toHaveLength(1);
    expect(first.headers.link).toMatch(/page=2.*rel="next".*page=4.*rel="last"/);
    const all = await gh.octokit.paginate(gh.octokit.rest.repos.listForOrg, { org: 'acme', per_page: 1 });
    expect(all).toHaveLength(4);
    const pagesFetched = gh.fake.requests.filter((r) => r.operationId === 'repos/list-for-org').length;
    expect(pagesFetched).toBe(5);
  });

  it('creates repositories in an org and for the user, refusing duplicates with 422', async () => {
    const created = await gh.octokit.rest.repos.createInOrg({
      org: 'acme',
      name: 'orders-service',
      description: 'Orders',
      private: true,
      auto_init: true,
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${gh.fake.url}/repos/acme/orders-service`);
    expect(created.data).toMatchObject({ full_name: 'acme/orders-service', private: true });
    expect(gh.fake.state.repo('acme/orders-service').file('main', 'README.md')).toContain('# orders-service');
    const duplicate = await failure(gh.octokit.rest.repos.createInOrg({ org: 'acme', name: 'orders-service' }));
    expect(duplicate.status).toBe(422);
    expect(duplicate.data).toMatchObject({
      message: 'Repository creation failed.',
      errors: [{ resource: 'Repository', field: 'name', message: 'name already exists on this account' }],
    });
    const own = await gh.octokit.rest.repos.createForAuthenticatedUser({ name: 'scratch' });
    expect(own.data.full_name).toBe('alice/scratch');
    expect(gh.fake.requests.at(-1)?.body).toEqual({ name: 'scratch' });
  });

  it('generates a repository from the template with its files', async () => {
    const { data, status } = await gh.octokit.rest.repos.createUsingTemplate({
      template_owner: 'acme',
      template_repo: 'service-template',
      owner: 'acme',
      name: 'inventory-api',
      description: 'Stock levels',
      private: false,
    });
    expect(status).toBe(201);
    expect(data.full_name).toBe('acme/inventory-api');
    const repo = gh.fake.state.repo('acme/inventory-api');
    expect(repo.files('main')).toEqual(gh.fake.state.repo('acme/service-template').files('main'));
    expect(repo.file('main', 'catalog-info.yaml')).toContain('{{service_name}}');
    const notTemplate = await failure(
      gh.octokit.rest.repos.createUsingTemplate({ template_owner: 'acme', template_repo: 'gitops', name: 'x' }),
    );
    expect(notTemplate.status).toBe(422);
  });

  it('lists and gets branches', async () => {
    const state = gh.fake.state.repo('acme/payments-api');
    const { data } = await gh.octokit.rest.repos.listBranches({ owner: 'acme', repo: 'payments-api' });
    expect(data.map((b) => b.name)).toEqual(['feature/idempotency-keys', 'main']);
    expect(data.find((b) => b.name === 'main')).toMatchObject({
      protected: true,
      commit: { sha: state.branch('main') },
    });
    const main = await gh.octokit.rest.repos.getBranch({ owner: 'acme', repo: 'payments-api', branch: 'main' });
    expect(main.data.commit.sha).toBe(state.branch('main'));
    expect(main.data.protection.required_status_checks?.contexts).toEqual(['build', 'test']);
    const missing = await failure(
      gh.octokit.rest.repos.getBranch({ owner: 'acme', repo: 'payments-api', branch: 'nope' }),
    );
    expect(missing).toMatchObject({ status: 404, data: { message: 'Branch not found' } });
  });
});
