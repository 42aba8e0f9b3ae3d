import { describe, expect, it } from 'vitest';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();
const payments = { owner: 'acme', repo: 'payments-api' };

describe('issues', () => {
  it('lists issues (pull requests included, as on GitHub) with filters', async () => {
    const all = await gh.octokit.rest.issues.listForRepo({ ...payments });
    expect(all.data.map((i) => [i.number, Boolean(i.pull_request)])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    const bugs = await gh.octokit.rest.issues.listForRepo({ ...payments, labels: 'bug' });
    expect(bugs.data.map((i) => i.title)).toEqual(['Refund endpoint returns 500 for partially captured payments']);
    const assigned = await gh.octokit.rest.issues.listForRepo({ ...payments, assignee: 'bob' });
    expect(assigned.data.map((i) => i.number)).toEqual([1]);
  });

  it('creates an issue, gets it, comments and lists comments', async () => {
    const created = await gh.octokit.rest.issues.create({
      ...payments,
      title: 'Acquirer timeouts in eu-west-1',
      body: 'p99 above 3s since 09:00',
      labels: ['bug'],
      assignees: ['bob'],
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 4,
      state: 'open',
      user: { login: 'alice' },
      assignee: { login: 'bob' },
    });
    const got = await gh.octokit.rest.issues.get({ ...payments, issue_number: 4 });
    expect(got.data.labels).toMatchObject([{ name: 'bug' }]);
    const comment = await gh.octokit.rest.issues.createComment({
      ...payments,
      issue_number: 4,
      body: 'Rolled back to 1.7.1',
    });
    expect(comment.status).toBe(201);
    const comments = await gh.octokit.rest.issues.listComments({ ...payments, issue_number: 4 });
    expect(comments.data.map((c) => c.body)).toEqual(['Rolled back to 1.7.1']);
    expect((await gh.octokit.rest.issues.get({ ...payments, issue_number: 4 })).data.comments).toBe(1);
  });

  it('refuses an issue without a title (422) and 404s for a missing one', async () => {
    const invalid = await failure(gh.octokit.request('POST /repos/{owner}/{repo}/issues', { ...payments, title: '' }));
    expect(invalid).toMatchObject({
      status: 422,
      data: { message: 'Validation Failed', errors: [{ field: 'title', code: 'missing_field' }] },
    });
    expect((await failure(gh.octokit.rest.issues.get({ ...payments, issue_number: 999 }))).status).toBe(404);
  });
});

describe('search', () => {
  it('searches repositories by text and qualifiers', async () => {
    const byTopic = await gh.octokit.rest.search.repos({ q: 'org:acme topic:gitops' });
    expect(byTopic.data).toMatchObject({
      total_count: 1,
      incomplete_results: false,
      items: [{ full_name: 'acme/gitops' }],
    });
    const byName = await gh.octokit.rest.search.repos({ q: 'payments in:name org:acme' });
    expect(byName.data.items.map((r) => r.full_name)).toEqual(['acme/payments-api']);
    const typescript = await gh.octokit.rest.search.repos({ q: 'org:acme language:typescript' });
    expect(typescript.data.items.map((r) => r.name).sort()).toEqual(['payments-api', 'service-template']);
    const templates = await gh.octokit.rest.search.repos({ q: 'org:acme template:true' });
    expect(templates.data.items.map((r) => r.name)).toEqual(['service-template']);
  });

  it('searches issues and pull requests', async () => {
    const openPrs = await gh.octokit.rest.search.issuesAndPullRequests({ q: 'org:acme is:pr is:open' });
    expect(openPrs.data.items.map((i) => i.title).sort()).toEqual([
      'Add idempotency keys to POST /payments',
      'orders-api: raise the dev memory limit to 1Gi',
    ]);
    const bugs = await gh.octokit.rest.search.issuesAndPullRequests({ q: 'repo:acme/payments-api is:issue label:bug' });
    expect(bugs.data.items.every((i) => !i.pull_request && i.labels.some((l) => l.name === 'bug'))).toBe(true);
    expect(bugs.data.items.map((i) => i.number)).toContain(1);
    const text = await gh.octokit.rest.search.issuesAndPullRequests({ q: 'CrashLoopBackOff org:acme is:issue' });
    expect(text.data.items.map((i) => i.title)).toEqual(['orders-api-dev is Degraded: CrashLoopBackOff since v0.9.0']);
    expect(text.headers['x-ratelimit-resource']).toBe('search');
  });

  it('searches code on default branches', async () => {
    const { data } = await gh.octokit.rest.search.code({
      q: 'kind: Application repo:acme/gitops path:argocd/applications',
    });
    expect(data.total_count).toBe(3);
    expect(data.items.every((i) => i.path.startsWith('argocd/applications/'))).toBe(true);
    const dockerfiles = await gh.octokit.rest.search.code({ q: 'FROM org:acme filename:Dockerfile' });
    expect(dockerfiles.data.items.map((i) => i.repository.full_name).sort()).toEqual([
      'acme/payments-api',
      'acme/service-template',
    ]);
    const missingTerm = await failure(gh.octokit.rest.search.code({ q: 'org:acme' }));
    expect(missingTerm.status).toBe(422);
  });

  it('answers text matches when asked for them', async () => {
    const { data } = await gh.octokit.rest.search.code({
      q: 'runAsNonRoot repo:acme/service-template',
      headers: { accept: 'application/vnd.github.text-match+json' },
    });
    expect(data.items[0]?.text_matches).toEqual([
      {
        object_url: expect.stringContaining('/repos/acme/service-template/contents/k8s/deployment.yaml'),
        object_type: 'FileContent',
        property: 'content',
        fragment: '        runAsNonRoot: true',
        matches: [{ text: 'runAsNonRoot', indices: [8, 20] }],
      },
    ]);
  });

  it('paginates search results', async () => {
    const page = await gh.octokit.rest.search.code({ q: 'apiVersion org:acme', per_page: 5 });
    expect(page.data.items).toHaveLength(5);
    expect(page.headers.link).toContain('rel="next"');
    const all = await gh.octokit.paginate(gh.octokit.rest.search.code, { q: 'apiVersion org:acme', per_page: 5 });
    expect(all).toHaveLength(page.data.total_count);
  });
});
