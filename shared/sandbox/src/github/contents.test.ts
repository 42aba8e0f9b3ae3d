import { describe, expect, it } from 'vitest';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();
const gitops = { owner: 'acme', repo: 'gitops' };
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('contents', () => {
  it('reads a file as base64 with its blob sha', async () => {
    const { data } = await gh.octokit.rest.repos.getContent({
      ...gitops,
      path: 'apps/payments-api/overlays/prod/kustomization.yaml',
    });
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(data.content, 'base64').toString()).toContain('newTag: v1.4.2');
    expect(data.encoding).toBe('base64');
    const tree = await gh.octokit.rest.git.getTree({ ...gitops, tree_sha: 'main', recursive: 'true' });
    expect(tree.data.tree.find((e) => e.path === data.path)?.sha).toBe(data.sha);
  });

  it('lists a directory, honours ref, and 404s for missing paths and refs', async () => {
    const { data } = await gh.octokit.rest.repos.getContent({ ...gitops, path: 'apps/payments-api/overlays' });
    expect(Array.isArray(data) && data.map((e) => [e.name, e.type])).toEqual([
      ['dev', 'dir'],
      ['prod', 'dir'],
    ]);
    const onBranch = await gh.octokit.rest.repos.getContent({
      ...gitops,
      path: 'apps/orders-api/overlays/dev/kustomization.yaml',
      ref: 'fix/orders-api-memory',
    });
    expect(
      Array.isArray(onBranch.data) ? '' : onBranch.data.type === 'file' ? atob(onBranch.data.content) : '',
    ).toContain('value: 1Gi');
    expect((await failure(gh.octokit.rest.repos.getContent({ ...gitops, path: 'nope.yaml' }))).status).toBe(404);
    expect(
      (await failure(gh.octokit.rest.repos.getContent({ ...gitops, path: 'README.md', ref: 'no-such-ref' }))).status,
    ).toBe(404);
  });

  it('lists the repository root for an empty path, as GitHub does', async () => {
    const { data } = await gh.octokit.rest.repos.getContent({ owner: 'acme', repo: 'service-template', path: '' });
    expect(Array.isArray(data) && data.map((e) => e.name)).toEqual(expect.arrayContaining(['Dockerfile', 'k8s']));
    const bare = await fetch(`${gh.fake.url}/repos/acme/service-template/contents`, {
      headers: { authorization: 'token alice-token' },
    });
    expect(bare.status).toBe(200);
  });

  it('reads the README', async () => {
    const { data } = await gh.octokit.rest.repos.getReadme({ owner: 'acme', repo: 'service-template' });
    expect(data.name).toBe('README.md');
    expect(Buffer.from(data.content, 'base64').toString()).toContain('{{service_name}}');
  });

  it('creates and updates a file; a missing sha is 422 and a stale one 409, as on GitHub', async () => {
    const path = 'apps/inventory-api/dev/kustomization.yaml';
    const created = await gh.octokit.rest.repos.createOrUpdateFileContents({
      ...gitops,
      path,
      message: 'inventory-api: add dev',
      content: b64('kind: Kustomization\n'),
    });
    expect(created.status).toBe(201);
    expect(gh.fake.state.repo('acme/gitops').file('main', path)).toBe('kind: Kustomization\n');
    const withoutSha = await failure(
      gh.octokit.rest.repos.createOrUpdateFileContents({ ...gitops, path, message: 'x', content: b64('a') }),
    );
    expect(withoutSha).toMatchObject({
      status: 422,
      data: { message: expect.stringContaining('"sha" wasn\'t supplied') },
    });
    const stale = await failure(
      gh.octokit.rest.repos.createOrUpdateFileContents({
        ...gitops,
        path,
        message: 'x',
        content: b64('a'),
        sha: 'a'.repeat(40),
      }),
    );
    expect(stale.status).toBe(409);
    const updated = await gh.octokit.rest.repos.createOrUpdateFileContents({
      ...gitops,
      path,
      message: 'inventory-api: tag',
      content: b64('kind: Kustomization\nimages: []\n'),
      sha: created.data.content?.sha ?? '',
    });
    expect(updated.status).toBe(200);
    expect(updated.data.commit.parents?.[0]?.sha).toBe(created.data.commit.sha);
  });

  it('writes to another branch', async () => {
    await gh.octokit.rest.git.createRef({
      ...gitops,
      ref: 'refs/heads/docs-tweak',
      sha: gh.fake.state.repo('acme/gitops').branch('main')!,
    });
    await gh.octokit.rest.repos.createOrUpdateFileContents({
      ...gitops,
      path: 'NOTES.md',
      message: 'notes',
      content: b64('hello'),
      branch: 'docs-tweak',
    });
    expect(gh.fake.state.repo('acme/gitops').file('docs-tweak', 'NOTES.md')).toBe('hello');
    expect(gh.fake.state.repo('acme/gitops').file('main', 'NOTES.md')).toBeUndefined();
  });
});

