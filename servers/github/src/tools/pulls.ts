import { defineTool, listArgs, nextCursorField, READ, ToolError, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { type GitHub, nextPageCursor, pageRequest } from '../github.ts';
import { branch, number, owner, repo } from './args.ts';

const checksSummary = z.object({
  state: z.enum(['success', 'failure', 'pending', 'none']),
  total: z.number(),
  passed: z.number(),
  failed: z.number(),
  pending: z.number(),
  failing: z.array(z.string()).describe('Names of failed checks.'),
});
type ChecksSummary = z.input<typeof checksSummary>;

const pullSummary = z.object({
  number: z.number(),
  title: z.string(),
  state: z.string(),
  draft: z.boolean().optional(),
  author: z.string().nullable(),
  head: z.string(),
  base: z.string(),
  updated_at: z.string(),
  html_url: z.string(),
  checks: checksSummary.optional(),
});

const FAILED_CONCLUSIONS = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure']);

/** Check runs and commit statuses of a commit folded into one verdict, as the PR page shows it. */
export async function checksFor(
  github: GitHub,
  owner: string,
  repo: string,
  sha: string,
  signal: AbortSignal,
): Promise<ChecksSummary> {
  const request = { signal };
  const [runs, statuses] = await Promise.all([
    github.rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100, request }),
    github.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha, per_page: 100, request }),
  ]);
  const results = [
    ...runs.data.check_runs.map((run) => ({
      name: run.name,
      outcome:
        run.status !== 'completed' ? 'pending' : FAILED_CONCLUSIONS.has(run.conclusion ?? '') ? 'failed' : 'passed',
    })),
    ...statuses.data.statuses.map((status) => ({
      name: status.context,
      outcome: status.state === 'pending' ? 'pending' : status.state === 'success' ? 'passed' : 'failed',
    })),
  ];
  const count = (outcome: string) => results.filter((result) => result.outcome === outcome).length;
  const failed = count('failed');
  const pending = count('pending');
  return {
    state: results.length === 0 ? 'none' : failed > 0 ? 'failure' : pending > 0 ? 'pending' : 'success',
    total: results.length,
    passed: count('passed'),
    failed,
    pending,
    failing: results.filter((result) => result.outcome === 'failed').map((result) => result.name),
  };
}

interface PullLike {
  number: number;
  title: string;
  state: string;
  draft?: boolean;
  user: { login: string } | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  updated_at: string;
  html_url: string;
}

function summarizePull(pull: PullLike) {
  return {
    number: pull.number,
    title: pull.title,
    state: pull.state,
    draft: pull.draft,
    author: pull.user?.login ?? null,
    head: pull.head.ref,
    base: pull.base.ref,
    updated_at: pull.updated_at,
    html_url: pull.html_url,
  };
}

