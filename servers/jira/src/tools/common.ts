import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor, ToolError, truncateText } from '@idp-mcp/core';
import { findUsers, searchAndReconsileIssuesUsingJql } from 'jira.js/cloud';
import * as z from 'zod';
import { adfToText } from '../adf.ts';
import type { Jira } from '../jira.ts';

export const issueKey = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*-\d+$/, { error: 'must be an issue key like "PAY-123"' })
  .transform((key) => key.toUpperCase())
  .describe('Issue key, e.g. "PAY-123".');

export const projectKey = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{1,9}$/, { error: 'must be a project key like "PAY" (letters and digits, 2-10)' })
  .transform((key) => key.toUpperCase())
  .describe('Project key, e.g. "PAY".');

export const markdown = (what: string) =>
  z.string().min(1).max(32_000).describe(`${what} in Markdown or plain text (converted to Atlassian Document Format).`);

/** The compact field set every issue list returns. */
export const COMPACT_FIELDS = ['summary', 'status', 'assignee', 'priority', 'updated', 'issuetype'];

export const issueSummary = z.object({
  key: z.string(),
  summary: z.string(),
  status: z.string(),
  type: z.string(),
  priority: z.string().nullable(),
  assignee: z.string().nullable(),
  updated: z.string(),
});

/** jira.js turns timestamps into Dates; outputs carry ISO strings. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return value === undefined || value === null ? '' : String(value);
}

type Named = { name?: string; displayName?: string } | null | undefined;

export function summarizeIssue(issue: { key?: string; fields?: Record<string, unknown> }) {
  const fields = issue.fields ?? {};
  const name = (value: unknown) => (value as Named)?.name ?? null;
  return {
    key: issue.key ?? '',
    summary: String(fields.summary ?? ''),
    status: name(fields.status) ?? '',
    type: name(fields.issuetype) ?? '',
    priority: name(fields.priority),
    assignee: (fields.assignee as Named)?.displayName ?? null,
    updated: iso(fields.updated),
  };
}

/** A document's text, capped. */
export function documentText(document: unknown, limit: number, hint: string): string | null {
  if (document === null || document === undefined) return null;
  return truncateText(adfToText(document), { limit, hint }).text;
}

/**
 * One page of an enhanced JQL search (`/rest/api/3/search/jql`). Jira pages it with an opaque nextPageToken, which
 * our cursor carries together with a digest of the JQL it belongs to, so a cursor cannot be replayed against another
 * query (and a long query does not make every cursor long).
 */
export async function searchPage(
  jira: Jira,
  signal: AbortSignal,
  tool: string,
  jql: string,
  limit: number,
  cursor: string | undefined,
) {
  const digest = createHash('sha256').update(jql).digest('base64url').slice(0, 16);
  const position = decodeCursor<{ token: string; q: string }>(tool, cursor, { token: 'string', q: 'string' });
  if (position && position.q !== digest) {
    throw new ToolError('invalid_request', 'cursor: this cursor belongs to a different query', {
      hint: 'repeat the call with the same arguments as the call that returned the cursor, or omit cursor',
    });
  }
  const result = await searchAndReconsileIssuesUsingJql(jira.client(signal), {
    jql,
    fields: COMPACT_FIELDS,
    maxResults: limit,
    ...(position ? { nextPageToken: position.token } : {}),
  });
  return {
    issues: (result.issues ?? []).map(summarizeIssue),
    nextCursor: result.nextPageToken ? encodeCursor(tool, { token: result.nextPageToken, q: digest }) : undefined,
  };
}

const ACCOUNT_ID = /^(\d+:[0-9a-f-]{8,}|[0-9a-f]{24})$/i;

/**
 * A user given as an account id, an email address or a name, resolved to one account id. Zero or several matches
 * are an `invalid_request` naming `field`, listing the candidates.
 */
export async function resolveAccountId(jira: Jira, signal: AbortSignal, field: string, who: string): Promise<string> {
  if (ACCOUNT_ID.test(who)) return who;
  const users = await findUsers(jira.client(signal), { query: who, maxResults: 10 });
  const active = users.filter((user) => user.active !== false && user.accountId);
  const exact = active.filter(
    (user) =>
      user.emailAddress?.toLowerCase() === who.toLowerCase() || user.displayName?.toLowerCase() === who.toLowerCase(),
  );
  const candidates = exact.length > 0 ? exact : active;
  if (candidates.length === 1) return candidates[0]!.accountId!;
  if (candidates.length === 0) {
    throw new ToolError('invalid_request', `${field}: no active Jira user matches "${who}"`, {
      hint: 'pass an account id, an email address or a full name; find_users lists matching users',
    });
  }
  throw new ToolError(
    'invalid_request',
    `${field}: "${who}" matches ${candidates.length} users: ${candidates
      .map((user) => `${user.displayName} (${user.accountId})`)
      .join(', ')}`,
    { hint: `pass one of the account ids as ${field}` },
  );
}

/** Jira pages with startAt; the cursor carries the next one. */
export function startAtPage(tool: string, limit: number, cursor: string | undefined) {
  const position = decodeCursor<{ startAt: number; maxResults: number }>(tool, cursor, {
    startAt: 'number',
    maxResults: 'number',
  });
  return position ? { startAt: position.startAt, maxResults: position.maxResults } : { startAt: 0, maxResults: limit };
}

export function nextStartAt(
  tool: string,
  page: { startAt: number; maxResults: number },
  returned: number,
  isLast?: boolean,
) {
  if (isLast !== false || returned === 0) return undefined;
  return encodeCursor(tool, { startAt: page.startAt + returned, maxResults: page.maxResults });
}
