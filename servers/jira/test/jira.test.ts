import { ConfigError, createLogger, parseFlags, startServer } from '@idp-mcp/core';
import { type JiraFake, SAMPLE_JIRA_CREDENTIALS, startJiraFake } from '@idp-mcp/sandbox/jira';
import { connectStdio, connectUrl, shippedPolicyGate, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import type { Client } from '@modelcontextprotocol/client';
import { searchAndReconsileIssuesUsingJql } from 'jira.js/cloud';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJira, jiraModule } from '../src/index.ts';

let fake: JiraFake;
let logLines: string[];
const closers: Array<() => Promise<void>> = [];

async function connect(env: Record<string, string> = {}, role = 'platform-admin'): Promise<Client> {
  const log = createLogger('jira', { level: 'debug', write: (line) => logLines.push(line) });
  const server = await startServer(
    jiraModule,
    parseFlags(['--transport', 'http', '--port', '0', '--role', role]),
    { JIRA_URL: fake.url, JIRA_EMAIL: fake.email, JIRA_API_TOKEN: fake.token, JIRA_TIMEOUT_MS: '2000', ...env },
    shippedPolicyGate,
    log,
  );
  const client = await connectUrl(server.url!);
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  return {
    text: textOf(result),
    isError: result.isError === true,
    meta: (result._meta?.['idp-mcp/error'] ?? {}) as { code?: string; retryable?: boolean; retryAfterSeconds?: number },
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the structured result freely
    data: result.structuredContent as Record<string, any>,
  };
}

beforeEach(async () => {
  logLines = [];
  fake = await startJiraFake();
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  // Every answer of the fake also satisfied jira.js's own response schemas (the transport logs a drift otherwise).
  expect(logLines.filter((line) => line.includes('does not match the jira.js schema'))).toEqual([]);
  try {
    assertNoViolations(fake);
  } finally {
    await fake.close();
  }
});

