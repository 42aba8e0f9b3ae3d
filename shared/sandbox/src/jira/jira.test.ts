// The Jira fake's own tests: its JQL subset, and that its traffic is held to Atlassian's descriptions (the clean-ups
// in `cleanUp` correct them; they do not switch checks off).

import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSampleJiraState, type JiraFake, parseJql, SAMPLE_JIRA_CREDENTIALS, startJiraFake } from './index.ts';

const state = createSampleJiraState();
const alice = state.userByEmail('alice@acme.example')!.accountId;
const keys = (jql: string) => {
  const query = parseJql(state, jql, alice);
  return state.issues
    .filter(query.matches)
    .sort(query.compare)
    .map((issue) => issue.key);
};

describe('the JQL subset', () => {
  it('filters with AND, OR, parentheses, IN, NOT IN, IS EMPTY, ~ and functions', () => {
    expect(keys('project = PLAT ORDER BY key ASC')).toEqual(['PLAT-1', 'PLAT-2', 'PLAT-3']);
    expect(keys('project = PAY AND (status = Done OR priority = Highest) ORDER BY key ASC')).toEqual([
      'PAY-1',
      'PAY-3',
    ]);
    expect(keys('labels in (kafka, rancher) ORDER BY key ASC')).toEqual(['PLAT-1', 'PLAT-3']);
    expect(keys('project = PLAT AND assignee is EMPTY')).toEqual(['PLAT-3']);
    expect(keys('project = PAY AND status not in ("To Do", Done) ORDER BY key DESC')).toEqual(['PAY-3', 'PAY-2']);
    expect(keys('text ~ "connection-pool"')).toEqual(['PAY-3']);
    expect(keys('sprint in openSprints() AND assignee = currentUser()')).toEqual(['PAY-2']);
    expect(keys('statusCategory = "In Progress" ORDER BY priority DESC, key ASC')).toEqual([
      'PAY-3',
      'PAY-2',
      'PLAT-1',
    ]);
  });

  it("answers Jira's 400 for unknown fields, operators and broken syntax", () => {
    expect(() => keys('projekt = PAY')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => keys('summary = x')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => keys('project = PAY AND')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => keys('project = PAY ORDER BY colour')).toThrow(expect.objectContaining({ status: 400 }));
    expect(parseJql(state, 'ORDER BY updated DESC', alice).bounded).toBe(false);
    expect(parseJql(state, 'project = PAY ORDER BY updated DESC', alice).bounded).toBe(true);
    expect(keys('project = PLAT ORDER BY rank ASC')).toEqual(['PLAT-1', 'PLAT-2', 'PLAT-3']);
  });
});

describe('the Jira fake over HTTP', () => {
  let fake: JiraFake;
  const basic = `Basic ${Buffer.from(`${SAMPLE_JIRA_CREDENTIALS.alice.email}:${SAMPLE_JIRA_CREDENTIALS.alice.apiToken}`).toString('base64')}`;
  const get = (path: string, authorization = basic) => fetch(`${fake.url}${path}`, { headers: { authorization } });

  beforeAll(async () => {
    fake = await startJiraFake();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('rejects missing credentials with an ErrorCollection', async () => {
    const response = await get('/rest/api/3/myself', 'Basic bm9ib2R5Ondyb25n');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
      errors: {},
    });
    assertNoViolations(fake);
  });

  it('records a request the platform description does not allow', async () => {
    const response = await get('/rest/api/3/search/jql?jql=project%3DPAY&maxResults=many');
    expect(response.status).toBe(400);
    expect(fake.violations.map((v) => v.message)).toEqual([expect.stringContaining('maxResults must be integer')]);
    fake.violations.length = 0;
  });

  it('checks the Agile description too, with its state parameter as a comma list', async () => {
    const sprints = await get('/rest/agile/1.0/board/1/sprint?state=active,future');
    expect(((await sprints.json()) as { values: Array<{ name: string }> }).values.map((s) => s.name)).toEqual([
      'PAY Sprint 15',
      'PAY Sprint 16',
    ]);
    assertNoViolations(fake);
    await get('/rest/agile/1.0/board/1/sprint?status=active');
    expect(fake.violations.map((v) => v.message)).toEqual([expect.stringContaining('status')]);
    fake.violations.length = 0;
  });

  it('checks injected faults against the description: an error body must be an ErrorCollection', async () => {
    fake.failNext({ path: '/rest/api/3/issue/PAY-1', status: 404, body: { message: 'not Jira' } });
    const response = await get('/rest/api/3/issue/PAY-1');
    expect(response.status).toBe(500);
    expect(fake.violations.map((v) => v.where)).toContain('response.body');
    fake.violations.length = 0;
  });
});
