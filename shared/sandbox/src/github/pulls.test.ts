import { describe, expect, it } from 'vitest';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();
const payments = { owner: 'acme', repo: 'payments-api' };
const gitops = { owner: 'acme', repo: 'gitops' };

describe('pull requests', () => {
  it('lists open pull requests and gets one with its merge state', async () => {
    const { data } = await gh.octokit.rest.pulls.list({ ...payments });
    expect(data.map((p) => [p.number, p.title, p.head.ref])).toEqual([
      [3, 'Add idempotency keys to POST /payments', 'feature/idempotency-keys'],
    ]);
    const pr = await gh.octokit.rest.pulls.get({ ...payments, pull_number: 3 });
    // main requires build and test; test failed on the PR's head.
    expect(pr.data).toMatchObject({ mergeable: true, mergeable_state: 'blocked', merged: false, changed_files: 2 });
    expect((await failure(gh.octokit.rest.pulls.get({ ...payments, pull_number: 1 }))).status).toBe(404);
  });

  it('lists the changed files with patches', async () => {
    const { data } = await gh.octokit.rest.pulls.listFiles({ ...payments, pull_number: 3 });
    expect(data.map((f) => [f.filename, f.status])).toEqual([
      ['src/idempotency.ts', 'added'],
      ['src/routes/payments.ts', 'modified'],
    ]);
    expect(data[1]).toMatchObject({ additions: 1, deletions: 1 });
    expect(data[1]?.patch).toContain("+import { withIdempotencyKey } from '../idempotency.ts';");
  });

  it('refuses to merge a PR whose required checks fail (405) or whose head moved (409)', async () => {
    const blocked = await failure(gh.octokit.rest.pulls.merge({ ...payments, pull_number: 3 }));
    expect(blocked).toMatchObject({
      status: 405,
      data: { message: 'Required status check "test" is failing.' },
    });
    const moved = await failure(gh.octokit.rest.pulls.merge({ ...gitops, pull_number: 2, sha: 'c'.repeat(40) }));
    expect(moved).toMatchObject({
      status: 409,
      data: { message: 'Head branch was modified. Review and try the merge again.' },
    });
  });

  it('opens a PR from a new branch and squash-merges it', async () => {
    const repo = gh.fake.state.repo('acme/gitops');
    repo.createBranch('onboard/search-api');
    repo.commit(
      'onboard/search-api',
      { 'apps/search-api/dev/kustomization.yaml': 'kind: Kustomization\n' },
      'search-api: dev',
      'alice',
    );
    repo.addCheckRun('onboard/search-api', { name: 'validate-manifests', conclusion: 'success' });
    const created = await gh.octokit.rest.pulls.create({
      ...gitops,
      title: 'Onboard search-api',
      head: 'onboard/search-api',
      base: 'main',
      body: 'dev only',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ state: 'open', mergeable_state: 'clean', commits: 1, additions: 1 });
    const merged = await gh.octokit.rest.pulls.merge({
      ...gitops,
      pull_number: created.data.number,
      merge_method: 'squash',
      sha: created.data.head.sha,
    });
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    expect(repo.branch('main')).toBe(merged.data.sha);
    expect(repo.file('main', 'apps/search-api/dev/kustomization.yaml')).toBe('kind: Kustomization\n');
    const after = await gh.octokit.rest.pulls.get({ ...gitops, pull_number: created.data.number });
    expect(after.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merged.data.sha });
    const again = await failure(gh.octokit.rest.pulls.merge({ ...gitops, pull_number: created.data.number }));
    expect(again.status).toBe(405);
    const closed = await gh.octokit.rest.pulls.list({ ...gitops, state: 'closed' });
    expect(closed.data.map((p) => p.number)).toEqual([created.data.number]);
  });

  it('reports conflicts as not mergeable', async () => {
    const repo = gh.fake.state.repo('acme/gitops');
    repo.createBranch('bump/orders');
    repo.commit('bump/orders', { 'apps/orders-api/overlays/dev/kustomization.yaml': 'tag: a\n' }, 'bump a');
    repo.commit('main', { 'apps/orders-api/overlays/dev/kustomization.yaml': 'tag: b\n' }, 'bump b');
    const pr = await gh.octokit.rest.pulls.create({ ...gitops, title: 'bump', head: 'bump/orders', base: 'main' });
    expect(pr.data).toMatchObject({ mergeable: false, mergeable_state: 'dirty' });
    const refused = await failure(gh.octokit.rest.pulls.merge({ ...gitops, pull_number: pr.data.number }));
    expect(refused).toMatchObject({ status: 405, data: { message: 'Pull Request is not mergeable' } });
  });

  it('refuses a PR without commits or for a missing branch with 422', async () => {
    const none = await failure(gh.octokit.rest.pulls.create({ ...payments, title: 'x', head: 'main', base: 'main' }));
    expect(none).toMatchObject({ status: 422, data: { errors: [{ message: 'No commits between main and main' }] } });
    const missing = await failure(
      gh.octokit.rest.pulls.create({ ...payments, title: 'x', head: 'nope', base: 'main' }),
    );
    expect(missing).toMatchObject({ status: 422, data: { errors: [{ field: 'head', code: 'invalid' }] } });
  });
});

describe('checks and statuses', () => {
  it('lists the check runs of a ref, newest per name', async () => {
    const { data } = await gh.octokit.rest.checks.listForRef({ ...payments, ref: 'feature/idempotency-keys' });
    expect(data.total_count).toBe(2);
    expect(Object.fromEntries(data.check_runs.map((r) => [r.name, r.conclusion]))).toEqual({
      build: 'success',
      test: 'failure',
    });
    expect(data.check_runs[0]?.app?.slug).toBe('github-actions');
    const failed = data.check_runs.find((r) => r.name === 'test');
    expect(failed?.output.annotations_count).toBe(1);
    const onlyTest = await gh.octokit.rest.checks.listForRef({
      ...payments,
      ref: 'feature/idempotency-keys',
      check_name: 'test',
    });
    expect(onlyTest.data.check_runs.map((r) => r.name)).toEqual(['test']);
  });

  it('combines commit statuses', async () => {
    const branch = 'fix/orders-api-memory';
    const { data } = await gh.octokit.rest.repos.getCombinedStatusForRef({ ...gitops, ref: branch });
    expect(data).toMatchObject({ state: 'success', total_count: 1, statuses: [{ context: 'argocd/diff-preview' }] });
    gh.fake.state.repo('acme/gitops').addStatus(branch, { context: 'security/scan', state: 'pending' });
    const pending = await gh.octokit.rest.repos.getCombinedStatusForRef({ ...gitops, ref: branch });
    expect(pending.data.state).toBe('pending');
    const none = await gh.octokit.rest.repos.getCombinedStatusForRef({ ...payments, ref: 'main' });
    expect(none.data).toMatchObject({ state: 'pending', total_count: 0 });
    expect((await failure(gh.octokit.rest.repos.getCombinedStatusForRef({ ...payments, ref: 'nope' }))).status).toBe(
      404,
    );
  });
});