describe('jira tools', () => {
  it('shows a model these tools', async () => {
    const client = await connect();
    await expect(await toolsSnapshot(client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('searches with JQL through the enhanced search, compact fields, paginated by nextPageToken', async () => {
    const client = await connect();
    const first = await call(client, 'search_issues', { jql: 'project = PAY ORDER BY key ASC', limit: 2 });
    expect(first.isError).toBe(false);
    expect(first.data.issues).toEqual([
      {
        key: 'PAY-1',
        summary: 'Refund API returns 500 on duplicate idempotency key',
        status: 'Done',
        type: 'Story',
        priority: 'Medium',
        assignee: 'Alice Nguyen',
        updated: expect.stringMatching(/^2026-11-20T/),
      },
      expect.objectContaining({ key: 'PAY-2', status: 'In Progress', priority: 'High' }),
    ]);
    const search = fake.requests.find((r) => r.operationId === 'searchAndReconsileIssuesUsingJql')!;
    expect(search.path).toBe('/rest/api/3/search/jql');
    expect(search.query.fields).toEqual(['summary', 'status', 'assignee', 'priority', 'updated', 'issuetype']);

    const keys = first.data.issues.map((i: { key: string }) => i.key);
    let cursor = first.data.nextCursor as string | undefined;
    while (cursor) {
      const page = await call(client, 'search_issues', { jql: 'project = PAY ORDER BY key ASC', limit: 2, cursor });
      keys.push(...page.data.issues.map((i: { key: string }) => i.key));
      cursor = page.data.nextCursor;
    }
    expect(keys).toEqual(['PAY-1', 'PAY-2', 'PAY-3', 'PAY-4', 'PAY-5']);
    expect(
      fake.requests.filter((r) => r.operationId === 'searchAndReconsileIssuesUsingJql').at(-1)!.query,
    ).toHaveProperty('nextPageToken');

    const mine = await call(client, 'search_issues', {
      jql: 'assignee = currentUser() AND status != Done AND labels in (payments-api, orders-api) ORDER BY updated DESC',
    });
    // PAY-2 has the later comments, so it was updated last.
    expect(mine.data.issues.map((i: { key: string }) => i.key)).toEqual(['PAY-2', 'PAY-5']);
  });

  it('explains bad JQL and a cursor replayed against another query', async () => {
    const client = await connect();
    const bad = await call(client, 'search_issues', { jql: 'projct = PAY' });
    expect(bad.isError).toBe(true);
    expect(bad.meta.code).toBe('invalid_request');
    expect(bad.text).toContain("Field 'projct' does not exist");
    expect(bad.text).toContain('Fix: correct the JQL');

    const unbounded = await call(client, 'search_issues', { jql: 'ORDER BY updated DESC' });
    expect(unbounded.meta.code).toBe('invalid_request');
    expect(unbounded.text).toContain('Unbounded JQL queries are not allowed here.');
    expect(unbounded.text).toContain('Fix: add a restriction to the JQL');

    const page = await call(client, 'search_issues', { jql: 'project = PAY', limit: 1 });
    const replay = await call(client, 'search_issues', { jql: 'project = PLAT', cursor: page.data.nextCursor });
    expect(replay.meta.code).toBe('invalid_request');
    expect(replay.text).toContain('cursor: this cursor belongs to a different query');
  });

  it('gets an issue with its description and latest comments as text', async () => {
    const client = await connect();
    const issue = await call(client, 'get_issue', { key: 'pay-2', comments: 1 });
    expect(issue.isError).toBe(false);
    expect(issue.data).toMatchObject({
      key: 'PAY-2',
      project: 'PAY',
      reporter: 'Alice Nguyen',
      labels: ['payments-api', 'golden-path'],
      sprint: 'PAY Sprint 15',
      description: 'Replace the hand-written manifests with the platform chart; keep the HPA settings.',
      url: `${fake.url}/browse/PAY-2`,
      comments_total: 2,
      latest_comments: [{ author: 'Alice Nguyen', body: 'Thanks, switching this week.' }],
    });

    const missing = await call(client, 'get_issue', { key: 'PAY-999' });
    expect(missing.meta.code).toBe('not_found');
    expect(missing.text).toContain('Issue does not exist or you do not have permission to see it.');

    const malformed = await call(client, 'get_issue', { key: 'PAY 2' });
    expect(malformed.isError).toBe(true);
    expect(malformed.text).toContain('must be an issue key like "PAY-123"');
  });

  it('creates an issue from Markdown, resolving the assignee by email', async () => {
    const client = await connect();
    const created = await call(client, 'create_issue', {
      project: 'PLAT',
      type: 'Bug',
      summary: 'orders-api rollout stuck in Progressing',
      description:
        '## Impact\nDeploys of **orders-api** wait for `Healthy`.\n\n- seen in staging\n- see [runbook](https://runbooks.acme.example/argocd)',
      labels: ['orders-api', 'gitops'],
      priority: 'High',
      assignee: 'bob@acme.example',
      parent: 'PLAT-2',
    });
    expect(created.isError).toBe(false);
    expect(created.data).toEqual({ key: 'PLAT-4', id: expect.any(String), url: `${fake.url}/browse/PLAT-4` });
    const stored = fake.state.issue('PLAT-4')!;
    expect(stored).toMatchObject({
      issueType: 'Bug',
      priority: 'High',
      labels: ['orders-api', 'gitops'],
      parentKey: 'PLAT-2',
      assigneeAccountId: fake.state.userByEmail('bob@acme.example')!.accountId,
      reporterAccountId: fake.state.userByEmail('alice@acme.example')!.accountId,
    });
    expect(stored.description).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Impact' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Deploys of ' },
            { type: 'text', text: 'orders-api', marks: [{ type: 'strong' }] },
            { type: 'text', text: ' wait for ' },
            { type: 'text', text: 'Healthy', marks: [{ type: 'code' }] },
            { type: 'text', text: '.' },
          ],
        },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'seen in staging' }] }],
            },
            {
              type: 'listItem',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    { type: 'text', text: 'see ' },
                    {
                      type: 'text',
                      text: 'runbook',
                      marks: [{ type: 'link', attrs: { href: 'https://runbooks.acme.example/argocd' } }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    // The model reads back what it wrote, as text.
    const read = await call(client, 'get_issue', { key: 'PLAT-4', comments: 0 });
    expect(read.data.parent).toBe('PLAT-2');
    const children = await call(client, 'search_issues', { jql: 'parent = PLAT-2' });
    expect(children.data.issues.map((i: { key: string }) => i.key)).toEqual(['PLAT-4']);
    expect(read.data.description).toBe(
      '## Impact\n\nDeploys of **orders-api** wait for `Healthy`.\n\n- seen in staging\n- see [runbook](https://runbooks.acme.example/argocd)',
    );
  });

  it('rejects bad create input with the field named, before or at Jira', async () => {
    const client = await connect();
    const spaced = await call(client, 'create_issue', { project: 'PAY', summary: 'x', labels: ['two words'] });
    expect(spaced.isError).toBe(true);
    expect(spaced.text).toContain('labels cannot contain spaces');

    const unknownProject = await call(client, 'create_issue', { project: 'NOPE', summary: 'Something' });
    expect(unknownProject.meta.code).toBe('invalid_request');
    expect(unknownProject.text).toContain('project: Specify a valid project ID or key');
    expect(unknownProject.text).toContain('Fix: fix the field project');

    const orphan = await call(client, 'create_issue', { project: 'PAY', summary: 'x', parent: 'PAY-404' });
    expect(orphan.meta.code).toBe('invalid_request');
    expect(orphan.text).toContain('parent: Could not find issue by id or key.');

    const ambiguous = await call(client, 'create_issue', { project: 'PAY', summary: 'x', assignee: 'nobody-here' });
    expect(ambiguous.meta.code).toBe('invalid_request');
    expect(ambiguous.text).toContain('assignee: no active Jira user matches "nobody-here"');
    expect(fake.requests.some((r) => r.operationId === 'createIssue')).toBe(true);
    expect(fake.state.issues.filter((i) => i.summary === 'x')).toHaveLength(0);
  });

  it('updates fields and labels, assigns and unassigns', async () => {
    const client = await connect();
    const updated = await call(client, 'update_issue', {
      key: 'PAY-4',
      summary: 'Rotate payments-api DB credentials (Vault dynamic secrets)',
      add_labels: ['vault'],
      remove_labels: ['security'],
    });
    expect(updated.data).toEqual({ key: 'PAY-4', updated: ['summary', 'labels'], url: `${fake.url}/browse/PAY-4` });
    expect(fake.state.issue('PAY-4')).toMatchObject({
      summary: 'Rotate payments-api DB credentials (Vault dynamic secrets)',
      labels: ['payments-api', 'vault'],
    });

    const nothing = await call(client, 'update_issue', { key: 'PAY-4' });
    expect(nothing.meta.code).toBe('invalid_request');
    expect(nothing.text).toContain('nothing to update');

    const assigned = await call(client, 'assign_issue', { key: 'PAY-4', assignee: 'Bob Okafor' });
    expect(assigned.data.assignee_account_id).toBe(fake.state.userByEmail('bob@acme.example')!.accountId);
    expect(fake.state.issue('PAY-4')!.assigneeAccountId).toBe(assigned.data.assignee_account_id);
    await call(client, 'assign_issue', { key: 'PAY-4', assignee: 'none' });
    expect(fake.state.issue('PAY-4')!.assigneeAccountId).toBeNull();
  });

  it('transitions by status name with a comment, and lists valid names for an invalid one', async () => {
    const client = await connect();
    const listed = await call(client, 'list_transitions', { key: 'PAY-4' });
    expect(listed.data.transitions.map((t: { name: string }) => t.name)).toEqual(['In Progress', 'In Review', 'Done']);

    const moved = await call(client, 'transition_issue', {
      key: 'PAY-4',
      transition: 'in progress',
      comment: 'Picked up.',
    });
    expect(moved.data).toEqual({
      key: 'PAY-4',
      from_status: 'To Do',
      to_status: 'In Progress',
      url: `${fake.url}/browse/PAY-4`,
    });
    expect(fake.state.issue('PAY-4')!.statusId).toBe('3');
    expect(fake.state.issue('PAY-4')!.comments).toHaveLength(1);

    const invalid = await call(client, 'transition_issue', { key: 'PAY-4', transition: 'Closed' });
    expect(invalid.meta.code).toBe('invalid_request');
    expect(invalid.text).toContain('transition: "Closed" is not available for PAY-4 (status In Progress)');
    expect(invalid.text).toContain('valid now: "To Do", "In Review", "Done"');
  });

  it('adds a Markdown comment', async () => {
    const client = await connect();
    const comment = await call(client, 'add_comment', { key: 'PLAT-1', body: 'Deployed to *staging*.' });
    expect(comment.isError).toBe(false);
    expect(comment.data.url).toBe(`${fake.url}/browse/PLAT-1?focusedCommentId=${comment.data.id}`);
    expect(fake.state.issue('PLAT-1')!.comments.at(-1)!.body).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Deployed to ' },
            { type: 'text', text: 'staging', marks: [{ type: 'em' }] },
            { type: 'text', text: '.' },
          ],
        },
      ],
    });
  });

  it('gets the active sprint of a board with its issues, highest priority first, paginated', async () => {
    const client = await connect();
    const boards = await call(client, 'list_boards', { project: 'PAY' });
    expect(boards.data.boards).toEqual([{ id: 1, name: 'PAY board', type: 'scrum', project: 'PAY' }]);

    const sprints = await call(client, 'list_sprints', { board_id: 1, state: ['closed', 'future'] });
    expect(sprints.data.sprints.map((s: { name: string }) => s.name)).toEqual(['PAY Sprint 14', 'PAY Sprint 16']);

    const active = await call(client, 'get_active_sprint', { board_id: 1, limit: 2 });
    expect(active.data.sprint).toEqual({
      id: 15,
      name: 'PAY Sprint 15',
      state: 'active',
      goal: 'payments-api on the golden path',
      start: '2026-11-09T09:00:00.000Z',
      end: '2026-11-20T17:00:00.000Z',
    });
    expect(active.data.issues.map((i: { key: string }) => i.key)).toEqual(['PAY-3', 'PAY-2']);
    const rest = await call(client, 'get_active_sprint', { board_id: 1, limit: 2, cursor: active.data.nextCursor });
    expect(rest.data.issues.map((i: { key: string }) => i.key)).toEqual(['PAY-4']);
    expect(rest.data.nextCursor).toBeUndefined();

    fake.state.sprints = fake.state.sprints.filter((s) => s.id !== 15);
    const none = await call(client, 'get_active_sprint', { board_id: 1 });
    expect(none.meta.code).toBe('not_found');
    expect(none.text).toContain('list_sprints with state ["future"]');

    const noBoard = await call(client, 'list_sprints', { board_id: 99 });
    expect(noBoard.meta.code).toBe('not_found');
  });

  it('lists projects page by page and finds users', async () => {
    const client = await connect();
    const first = await call(client, 'list_projects', { limit: 1 });
    expect(first.data.projects).toEqual([
      {
        key: 'PAY',
        name: 'Payments',
        lead: 'Alice Nguyen',
        description: 'Team payments: payments-api and the checkout flow.',
      },
    ]);
    const second = await call(client, 'list_projects', { limit: 1, cursor: first.data.nextCursor });
    expect(second.data.projects.map((p: { key: string }) => p.key)).toEqual(['PLAT']);
    expect(second.data.nextCursor).toBeUndefined();

    const users = await call(client, 'find_users', { query: 'bob' });
    expect(users.data.users).toEqual([
      {
        account_id: fake.state.userByEmail('bob@acme.example')!.accountId,
        display_name: 'Bob Okafor',
        email: 'bob@acme.example',
        active: true,
      },
    ]);
  });
});

