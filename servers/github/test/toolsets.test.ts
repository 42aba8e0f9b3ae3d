import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { describe, expect, it } from 'vitest';
import { call, githubUnderTest, useGitHub } from './support.ts';

const github = useGitHub();

interface Page<T> {
  nextCursor?: string;
  repositories: T[];
}

describe('repos', () => {
  it('pages through an organization with cursors and no overlap', async () => {
    const first = await call<Page<{ full_name: string }>>(github.mcp(), 'list_repositories', {
      owner: 'acme',
      limit: 2,
    });
    expect(first.repositories).toHaveLength(2);
    expect(first.nextCursor).toBeDefined();
    const second = await call<Page<{ full_name: string }>>(github.mcp(), 'list_repositories', {
      owner: 'acme',
      limit: 2,
      cursor: first.nextCursor,
    });
    const names = [...first.repositories, ...second.repositories].map((repo) => repo.full_name);
    expect(new Set(names).size).toBe(4);
    expect(names.every((name) => name.startsWith('acme/'))).toBe(true);
    expect(second.nextCursor).toBeUndefined();
  });

  it("lists a user's repositories and the caller's own", async () => {
    const alice = await call<Page<{ full_name: string }>>(github.mcp(), 'list_repositories', { owner: 'alice' });
    expect(alice.repositories.map((repo) => repo.full_name)).toEqual(['alice/platform-experiments']);
    const mine = await call<Page<{ full_name: string }>>(github.mcp(), 'list_repositories', {});
    expect(mine.repositories.length).toBeGreaterThan(0);
  });

  it('rejects a cursor from another tool', async () => {
    const first = await call<Page<unknown>>(github.mcp(), 'list_repositories', { owner: 'acme', limit: 1 });
    const result = await github
      .mcp()
      .client.callTool({ name: 'search_repositories', arguments: { query: 'org:acme', cursor: first.nextCursor } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('cursor: not a cursor returned by search_repositories');
  });

  it('searches repositories', async () => {
    const found = await call<{ total_count: number; repositories: Array<{ full_name: string }> }>(
      github.mcp(),
      'search_repositories',
      {
        query: 'org:acme topic:payments',
      },
    );
    expect(found.repositories.map((repo) => repo.full_name)).toEqual(['acme/payments-api']);
  });

  it('creates a repository from the golden-path template', async () => {
    const created = await call<{ full_name: string; private: boolean }>(github.mcp(), 'create_repository', {
      owner: 'acme',
      name: 'orders-api',
      description: 'Orders service',
      template: 'acme/service-template',
    });
    expect(created).toMatchObject({ full_name: 'acme/orders-api', private: true });
    const repo = github.fake().state.repo('acme/orders-api');
    expect(repo.files('main')).toEqual(
      expect.arrayContaining(['Dockerfile', 'catalog-info.yaml', '.github/workflows/ci.yml']),
    );
  });

  it('creates an empty repository and refuses a duplicate as a conflict', async () => {
    await call(github.mcp(), 'create_repository', { owner: 'acme', name: 'scratch' });
    const again = await github
      .mcp()
      .client.callTool({ name: 'create_repository', arguments: { owner: 'acme', name: 'scratch' } });
    expect(again.isError).toBe(true);
    expect(JSON.stringify(again.content)).toMatch(
      /invalid_request: GitHub answered 422: Repository creation failed.*name already exists/,
    );
  });
});

describe('contents and pull requests: a change from branch to merge', () => {
  it('reads files and directories, with line ranges', async () => {
    const dir = await call<{ type: string; entries: Array<{ path: string }> }>(github.mcp(), 'get_file_contents', {
      owner: 'acme',
      repo: 'payments-api',
      path: 'src',
    });
    expect(dir.type).toBe('dir');
    expect(dir.entries.map((entry) => entry.path)).toContain('src/routes');
    const root = await call<{ type: string; entries: Array<{ path: string }> }>(github.mcp(), 'get_file_contents', {
      owner: 'acme',
      repo: 'payments-api',
    });
    expect(root.entries.map((entry) => entry.path)).toEqual(expect.arrayContaining(['Dockerfile', 'README.md', 'src']));
    const part = await call<{ content: string; sha: string }>(github.mcp(), 'get_file_contents', {
      owner: 'acme',
      repo: 'payments-api',
      path: 'Dockerfile',
      start_line: 1,
      end_line: 1,
    });
    expect(part.content).toMatch(/^FROM /);
    expect(part.content.split('\n')).toHaveLength(1);
    expect(part.sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('creates a file, refuses a blind overwrite, and updates with the sha', async () => {
    await call(github.mcp(), 'create_branch', { owner: 'acme', repo: 'payments-api', branch: 'docs/oncall' });
    const created = await call<{ sha: string }>(github.mcp(), 'create_or_update_file', {
      owner: 'acme',
      repo: 'payments-api',
      branch: 'docs/oncall',
      path: 'docs/oncall.md',
      content: '# On call\n',
      message: 'Add on-call notes',
    });
    const blind = await github.mcp().client.callTool({
      name: 'create_or_update_file',
      arguments: {
        owner: 'acme',
        repo: 'payments-api',
        branch: 'docs/oncall',
        path: 'docs/oncall.md',
        content: 'x',
        message: 'x',
      },
    });
    expect(blind.isError).toBe(true);
    expect(JSON.stringify(blind.content)).toContain('conflict: docs/oncall.md on docs/oncall already exists');
    await call(github.mcp(), 'create_or_update_file', {
      owner: 'acme',
      repo: 'payments-api',
      branch: 'docs/oncall',
      path: 'docs/oncall.md',
      content: '# On call\n\nPage the payments rotation.\n',
      message: 'Expand on-call notes',
      sha: created.sha,
    });
    expect(github.fake().state.repo('acme/payments-api').file('docs/oncall', 'docs/oncall.md')).toContain(
      'payments rotation',
    );
  });

  it('pushes several files in one commit, opens a PR, sees its checks, and merges it', async () => {
    await call(github.mcp(), 'create_branch', { owner: 'acme', repo: 'gitops', branch: 'add-orders-api' });
    const pushed = await call<{ commit: string; files: number }>(github.mcp(), 'push_files', {
      owner: 'acme',
      repo: 'gitops',
      branch: 'add-orders-api',
      message: 'orders-api: deploy to dev',
      files: [
        { path: 'apps/orders-api/dev/deployment.yaml', content: 'kind: Deployment\n' },
        { path: 'apps/orders-api/dev/service.yaml', content: 'kind: Service\n' },
      ],
    });
    expect(pushed.files).toBe(2);
    const gitops = github.fake().state.repo('acme/gitops');
    expect(gitops.commitAt('add-orders-api')?.sha).toBe(pushed.commit);
    expect(gitops.file('add-orders-api', 'apps/orders-api/dev/service.yaml')).toBe('kind: Service\n');

    const pr = await call<{ number: number; base: string }>(github.mcp(), 'create_pull_request', {
      owner: 'acme',
      repo: 'gitops',
      title: 'orders-api: deploy to dev',
      head: 'add-orders-api',
    });
    expect(pr.base).toBe('main');
    gitops.addCheckRun('add-orders-api', { name: 'validate-manifests', conclusion: 'success' });

    const detail = await call<{ head_sha: string; checks: { state: string }; files: Array<{ filename: string }> }>(
      github.mcp(),
      'get_pull_request',
      { owner: 'acme', repo: 'gitops', pull_number: pr.number },
    );
    expect(detail.checks.state).toBe('success');
    expect(detail.files.map((file) => file.filename).sort()).toEqual([
      'apps/orders-api/dev/deployment.yaml',
      'apps/orders-api/dev/service.yaml',
    ]);

    const stale = await github.mcp().client.callTool({
      name: 'merge_pull_request',
      arguments: { owner: 'acme', repo: 'gitops', pull_number: pr.number, expected_head_sha: 'a'.repeat(40) },
    });
    expect(stale.isError).toBe(true);
    expect(JSON.stringify(stale.content)).toContain('the head moved');

    const merged = await call<{ merged: boolean }>(github.mcp(), 'merge_pull_request', {
      owner: 'acme',
      repo: 'gitops',
      pull_number: pr.number,
      expected_head_sha: detail.head_sha,
    });
    expect(merged.merged).toBe(true);
    expect(gitops.file('main', 'apps/orders-api/dev/deployment.yaml')).toBe('kind: Deployment\n');
  });

  it('lists pull requests with their CI verdict and names the failing checks', async () => {
    const list = await call<{ pull_requests: Array<{ title: string; checks?: { state: string; failing: string[] } }> }>(
      github.mcp(),
      'list_pull_requests',
      { owner: 'acme', repo: 'payments-api', with_checks: true },
    );
    const idempotency = list.pull_requests.find((pr) => pr.title.startsWith('Add idempotency keys'));
    expect(idempotency?.checks?.state).toBe('failure');
    expect(idempotency?.checks?.failing).toContain('test');
  });

  it('searches code', async () => {
    const found = await call<{ files: Array<{ repository: string; path: string }> }>(github.mcp(), 'search_code', {
      query: 'runAsNonRoot org:acme',
    });
    expect(found.files.length).toBeGreaterThan(0);
    expect(found.files.every((file) => file.repository.startsWith('acme/'))).toBe(true);
  });
});

describe('taking a change back: close the pull request, delete its branch, archive or delete the repository', () => {
  it('closes a pull request with a comment and deletes its branch; again changes nothing', async () => {
    const mcp = github.mcp();
    await call(mcp, 'create_branch', { owner: 'acme', repo: 'gitops', branch: 'try-out' });
    await call(mcp, 'push_files', {
      owner: 'acme',
      repo: 'gitops',
      branch: 'try-out',
      message: 'try',
      files: [{ path: 'try.yaml', content: 'a: 1\n' }],
    });
    const pr = await call<{ number: number }>(mcp, 'create_pull_request', {
      owner: 'acme',
      repo: 'gitops',
      title: 'try',
      head: 'try-out',
    });
    const args = { owner: 'acme', repo: 'gitops', pull_number: pr.number, comment: 'Not needed after all.' };
    const closed = await call<{ state: string; merged: boolean }>(mcp, 'close_pull_request', args);
    expect(closed).toMatchObject({ state: 'closed', merged: false });
    expect((await call<{ state: string }>(mcp, 'close_pull_request', args)).state).toBe('closed');
    const gitops = github.fake().state.repo('acme/gitops');
    const issue = gitops.issue(pr.number)!;
    expect(issue.state).toBe('closed');
    expect(issue.comments.map((comment) => comment.body)).toEqual(['Not needed after all.']);

    const branch = { owner: 'acme', repo: 'gitops', branch: 'try-out' };
    expect(await call(mcp, 'delete_branch', branch)).toEqual({ branch: 'try-out', deleted: true });
    expect(gitops.branch('try-out')).toBeUndefined();
    expect(await call(mcp, 'delete_branch', branch)).toEqual({ branch: 'try-out', deleted: false });
    const main = await mcp.client.callTool({ name: 'delete_branch', arguments: { ...branch, branch: 'main' } });
    expect(main.isError).toBe(true);
    expect(JSON.stringify(main.content)).toContain('main is the default branch of acme/gitops');
  });

  it('archives and deletes repositories for a platform admin only; an archived one takes no writes', async () => {
    expect((await github.mcp().client.listTools()).tools.map((tool) => tool.name)).not.toContain('archive_repository');
    const admin = await githubUnderTest({ args: ['--role', 'platform-admin'] });
    try {
      const tools = (await admin.mcp.client.listTools()).tools;
      expect(tools.find((tool) => tool.name === 'delete_repository')?.annotations?.destructiveHint).toBe(true);
      const made = { owner: 'acme', repo: 'scratch' };
      await call(admin.mcp, 'create_repository', { owner: 'acme', name: 'scratch' });
      const archived = await call<{ archived: boolean }>(admin.mcp, 'archive_repository', made);
      expect(archived.archived).toBe(true);
      expect((await call<{ archived: boolean }>(admin.mcp, 'archive_repository', made)).archived).toBe(true);
      const write = await admin.mcp.client.callTool({ name: 'create_branch', arguments: { ...made, branch: 'x' } });
      expect(write.isError).toBe(true);
      expect(JSON.stringify(write.content)).toContain('archived so is read-only');

      expect(await call(admin.mcp, 'delete_repository', made)).toEqual({ full_name: 'acme/scratch', deleted: true });
      expect(admin.fake.state.findRepo('acme/scratch')).toBeUndefined();
      expect(await call(admin.mcp, 'delete_repository', made)).toEqual({ full_name: 'acme/scratch', deleted: false });
      assertNoViolations(admin.fake);
    } finally {
      await admin.close();
    }
  });
});

describe('issues', () => {
  it('lists, opens, comments on and reads an issue', async () => {
    const open = await call<{ issues: Array<{ title: string; is_pull_request: boolean }> }>(
      github.mcp(),
      'list_issues',
      {
        owner: 'acme',
        repo: 'payments-api',
        labels: ['bug'],
      },
    );
    expect(open.issues.map((issue) => issue.title)).toEqual([
      'Refund endpoint returns 500 for partially captured payments',
    ]);
    expect(open.issues.every((issue) => !issue.is_pull_request)).toBe(true);

    const created = await call<{ number: number }>(github.mcp(), 'create_issue', {
      owner: 'acme',
      repo: 'payments-api',
      title: 'Rotate acquirer credentials',
      labels: ['ops'],
      assignees: ['alice'],
    });
    await call(github.mcp(), 'add_issue_comment', {
      owner: 'acme',
      repo: 'payments-api',
      issue_number: created.number,
      body: 'Scheduled.',
    });
    const issue = await call<{ labels: string[]; latest_comments: Array<{ body: string }> }>(
      github.mcp(),
      'get_issue',
      {
        owner: 'acme',
        repo: 'payments-api',
        issue_number: created.number,
      },
    );
    expect(issue.labels).toEqual(['ops']);
    expect(issue.latest_comments.map((comment) => comment.body)).toEqual(['Scheduled.']);
  });

  it('searches issues and pull requests across repositories', async () => {
    const found = await call<{ issues: Array<{ repository?: string; is_pull_request: boolean }> }>(
      github.mcp(),
      'search_issues',
      {
        query: 'org:acme is:pr is:open',
      },
    );
    expect(found.issues.length).toBeGreaterThan(0);
    expect(found.issues.every((issue) => issue.is_pull_request)).toBe(true);
  });
});

describe('actions', () => {
  it('finds a failed run, its failed job and the end of its log', async () => {
    const runs = await call<{ runs: Array<{ id: number; conclusion: string | null }> }>(
      github.mcp(),
      'list_workflow_runs',
      {
        owner: 'acme',
        repo: 'payments-api',
        status: 'failure',
      },
    );
    expect(runs.runs.length).toBeGreaterThan(0);
    const run = await call<{ jobs: Array<{ id: number; conclusion: string | null; failed_steps: string[] }> }>(
      github.mcp(),
      'get_workflow_run',
      { owner: 'acme', repo: 'payments-api', run_id: runs.runs[0]!.id },
    );
    const failed = run.jobs.find((job) => job.conclusion === 'failure')!;
    expect(failed.failed_steps.length).toBeGreaterThan(0);
    const logs = await call<{ log: string; lines: number }>(github.mcp(), 'get_job_logs', {
      owner: 'acme',
      repo: 'payments-api',
      job_id: failed.id,
      tail_lines: 20,
    });
    expect(logs.lines).toBe(20);
    expect(logs.log).toMatch(/error|fail/i);
  });
});
