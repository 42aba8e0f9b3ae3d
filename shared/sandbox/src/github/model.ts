// The records of the GitHub fake's world: what accounts, issues, pull requests and CI runs hold.

export interface Account {
  id: number;
  login: string;
  type: 'User' | 'Organization';
  name: string | null;
  email: string | null;
  company: string | null;
  createdAt: string;
}

export interface Comment {
  id: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface PullRequestPart {
  head: string;
  base: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** The head SHA when the PR was closed or merged (the branch may move or go later). */
  closedHeadSha: string | null;
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: string;
  labels: string[];
  assignees: string[];
  comments: Comment[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Set when this issue is a pull request (GitHub numbers both from one sequence). */
  pull: PullRequestPart | undefined;
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed';
export type CheckConclusion =
  | 'success'
  | 'failure'
  | 'neutral'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'action_required'
  | null;

export interface CheckRun {
  id: number;
  headSha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion;
  startedAt: string;
  completedAt: string | null;
  title: string | null;
  summary: string | null;
  /** How many annotations the run reported (an Actions job: one per `##[error]` line of its log). */
  annotations: number;
}

export interface CommitStatus {
  id: number;
  sha: string;
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
  creator: string;
}

export interface JobStep {
  name: string;
  number: number;
  status: CheckStatus;
  conclusion: CheckConclusion;
}

export interface Job {
  id: number;
  runId: number;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion;
  startedAt: string;
  completedAt: string | null;
  steps: JobStep[];
  log: string;
}

export interface WorkflowRun {
  id: number;
  workflowId: number;
  runNumber: number;
  name: string;
  /** e.g. `.github/workflows/ci.yml` */
  path: string;
  event: string;
  status: CheckStatus;
  conclusion: CheckConclusion;
  headBranch: string;
  headSha: string;
  actor: string;
  createdAt: string;
  updatedAt: string;
  jobs: Job[];
}

export interface RepoOptions {
  description?: string | null;
  private?: boolean;
  isTemplate?: boolean;
  defaultBranch?: string;
  language?: string | null;
  topics?: string[];
  homepage?: string | null;
  createdAt?: string;
  /** The initial commit's files (none: an empty repository without branches). */
  files?: Record<string, string>;
  /** Author of the initial commit. */
  author?: string;
}

export interface MergeCheck {
  mergeable: boolean;
  /** GitHub's mergeable_state: clean, dirty (conflicts), blocked (required checks), unstable (failing checks). */
  state: 'clean' | 'dirty' | 'blocked' | 'unstable';
  reason?: string;
}

/** GitHub's timestamp format: ISO 8601 without milliseconds. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
