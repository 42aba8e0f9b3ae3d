import { describe, expect, it } from 'vitest';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();
const payments = { owner: 'acme', repo: 'payments-api' };

describe('actions', () => {
  it('lists workflow runs, newest first, filtered by branch and status', async () => {
    const { data } = await gh.octokit.rest.actions.listWorkflowRunsForRepo({ ...payments });
    expect(data.total_count).toBe(3);
    expect(data.workflow_runs.map((r) => [r.head_branch, r.conclusion])).toEqual([
      ['feature/idempotency-keys', 'failure'],
      ['main', 'success'],
      ['main', 'success'],
    ]);
    const onMain = await gh.octokit.rest.actions.listWorkflowRunsForRepo({ ...payments, branch: 'main' });
    expect(onMain.data.workflow_runs.map((r) => r.run_number)).toEqual([2, 1]);
    const failed = await gh.octokit.rest.actions.listWorkflowRunsForRepo({ ...payments, status: 'failure' });
    expect(failed.data.workflow_runs.map((r) => r.head_branch)).toEqual(['feature/idempotency-keys']);
  });

  it('gets a run and its jobs', async () => {
    const runs = await gh.octokit.rest.actions.listWorkflowRunsForRepo({ ...payments, status: 'failure' });
    const runId = runs.data.workflow_runs[0]!.id;
    const run = await gh.octokit.rest.actions.getWorkflowRun({ ...payments, run_id: runId });
    expect(run.data).toMatchObject({
      name: 'CI',
      path: '.github/workflows/ci.yml',
      event: 'pull_request',
      status: 'completed',
    });
    const jobs = await gh.octokit.rest.actions.listJobsForWorkflowRun({ ...payments, run_id: runId });
    expect(jobs.data.jobs.map((j) => [j.name, j.conclusion])).toEqual([
      ['build', 'success'],
      ['test', 'failure'],
    ]);
    expect((await failure(gh.octokit.rest.actions.getWorkflowRun({ ...payments, run_id: 1 }))).status).toBe(404);
  });

  it('downloads job logs through the redirect, as GitHub serves them', async () => {
    const runs = await gh.octokit.rest.actions.listWorkflowRunsForRepo({ ...payments, status: 'failure' });
    const jobs = await gh.octokit.rest.actions.listJobsForWorkflowRun({
      ...payments,
      run_id: runs.data.workflow_runs[0]!.id,
    });
    const test = jobs.data.jobs.find((j) => j.name === 'test')!;
    const logs = await gh.octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...payments, job_id: test.id });
    expect(logs.status).toBe(200);
    const text = String(logs.data);
    expect(text.split('\n').length).toBeGreaterThan(250);
    expect(text).toContain('##[error]Process completed with exit code 1.');
    const redirect = gh.fake.requests.find((r) => r.path.endsWith('/logs.txt'));
    expect(redirect?.query.sig).toBeDefined();
    expect(
      (await failure(gh.octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...payments, job_id: 1 }))).status,
    ).toBe(404);
  });

  it('refuses a log download without a valid signature', async () => {
    const response = await fetch(`${gh.fake.url}/_fake/actions-results/acme/payments-api/jobs/1/logs.txt?sig=forged`);
    expect(response.status).toBe(403);
  });
});
