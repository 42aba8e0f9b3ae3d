import { defineTool, listArgs, nextCursorField, READ, truncateText, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { type GitHub, nextPageCursor, pageRequest } from '../github.ts';
import { number, owner, repo } from './args.ts';

const BODY_LIMIT = 4000;
const COMMENT_LIMIT = 1500;

const issueSummary = z.object({
  number: z.number(),
  title: z.string(),
  state: z.string(),
  is_pull_request: z.boolean(),
  author: z.string().nullable(),
  labels: z.array(z.string()),
  assignees: z.array(z.string()),
  comments: z.number(),
  updated_at: z.string(),
  html_url: z.string(),
  repository: z.string().optional(),
});

interface IssueLike {
  number: number;
  title: string;
  state: string;
  pull_request?: unknown;
  user: { login: string } | null;
  labels: Array<string | { name?: string }>;
  assignees?: Array<{ login: string }> | null;
  comments: number;
  updated_at: string;
  html_url: string;
  repository_url?: string;
}

function summarizeIssue(issue: IssueLike) {
  return {
    number: issue.number,
    title: issue.title,
    state: issue.state,
    is_pull_request: issue.pull_request !== undefined && issue.pull_request !== null,
    author: issue.user?.login ?? null,
    labels: issue.labels.map((label) => (typeof label === 'string' ? label : (label.name ?? ''))).filter(Boolean),
    assignees: (issue.assignees ?? []).map((assignee) => assignee.login),
    comments: issue.comments,
    updated_at: issue.updated_at,
    html_url: issue.html_url,
    ...(issue.repository_url ? { repository: issue.repository_url.split('/repos/')[1] } : {}),
  };
}

const cap = (text: string | null | undefined, limit: number) =>
  text ? truncateText(text, { limit, hint: 'open html_url for the full text' }).text : null;

export function issueTools(github: GitHub) {
  return [
    defineTool({
      name: 'list_issues',
      title: 'List issues',
      description: 'List issues of a repository (pull requests excluded), most recently updated first.',
      toolset: 'issues',
      tier: 'read',
      annotations: READ,
      input: z.object({
        owner,
        repo,
        state: z.enum(['open', 'closed', 'all']).default('open'),
        labels: z.array(z.string()).optional().describe('Only issues with all of these labels.'),
        assignee: z.string().optional().describe('A login, "none" or "*".'),
        ...listArgs,
      }),
      output: z.object({ issues: z.array(issueSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const page = pageRequest('list_issues', input.limit, input.cursor);
        const response = await github.rest.issues.listForRepo({
          owner: input.owner,
          repo: input.repo,
          state: input.state,
          sort: 'updated',
          ...(input.labels?.length ? { labels: input.labels.join(',') } : {}),
          ...(input.assignee ? { assignee: input.assignee } : {}),
          ...page,
          request: { signal: ctx.signal },
        });
        return {
          issues: response.data.filter((issue) => !issue.pull_request).map(summarizeIssue),
          nextCursor: nextPageCursor('list_issues', page, response.headers.link),
        };
      },
    }),
    defineTool({
      name: 'search_issues',
      title: 'Search issues and pull requests',
      description:
        'Search issues and pull requests across repositories with GitHub search syntax, e.g. "repo:acme/payments-api is:open label:bug" or "org:acme is:pr author:alice".',
      toolset: 'issues',
      tier: 'read',
      annotations: READ,
      input: z.object({ query: z.string().min(1).describe('GitHub issue search query.'), ...listArgs }),
      output: z.object({ total_count: z.number(), issues: z.array(issueSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const page = pageRequest('search_issues', input.limit, input.cursor);
        const response = await github.rest.search.issuesAndPullRequests({
          q: input.query,
          ...page,
          request: { signal: ctx.signal },
        });
        return {
          total_count: response.data.total_count,
          issues: response.data.items.map(summarizeIssue),
          nextCursor: nextPageCursor('search_issues', page, response.headers.link),
        };
      },
    }),
    defineTool({
      name: 'get_issue',
      title: 'Get issue',
      description: 'Get one issue or pull request conversation: its body and the latest comments (each trimmed).',
      toolset: 'issues',
      tier: 'read',
      annotations: READ,
      input: z.object({
        owner,
        repo,
        issue_number: number,
        comments: z.number().int().min(0).max(50).default(10).describe('How many of the latest comments to include.'),
      }),
      output: issueSummary.extend({
        body: z.string().nullable(),
        latest_comments: z.array(
          z.object({ author: z.string().nullable(), created_at: z.string(), body: z.string().nullable() }),
        ),
      }),
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const where = { owner: input.owner, repo: input.repo, issue_number: input.issue_number, request };
        const { data: issue } = await github.rest.issues.get(where);
        let latest: Array<{ author: string | null; created_at: string; body: string | null }> = [];
        if (input.comments > 0 && issue.comments > 0) {
          const lastPage = Math.ceil(issue.comments / input.comments);
          const pages = await Promise.all(
            [lastPage - 1, lastPage]
              .filter((page) => page >= 1)
              .map((page) => github.rest.issues.listComments({ ...where, per_page: input.comments, page })),
          );
          latest = pages
            .flatMap((response) => response.data)
            .slice(-input.comments)
            .map((comment) => ({
              author: comment.user?.login ?? null,
              created_at: comment.created_at,
              body: cap(comment.body, COMMENT_LIMIT),
            }));
        }
        return { ...summarizeIssue(issue), body: cap(issue.body, BODY_LIMIT), latest_comments: latest };
      },
    }),
    defineTool({
      name: 'create_issue',
      title: 'Create issue',
      description: 'Open an issue with a Markdown body, labels and assignees.',
      toolset: 'issues',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        owner,
        repo,
        title: z.string().min(1).max(256),
        body: z.string().max(65_536).optional(),
        labels: z.array(z.string()).optional(),
        assignees: z.array(z.string()).optional(),
      }),
      output: issueSummary,
      handler: async (input, ctx) => {
        const { data } = await github.rest.issues.create({ ...input, request: { signal: ctx.signal } });
        return summarizeIssue(data);
      },
    }),
    defineTool({
      name: 'add_issue_comment',
      title: 'Comment on issue or pull request',
      description: 'Add a Markdown comment to an issue or a pull request conversation.',
      toolset: 'issues',
      tier: 'write',
      annotations: WRITE,
      input: z.object({ owner, repo, issue_number: number, body: z.string().min(1).max(65_536) }),
      output: z.object({ id: z.number(), html_url: z.string() }),
      handler: async (input, ctx) => {
        const { data } = await github.rest.issues.createComment({ ...input, request: { signal: ctx.signal } });
        return { id: data.id, html_url: data.html_url };
      },
    }),
  ];
}
