// State to GitHub's JSON shapes. API URLs point at the fake (clients follow them); html URLs point at github.com.
// Each shape carries the union of the fields its schemas require, so one rendering serves every operation that
// returns that kind of object (GitHub's schemas allow additional properties).
import type { Commit } from './git.ts';
import type { Account, CheckRun, Comment, GitHubState, Issue, Job, Repo, WorkflowRun } from './state.ts';

const HTML = 'https://github.com';

export type Json = Record<string, unknown>;

export class Renderer {
  readonly api: string;
  private readonly state: GitHubState;

  constructor(state: GitHubState, baseUrl: string) {
    this.state = state;
    this.api = baseUrl;
  }

  user(login: string): Json {
    const account = this.state.account(login);
    const id = account?.id ?? 0;
    const name = account?.login ?? login;
    const url = `${this.api}/users/${name}`;
    return {
      login: name,
      id,
      node_id: nodeId(account?.type === 'Organization' ? 'O' : 'U', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url: `${HTML}/${name}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: account?.type ?? 'User',
      user_view_type: 'public',
      site_admin: false,
    };
  }

  /** GET /user: the private-user shape. */
  authenticatedUser(account: Account): Json {
    const owned = this.state.reposOf(account.login);
    const privateCount = owned.filter((r) => r.isPrivate).length;
    return {
      ...this.user(account.login),
      name: account.name,
      company: account.company,
      blog: '',
      location: null,
      email: account.email,
      hireable: null,
      bio: null,
      twitter_username: null,
      notification_email: account.email,
      public_repos: owned.length - privateCount,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: account.createdAt,
      updated_at: account.createdAt,
      private_gists: 0,
      total_private_repos: privateCount,
      owned_private_repos: privateCount,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
      plan: { name: 'pro', space: 976562499, collaborators: 0, private_repos: 9999 },
    };
  }

  repo(repo: Repo, viewer?: string): Json {
    const url = `${this.api}/repos/${repo.fullName}`;
    const html = `${HTML}/${repo.fullName}`;
    const openIssues = repo.issues.filter((i) => i.state === 'open').length;
    const admin = viewer !== undefined && repo.writableBy(viewer);
    const size = [...repo.git.blobs.values()].reduce((sum, blob) => sum + blob.length, 0);
    return {
      id: repo.id,
      node_id: nodeId('R', repo.id),
      name: repo.name,
      full_name: repo.fullName,
      private: repo.isPrivate,
      owner: this.user(repo.owner.login),
      html_url: html,
      description: repo.description,
      fork: false,
      url,
      archive_url: `${url}/{archive_format}{/ref}`,
      assignees_url: `${url}/assignees{/user}`,
      blobs_url: `${url}/git/blobs{/sha}`,
      branches_url: `${url}/branches{/branch}`,
      collaborators_url: `${url}/collaborators{/collaborator}`,
      comments_url: `${url}/comments{/number}`,
      commits_url: `${url}/commits{/sha}`,
      compare_url: `${url}/compare/{base}...{head}`,
      contents_url: `${url}/contents/{+path}`,
      contributors_url: `${url}/contributors`,
      deployments_url: `${url}/deployments`,
      downloads_url: `${url}/downloads`,
      events_url: `${url}/events`,
      forks_url: `${url}/forks`,
      git_commits_url: `${url}/git/commits{/sha}`,
      git_refs_url: `${url}/git/refs{/sha}`,
      git_tags_url: `${url}/git/tags{/sha}`,
      git_url: `git://github.com/${repo.fullName}.git`,
      hooks_url: `${url}/hooks`,
      issue_comment_url: `${url}/issues/comments{/number}`,
      issue_events_url: `${url}/issues/events{/number}`,
      issues_url: `${url}/issues{/number}`,
      keys_url: `${url}/keys{/key_id}`,
      labels_url: `${url}/labels{/name}`,
      languages_url: `${url}/languages`,
      merges_url: `${url}/merges`,
      milestones_url: `${url}/milestones{/number}`,
      notifications_url: `${url}/notifications{?since,all,participating}`,
      pulls_url: `${url}/pulls{/number}`,
      releases_url: `${url}/releases{/id}`,
      ssh_url: `git@github.com:${repo.fullName}.git`,
      stargazers_url: `${url}/stargazers`,
      statuses_url: `${url}/statuses/{sha}`,
      subscribers_url: `${url}/subscribers`,
      subscription_url: `${url}/subscription`,
      tags_url: `${url}/tags`,
      teams_url: `${url}/teams`,
      trees_url: `${url}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      mirror_url: null,
      svn_url: html,
      homepage: repo.homepage,
      language: repo.language,
      forks_count: 0,
      forks: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: Math.ceil(size / 1024),
      default_branch: repo.defaultBranch,
      open_issues_count: openIssues,
      open_issues: openIssues,
      is_template: repo.isTemplate,
      topics: repo.topics,
      has_issues: true,
      has_projects: true,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: repo.archived,
      disabled: false,
      visibility: repo.isPrivate ? 'private' : 'public',
      pushed_at: repo.pushedAt,
      created_at: repo.createdAt,
      updated_at: repo.updatedAt,
      permissions: { admin, maintain: admin, push: admin, triage: true, pull: true },
      allow_forking: true,
      web_commit_signoff_required: false,
      license: null,
    };
  }

  /** The full-repository shape of GET /repos/{owner}/{repo} and the creates: what lists leave out. */
  fullRepo(repo: Repo, viewer: string): Json {
    return {
      ...this.repo(repo, viewer),
      network_count: 0,
      subscribers_count: 0,
      temp_clone_token: repo.writableBy(viewer) ? '' : null,
      allow_squash_merge: true,
      allow_merge_commit: true,
      allow_rebase_merge: true,
      allow_auto_merge: false,
      delete_branch_on_merge: false,
      allow_update_branch: false,
      use_squash_pr_title_as_default: false,
      squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
      squash_merge_commit_message: 'COMMIT_MESSAGES',
      merge_commit_title: 'MERGE_MESSAGE',
      merge_commit_message: 'PR_TITLE',
      ...(repo.owner.type === 'Organization' ? { organization: this.user(repo.owner.login) } : {}),
      ...(repo.templateRepository ? { template_repository: this.repo(repo.templateRepository) } : {}),
    };
  }

  gitCommit(repo: Repo, commit: Commit): Json {
    const url = `${this.api}/repos/${repo.fullName}/git/commits/${commit.sha}`;
    return {
      sha: commit.sha,
      node_id: nodeId('C', parseInt(commit.sha.slice(0, 8), 16)),
      url,
      html_url: `${HTML}/${repo.fullName}/commit/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      tree: { sha: commit.tree, url: `${this.api}/repos/${repo.fullName}/git/trees/${commit.tree}` },
      parents: commit.parents.map((sha) => ({
        sha,
        url: `${this.api}/repos/${repo.fullName}/git/commits/${sha}`,
        html_url: `${HTML}/${repo.fullName}/commit/${sha}`,
      })),
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    };
  }

  /** The REST `commit` shape (as in GET /branches/{branch}). */
  commit(repo: Repo, commit: Commit): Json {
    const url = `${this.api}/repos/${repo.fullName}/commits/${commit.sha}`;
    const git = this.gitCommit(repo, commit);
    const { sha: _sha, node_id: _nodeId, html_url: _htmlUrl, parents: _parents, ...inner } = git;
    return {
      url,
      sha: commit.sha,
      node_id: git.node_id,
      html_url: git.html_url,
      comments_url: `${url}/comments`,
      commit: { ...inner, comment_count: 0 },
      author: this.userByEmail(commit.author.email),
      committer: this.userByEmail(commit.committer.email),
      parents: git.parents,
    };
  }

  private userByEmail(email: string): Json | null {
    const account = [...this.state.accounts.values()].find((a) => a.email === email);
    return account ? this.user(account.login) : null;
  }

  ref(repo: Repo, ref: string, sha: string): Json {
    return {
      ref,
      node_id: nodeId('REF', parseInt(sha.slice(0, 8), 16)),
      url: `${this.api}/repos/${repo.fullName}/git/${ref}`,
      object: { type: 'commit', sha, url: `${this.api}/repos/${repo.fullName}/git/commits/${sha}` },
    };
  }

  labels(repo: Repo, names: string[]): Json[] {
    return names.map((name) => {
      const id = labelId(repo, name);
      return {
        id,
        node_id: nodeId('LA', id),
        url: `${this.api}/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`,
        name,
        color: LABELS[name]?.color ?? 'ededed',
        default: ['bug', 'enhancement', 'documentation'].includes(name),
        description: LABELS[name]?.description ?? '',
      };
    });
  }

  issue(repo: Repo, issue: Issue): Json {
    const url = `${this.api}/repos/${repo.fullName}/issues/${issue.number}`;
    const assignees = issue.assignees.map((login) => this.user(login));
    return {
      id: issue.id,
      node_id: nodeId(issue.pull ? 'PR' : 'I', issue.id),
      url,
      repository_url: `${this.api}/repos/${repo.fullName}`,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${HTML}/${repo.fullName}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.state === 'closed' ? 'completed' : null,
      title: issue.title,
      body: issue.body,
      user: this.user(issue.user),
      labels: this.labels(repo, issue.labels),
      assignee: assignees[0] ?? null,
      assignees,
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: issue.comments.length,
      closed_at: issue.closedAt,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
      author_association: this.association(repo, issue.user),
      reactions: reactions(url),
      ...(issue.pull
        ? {
            draft: issue.pull.draft,
            pull_request: {
              url: `${this.api}/repos/${repo.fullName}/pulls/${issue.number}`,
              html_url: `${HTML}/${repo.fullName}/pull/${issue.number}`,
              diff_url: `${HTML}/${repo.fullName}/pull/${issue.number}.diff`,
              patch_url: `${HTML}/${repo.fullName}/pull/${issue.number}.patch`,
              merged_at: issue.pull.mergedAt,
            },
          }
        : {}),
    };
  }

  comment(repo: Repo, issue: Issue, comment: Comment): Json {
    return {
      id: comment.id,
      node_id: nodeId('IC', comment.id),
      url: `${this.api}/repos/${repo.fullName}/issues/comments/${comment.id}`,
      html_url: `${HTML}/${repo.fullName}/issues/${issue.number}#issuecomment-${comment.id}`,
      issue_url: `${this.api}/repos/${repo.fullName}/issues/${issue.number}`,
      body: comment.body,
      user: this.user(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: this.association(repo, comment.user),
      reactions: reactions(`${this.api}/repos/${repo.fullName}/issues/comments/${comment.id}`),
    };
  }

  /** pull-request-simple (lists); with `detailed`, the full pull-request shape (get, create). */
  pull(repo: Repo, issue: Issue, detailed: boolean): Json {
    const pull = issue.pull!;
    const url = `${this.api}/repos/${repo.fullName}/pulls/${issue.number}`;
    const html = `${HTML}/${repo.fullName}/pull/${issue.number}`;
    const headSha = repo.headSha(issue);
    const baseSha = repo.branch(pull.base) ?? headSha;
    const assignees = issue.assignees.map((login) => this.user(login));
    const side = (branch: string, sha: string) => ({
      label: `${repo.owner.login}:${branch}`,
      ref: branch,
      sha,
      user: this.user(repo.owner.login),
      repo: this.repo(repo),
    });
    const simple: Json = {
      url,
      id: issue.id,
      node_id: nodeId('PR', issue.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${this.api}/repos/${repo.fullName}/issues/${issue.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${this.api}/repos/${repo.fullName}/pulls/comments{/number}`,
      comments_url: `${this.api}/repos/${repo.fullName}/issues/${issue.number}/comments`,
      statuses_url: `${this.api}/repos/${repo.fullName}/statuses/${headSha}`,
      number: issue.number,
      state: issue.state,
      locked: false,
      title: issue.title,
      user: this.user(issue.user),
      body: issue.body,
      labels: this.labels(repo, issue.labels),
      milestone: null,
      active_lock_reason: null,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: assignees[0] ?? null,
      assignees,
      requested_reviewers: [],
      requested_teams: [],
      head: side(pull.head, headSha),
      base: side(pull.base, baseSha),
      _links: {
        self: { href: url },
        html: { href: html },
        issue: { href: `${this.api}/repos/${repo.fullName}/issues/${issue.number}` },
        comments: { href: `${this.api}/repos/${repo.fullName}/issues/${issue.number}/comments` },
        review_comments: { href: `${url}/comments` },
        review_comment: { href: `${this.api}/repos/${repo.fullName}/pulls/comments{/number}` },
        commits: { href: `${url}/commits` },
        statuses: { href: `${this.api}/repos/${repo.fullName}/statuses/${headSha}` },
      },
      author_association: this.association(repo, issue.user),
      auto_merge: null,
      draft: pull.draft,
    };
    if (!detailed) return simple;
    const changes = repo.pullRequestChanges(issue);
    const stats = changes.map((c) => lineStats(repo.git.text(c.before), repo.git.text(c.after)));
    const check = issue.state === 'open' ? repo.mergeCheck(issue) : undefined;
    return {
      ...simple,
      merged: pull.merged,
      mergeable: check ? check.mergeable : null,
      rebaseable: check ? check.mergeable : null,
      mergeable_state: check ? check.state : 'unknown',
      merged_by: pull.mergedBy ? this.user(pull.mergedBy) : null,
      comments: issue.comments.length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: this.commitsBetween(repo, baseSha, headSha),
      additions: stats.reduce((sum, s) => sum + s.additions, 0),
      deletions: stats.reduce((sum, s) => sum + s.deletions, 0),
      changed_files: changes.length,
    };
  }

  checkRun(repo: Repo, run: CheckRun): Json {
    const url = `${this.api}/repos/${repo.fullName}/check-runs/${run.id}`;
    return {
      id: run.id,
      head_sha: run.headSha,
      node_id: nodeId('CR', run.id),
      external_id: String(run.id),
      url,
      html_url: `${HTML}/${repo.fullName}/runs/${run.id}`,
      details_url: `${HTML}/${repo.fullName}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: run.title,
        summary: run.summary,
        text: null,
        annotations_count: run.annotations,
        annotations_url: `${url}/annotations`,
      },
      name: run.name,
      check_suite: { id: run.id + 500_000 },
      app: githubActionsApp(this.api),
      pull_requests: [],
    };
  }

  workflowRun(repo: Repo, run: WorkflowRun): Json {
    const url = `${this.api}/repos/${repo.fullName}/actions/runs/${run.id}`;
    const commit = repo.git.commits.get(run.headSha);
    return {
      id: run.id,
      name: run.name,
      node_id: nodeId('WFR', run.id),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: run.path,
      display_title: commit?.message.split('\n')[0] ?? run.name,
      run_number: run.runNumber,
      run_attempt: 1,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      check_suite_id: run.id + 500_000,
      check_suite_node_id: nodeId('CS', run.id + 500_000),
      url,
      html_url: `${HTML}/${repo.fullName}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      run_started_at: run.createdAt,
      actor: this.user(run.actor),
      triggering_actor: this.user(run.actor),
      jobs_url: `${url}/jobs`,
      logs_url: `${url}/logs`,
      check_suite_url: `${this.api}/repos/${repo.fullName}/check-suites/${run.id + 500_000}`,
      artifacts_url: `${url}/artifacts`,
      cancel_url: `${url}/cancel`,
      rerun_url: `${url}/rerun`,
      previous_attempt_url: null,
      workflow_url: `${this.api}/repos/${repo.fullName}/actions/workflows/${run.workflowId}`,
      head_commit: commit
        ? {
            id: commit.sha,
            tree_id: commit.tree,
            message: commit.message,
            timestamp: commit.committer.date,
            author: { name: commit.author.name, email: commit.author.email },
            committer: { name: commit.committer.name, email: commit.committer.email },
          }
        : null,
      repository: this.repo(repo),
      head_repository: this.repo(repo),
    };
  }

  job(repo: Repo, run: WorkflowRun, job: Job): Json {
    return {
      id: job.id,
      run_id: run.id,
      run_url: `${this.api}/repos/${repo.fullName}/actions/runs/${run.id}`,
      run_attempt: 1,
      node_id: nodeId('CR', job.id),
      head_sha: run.headSha,
      head_branch: run.headBranch,
      workflow_name: run.name,
      url: `${this.api}/repos/${repo.fullName}/actions/jobs/${job.id}`,
      html_url: `${HTML}/${repo.fullName}/actions/runs/${run.id}/job/${job.id}`,
      status: job.status,
      conclusion: job.conclusion,
      created_at: job.startedAt,
      started_at: job.startedAt,
      completed_at: job.completedAt,
      name: job.name,
      steps: job.steps.map((step) => ({
        name: step.name,
        status: step.status,
        conclusion: step.conclusion,
        number: step.number,
        started_at: job.startedAt,
        completed_at: job.completedAt,
      })),
      check_run_url: `${this.api}/repos/${repo.fullName}/check-runs/${job.id}`,
      labels: ['ubuntu-latest'],
      runner_id: 1,
      runner_name: 'GitHub Actions 1',
      runner_group_id: 1,
      runner_group_name: 'GitHub Actions',
    };
  }

  private association(repo: Repo, login: string): string {
    if (repo.owner.login.toLowerCase() === login.toLowerCase()) return 'OWNER';
    return repo.owner.type === 'Organization' ? 'MEMBER' : 'CONTRIBUTOR';
  }

  private commitsBetween(repo: Repo, baseSha: string, headSha: string): number {
    let count = 0;
    const seen = new Set<string>();
    const stack = [headSha];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (seen.has(sha) || repo.git.isAncestor(sha, baseSha)) continue;
      seen.add(sha);
      count += 1;
      stack.push(...(repo.git.commits.get(sha)?.parents ?? []));
    }
    return count;
  }
}

export function githubActionsApp(api: string): Json {
  return {
    id: 15368,
    slug: 'github-actions',
    node_id: 'MDM6QXBwMTUzNjg=',
    owner: {
      login: 'github',
      id: 9919,
      node_id: 'MDEyOk9yZ2FuaXphdGlvbjk5MTk=',
      avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4',
      gravatar_id: '',
      url: `${api}/users/github`,
      html_url: `${HTML}/github`,
      followers_url: `${api}/users/github/followers`,
      following_url: `${api}/users/github/following{/other_user}`,
      gists_url: `${api}/users/github/gists{/gist_id}`,
      starred_url: `${api}/users/github/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/users/github/subscriptions`,
      organizations_url: `${api}/users/github/orgs`,
      repos_url: `${api}/users/github/repos`,
      events_url: `${api}/users/github/events{/privacy}`,
      received_events_url: `${api}/users/github/received_events`,
      type: 'Organization',
      site_admin: false,
    },
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: 'https://help.github.com/en/actions',
    html_url: `${HTML}/apps/github-actions`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2024-04-10T20:33:16Z',
    permissions: { actions: 'write', checks: 'write', contents: 'write', metadata: 'read', pull_requests: 'write' },
    events: ['check_run', 'check_suite', 'pull_request', 'push', 'workflow_dispatch'],
  };
}

/** Line counts of a change (a line that is in one side but not the other, counted with multiplicity). */
export function lineStats(before: string, after: string): { additions: number; deletions: number } {
  const count = (text: string) => {
    const lines = new Map<string, number>();
    for (const line of text === '' ? [] : text.replace(/\n$/, '').split('\n'))
      lines.set(line, (lines.get(line) ?? 0) + 1);
    return lines;
  };
  const old = count(before);
  const now = count(after);
  let additions = 0;
  let deletions = 0;
  for (const [line, n] of now) additions += Math.max(0, n - (old.get(line) ?? 0));
  for (const [line, n] of old) deletions += Math.max(0, n - (now.get(line) ?? 0));
  return { additions, deletions };
}

function reactions(url: string): Json {
  return {
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
}

/** GitHub's node ids are opaque base64 strings; these are stable per object. */
export function nodeId(kind: string, id: number): string {
  return `${kind}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

function labelId(repo: Repo, name: string): number {
  let hash = repo.id;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) % 2_000_000_000;
  return hash;
}

/** GitHub's default labels and the sample data's own. */
const LABELS: Record<string, { color: string; description: string }> = {
  bug: { color: 'd73a4a', description: "Something isn't working" },
  enhancement: { color: 'a2eeef', description: 'New feature or request' },
  documentation: { color: '0075ca', description: 'Improvements or additions to documentation' },
  p1: { color: 'b60205', description: 'Fix this week' },
  promotion: { color: '0e8a16', description: 'Promotes a release between environments' },
};
