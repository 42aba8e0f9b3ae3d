import { describe, expect, it } from 'vitest';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();
const payments = { owner: 'acme', repo: 'payments-api' };
const gitops = { owner: 'acme', repo: 'gitops' };

describe('visibility and filters', () => {
  it("hides a user's private repository from others (404), as GitHub does", async () => {
    gh.fake.state.createRepo('alice/diary', { private: true, files: { 'README.md': '# diary\n' } });
    expect((await gh.octokit.rest.repos.get({ owner: 'alice', repo: 'diary' })).data.private).toBe(true);
    const asBob = gh.as('bob-token');
    expect((await failure(asBob.rest.repos.get({ owner: 'alice', repo: 'diary' }))).status).toBe(404);
    const listed = await asBob.rest.repos.listForUser({ username: 'alice' });
    expect(listed.data.map((r) => r.name)).toEqual(['platform-experiments']);
  });

  it('filters branches by protection', async () => {
    const protectedOnly = await gh.octokit.rest.repos.listBranches({ ...payments, protected: true });
    expect(protectedOnly.data.map((b) => b.name)).toEqual(['main']);
  });

  it('filters pull requests by head and base, and issues by creator, sorted ascending', async () => {
    const byHead = await gh.octokit.rest.pulls.list({ ...gitops, head: 'acme:fix/orders-api-memory', base: 'main' });
    expect(byHead.data.map((p) => p.number)).toEqual([2]);
    expect((await gh.octokit.rest.pulls.list({ ...gitops, head: 'acme:nope' })).data).toEqual([]);
    const byAlice = await gh.octokit.rest.issues.listForRepo({ ...payments, creator: 'alice', direction: 'asc' });
    expect(byAlice.data.map((i) => i.number)).toEqual([1, 2]);
  });

  it('paginates issues with octokit.paginate', async () => {
    const all = await gh.octokit.paginate(gh.octokit.rest.issues.listForRepo, {
      ...payments,
      state: 'all',
      per_page: 1,
    });
    expect(all.map((i) => i.number)).toEqual([3, 2, 1]);
  });

  it('searches with negated labels and no: qualifiers', async () => {
    const unlabelled = await gh.octokit.rest.search.issuesAndPullRequests({
      q: 'repo:acme/payments-api -label:bug is:issue',
    });
    expect(unlabelled.data.items.map((i) => i.number)).toEqual([2]);
    const unassigned = await gh.octokit.rest.search.issuesAndPullRequests({ q: 'org:acme is:issue no:assignee' });
    expect(unassigned.data.items.map((i) => i.title)).not.toContain(
      'Refund endpoint returns 500 for partially captured payments',
    );
  });

  it('counts anonymous calls against the anonymous budget', async () => {
    const response = await fetch(`${gh.fake.url}/user`);
    expect(response.status).toBe(401);
    expect(response.headers.get('x-ratelimit-limit')).toBe('60');
  });
});

describe('merging', () => {
  it('merges with a merge commit (two parents) and refuses drafts', async () => {
    const repo = gh.fake.state.repo('acme/platform-docs');
    repo.createBranch('docs/kafka');
    repo.commit('docs/kafka', { 'docs/kafka.md': '# Kafka topics\n' }, 'Document Kafka topics', 'bob');
    const draft = await gh.octokit.rest.pulls.create({
      owner: 'acme',
      repo: 'platform-docs',
      title: 'Kafka',
      head: 'docs/kafka',
      base: 'main',
      draft: true,
    });
    expect(draft.data.draft).toBe(true);
    const refused = await failure(
      gh.octokit.rest.pulls.merge({ owner: 'acme', repo: 'platform-docs', pull_number: draft.data.number }),
    );
    expect(refused.status).toBe(405);
    repo.issue(draft.data.number)!.pull!.draft = false;
    const baseBefore = repo.branch('main')!;
    const merged = await gh.octokit.rest.pulls.merge({
      owner: 'acme',
      repo: 'platform-docs',
      pull_number: draft.data.number,
    });
    const commit = await gh.octokit.rest.git.getCommit({
      owner: 'acme',
      repo: 'platform-docs',
      commit_sha: merged.data.sha,
    });
    expect(commit.data.parents.map((p) => p.sha)).toEqual([baseBefore, repo.branch('docs/kafka')]);
    expect(commit.data.message).toBe(`Merge pull request #${draft.data.number} from acme/docs/kafka\n\nKafka`);
  });
});

describe('git data errors', () => {
  it('404s for an unknown tree or commit and refuses a malformed ref', async () => {
    expect((await failure(gh.octokit.rest.git.getTree({ ...gitops, tree_sha: 'f'.repeat(40) }))).status).toBe(404);
    expect((await failure(gh.octokit.rest.git.getCommit({ ...gitops, commit_sha: 'f'.repeat(40) }))).status).toBe(404);
    const sha = gh.fake.state.repo('acme/gitops').branch('main')!;
    const malformed = await failure(gh.octokit.rest.git.createRef({ ...gitops, ref: 'heads/x', sha }));
    expect(malformed.status).toBe(422);
  });
});
