// The Jira fake's world: users, projects, a four-status workflow, issues with comments, Scrum boards and sprints.

export interface JiraUser {
  accountId: string;
  displayName: string;
  emailAddress: string;
  active: boolean;
  timeZone: string;
}

export interface JiraProject {
  id: string;
  key: string;
  name: string;
  description: string;
  leadAccountId: string;
}

export interface JiraStatus {
  id: string;
  name: string;
  category: 'new' | 'indeterminate' | 'done';
}

export interface JiraComment {
  id: string;
  authorAccountId: string;
  /** Atlassian Document Format. */
  body: unknown;
  created: string;
  updated: string;
}

export interface JiraIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: string;
  summary: string;
  /** Atlassian Document Format, or null. */
  description: unknown;
  statusId: string;
  priority: string;
  assigneeAccountId: string | null;
  reporterAccountId: string;
  labels: string[];
  sprintId: number | null;
  /** Key of the parent (an epic, or the issue a sub-task belongs to). */
  parentKey?: string | null;
  created: string;
  updated: string;
  comments: JiraComment[];
}

export interface JiraSprint {
  id: number;
  boardId: number;
  name: string;
  state: 'closed' | 'active' | 'future';
  goal: string;
  startDate?: string;
  endDate?: string;
  completeDate?: string;
}

export interface JiraBoard {
  id: number;
  name: string;
  type: 'scrum' | 'kanban';
  projectKey: string;
}

export const STATUSES: readonly JiraStatus[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'In Review', category: 'indeterminate' },
  { id: '10002', name: 'Done', category: 'done' },
];

/** Every status can be reached from every other one (a simplified company-managed workflow); transition ids by target. */
export const TRANSITION_IDS: Record<string, string> = { '10000': '11', '3': '21', '10001': '31', '10002': '41' };

export const ISSUE_TYPES = [
  { id: '10001', name: 'Task', subtask: false, hierarchyLevel: 0 },
  { id: '10002', name: 'Bug', subtask: false, hierarchyLevel: 0 },
  { id: '10003', name: 'Story', subtask: false, hierarchyLevel: 0 },
  { id: '10004', name: 'Epic', subtask: false, hierarchyLevel: 1 },
] as const;

export const PRIORITIES = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
] as const;

export class JiraState {
  users: JiraUser[] = [];
  projects: JiraProject[] = [];
  issues: JiraIssue[] = [];
  boards: JiraBoard[] = [];
  sprints: JiraSprint[] = [];
  /** Basic credentials (email -> API token) and bearer tokens (token -> accountId). */
  apiTokens = new Map<string, string>();
  bearerTokens = new Map<string, string>();
  private nextIssueId = 10_100;
  private nextCommentId = 20_000;
  /** The fake's clock: fixed so sample data and tests are reproducible; advances a minute per change. */
  private clock = Date.parse('2026-11-20T09:00:00.000Z');

  now(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString().replace('Z', '+0000');
  }

  userById(accountId: string | null): JiraUser | undefined {
    return accountId === null ? undefined : this.users.find((user) => user.accountId === accountId);
  }

  userByEmail(email: string): JiraUser | undefined {
    return this.users.find((user) => user.emailAddress.toLowerCase() === email.toLowerCase());
  }

  project(keyOrId: string): JiraProject | undefined {
    return this.projects.find((project) => project.key === keyOrId.toUpperCase() || project.id === keyOrId);
  }

  issue(keyOrId: string): JiraIssue | undefined {
    return this.issues.find((issue) => issue.key === keyOrId.toUpperCase() || issue.id === keyOrId);
  }

  status(id: string): JiraStatus {
    const status = STATUSES.find((s) => s.id === id);
    if (!status) throw new Error(`no status ${id}`);
    return status;
  }

  addIssue(
    fields: Omit<JiraIssue, 'id' | 'key' | 'created' | 'updated' | 'comments'> & { created?: string },
  ): JiraIssue {
    const number = this.issues.filter((issue) => issue.projectKey === fields.projectKey).length + 1;
    const created = fields.created ?? this.now();
    const issue: JiraIssue = {
      ...fields,
      id: String(this.nextIssueId++),
      key: `${fields.projectKey}-${number}`,
      created,
      updated: created,
      comments: [],
    };
    this.issues.push(issue);
    return issue;
  }

  addComment(issue: JiraIssue, authorAccountId: string, body: unknown): JiraComment {
    const at = this.now();
    const comment = { id: String(this.nextCommentId++), authorAccountId, body, created: at, updated: at };
    issue.comments.push(comment);
    issue.updated = at;
    return comment;
  }
}

export function createEmptyJiraState(): JiraState {
  return new JiraState();
}

