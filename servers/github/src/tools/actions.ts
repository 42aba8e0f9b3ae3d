import { defineTool, listArgs, nextCursorField, READ, tailLines, truncateText } from '@idp-mcp/core';
import * as z from 'zod';
import { type GitHub, nextPageCursor, pageRequest } from '../github.ts';
import { branch, owner, repo } from './args.ts';

const LOG_CHAR_LIMIT = 30_000;

const runSummary = z.object({
  id: z.number(),
  name: z.string().nullable(),
  workflow_id: z.number(),
  branch: z.string().nullable(),
  head_sha: z.string(),
  event: z.string(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  run_number: z.number(),
  created_at: z.string(),
  html_url: z.string(),
});

interface RunLike {
  id: number;
  name?: string | null;
  workflow_id: number;
  head_branch: string | null;
  head_sha: string;
  event: string;
  status: string | null;
  conclusion: string | null;
  run_number: number;
  created_at: string;
  html_url: string;
}

function summarizeRun(run: RunLike) {
  return {
    id: run.id,
    name: run.name ?? null,
    workflow_id: run.workflow_id,
    branch: run.head_branch,
    head_sha: run.head_sha,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    run_number: run.run_number,
    created_at: run.created_at,
    html_url: run.html_url,
  };
}

export function actionsTools(github: GitHub) {
  return [
    defineTool({
      name: 'list_workflow_runs',
      title: 'List workflow runs',
      description:
        'List GitHub Actions workflow runs of a repository, newest first, optionally for one branch or status.',
      toolset: 'actions',
      tier: 'read',
      annotations: READ,
      input: z.object({
        owner,
        repo,
        branch: branch.optional(),
        status: z
          .enum(['completed', 'in_progress', 'queued', 'success', 'failure', 'cancelled'])
          .optional()
          .describe('Run status or conclusion.'),
        ...listArgs,
      }),
      output: z.object({ total_count: z.number(), runs: z.array(runSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const page = pageRequest('list_workflow_runs', input.limit, input.cursor);
        const response = await github.rest.actions.listWorkflowRunsForRepo({
          owner: input.owner,
          repo: input.repo,
          ...(input.branch ? { branch: input.branch } : {}),
          ...(input.status ? { status: input.status } : {}),
          ...page,
          request: { signal: ctx.signal },
        });
        return {
          total_count: response.data.total_count,
          runs: response.data.workflow_runs.map(summarizeRun),
          nextCursor: nextPageCursor('list_workflow_runs', page, response.headers.link),
        };
      },
    }),
    defineTool({
      name: 'get_workflow_run',
      title: 'Get workflow run with jobs',
      description:
        'Get one workflow run with its jobs and their steps; failed jobs and steps are named so you can fetch their logs with get_job_logs.',
      toolset: 'actions',
      tier: 'read',
      annotations: READ,
      input: z.object({ owner, repo, run_id: z.number().int().min(1) }),
      output: runSummary.extend({
        jobs: z.array(
          z.object({
            id: z.number(),
            name: z.string(),
            status: z.string(),
            conclusion: z.string().nullable(),
            failed_steps: z.array(z.string()),
            steps: z.number(),
          }),
        ),
      }),
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const [run, jobs] = await Promise.all([
          github.rest.actions.getWorkflowRun({ ...input, request }),
          github.rest.actions.listJobsForWorkflowRun({ ...input, per_page: 100, request }),
        ]);
        return {
          ...summarizeRun(run.data),
          jobs: jobs.data.jobs.map((job) => ({
            id: job.id,
            name: job.name,
            status: job.status,
            conclusion: job.conclusion,
            failed_steps: (job.steps ?? []).filter((step) => step.conclusion === 'failure').map((step) => step.name),
            steps: job.steps?.length ?? 0,
          })),
        };
      },
    }),
    defineTool({
      name: 'get_job_logs',
      title: 'Get job logs',
      description:
        "Get the end of a workflow job's log (the failure is usually last). tail_lines picks how many lines; output is capped at 30,000 characters.",
      toolset: 'actions',
      tier: 'read',
      annotations: READ,
      input: z.object({
        owner,
        repo,
        job_id: z.number().int().min(1),
        tail_lines: z.number().int().min(1).max(5000).default(200),
      }),
      output: z.object({ job_id: z.number(), lines: z.number(), truncated: z.boolean(), log: z.string() }),
      handler: async (input, ctx) => {
        const response = await github.rest.actions.downloadJobLogsForWorkflowRun({
          owner: input.owner,
          repo: input.repo,
          job_id: input.job_id,
          request: { signal: ctx.signal },
        });
        const text = typeof response.data === 'string' ? response.data : String(response.data);
        const tail = tailLines(text, input.tail_lines);
        const capped = truncateText(tail, {
          limit: LOG_CHAR_LIMIT,
          keep: 'tail',
          hint: 'ask for fewer tail_lines',
        });
        return { job_id: input.job_id, lines: tail.split('\n').length, truncated: capped.truncated, log: capped.text };
      },
      render: (output) => `Job ${output.job_id}, last ${output.lines} lines:\n${output.log}`,
    }),
  ];
}
