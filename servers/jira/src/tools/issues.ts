import { defineTool, listArgs, nextCursorField, READ, ToolError, WRITE } from '@idp-mcp/core';
import { addComment, assignIssue, createIssue, editIssue, getComments, getIssue } from 'jira.js/cloud';
import * as z from 'zod';
import { markdownToAdf } from '../adf.ts';
import type { Jira } from '../jira.ts';
import {
  documentText,
  iso,
  issueKey,
  issueSummary,
  markdown,
  projectKey,
  resolveAccountId,
  searchPage,
  summarizeIssue,
} from './common.ts';

const DESCRIPTION_LIMIT = 4000;
const COMMENT_LIMIT = 1500;
const SPRINT_FIELD = 'customfield_10020';

const label = z
  .string()
  .regex(/^\S{1,255}$/, { error: 'labels cannot contain spaces (use e.g. "payments-api")' })
  .describe('A label without spaces.');

const priority = z
  .enum(['Highest', 'High', 'Medium', 'Low', 'Lowest'])
  .describe('Priority name (the default Jira scheme).');

const user = (what: string) =>
  z.string().min(2).describe(`${what}: an account id, an email address or a full name (looked up).`);

export function issueTools(jira: Jira) {
  return [
    defineTool({
      name: 'search_issues',
      title: 'Search issues (JQL)',
      description:
        "Search issues with JQL, e.g. 'project = PAY AND status != Done AND assignee = currentUser() ORDER BY updated DESC' (a restriction is required). Returns key, summary, status, type, priority, assignee, updated.",
      toolset: 'issues',
      tier: 'read',
      annotations: READ,
      input: z.object({
        jql: z
          .string()
          .min(1)
          .max(4000)
          .describe('A JQL query with at least one restriction (project, assignee, ...).'),
        ...listArgs,
      }),
      output: z.object({ issues: z.array(issueSummary), nextCursor: nextCursorField }),
      handler: (input, ctx) => searchPage(jira, ctx.signal, 'search_issues', input.jql, input.limit, input.cursor),
    }),
    defineTool({
      name: 'get_issue',
      title: 'Get issue',
      description:
        'Get one issue: fields, description and the latest comments as text (each trimmed), sprint and labels.',
      toolset: 'issues',
      tier: 'read',
      annotations: READ,
      input: z.object({
        key: issueKey,
        comments: z.number().int().min(0).max(20).default(5).describe('How many of the latest comments to include.'),
      }),
      output: issueSummary.extend({
        url: z.string(),
        project: z.string(),
        reporter: z.string().nullable(),
        parent: z.string().nullable().describe('Parent issue key (epic or parent task).'),
        labels: z.array(z.string()),
        created: z.string(),
        sprint: z.string().nullable(),
        description: z.string().nullable(),
        comments_total: z.number(),
        latest_comments: z.array(z.object({ author: z.string().nullable(), created: z.string(), body: z.string() })),
      }),
      handler: async (input, ctx) => {
        const client = jira.client(ctx.signal);
        const issue = await getIssue(client, {
          issueIdOrKey: input.key,
          fields: [
            'summary',
            'status',
            'issuetype',
            'priority',
            'assignee',
            'reporter',
            'labels',
            'created',
            'updated',
            'project',
            'parent',
            'description',
            SPRINT_FIELD,
          ],
        });
        const fields = issue.fields ?? {};
        const comments =
          input.comments > 0
            ? await getComments(client, { issueIdOrKey: input.key, orderBy: '-created', maxResults: input.comments })
            : undefined;
        const sprints = (fields[SPRINT_FIELD] ?? []) as Array<{ name?: string; state?: string }>;
        const sprint = sprints.find((s) => s.state === 'active') ?? sprints.at(-1);
        return {
          ...summarizeIssue(issue),
          url: jira.browseUrl(issue.key ?? input.key),
          project: (fields.project as { key?: string } | undefined)?.key ?? '',
          reporter: (fields.reporter as { displayName?: string } | null)?.displayName ?? null,
          parent: (fields.parent as { key?: string } | undefined)?.key ?? null,
          labels: (fields.labels ?? []) as string[],
          created: iso(fields.created),
          sprint: sprint?.name ?? null,
          description: documentText(fields.description, DESCRIPTION_LIMIT, `open ${jira.browseUrl(input.key)}`),
          comments_total: comments?.total ?? 0,
          latest_comments: (comments?.comments ?? []).reverse().map((comment) => ({
            author: comment.author?.displayName ?? null,
            created: iso(comment.created),
            body: documentText(comment.body, COMMENT_LIMIT, 'open the issue for the full comment') ?? '',
          })),
        };
      },
    }),
    defineTool({
      name: 'create_issue',
      title: 'Create issue',
      description:
        'Create an issue in a project; the description is Markdown. Assignee may be an account id, email or name.',
      toolset: 'issues',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        project: projectKey,
        type: z.string().min(1).default('Task').describe('Issue type name: Task, Bug, Story, Epic, ...'),
        summary: z.string().min(1).max(255).describe('One-line title (max 255 characters).'),
        description: markdown('Description').optional(),
        labels: z.array(label).max(20).optional(),
        priority: priority.optional(),
        assignee: user('Assignee').optional(),
        parent: issueKey.optional().describe('Parent issue key: an epic, or the issue a sub-task belongs to.'),
      }),
      output: z.object({ key: z.string(), id: z.string(), url: z.string() }),
      handler: async (input, ctx) => {
        const assignee = input.assignee
          ? await resolveAccountId(jira, ctx.signal, 'assignee', input.assignee)
          : undefined;
        const created = await createIssue(jira.client(ctx.signal), {
          fields: {
            project: { key: input.project },
            issuetype: { name: input.type },
            summary: input.summary,
            ...(input.description ? { description: markdownToAdf(input.description) } : {}),
            ...(input.labels ? { labels: input.labels } : {}),
            ...(input.priority ? { priority: { name: input.priority } } : {}),
            ...(assignee ? { assignee: { accountId: assignee } } : {}),
            ...(input.parent ? { parent: { key: input.parent } } : {}),
          },
        });
        return { key: created.key ?? '', id: created.id ?? '', url: jira.browseUrl(created.key ?? '') };
      },
    }),
    defineTool({
      name: 'update_issue',
      title: 'Update issue fields',
      description:
        "Change an issue's summary, description (Markdown), priority or labels (replace, add or remove). Status changes use transition_issue.",
      toolset: 'issues',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        key: issueKey,
        summary: z.string().min(1).max(255).optional(),
        description: markdown('New description').optional(),
        priority: priority.optional(),
        labels: z.array(label).max(20).optional().describe('Replace all labels with these.'),
        add_labels: z.array(label).max(20).optional(),
        remove_labels: z.array(label).max(20).optional(),
      }),
      output: z.object({ key: z.string(), updated: z.array(z.string()), url: z.string() }),
      handler: async (input, ctx) => {
        const { key, add_labels, remove_labels, ...rest } = input;
        if (input.labels && (add_labels || remove_labels)) {
          throw new ToolError('invalid_request', 'labels: give either labels (replace) or add_labels/remove_labels', {
            hint: 'drop labels, or drop add_labels and remove_labels',
          });
        }
        const fields: Record<string, unknown> = {};
        if (rest.summary !== undefined) fields.summary = rest.summary;
        if (rest.description !== undefined) fields.description = markdownToAdf(rest.description);
        if (rest.priority !== undefined) fields.priority = { name: rest.priority };
        if (rest.labels !== undefined) fields.labels = rest.labels;
        const labelOps = [
          ...(add_labels ?? []).map((value) => ({ add: value })),
          ...(remove_labels ?? []).map((value) => ({ remove: value })),
        ];
        const updated = [...Object.keys(fields), ...(labelOps.length ? ['labels'] : [])];
        if (updated.length === 0) {
          throw new ToolError('invalid_request', 'nothing to update: give at least one field', {
            hint: 'set summary, description, priority, labels, add_labels or remove_labels',
          });
        }
        await editIssue(jira.client(ctx.signal), {
          issueIdOrKey: key,
          fields,
          ...(labelOps.length ? { update: { labels: labelOps } } : {}),
        });
        return { key, updated, url: jira.browseUrl(key) };
      },
    }),
    defineTool({
      name: 'assign_issue',
      title: 'Assign issue',
      description: 'Assign an issue to a user (account id, email or name), or unassign it with "none".',
      toolset: 'issues',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ key: issueKey, assignee: user('Assignee, or "none" to unassign') }),
      output: z.object({ key: z.string(), assignee_account_id: z.string().nullable() }),
      handler: async (input, ctx) => {
        if (input.assignee.toLowerCase() === 'none') {
          // Unassigning goes through the edit endpoint: the assign endpoint's published body types accountId as a string.
          await editIssue(jira.client(ctx.signal), { issueIdOrKey: input.key, fields: { assignee: null } });
          return { key: input.key, assignee_account_id: null };
        }
        const accountId = await resolveAccountId(jira, ctx.signal, 'assignee', input.assignee);
        await assignIssue(jira.client(ctx.signal), { issueIdOrKey: input.key, accountId });
        return { key: input.key, assignee_account_id: accountId };
      },
    }),
    defineTool({
      name: 'add_comment',
      title: 'Comment on issue',
      description: 'Add a comment (Markdown) to an issue.',
      toolset: 'issues',
      tier: 'write',
      annotations: WRITE,
      input: z.object({ key: issueKey, body: markdown('Comment') }),
      output: z.object({ id: z.string(), created: z.string(), url: z.string() }),
      handler: async (input, ctx) => {
        const comment = await addComment(jira.client(ctx.signal), {
          issueIdOrKey: input.key,
          body: markdownToAdf(input.body),
        });
        const id = comment.id ?? '';
        return {
          id,
          created: iso(comment.created),
          url: `${jira.browseUrl(input.key)}?focusedCommentId=${id}`,
        };
      },
    }),
  ];
}