export function pullRequestTools(github: GitHub) {
  return [
    defineTool({
      name: 'list_pull_requests',
      title: 'List pull requests',
      description:
        "List pull requests of a repository, most recently updated first. with_checks adds each one's CI verdict (one extra call per pull request).",
      toolset: 'pull_requests',
      tier: 'read',
      annotations: READ,
      input: z.object({
        owner,
        repo,
        state: z.enum(['open', 'closed', 'all']).default('open'),
        base: branch.optional().describe('Only pull requests into this branch.'),
        with_checks: z.boolean().default(false),
        ...listArgs,
      }),
      output: z.object({ pull_requests: z.array(pullSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const page = pageRequest('list_pull_requests', input.limit, input.cursor);
        const response = await github.rest.pulls.list({
          owner: input.owner,
          repo: input.repo,
          state: input.state,
          sort: 'updated',
          direction: 'desc',
          ...(input.base ? { base: input.base } : {}),
          ...page,
          request: { signal: ctx.signal },
        });
        const pulls = await Promise.all(
          response.data.map(async (pull) => ({
            ...summarizePull(pull),
            ...(input.with_checks
              ? { checks: await checksFor(github, input.owner, input.repo, pull.head.sha, ctx.signal) }
              : {}),
          })),
        );
        return { pull_requests: pulls, nextCursor: nextPageCursor('list_pull_requests', page, response.headers.link) };
      },
    }),
    defineTool({
      name: 'get_pull_request',
      title: 'Get pull request',
      description:
        'Get one pull request with its description, mergeability, CI checks verdict (failing check names) and changed files.',
      toolset: 'pull_requests',
      tier: 'read',
      annotations: READ,
      input: z.object({ owner, repo, pull_number: number }),
      output: pullSummary.extend({
        body: z.string().nullable(),
        head_sha: z.string(),
        merged: z.boolean(),
        mergeable: z.boolean().nullable(),
        mergeable_state: z.string().optional(),
        checks: checksSummary,
        files: z.array(
          z.object({ filename: z.string(), status: z.string(), additions: z.number(), deletions: z.number() }),
        ),
        files_truncated: z.boolean(),
      }),
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const { data: pull } = await github.rest.pulls.get({ ...input, request });
        const [checks, files] = await Promise.all([
          checksFor(github, input.owner, input.repo, pull.head.sha, ctx.signal),
          github.rest.pulls.listFiles({ ...input, per_page: 100, request }),
        ]);
        return {
          ...summarizePull(pull),
          body: pull.body ? pull.body.slice(0, 4000) : null,
          head_sha: pull.head.sha,
          merged: pull.merged,
          mergeable: pull.mergeable,
          mergeable_state: pull.mergeable_state,
          checks,
          files: files.data.map((file) => ({
            filename: file.filename,
            status: file.status,
            additions: file.additions,
            deletions: file.deletions,
          })),
          files_truncated: pull.changed_files > files.data.length,
        };
      },
    }),
    defineTool({
      name: 'create_pull_request',
      title: 'Create pull request',
      description: 'Open a pull request from head (a branch with commits) into base (the default branch when omitted).',
      toolset: 'pull_requests',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        owner,
        repo,
        title: z.string().min(1).max(256),
        head: branch.describe('Branch with the changes.'),
        base: branch.optional().describe('Branch to merge into; the default branch when omitted.'),
        body: z.string().max(65_536).optional(),
        draft: z.boolean().default(false),
      }),
      output: pullSummary,
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const base =
          input.base ??
          (await github.rest.repos.get({ owner: input.owner, repo: input.repo, request })).data.default_branch;
        const { data } = await github.rest.pulls.create({
          owner: input.owner,
          repo: input.repo,
          title: input.title,
          head: input.head,
          base,
          draft: input.draft,
          ...(input.body ? { body: input.body } : {}),
          request,
        });
        return summarizePull(data);
      },
    }),
    defineTool({
      name: 'close_pull_request',
      title: 'Close pull request',
      description:
        'Close a pull request without merging, with an optional comment saying why. Closing one that is already closed changes nothing; a merged one cannot be closed.',
      toolset: 'pull_requests',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        owner,
        repo,
        pull_number: number,
        comment: z.string().min(1).max(4000).optional().describe('Posted on the pull request before it is closed.'),
      }),
      output: pullSummary.extend({ merged: z.boolean() }),
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const target = { owner: input.owner, repo: input.repo, pull_number: input.pull_number };
        const { data: pull } = await github.rest.pulls.get({ ...target, request });
        if (pull.merged) {
          throw new ToolError('conflict', `pull request #${input.pull_number} is merged; it cannot be closed`, {
            hint: 'revert its changes with a new pull request instead',
            retryable: false,
          });
        }
        if (pull.state === 'closed') return { ...summarizePull(pull), merged: false };
        if (input.comment) {
          await github.rest.issues.createComment({
            owner: input.owner,
            repo: input.repo,
            issue_number: input.pull_number,
            body: input.comment,
            request,
          });
        }
        const { data } = await github.rest.pulls.update({ ...target, state: 'closed', request });
        return { ...summarizePull(data), merged: data.merged };
      },
    }),
    defineTool({
      name: 'merge_pull_request',
      title: 'Merge pull request',
      description:
        'Merge a pull request. Pass expected_head_sha (from get_pull_request) so nothing pushed after you reviewed it gets merged.',
      toolset: 'pull_requests',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: false },
      input: z.object({
        owner,
        repo,
        pull_number: number,
        method: z.enum(['merge', 'squash', 'rebase']).default('squash'),
        expected_head_sha: z
          .string()
          .regex(/^[0-9a-f]{40}$/, { error: 'must be a 40-character commit sha' })
          .optional(),
        commit_title: z.string().optional(),
      }),
      output: z.object({ merged: z.boolean(), sha: z.string(), message: z.string() }),
      handler: async (input, ctx) => {
        try {
          const { data } = await github.rest.pulls.merge({
            owner: input.owner,
            repo: input.repo,
            pull_number: input.pull_number,
            merge_method: input.method,
            ...(input.expected_head_sha ? { sha: input.expected_head_sha } : {}),
            ...(input.commit_title ? { commit_title: input.commit_title } : {}),
            request: { signal: ctx.signal },
          });
          return { merged: data.merged, sha: data.sha, message: data.message };
        } catch (error) {
          const status = (error as { status?: number }).status;
          if (status === 405 || status === 409) {
            const reason = (error as { response?: { data?: { message?: string } } }).response?.data?.message;
            throw new ToolError(
              'conflict',
              `pull request #${input.pull_number} cannot be merged: ${reason ?? 'not mergeable'}`,
              {
                hint:
                  status === 409
                    ? 'the head moved: review the new commits with get_pull_request and pass the new sha'
                    : 'check get_pull_request for failing checks, conflicts or required reviews',
                retryable: false,
              },
            );
          }
          throw error;
        }
      },
    }),
  ];
}
