// A repository of the GitHub fake: its git objects and refs, issues and pull requests (merge checks and merges),
// check runs, commit statuses and Actions runs. Handlers change it; tests seed and inspect it the same way.
import { type Commit, type EntryMode, type FileEntry, GitStore } from './git.ts';
import type {
  Account,
  CheckConclusion,
  CheckRun,
  CheckStatus,
  Comment,
  CommitStatus,
  Issue,
  Job,
  MergeCheck,
  RepoOptions,
  WorkflowRun,
} from './model.ts';
import type { GitHubState } from './state.ts';

export class Repo {
  readonly id: number;
  readonly owner: Account;
  readonly name: string;
  readonly git = new GitStore();
  /** Full ref name (`refs/heads/main`) to commit SHA. */
  readonly refs = new Map<string, string>();
  /** Branch name to the check names that must pass before a PR into it merges. */
  readonly requiredChecks = new Map<string, string[]>();
  readonly issues: Issue[] = [];
  readonly checkRuns: CheckRun[] = [];
  readonly statuses: CommitStatus[] = [];
  readonly workflowRuns: WorkflowRun[] = [];
  description: string | null;
  isPrivate: boolean;
  isTemplate: boolean;
  /** Archived: read-only, as GitHub keeps it until an admin unarchives it. */
  archived = false;
  defaultBranch: string;
  language: string | null;
  topics: string[];
  homepage: string | null;
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
  templateRepository: Repo | undefined;
  private readonly world: GitHubState;

  constructor(world: GitHubState, owner: Account, name: string, options: RepoOptions) {
    this.world = world;
    this.id = world.nextId();
    this.owner = owner;
    this.name = name;
    this.description = options.description ?? null;
    this.isPrivate = options.private ?? false;
    this.isTemplate = options.isTemplate ?? false;
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.language = options.language ?? null;
    this.topics = options.topics ?? [];
    this.homepage = options.homepage ?? null;
    this.createdAt = options.createdAt ?? world.now();
    this.updatedAt = this.createdAt;
    this.pushedAt = this.createdAt;
  }

  get fullName(): string {
    return `${this.owner.login}/${this.name}`;
  }

  /** Who may push, and see it when private: in the fake, every user is a member of every org; a user owns theirs. */
  writableBy(login: string): boolean {
    return this.owner.type === 'Organization' || this.owner.login.toLowerCase() === login.toLowerCase();
  }

  visibleTo(login: string): boolean {
    return !this.isPrivate || this.writableBy(login);
  }

