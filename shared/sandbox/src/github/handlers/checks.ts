// What CI reported on a commit: check runs (GitHub Actions and apps) and the older commit statuses.
import { countedPageOf, json, notFound, paginate, queryString } from '../http.ts';
import type { CommitStatus, GitHubState } from '../state.ts';
import { type Operations, operation, repoOf } from './context.ts';

export function checkOperations(state: GitHubState): Operations {
  return {
    'checks/list-for-ref': operation(state, 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs', (c) => {
      const repo = repoOf(c);
      const sha = repo.resolve(c.params.ref!);
      if (!sha) throw notFound();
      const name = queryString(c.http, 'check_name');
      const status = queryString(c.http, 'status');
      const runs = (
        queryString(c.http, 'filter') === 'all'
          ? repo.checkRuns.filter((r) => r.headSha === sha)
          : repo.latestCheckRuns(sha)
      )
        .filter((r) => (name === undefined || r.name === name) && (status === undefined || r.status === status))
        .reverse();
      return countedPageOf(c.http, 'check_runs', runs, (r) => c.render.checkRun(repo, r));
    }),

    'repos/get-combined-status-for-ref': operation(state, 'GET /repos/{owner}/{repo}/commits/{ref}/status', (c) => {
      const repo = repoOf(c);
      const sha = repo.resolve(c.params.ref!);
      if (!sha) throw notFound();
      // The newest status per context counts, as on GitHub.
      const latest = new Map<string, CommitStatus>();
      for (const status of repo.statuses.filter((s) => s.sha === sha)) latest.set(status.context, status);
      const statuses = [...latest.values()];
      const url = `${c.http.baseUrl}/repos/${repo.fullName}/commits/${sha}`;
      const page = paginate(c.http, statuses);
      return json(
        200,
        {
          state: combinedState(statuses),
          statuses: page.items.map((s) => ({
            url: `${c.http.baseUrl}/repos/${repo.fullName}/statuses/${sha}`,
            avatar_url: 'https://avatars.githubusercontent.com/u/9919?v=4',
            id: s.id,
            node_id: `SC_kwDO${s.id}`,
            state: s.state,
            description: s.description,
            target_url: s.targetUrl,
            context: s.context,
            created_at: s.createdAt,
            updated_at: s.createdAt,
          })),
          sha,
          total_count: statuses.length,
          repository: c.render.repo(repo),
          commit_url: url,
          url: `${url}/status`,
        },
        page.headers,
      );
    }),
  };
}

/** failure if any status failed or errored, pending if any is pending or there are none, else success. */
function combinedState(statuses: CommitStatus[]): string {
  if (statuses.some((s) => s.state === 'failure' || s.state === 'error')) return 'failure';
  if (statuses.length === 0 || statuses.some((s) => s.state === 'pending')) return 'pending';
  return 'success';
}