describe('jira upstream failures', () => {
  it('401: a rejected credential, without the token in the error or the log', async () => {
    const client = await connect({ JIRA_API_TOKEN: 'wrong-token-value-123' });
    const result = await call(client, 'search_issues', { jql: 'project = PAY' });
    expect(result.meta).toMatchObject({ code: 'unauthorized', retryable: false });
    expect(result.text).toContain('Jira answered 401');
    expect(result.text).not.toContain('wrong-token-value-123');
    expect(logLines.join('\n')).not.toContain('wrong-token-value-123');
  });

  it('403, 409 and 5xx on a write are not retried; 5xx on a read is retried and succeeds', async () => {
    const client = await connect();
    fake.failNext({ method: 'POST', path: '/rest/api/3/issue', status: 403 });
    const forbidden = await call(client, 'create_issue', { project: 'PAY', summary: 'Blocked' });
    expect(forbidden.meta).toMatchObject({ code: 'forbidden', retryable: false });
    expect(forbidden.text).toContain('You do not have permission to perform this operation.');

    fake.failNext({ method: 'PUT', path: '/rest/api/3/issue/PAY-4', status: 409 });
    const conflict = await call(client, 'update_issue', { key: 'PAY-4', summary: 'Changed' });
    expect(conflict.meta.code).toBe('conflict');

    fake.failNext({ method: 'POST', path: '/rest/api/3/issue/PAY-4/comment', status: 503 });
    const unavailable = await call(client, 'add_comment', { key: 'PAY-4', body: 'Once only' });
    expect(unavailable.meta).toMatchObject({ code: 'upstream_unavailable', retryable: false });
    expect(fake.requests.filter((r) => r.operationId === 'addComment')).toHaveLength(1);

    fake.failNext({ method: 'GET', path: '/rest/api/3/issue/PAY-4', status: 502 });
    const recovered = await call(client, 'get_issue', { key: 'PAY-4', comments: 0 });
    expect(recovered.isError).toBe(false);
    expect(fake.requests.filter((r) => r.operationId === 'getIssue')).toHaveLength(2);
  });

  it('429: a long Retry-After comes back as rate_limited with the wait', async () => {
    const client = await connect();
    fake.failNext({ path: '/rest/api/3/search/jql', status: 429, headers: { 'Retry-After': '120' } });
    const result = await call(client, 'search_issues', { jql: 'project = PAY' });
    expect(result.meta).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterSeconds: 120 });
    expect(result.text).toContain('Retry: safe after 120s.');
  });

  it('times out with JIRA_TIMEOUT_MS and says whether a retry is safe', async () => {
    const client = await connect({ JIRA_TIMEOUT_MS: '500' });
    fake.failNext({ path: '/rest/api/3/search/jql', delayMs: 1500, times: 3 });
    const read = await call(client, 'search_issues', { jql: 'project = PAY' });
    expect(read.meta).toMatchObject({ code: 'timeout', retryable: true });
    expect(read.text).toContain('Jira did not answer within 500 ms');

    fake.failNext({ method: 'POST', path: '/rest/api/3/issue/PAY-1/comment', delayMs: 1500 });
    const write = await call(client, 'add_comment', { key: 'PAY-1', body: 'Slow' });
    expect(write.meta).toMatchObject({ code: 'timeout', retryable: false });
    expect(write.text).toContain('read the current state before repeating it');
  });
});

