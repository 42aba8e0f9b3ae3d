// GitHub Actions: workflow runs, their jobs, and job logs (a redirect to a signed download URL, as on GitHub).
import { createHash } from 'node:crypto';
import type { Handler } from '../../server.ts';
import { countedPageOf, json, notFound, queryString } from '../http.ts';
import type { GitHubState, Repo, WorkflowRun } from '../state.ts';
import { type GitHubContext, type Operations, operation, repoOf } from './context.ts';

/** Where the fake serves log downloads; GitHub serves them from another host, outside the REST API. */
export const LOG_DOWNLOAD_ROUTE = 'GET /_fake/actions-results/{owner}/{repo}/jobs/{job_id}/logs.txt';

const CONCLUSIONS = new Set([
  'success',
  'failure',
  'neutral',
  'cancelled',
  'skipped',
  'timed_out',
  'action_required',
  'stale',
]);

export function actionOperations(state: GitHubState): Operations {
  return {
    'actions/list-workflow-runs-for-repo': operation(state, 'GET /repos/{owner}/{repo}/actions/runs', (c) => {
      const repo = repoOf(c);
      const branch = queryString(c.http, 'branch');
      const status = queryString(c.http, 'status');
      const event = queryString(c.http, 'event');
      const actor = queryString(c.http, 'actor');
      const headSha = queryString(c.http, 'head_sha');
      const runs = repo.workflowRuns
        .filter(
          (r) =>
            (branch === undefined || r.headBranch === branch) &&
            (event === undefined || r.event === event) &&
            (actor === undefined || r.actor === actor) &&
            (headSha === undefined || r.headSha === headSha) &&
            (status === undefined || (CONCLUSIONS.has(status) ? r.conclusion === status : r.status === status)),
        )
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id));
      return countedPageOf(c.http, 'workflow_runs', runs, (r) => c.render.workflowRun(repo, r));
    }),

    'actions/get-workflow-run': operation(state, 'GET /repos/{owner}/{repo}/actions/runs/{run_id}', (c) => {
      const repo = repoOf(c);
      return json(200, c.render.workflowRun(repo, runOf(c, repo)));
    }),

    'actions/list-jobs-for-workflow-run': operation(
      state,
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
      (c) => {
        const repo = repoOf(c);
        const run = runOf(c, repo);
        return countedPageOf(c.http, 'jobs', run.jobs, (j) => c.render.job(repo, run, j));
      },
    ),

    'actions/download-job-logs-for-workflow-run': operation(
      state,
      'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
      (c) => {
        const repo = repoOf(c);
        const jobId = Number(c.params.job_id);
        if (!repo.workflowRuns.some((r) => r.jobs.some((j) => j.id === jobId))) throw notFound();
        const path = LOG_DOWNLOAD_ROUTE.slice('GET '.length)
          .replace('{owner}', repo.owner.login)
          .replace('{repo}', repo.name)
          .replace('{job_id}', String(jobId));
        return { status: 302, headers: { location: `${c.http.baseUrl}${path}?sig=${signature(repo, jobId)}` } };
      },
    ),
  };
}

/** Serves the log text behind the redirect; the signature stands in for credentials, as on GitHub. */
export function logDownload(state: GitHubState): Handler {
  return ({ request }) => {
    const repo = state.findRepo(`${request.params.owner}/${request.params.repo}`);
    const jobId = Number(request.params.job_id);
    const job = repo?.workflowRuns.flatMap((r) => r.jobs).find((j) => j.id === jobId);
    if (!repo || !job || request.query.sig !== signature(repo, jobId)) {
      return {
        status: 403,
        headers: { 'content-type': 'application/xml' },
        body: '<Error><Code>AuthenticationFailed</Code></Error>',
      };
    }
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: job.log };
  };
}

function runOf(c: GitHubContext, repo: Repo): WorkflowRun {
  const run = repo.workflowRuns.find((r) => r.id === Number(c.params.run_id));
  if (!run) throw notFound();
  return run;
}

function signature(repo: Repo, jobId: number): string {
  return createHash('sha256').update(`${repo.id}:${jobId}`).digest('hex').slice(0, 32);
}
