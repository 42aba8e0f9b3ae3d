// Pull requests: open, list, get, merge, changed files.
import { created, httpError, json, pageOf, queryString, sortBy, validationFailed } from '../http.ts';
import { lineStats } from '../render.ts';
import type { GitHubState, Issue, Repo } from '../state.ts';
import { type Operations, operation, pullOf, repoOf, requireWrite, stringField } from './context.ts';

export function pullOperations(state: GitHubState): Operations {
  return {
    'pulls/list': operation(state, 'GET /repos/{owner}/{repo}/pulls', (c) => {
      const repo = repoOf(c);
      const wanted = queryString(c.http, 'state') ?? 'open';
      const head = queryString(c.http, 'head');
      const base = queryString(c.http, 'base');
      const pulls = repo
        .pullRequests()
        .filter((i) => wanted === 'all' || i.state === wanted)
        .filter((i) => head === undefined || `${repo.owner.login}:${i.pull!.head}` === head || i.pull!.head === head)
        .filter((i) => base === undefined || i.pull!.base === base);
      const sort = queryString(c.http, 'sort') ?? 'created';
      const key = sort === 'updated' ? (i: Issue) => i.updatedAt : (i: Issue) => i.createdAt;
      const sorted = sortBy(
        pulls,
        (i) => `${key(i)}#${String(i.number).padStart(8, '0')}`,
        queryString(c.http, 'direction'),
      );
      return pageOf(c.http, sorted, (i) => c.render.pull(repo, i, false));
    }),

    'pulls/create': operation(state, 'POST /repos/{owner}/{repo}/pulls', (c) => {
      const repo = repoOf(c);
      requireWrite(c, repo);
      const head = (stringField(c.body, 'head') ?? '').replace(new RegExp(`^${repo.owner.login}:`, 'i'), '');
      const base = stringField(c.body, 'base') ?? '';
      const headSha = repo.branch(head);
      const baseSha = repo.branch(base);
      if (!headSha) throw validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
      if (!baseSha) throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      const duplicate = repo
        .pullRequests()
        .find((i) => i.state === 'open' && i.pull!.head === head && i.pull!.base === base);
      if (duplicate) {
        const message = `A pull request already exists for ${repo.owner.login}:${head}.`;
        throw validationFailed([{ resource: 'PullRequest', code: 'custom', message }]);
      }
      if (repo.git.isAncestor(headSha, baseSha)) {
        const message = `No commits between ${base} and ${head}`;
        throw validationFailed([{ resource: 'PullRequest', code: 'custom', message }]);
      }
      const issue = repo.openPullRequest({
        title: stringField(c.body, 'title') ?? '',
        body: stringField(c.body, 'body') ?? null,
        head,
        base,
        user: c.login,
        draft: c.body.draft === true,
      });
      return created(c.render.pull(repo, issue, true));
    }),

    'pulls/get': operation(state, 'GET /repos/{owner}/{repo}/pulls/{pull_number}', (c) => {
      const repo = repoOf(c);
      return json(200, c.render.pull(repo, pullOf(c, repo), true));
    }),

    'pulls/update': operation(state, 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}', (c) => {
      const repo = repoOf(c);
      requireWrite(c, repo);
      const issue = pullOf(c, repo);
      const title = stringField(c.body, 'title');
      const body = stringField(c.body, 'body');
      const wanted = stringField(c.body, 'state');
      if (wanted !== undefined && wanted !== issue.state && !issue.pull!.merged) {
        const now = state.now();
        const headSha = repo.branch(issue.pull!.head);
        if (wanted === 'open' && !headSha) {
          throw validationFailed([{ resource: 'PullRequest', field: 'state', code: 'invalid' }]);
        }
        Object.assign(issue.pull!, { closedHeadSha: wanted === 'closed' ? (headSha ?? null) : null });
        Object.assign(issue, { state: wanted, closedAt: wanted === 'closed' ? now : null });
      }
      Object.assign(issue, {
        ...(title !== undefined ? { title } : {}),
        ...(body !== undefined ? { body } : {}),
        updatedAt: state.now(),
      });
      return json(200, c.render.pull(repo, issue, true));
    }),

    'pulls/merge': operation(state, 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', (c) => {
      const repo = repoOf(c);
      requireWrite(c, repo);
      const issue = pullOf(c, repo);
      if (issue.state !== 'open') throw httpError(405, 'Pull Request is not mergeable');
      const headSha = repo.branch(issue.pull!.head);
      const expected = stringField(c.body, 'sha');
      if (expected !== undefined && expected !== headSha) {
        throw httpError(409, 'Head branch was modified. Review and try the merge again.');
      }
      if (issue.pull!.draft) throw httpError(405, 'Pull Request is still a draft');
      const check = repo.mergeCheck(issue);
      if (!check.mergeable) throw httpError(405, 'Pull Request is not mergeable');
      // Branch protection's refusal, e.g. `Required status check "test" is failing.`
      if (check.state === 'blocked') throw httpError(405, check.reason);
      const method = (stringField(c.body, 'merge_method') ?? 'merge') as 'merge' | 'squash' | 'rebase';
      const commit = repo.merge(issue, method, mergeMessage(repo, issue, method, c.body), c.login);
      return json(200, { sha: commit.sha, merged: true, message: 'Pull Request successfully merged' });
    }),

    'pulls/list-files': operation(state, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files', (c) => {
      const repo = repoOf(c);
      const issue = pullOf(c, repo);
      const headSha = repo.headSha(issue);
      return pageOf(c.http, repo.pullRequestChanges(issue), (change) => {
        const before = repo.git.text(change.before);
        const after = repo.git.text(change.after);
        const { additions, deletions } = lineStats(before, after);
        const encoded = change.path.split('/').map(encodeURIComponent).join('/');
        return {
          sha: change.after ?? change.before,
          filename: change.path,
          status: change.status,
          additions,
          deletions,
          changes: additions + deletions,
          blob_url: `https://github.com/${repo.fullName}/blob/${headSha}/${encoded}`,
          raw_url: `https://github.com/${repo.fullName}/raw/${headSha}/${encoded}`,
          contents_url: `${c.http.baseUrl}/repos/${repo.fullName}/contents/${encoded}?ref=${headSha}`,
          patch: unifiedPatch(before, after),
        };
      });
    }),
  };
}

function mergeMessage(repo: Repo, issue: Issue, method: string, body: Record<string, unknown>): string {
  const title =
    stringField(body, 'commit_title') ??
    (method === 'merge'
      ? `Merge pull request #${issue.number} from ${repo.owner.login}/${issue.pull!.head}`
      : `${issue.title} (#${issue.number})`);
  const message = stringField(body, 'commit_message') ?? (method === 'merge' ? issue.title : '');
  return message ? `${title}\n\n${message}` : title;
}

/** One hunk covering the changed middle of the file (common leading and trailing lines are context). */
export function unifiedPatch(before: string, after: string): string {
  const split = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const old = split(before);
  const now = split(after);
  let start = 0;
  while (start < old.length && start < now.length && old[start] === now[start]) start++;
  let end = 0;
  while (
    end < old.length - start &&
    end < now.length - start &&
    old[old.length - 1 - end] === now[now.length - 1 - end]
  )
    end++;
  const removed = old.slice(start, old.length - end);
  const added = now.slice(start, now.length - end);
  const from = removed.length === 0 ? start : start + 1;
  const to = added.length === 0 ? start : start + 1;
  const lines = [`@@ -${from},${removed.length} +${to},${added.length} @@`];
  lines.push(...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`));
  return lines.join('\n');
}