describe('git data', () => {
  it('makes a multi-file commit: blob, tree on base_tree, commit, ref update', async () => {
    const repo = gh.fake.state.repo('acme/gitops');
    const ref = await gh.octokit.rest.git.getRef({ ...gitops, ref: 'heads/main' });
    expect(ref.data).toMatchObject({ ref: 'refs/heads/main', object: { type: 'commit', sha: repo.branch('main') } });
    const parent = await gh.octokit.rest.git.getCommit({ ...gitops, commit_sha: ref.data.object.sha });
    const blob = await gh.octokit.rest.git.createBlob({ ...gitops, content: b64('replicas: 2\n'), encoding: 'base64' });
    expect(blob.status).toBe(201);
    const tree = await gh.octokit.rest.git.createTree({
      ...gitops,
      base_tree: parent.data.tree.sha,
      tree: [
        { path: 'apps/search-api/dev/values.yaml', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'apps/search-api/dev/README.md', mode: '100644', type: 'blob', content: '# search-api dev\n' },
        { path: 'README.md', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const commit = await gh.octokit.rest.git.createCommit({
      ...gitops,
      message: 'search-api: add dev',
      tree: tree.data.sha,
      parents: [parent.data.sha],
    });
    expect(commit.data.parents.map((p) => p.sha)).toEqual([parent.data.sha]);
    const moved = await gh.octokit.rest.git.updateRef({ ...gitops, ref: 'heads/main', sha: commit.data.sha });
    expect(moved.data.object.sha).toBe(commit.data.sha);
    expect(repo.file('main', 'apps/search-api/dev/values.yaml')).toBe('replicas: 2\n');
    expect(repo.file('main', 'README.md')).toBeUndefined();
    expect(repo.file('main', 'apps/payments-api/base/deployment.yaml')).toContain('kind: Deployment');
  });

  it('reads trees flat and recursive', async () => {
    const flat = await gh.octokit.rest.git.getTree({ owner: 'acme', repo: 'service-template', tree_sha: 'main' });
    expect(flat.data.tree.map((e) => e.path)).toContain('k8s');
    expect(flat.data.tree.map((e) => e.path)).not.toContain('k8s/deployment.yaml');
    const deep = await gh.octokit.rest.git.getTree({
      owner: 'acme',
      repo: 'service-template',
      tree_sha: 'main',
      recursive: '1',
    });
    expect(deep.data.tree.map((e) => e.path)).toEqual(
      expect.arrayContaining(['k8s/deployment.yaml', '.github/workflows/ci.yml']),
    );
    expect(deep.data.truncated).toBe(false);
  });

  it('creates refs and refuses duplicates, unknown objects and non-fast-forward updates', async () => {
    const repo = gh.fake.state.repo('acme/payments-api');
    const main = repo.branch('main')!;
    const created = await gh.octokit.rest.git.createRef({
      owner: 'acme',
      repo: 'payments-api',
      ref: 'refs/heads/hotfix',
      sha: main,
    });
    expect(created.status).toBe(201);
    const duplicate = await failure(
      gh.octokit.rest.git.createRef({ owner: 'acme', repo: 'payments-api', ref: 'refs/heads/hotfix', sha: main }),
    );
    expect(duplicate).toMatchObject({ status: 422, data: { message: 'Reference already exists' } });
    const unknown = await failure(
      gh.octokit.rest.git.createRef({ owner: 'acme', repo: 'payments-api', ref: 'refs/heads/x', sha: 'b'.repeat(40) }),
    );
    expect(unknown.status).toBe(422);
    const parent = repo.git.commits.get(main)!.parents[0]!;
    const backwards = await failure(
      gh.octokit.rest.git.updateRef({ owner: 'acme', repo: 'payments-api', ref: 'heads/hotfix', sha: parent }),
    );
    expect(backwards).toMatchObject({ status: 422, data: { message: 'Update is not a fast forward' } });
    const forced = await gh.octokit.rest.git.updateRef({
      owner: 'acme',
      repo: 'payments-api',
      ref: 'heads/hotfix',
      sha: parent,
      force: true,
    });
    expect(forced.data.object.sha).toBe(parent);
    expect(
      (await failure(gh.octokit.rest.git.getRef({ owner: 'acme', repo: 'payments-api', ref: 'heads/nope' }))).status,
    ).toBe(404);
  });
});

describe('media types', () => {
  it('answers the raw file for `mediaType: { format: "raw" }`, as GitHub does', async () => {
    const { data, headers } = await gh.octokit.rest.repos.getContent({
      ...gitops,
      path: 'apps/orders-api/overlays/dev/kustomization.yaml',
      mediaType: { format: 'raw' },
    });
    expect(data).toContain('newTag: v0.9.0');
    expect(headers['content-type']).toBe('application/vnd.github.v3.raw; charset=utf-8');
    const readme = await gh.octokit.rest.repos.getReadme({
      owner: 'acme',
      repo: 'service-template',
      mediaType: { format: 'raw' },
    });
    expect(String(readme.data)).toMatch(/^# \{\{service_name\}\}/);
  });

  it('answers a directory as one object for `application/vnd.github.object`', async () => {
    const { data } = await gh.octokit.rest.repos.getContent({
      ...gitops,
      path: 'argocd',
      headers: { accept: 'application/vnd.github.object' },
    });
    expect(data).toMatchObject({
      type: 'dir',
      path: 'argocd',
      entries: [{ name: 'applications' }, { name: 'projects' }],
    });
  });
});