  /** The commit SHA a branch, tag, full ref or SHA names; undefined when it names nothing. */
  resolve(ref: string): string | undefined {
    for (const candidate of [ref, `refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = this.refs.get(candidate);
      if (sha) return sha;
    }
    if (/^[0-9a-f]{40}$/.test(ref) && this.git.commits.has(ref)) return ref;
    if (/^[0-9a-f]{7,39}$/.test(ref)) return [...this.git.commits.keys()].find((sha) => sha.startsWith(ref));
    return undefined;
  }

  branch(name: string): string | undefined {
    return this.refs.get(`refs/heads/${name}`);
  }

  branches(): { name: string; sha: string }[] {
    return [...this.refs]
      .filter(([ref]) => ref.startsWith('refs/heads/'))
      .map(([ref, sha]) => ({ name: ref.slice('refs/heads/'.length), sha }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  commitAt(ref: string): Commit | undefined {
    const sha = this.resolve(ref);
    return sha ? this.git.commits.get(sha) : undefined;
  }

  /** A file's text at a ref, or undefined. */
  file(ref: string, path: string): string | undefined {
    const commit = this.commitAt(ref);
    const entry = commit && this.git.lookup(commit.tree, path);
    return entry?.type === 'blob' ? this.git.text(entry.sha) : undefined;
  }

  /** Every file path at a ref. */
  files(ref: string): string[] {
    const commit = this.commitAt(ref);
    return commit ? [...this.git.flatten(commit.tree).keys()].sort() : [];
  }

  /** Commits file changes (text, or null to delete) on a branch, creating the branch from nothing if needed. */
  commit(branch: string, changes: Record<string, string | null>, message: string, author?: string): Commit {
    const parent = this.commitAt(branch);
    const files = parent ? this.git.flatten(parent.tree) : new Map<string, FileEntry>();
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, { mode: modeFor(path), sha: this.git.writeBlob(content) });
    }
    const commit = this.git.writeCommit({
      tree: this.git.buildTree(files),
      parents: parent ? [parent.sha] : [],
      message,
      ...this.world.people(author),
    });
    this.setRef(`refs/heads/${branch}`, commit.sha);
    return commit;
  }

  setRef(ref: string, sha: string): void {
    this.refs.set(ref, sha);
    if (ref.startsWith('refs/heads/')) {
      this.pushedAt = this.world.now();
      this.updatedAt = this.pushedAt;
    }
  }

  createBranch(name: string, from: string = this.defaultBranch): string {
    const sha = this.resolve(from);
    if (!sha) throw new Error(`${this.fullName}: nothing named ${from}`);
    this.setRef(`refs/heads/${name}`, sha);
    return sha;
  }

  issue(number: number): Issue | undefined {
    return this.issues.find((i) => i.number === number);
  }

  pullRequests(): Issue[] {
    return this.issues.filter((i) => i.pull !== undefined);
  }

  openIssue(input: {
    title: string;
    body?: string | null;
    user: string;
    labels?: string[];
    assignees?: string[];
  }): Issue {
    const now = this.world.now();
    const issue: Issue = {
      id: this.world.nextId(),
      number: this.issues.length + 1,
      title: input.title,
      body: input.body ?? null,
      state: 'open',
      user: input.user,
      labels: input.labels ?? [],
      assignees: input.assignees ?? [],
      comments: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      pull: undefined,
    };
    this.issues.push(issue);
    return issue;
  }

  openPullRequest(input: {
    title: string;
    head: string;
    base?: string;
    body?: string | null;
    user: string;
    draft?: boolean;
    labels?: string[];
  }): Issue {
    const issue = this.openIssue(input);
    issue.pull = {
      head: input.head,
      base: input.base ?? this.defaultBranch,
      draft: input.draft ?? false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      closedHeadSha: null,
    };
    return issue;
  }

  addComment(issue: Issue, body: string, user: string): Comment {
    const now = this.world.now();
    const comment = { id: this.world.nextId(), body, user, createdAt: now, updatedAt: now };
    issue.comments.push(comment);
    issue.updatedAt = now;
    return comment;
  }

  headSha(issue: Issue): string {
    const pull = issue.pull!;
    return pull.closedHeadSha ?? this.branch(pull.head) ?? '0'.repeat(40);
  }

  /** The files a PR changes: from the merge base of head and base to head. */
  pullRequestChanges(issue: Issue) {
    const head = this.git.commits.get(this.headSha(issue));
    const base = this.branch(issue.pull!.base);
    if (!head || !base) return [];
    const mergeBase = this.git.mergeBase(head.sha, base);
    return this.git.diff(mergeBase ? this.git.commits.get(mergeBase)?.tree : undefined, head.tree);
  }

  mergeCheck(issue: Issue): MergeCheck {
    const pull = issue.pull!;
    const headSha = this.branch(pull.head);
    const baseSha = this.branch(pull.base);
    if (!headSha || !baseSha) return { mergeable: false, state: 'dirty', reason: 'Head or base branch is missing' };
    if (this.conflicts(headSha, baseSha).length > 0) {
      return { mergeable: false, state: 'dirty', reason: 'Merge conflict' };
    }
    const runs = this.latestCheckRuns(headSha);
    for (const name of this.requiredChecks.get(pull.base) ?? []) {
      const run = runs.find((r) => r.name === name);
      if (run?.conclusion !== 'success') {
        return { mergeable: true, state: 'blocked', reason: `Required status check "${name}" is ${describe(run)}.` };
      }
    }
    const failing = runs.some(
      (r) => r.status === 'completed' && !['success', 'neutral', 'skipped'].includes(r.conclusion ?? ''),
    );
    return { mergeable: true, state: failing ? 'unstable' : 'clean' };
  }

  /** Merges a PR into its base; the caller has checked `mergeCheck`. */
  merge(issue: Issue, method: 'merge' | 'squash' | 'rebase', message: string, by: string): Commit {
    const pull = issue.pull!;
    const headSha = this.branch(pull.head)!;
    const baseSha = this.branch(pull.base)!;
    const baseFiles = this.git.flatten(this.git.commits.get(baseSha)!.tree);
    const head = this.git.commits.get(headSha)!;
    const mergeBase = this.git.mergeBase(headSha, baseSha);
    const fromTree = mergeBase ? this.git.commits.get(mergeBase)?.tree : undefined;
    const headFiles = this.git.flatten(head.tree);
    for (const change of this.git.diff(fromTree, head.tree)) {
      if (change.status === 'removed') baseFiles.delete(change.path);
      else baseFiles.set(change.path, headFiles.get(change.path)!);
    }
    const commit = this.git.writeCommit({
      tree: this.git.buildTree(baseFiles),
      parents: method === 'merge' ? [baseSha, headSha] : [baseSha],
      message,
      ...this.world.people(by),
    });
    this.setRef(`refs/heads/${pull.base}`, commit.sha);
    const now = this.world.now();
    Object.assign(pull, {
      merged: true,
      mergedAt: now,
      mergedBy: by,
      mergeCommitSha: commit.sha,
      closedHeadSha: headSha,
    });
    Object.assign(issue, { state: 'closed', closedAt: now, updatedAt: now });
    return commit;
  }

  /** The newest check run of each name on a commit (GitHub reports re-runs as new runs). */
  latestCheckRuns(sha: string): CheckRun[] {
    const byName = new Map<string, CheckRun>();
    for (const run of this.checkRuns.filter((r) => r.headSha === sha)) byName.set(run.name, run);
    return [...byName.values()];
  }

  addCheckRun(ref: string, input: Partial<Omit<CheckRun, 'id' | 'headSha'>> & { name: string }): CheckRun {
    const now = this.world.now();
    const status = input.status ?? 'completed';
    const run: CheckRun = {
      id: this.world.nextId(),
      headSha: this.mustResolve(ref),
      status,
      conclusion: status === 'completed' ? (input.conclusion ?? 'success') : null,
      startedAt: input.startedAt ?? now,
      completedAt: status === 'completed' ? (input.completedAt ?? now) : null,
      title: input.title ?? null,
      summary: input.summary ?? null,
      annotations: input.annotations ?? 0,
      name: input.name,
    };
    this.checkRuns.push(run);
    return run;
  }

  addStatus(ref: string, input: Partial<Omit<CommitStatus, 'id' | 'sha'>> & { context: string }): CommitStatus {
    const status: CommitStatus = {
      id: this.world.nextId(),
      sha: this.mustResolve(ref),
      state: input.state ?? 'success',
      description: input.description ?? null,
      targetUrl: input.targetUrl ?? null,
      createdAt: input.createdAt ?? this.world.now(),
      creator: input.creator ?? this.owner.login,
      context: input.context,
    };
    this.statuses.push(status);
    return status;
  }

  /** Records a workflow run with its jobs on a branch's head; each job also reports a check run, as on GitHub. */
  addWorkflowRun(input: {
    name: string;
    path: string;
    branch: string;
    event?: string;
    actor?: string;
    sha?: string;
    createdAt?: string;
    jobs: { name: string; conclusion: CheckConclusion; status?: CheckStatus; steps?: string[]; log?: string }[];
  }): WorkflowRun {
    const createdAt = input.createdAt ?? this.world.now();
    const headSha = input.sha ?? this.mustResolve(input.branch);
    const id = this.world.nextId();
    const jobs: Job[] = input.jobs.map((job) => {
      const status = job.status ?? 'completed';
      const completed = status === 'completed';
      return {
        id: this.world.nextId(),
        runId: id,
        name: job.name,
        status,
        conclusion: completed ? job.conclusion : null,
        startedAt: createdAt,
        completedAt: completed ? createdAt : null,
        steps: (job.steps ?? ['Set up job', 'Run actions/checkout', 'Complete job']).map((name, i) => ({
          name,
          number: i + 1,
          status,
          conclusion: completed ? job.conclusion : null,
        })),
        log: job.log ?? `${createdAt.replace('Z', '.0000000Z')} ##[group]Run ${job.name}\n`,
      };
    });
    const running = jobs.some((j) => j.status !== 'completed');
    const failed = jobs.find((j) => j.conclusion && j.conclusion !== 'success' && j.conclusion !== 'skipped');
    const sameWorkflow = this.workflowRuns.filter((r) => r.path === input.path);
    const run: WorkflowRun = {
      id,
      workflowId: sameWorkflow[0]?.workflowId ?? this.world.nextId(),
      runNumber: sameWorkflow.length + 1,
      name: input.name,
      path: input.path,
      event: input.event ?? 'push',
      status: running ? 'in_progress' : 'completed',
      conclusion: running ? null : (failed?.conclusion ?? 'success'),
      headBranch: input.branch,
      headSha,
      actor: input.actor ?? this.owner.login,
      createdAt,
      updatedAt: createdAt,
      jobs,
    };
    this.workflowRuns.push(run);
    for (const job of jobs) {
      this.addCheckRun(headSha, {
        name: job.name,
        status: job.status,
        conclusion: job.conclusion,
        startedAt: job.startedAt,
        completedAt: job.completedAt,
        annotations: job.log.split('\n').filter((line) => line.includes('##[error]')).length,
      });
    }
    return run;
  }

  private conflicts(headSha: string, baseSha: string): string[] {
    const mergeBase = this.git.mergeBase(headSha, baseSha);
    const fromTree = mergeBase ? this.git.commits.get(mergeBase)?.tree : undefined;
    const ours = this.git.diff(fromTree, this.git.commits.get(baseSha)!.tree);
    const theirs = new Map(this.git.diff(fromTree, this.git.commits.get(headSha)!.tree).map((c) => [c.path, c.after]));
    return ours.filter((c) => theirs.has(c.path) && theirs.get(c.path) !== c.after).map((c) => c.path);
  }

  private mustResolve(ref: string): string {
    const sha = this.resolve(ref);
    if (!sha) throw new Error(`${this.fullName}: nothing named ${ref}`);
    return sha;
  }
}

function modeFor(path: string): EntryMode {
  return path.endsWith('.sh') ? '100755' : '100644';
}

/** How branch protection words a required check that has not passed: expected, pending or failing. */
function describe(run: { status: string; conclusion: string | null } | undefined): string {
  if (!run) return 'expected';
  return run.status === 'completed' ? 'failing' : 'pending';
}