describe('jira transport', () => {
  it("cancels the upstream request with the tool call's signal", async () => {
    const jira = createJira({
      baseUrl: fake.url,
      auth: { type: 'basic', email: fake.email, apiToken: fake.token },
      log: createLogger('jira', { level: 'error', write: () => {} }),
    });
    fake.failNext({ path: '/rest/api/3/search/jql', delayMs: 3000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('cancelled by the client')), 100);
    await expect(
      searchAndReconsileIssuesUsingJql(jira.client(controller.signal), { jql: 'project = PAY' }),
    ).rejects.toThrow('cancelled by the client');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fake.requests.filter((r) => r.operationId === 'searchAndReconsileIssuesUsingJql')).toHaveLength(1);
  });
});

describe('jira set-up', () => {
  it('authenticates with an OAuth bearer token instead of email + API token', async () => {
    const client = await connect({
      JIRA_EMAIL: '',
      JIRA_API_TOKEN: '',
      JIRA_BEARER_TOKEN: SAMPLE_JIRA_CREDENTIALS.bearer,
    });
    const result = await call(client, 'find_users', { query: 'alice' });
    expect(result.data.users).toHaveLength(1);
    expect(logLines.join('\n')).not.toContain(SAMPLE_JIRA_CREDENTIALS.bearer);
  });

  it('refuses to start without credentials, saying which variables to set', async () => {
    const starting = startServer(
      jiraModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      { JIRA_URL: fake.url },
      shippedPolicyGate,
      createLogger('jira', { level: 'error', write: () => {} }),
    );
    await expect(starting).rejects.toThrow(ConfigError);
    await expect(starting).rejects.toThrow(/JIRA_EMAIL and JIRA_API_TOKEN .* or JIRA_BEARER_TOKEN/);
  });

  it('a viewer sees only the read tools', async () => {
    const client = await connect({}, 'viewer');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'find_users',
      'get_active_sprint',
      'get_issue',
      'list_boards',
      'list_projects',
      'list_sprints',
      'list_transitions',
      'search_issues',
    ]);
  });

  it('runs its bin over stdio against the in-process sandbox with sample data', async () => {
    const client = await connectStdio(new URL('../src/bin.ts', import.meta.url).pathname, ['--sandbox']);
    try {
      const result = await client.callTool({ name: 'get_active_sprint', arguments: { board_id: 2 } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        sprint: { name: 'PLAT Sprint 8' },
        issues: [{ key: 'PLAT-1' }, { key: 'PLAT-2' }],
      });
    } finally {
      await client.close();
    }
  });
});