/** A one-paragraph Atlassian document. */
export function adfParagraph(text: string): unknown {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

export const SAMPLE_JIRA_CREDENTIALS = {
  alice: { email: 'alice@acme.example', apiToken: 'jira-api-token-alice' },
  bob: { email: 'bob@acme.example', apiToken: 'jira-api-token-bob' },
  /** An OAuth 2.0 (3LO) access token acting as alice. */
  bearer: 'jira-oauth-token-alice',
} as const;

/** Org acme: projects PAY (team payments) and PLAT (team platform), users alice and bob, one active sprint each. */
export function createSampleJiraState(): JiraState {
  const state = new JiraState();
  state.users = [
    {
      accountId: '712020:a1ce0000-0000-4000-8000-000000000001',
      displayName: 'Alice Nguyen',
      emailAddress: 'alice@acme.example',
      active: true,
      timeZone: 'Europe/Berlin',
    },
    {
      accountId: '712020:b0b00000-0000-4000-8000-000000000002',
      displayName: 'Bob Okafor',
      emailAddress: 'bob@acme.example',
      active: true,
      timeZone: 'America/New_York',
    },
  ];
  const [alice, bob] = state.users as [JiraUser, JiraUser];
  state.apiTokens.set(SAMPLE_JIRA_CREDENTIALS.alice.email, SAMPLE_JIRA_CREDENTIALS.alice.apiToken);
  state.apiTokens.set(SAMPLE_JIRA_CREDENTIALS.bob.email, SAMPLE_JIRA_CREDENTIALS.bob.apiToken);
  state.bearerTokens.set(SAMPLE_JIRA_CREDENTIALS.bearer, alice.accountId);
  state.projects = [
    {
      id: '10000',
      key: 'PAY',
      name: 'Payments',
      description: 'Team payments: payments-api and the checkout flow.',
      leadAccountId: alice.accountId,
    },
    {
      id: '10001',
      key: 'PLAT',
      name: 'Platform',
      description: 'Team platform: the internal developer platform, CI/CD and clusters.',
      leadAccountId: bob.accountId,
    },
  ];
  state.boards = [
    { id: 1, name: 'PAY board', type: 'scrum', projectKey: 'PAY' },
    { id: 2, name: 'PLAT board', type: 'scrum', projectKey: 'PLAT' },
  ];
  state.sprints = [
    {
      id: 14,
      boardId: 1,
      name: 'PAY Sprint 14',
      state: 'closed',
      goal: 'Idempotent refunds',
      startDate: '2026-10-26T09:00:00.000Z',
      endDate: '2026-11-06T17:00:00.000Z',
      completeDate: '2026-11-06T16:30:00.000Z',
    },
    {
      id: 15,
      boardId: 1,
      name: 'PAY Sprint 15',
      state: 'active',
      goal: 'payments-api on the golden path',
      startDate: '2026-11-09T09:00:00.000Z',
      endDate: '2026-11-20T17:00:00.000Z',
    },
    { id: 16, boardId: 1, name: 'PAY Sprint 16', state: 'future', goal: '' },
    {
      id: 21,
      boardId: 2,
      name: 'PLAT Sprint 8',
      state: 'active',
      goal: 'Self-service Kafka topics',
      startDate: '2026-11-09T09:00:00.000Z',
      endDate: '2026-11-20T17:00:00.000Z',
    },
  ];
  const issue = (
    projectKey: string,
    issueType: string,
    summary: string,
    statusId: string,
    extra: Partial<Pick<JiraIssue, 'assigneeAccountId' | 'labels' | 'sprintId' | 'priority' | 'description'>> = {},
  ) =>
    state.addIssue({
      projectKey,
      issueType,
      summary,
      statusId,
      description: extra.description ?? null,
      priority: extra.priority ?? 'Medium',
      assigneeAccountId: extra.assigneeAccountId ?? null,
      reporterAccountId: alice.accountId,
      labels: extra.labels ?? [],
      sprintId: extra.sprintId ?? null,
    });
  issue('PAY', 'Story', 'Refund API returns 500 on duplicate idempotency key', '10002', {
    assigneeAccountId: alice.accountId,
    labels: ['payments-api'],
    sprintId: 14,
  });
  const p2 = issue('PAY', 'Task', 'Move payments-api to the golden-path Helm chart', '3', {
    assigneeAccountId: alice.accountId,
    labels: ['payments-api', 'golden-path'],
    sprintId: 15,
    priority: 'High',
    description: adfParagraph('Replace the hand-written manifests with the platform chart; keep the HPA settings.'),
  });
  issue('PAY', 'Bug', 'payments-api p99 latency above 800 ms after 14:00 UTC', '10001', {
    assigneeAccountId: bob.accountId,
    labels: ['payments-api', 'incident'],
    sprintId: 15,
    priority: 'Highest',
    description: adfParagraph('Started after the connection-pool change. See the payments-api dashboard.'),
  });
  issue('PAY', 'Task', 'Rotate the payments-api database credentials via Vault', '10000', {
    labels: ['payments-api', 'security'],
    sprintId: 15,
  });
  issue('PAY', 'Story', 'Expose refund status to orders-api', '10000', {
    assigneeAccountId: alice.accountId,
    labels: ['orders-api'],
    sprintId: 16,
  });
  issue('PLAT', 'Story', 'Self-service Kafka topic creation through the platform', '3', {
    assigneeAccountId: bob.accountId,
    labels: ['kafka', 'self-service'],
    sprintId: 21,
    priority: 'High',
  });
  issue('PLAT', 'Task', 'Onboard orders-api to Argo CD', '10000', {
    assigneeAccountId: bob.accountId,
    labels: ['orders-api', 'gitops'],
    sprintId: 21,
  });
  issue('PLAT', 'Bug', 'Rancher cluster staging-eu reports stale node metrics', '10000', {
    labels: ['rancher'],
    priority: 'Low',
  });
  state.addComment(p2, bob.accountId, adfParagraph('Chart 2.3 supports the custom liveness probe now.'));
  state.addComment(p2, alice.accountId, adfParagraph('Thanks, switching this week.'));
  return state;
}
