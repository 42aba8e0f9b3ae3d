// Issues and their comments. Like GitHub, issue lists include pull requests (they share one numbering).
import { created, json, pageOf, queryString, sortBy, validationFailed } from '../http.ts';
import type { GitHubState, Issue } from '../state.ts';
import { issueOf, type Operations, operation, repoOf, stringField } from './context.ts';

export function issueOperations(state: GitHubState): Operations {
  return {
    'issues/create': operation(state, 'POST /repos/{owner}/{repo}/issues', (c) => {
      const repo = repoOf(c);
      const title = c.body.title;
      if (title === undefined || title === '') {
        throw validationFailed([{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
      }
      const assignees = [...((c.body.assignees ?? []) as string[]), ...[stringField(c.body, 'assignee') ?? []].flat()];
      const unknown = assignees.find((login) => !c.state.account(login));
      if (unknown) {
        throw validationFailed([{ resource: 'Issue', code: 'invalid', field: 'assignees', message: unknown }]);
      }
      const labels = ((c.body.labels ?? []) as (string | { name?: string })[]).map((l) =>
        typeof l === 'string' ? l : (l.name ?? ''),
      );
      const issue = repo.openIssue({
        title: String(title),
        body: stringField(c.body, 'body') ?? null,
        user: c.login,
        labels,
        assignees,
      });
      return created(c.render.issue(repo, issue));
    }),

    'issues/list-for-repo': operation(state, 'GET /repos/{owner}/{repo}/issues', (c) => {
      const repo = repoOf(c);
      const wanted = queryString(c.http, 'state') ?? 'open';
      const labels = queryString(c.http, 'labels')?.split(',').filter(Boolean) ?? [];
      const creator = queryString(c.http, 'creator');
      const assignee = queryString(c.http, 'assignee');
      const issues = repo.issues.filter(
        (i) =>
          (wanted === 'all' || i.state === wanted) &&
          labels.every((l) => i.labels.includes(l)) &&
          (creator === undefined || i.user === creator) &&
          (assignee === undefined ||
            (assignee === '*'
              ? i.assignees.length > 0
              : assignee === 'none'
                ? i.assignees.length === 0
                : i.assignees.includes(assignee))),
      );
      const sort = queryString(c.http, 'sort') ?? 'created';
      const key =
        sort === 'updated'
          ? (i: Issue) => i.updatedAt
          : sort === 'comments'
            ? (i: Issue) => i.comments.length
            : (i: Issue) => i.createdAt;
      const sorted = sortBy(
        issues,
        (i) => `${key(i)}`.padStart(20, '0') + String(i.number).padStart(8, '0'),
        queryString(c.http, 'direction'),
      );
      return pageOf(c.http, sorted, (i) => c.render.issue(repo, i));
    }),

    'issues/get': operation(state, 'GET /repos/{owner}/{repo}/issues/{issue_number}', (c) => {
      const repo = repoOf(c);
      const issue = issueOf(c, repo);
      // Only the single-issue view says who closed it (for a merged pull request: who merged it).
      const closedBy = issue.state === 'closed' && issue.pull?.mergedBy ? c.render.user(issue.pull.mergedBy) : null;
      return json(200, { ...c.render.issue(repo, issue), closed_by: closedBy });
    }),

    'issues/create-comment': operation(state, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', (c) => {
      const repo = repoOf(c);
      const issue = issueOf(c, repo);
      const body = stringField(c.body, 'body');
      if (!body) throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      return created(c.render.comment(repo, issue, repo.addComment(issue, body, c.login)));
    }),

    'issues/list-comments': operation(state, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', (c) => {
      const repo = repoOf(c);
      const issue = issueOf(c, repo);
      const since = queryString(c.http, 'since');
      const comments = issue.comments.filter((comment) => since === undefined || comment.updatedAt >= since);
      return pageOf(c.http, comments, (comment) => c.render.comment(repo, issue, comment));
    }),
  };
}
