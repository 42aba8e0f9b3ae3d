// The Jira fake: Jira Cloud's platform REST v3 (issues, enhanced JQL search, transitions, comments, projects, users)
// and the Jira Software Agile REST (boards, sprints), checked against Atlassian's published OpenAPI descriptions.
import { FakeHttpError, type FakeOperation, type FakeRequest, type OpenApiFake, startOpenApiFake } from '../server.ts';
import { loadSpec, type OpenApiDocument } from '../spec.ts';
import { jqlError, parseJql } from './jql.ts';
import {
  createEmptyJiraState,
  createSampleJiraState,
  ISSUE_TYPES,
  type JiraComment,
  type JiraIssue,
  type JiraProject,
  type JiraSprint,
  type JiraState,
  type JiraUser,
  PRIORITIES,
  STATUSES,
  TRANSITION_IDS,
} from './state.ts';

export { adfText, parseJql } from './jql.ts';
export {
  adfParagraph,
  createEmptyJiraState,
  createSampleJiraState,
  type JiraBoard,
  type JiraComment,
  type JiraIssue,
  type JiraProject,
  type JiraSprint,
  JiraState,
  type JiraUser,
  SAMPLE_JIRA_CREDENTIALS,
} from './state.ts';

export interface JiraFakeOptions {
  state?: JiraState;
  /** Check traffic against Atlassian's descriptions (default true; the sandbox turns it off to start fast). */
  validate?: boolean;
  port?: number;
}

export interface JiraFake extends OpenApiFake {
  readonly state: JiraState;
  /** Basic credentials of alice (the sample data's default caller). */
  readonly email: string;
  readonly token: string;
}

/** Jira's error body: every 4xx and 5xx carries one. */
export function errorBody(status: number, message?: string): unknown {
  const text =
    message ??
    {
      401: 'You are not authenticated. Authentication required to perform this operation.',
      403: 'You do not have permission to perform this operation.',
      404: 'The requested resource does not exist.',
      409: 'The resource was changed by another request.',
      429: 'Rate limit exceeded.',
    }[status] ??
    `Internal server error (${status}).`;
  return { errorMessages: [text], errors: {} };
}

function fieldErrors(errors: Record<string, string>): FakeHttpError {
  return new FakeHttpError(400, { errorMessages: [], errors });
}

const notFound = (message: string) => new FakeHttpError(404, errorBody(404, message));

// --- authentication ---------------------------------------------------------------------------------------------

const callers = new WeakMap<FakeRequest, string>();

function authenticate(state: JiraState, request: FakeRequest) {
  const header = request.headers.authorization ?? '';
  let accountId: string | undefined;
  const basic = /^Basic (.+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const email = decoded.slice(0, separator);
    if (separator > 0 && state.apiTokens.get(email) === decoded.slice(separator + 1)) {
      accountId = state.userByEmail(email)?.accountId;
    }
  }
  const bearer = /^Bearer (.+)$/i.exec(header);
  if (bearer) accountId = state.bearerTokens.get(bearer[1]!);
  if (!accountId) return { status: 401, body: errorBody(401) };
  callers.set(request, accountId);
  return undefined;
}

function caller(request: FakeRequest): string {
  const accountId = callers.get(request);
  if (!accountId) throw new Error('request was not authenticated');
  return accountId;
}

// --- representations --------------------------------------------------------------------------------------------

const avatarUrls = (base: string) => ({
  '48x48': `${base}/48`,
  '24x24': `${base}/24`,
  '16x16': `${base}/16`,
  '32x32': `${base}/32`,
});

function userDetails(baseUrl: string, user: JiraUser) {
  return {
    self: `${baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    accountType: 'atlassian',
    emailAddress: user.emailAddress,
    avatarUrls: avatarUrls(`${baseUrl}/avatar/${user.accountId}`),
    displayName: user.displayName,
    active: user.active,
    timeZone: user.timeZone,
  };
}

function statusDetails(state: JiraState, baseUrl: string, statusId: string) {
  const status = state.status(statusId);
  const category = {
    new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
    indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
    done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
  }[status.category];
  return {
    self: `${baseUrl}/rest/api/3/status/${status.id}`,
    description: '',
    iconUrl: `${baseUrl}/images/icons/statuses/generic.png`,
    name: status.name,
    id: status.id,
    statusCategory: { self: `${baseUrl}/rest/api/3/statuscategory/${category.id}`, ...category },
  };
}

function projectRef(baseUrl: string, project: JiraProject) {
  return {
    self: `${baseUrl}/rest/api/3/project/${project.id}`,
    id: project.id,
    key: project.key,
    name: project.name,
    projectTypeKey: 'software',
    simplified: false,
    avatarUrls: avatarUrls(`${baseUrl}/project-avatar/${project.id}`),
  };
}

function sprintBean(baseUrl: string, sprint: JiraSprint) {
  return {
    id: sprint.id,
    self: `${baseUrl}/rest/agile/1.0/sprint/${sprint.id}`,
    state: sprint.state,
    name: sprint.name,
    ...(sprint.startDate ? { startDate: sprint.startDate } : {}),
    ...(sprint.endDate ? { endDate: sprint.endDate } : {}),
    ...(sprint.completeDate ? { completeDate: sprint.completeDate } : {}),
    originBoardId: sprint.boardId,
    goal: sprint.goal,
  };
}

function commentBean(state: JiraState, baseUrl: string, issue: JiraIssue, comment: JiraComment) {
  const author = state.userById(comment.authorAccountId);
  return {
    self: `${baseUrl}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    ...(author ? { author: userDetails(baseUrl, author), updateAuthor: userDetails(baseUrl, author) } : {}),
    body: comment.body,
    created: comment.created,
    updated: comment.updated,
    jsdPublic: true,
  };
}

/** The parent field: Jira nests a few of the parent's own fields. */
function parentRef(state: JiraState, baseUrl: string, parent: JiraIssue) {
  const type = ISSUE_TYPES.find((t) => t.name === parent.issueType)!;
  return {
    id: parent.id,
    key: parent.key,
    self: `${baseUrl}/rest/api/3/issue/${parent.id}`,
    fields: {
      summary: parent.summary,
      status: statusDetails(state, baseUrl, parent.statusId),
      issuetype: {
        self: `${baseUrl}/rest/api/3/issuetype/${type.id}`,
        id: type.id,
        name: type.name,
        subtask: type.subtask,
      },
    },
  };
}

/** Sprint custom field id on Jira Cloud sites. */
export const SPRINT_FIELD = 'customfield_10020';

function allFields(state: JiraState, baseUrl: string, issue: JiraIssue): Record<string, unknown> {
  const project = state.project(issue.projectKey)!;
  const type = ISSUE_TYPES.find((t) => t.name === issue.issueType)!;
  const priority = PRIORITIES.find((p) => p.name === issue.priority)!;
  const assignee = state.userById(issue.assigneeAccountId);
  const reporter = state.userById(issue.reporterAccountId);
  const sprint = state.sprints.find((s) => s.id === issue.sprintId);
  const parent = issue.parentKey ? state.issue(issue.parentKey) : undefined;
  return {
    summary: issue.summary,
    status: statusDetails(state, baseUrl, issue.statusId),
    assignee: assignee ? userDetails(baseUrl, assignee) : null,
    reporter: reporter ? userDetails(baseUrl, reporter) : null,
    priority: { self: `${baseUrl}/rest/api/3/priority/${priority.id}`, iconUrl: `${baseUrl}/p.svg`, ...priority },
    issuetype: {
      self: `${baseUrl}/rest/api/3/issuetype/${type.id}`,
      id: type.id,
      description: '',
      iconUrl: `${baseUrl}/it.svg`,
      name: type.name,
      subtask: type.subtask,
      hierarchyLevel: type.hierarchyLevel,
    },
    project: projectRef(baseUrl, project),
    labels: issue.labels,
    created: issue.created,
    updated: issue.updated,
    description: issue.description,
    comment: {
      comments: issue.comments.map((comment) => commentBean(state, baseUrl, issue, comment)),
      self: `${baseUrl}/rest/api/3/issue/${issue.id}/comment`,
      maxResults: issue.comments.length,
      total: issue.comments.length,
      startAt: 0,
    },
    [SPRINT_FIELD]: sprint ? [{ ...sprintBean(baseUrl, sprint), boardId: sprint.boardId }] : null,
    ...(parent ? { parent: parentRef(state, baseUrl, parent) } : {}),
  };
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** An issue bean with the requested fields; `*all` / `*navigable` (or no list at all, when allowed) gives every field. */
function issueBean(state: JiraState, baseUrl: string, issue: JiraIssue, requested: string[]) {
  const fields = allFields(state, baseUrl, issue);
  const all = requested.some((f) => f === '*all' || f === '*navigable');
  const picked = all
    ? fields
    : Object.fromEntries(requested.filter((name) => name in fields).map((name) => [name, fields[name]]));
  return {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog',
    id: issue.id,
    self: `${baseUrl}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
    fields: picked,
  };
}

function issueOr404(state: JiraState, key: string | undefined): JiraIssue {
  const issue = key ? state.issue(key) : undefined;
  if (!issue) throw notFound('Issue does not exist or you do not have permission to see it.');
  return issue;
}

function integer(value: string | string[] | undefined, fallback: number): number {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? fallback : Number(text);
}

function isDocument(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'doc' &&
    (value as { version?: unknown }).version === 1 &&
    Array.isArray((value as { content?: unknown }).content)
  );
}

const ADF_REQUIRED = 'Operation value must be an Atlassian Document (see the Atlassian Document Format).';

/** Applies `fields` of a create or edit; collects Jira's per-field errors. */
function applyFields(
  state: JiraState,
  issue: Partial<JiraIssue>,
  fields: Record<string, unknown>,
  errors: Record<string, string>,
): void {
  for (const [name, value] of Object.entries(fields)) {
    switch (name) {
      case 'project':
      case 'issuetype':
        break; // handled by create
      case 'summary':
        if (typeof value !== 'string' || value.trim() === '')
          errors.summary = 'You must specify a summary of the issue.';
        else if (value.length > 255) errors.summary = 'Summary must be less than 255 characters.';
        else issue.summary = value;
        break;
      case 'description':
        if (value === null) issue.description = null;
        else if (!isDocument(value)) errors.description = ADF_REQUIRED;
        else issue.description = value;
        break;
      case 'labels':
        if (!Array.isArray(value) || value.some((label) => typeof label !== 'string')) {
          errors.labels = 'Labels must be a list of strings.';
        } else {
          const spaced = value.find((label: string) => /\s/.test(label));
          if (spaced !== undefined) errors.labels = `The label '${spaced}' contains spaces which is invalid.`;
          else issue.labels = value as string[];
        }
        break;
      case 'priority': {
        const wanted = value as { name?: string; id?: string } | null;
        const priority = PRIORITIES.find((p) => p.name === wanted?.name || p.id === wanted?.id);
        if (!priority) errors.priority = 'Specify a valid priority name or id.';
        else issue.priority = priority.name;
        break;
      }
      case 'parent': {
        const ref = value as { key?: string; id?: string } | null;
        const parent = ref ? state.issue(ref.key ?? ref.id ?? '') : undefined;
        if (ref !== null && !parent) errors.parent = 'Could not find issue by id or key.';
        else issue.parentKey = parent?.key ?? null;
        break;
      }
      case 'assignee': {
        const accountId = (value as { accountId?: string | null } | null)?.accountId ?? null;
        if (accountId !== null && !state.userById(accountId)) errors.assignee = `User '${accountId}' does not exist.`;
        else issue.assigneeAccountId = accountId;
        break;
      }
      default:
        errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
  }
}

// --- operations -------------------------------------------------------------------------------------------------

export function jiraOperations(state: JiraState): Record<string, FakeOperation> {
  return {
    getCurrentUser: {
      route: 'GET /rest/api/3/myself',
      handle: ({ request, baseUrl }) => ({ status: 200, body: userDetails(baseUrl, state.userById(caller(request))!) }),
    },
    searchAndReconsileIssuesUsingJql: {
      route: 'GET /rest/api/3/search/jql',
      handle: ({ request, baseUrl }) => {
        const jql = typeof request.query.jql === 'string' ? request.query.jql : '';
        const query = parseJql(state, jql, caller(request));
        if (!query.bounded) {
          throw jqlError('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
        }
        const maxResults = Math.min(integer(request.query.maxResults, 50), 100);
        let offset = 0;
        if (typeof request.query.nextPageToken === 'string') {
          offset = Number(Buffer.from(request.query.nextPageToken, 'base64url').toString('utf8'));
          if (!Number.isInteger(offset) || offset < 0)
            throw jqlError('The provided next page token is invalid or expired.');
        }
        const matching = state.issues.filter(query.matches).sort(query.compare);
        const page = matching.slice(offset, offset + maxResults);
        const requested = list(request.query.fields);
        const isLast = offset + page.length >= matching.length;
        return {
          status: 200,
          body: {
            issues: page.map((issue) =>
              requested.length === 0 ? { id: issue.id } : issueBean(state, baseUrl, issue, requested),
            ),
            ...(isLast ? {} : { nextPageToken: Buffer.from(String(offset + page.length)).toString('base64url') }),
            isLast,
          },
        };
      },
    },
    getIssue: {
      route: 'GET /rest/api/3/issue/{issueIdOrKey}',
      handle: ({ request, baseUrl }) => {
        const issue = issueOr404(state, request.params.issueIdOrKey);
        const requested = list(request.query.fields);
        return { status: 200, body: issueBean(state, baseUrl, issue, requested.length ? requested : ['*all']) };
      },
    },
    createIssue: {
      route: 'POST /rest/api/3/issue',
      handle: ({ request, baseUrl }) => {
        const fields = ((request.body as { fields?: Record<string, unknown> } | undefined)?.fields ?? {}) as Record<
          string,
          unknown
        >;
        const errors: Record<string, string> = {};
        const projectRefValue = fields.project as { key?: string; id?: string } | undefined;
        const project = state.project(projectRefValue?.key ?? projectRefValue?.id ?? '');
        if (!project) errors.project = 'Specify a valid project ID or key';
        const typeRef = fields.issuetype as { name?: string; id?: string } | undefined;
        const type = ISSUE_TYPES.find((t) => t.name === typeRef?.name || t.id === typeRef?.id);
        if (!typeRef) errors.issuetype = 'Specify an issue type';
        else if (!type) errors.issuetype = 'Specify a valid issue type';
        if (fields.summary === undefined) errors.summary = 'You must specify a summary of the issue.';
        const draft: Partial<JiraIssue> = {};
        applyFields(state, draft, fields, errors);
        if (Object.keys(errors).length > 0 || !project || !type) throw fieldErrors(errors);
        const issue = state.addIssue({
          projectKey: project.key,
          issueType: type.name,
          summary: draft.summary!,
          description: draft.description ?? null,
          statusId: STATUSES[0]!.id,
          priority: draft.priority ?? 'Medium',
          assigneeAccountId: draft.assigneeAccountId ?? null,
          reporterAccountId: caller(request),
          labels: draft.labels ?? [],
          sprintId: null,
          parentKey: draft.parentKey ?? null,
        });
        return { status: 201, body: { id: issue.id, key: issue.key, self: `${baseUrl}/rest/api/3/issue/${issue.id}` } };
      },
    },
    editIssue: {
      route: 'PUT /rest/api/3/issue/{issueIdOrKey}',
      handle: ({ request }) => {
        const issue = issueOr404(state, request.params.issueIdOrKey);
        const body = (request.body ?? {}) as {
          fields?: Record<string, unknown>;
          update?: Record<string, Array<Record<string, unknown>>>;
        };
        const errors: Record<string, string> = {};
        const draft: Partial<JiraIssue> = { labels: [...issue.labels] };
        applyFields(state, draft, body.fields ?? {}, errors);
        for (const [name, operations] of Object.entries(body.update ?? {})) {
          if (name !== 'labels') {
            errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
            continue;
          }
          for (const operation of operations) {
            if (typeof operation.add === 'string') draft.labels = [...new Set([...draft.labels!, operation.add])];
            if (typeof operation.remove === 'string')
              draft.labels = draft.labels!.filter((l) => l !== operation.remove);
          }
        }
        if (Object.keys(errors).length > 0) throw fieldErrors(errors);
        Object.assign(issue, draft, { updated: state.now() });
        return { status: 204 };
      },
    },
    assignIssue: {
      route: 'PUT /rest/api/3/issue/{issueIdOrKey}/assignee',
      handle: ({ request }) => {
        const issue = issueOr404(state, request.params.issueIdOrKey);
        const accountId = (request.body as { accountId?: string | null } | undefined)?.accountId ?? null;
        if (accountId !== null && !state.userById(accountId)) {
          throw fieldErrors({ assignee: `User '${accountId}' does not exist.` });
        }
        issue.assigneeAccountId = accountId;
        issue.updated = state.now();
        return { status: 204 };
      },
    },
    getTransitions: {
      route: 'GET /rest/api/3/issue/{issueIdOrKey}/transitions',
      handle: ({ request, baseUrl }) => {
        const issue = issueOr404(state, request.params.issueIdOrKey);
        return {
          status: 200,
          body: {
            expand: 'transitions',
            transitions: STATUSES.filter((s) => s.id !== issue.statusId).map((target) => ({
              id: TRANSITION_IDS[target.id]!,
              name: target.name,
              to: statusDetails(state, baseUrl, target.id),
              hasScreen: false,
              isGlobal: true,
              isInitial: false,
              isAvailable: true,
              isConditional: false,
              looped: false,
            })),
          },
        };
      },
    },
    doTransition: {
      route: 'POST /rest/api/3/issue/{issueIdOrKey}/transitions',
      handle: ({ request }) => {
        const issue = issueOr404(state, request.params.issueIdOrKey);
        const id = (request.body as { transition?: { id?: string } } | undefined)?.transition?.id;
        const target = Object.entries(TRANSITION_IDS).find(([, transitionId]) => transitionId === id)?.[0];
        if (!target || target === issue.statusId) {
          throw new FakeHttpError(400, errorBody(400, `Transition id '${id ?? ''}' is not valid for this issue.`));
        }
        issue.statusId = target;
        issue.updated = state.now();
        return { status: 204 };
      },
    },
    getComments: {
      route: 'GET /rest/api/3/issue/{issueIdOrKey}/comment',
      handle: ({ request, baseUrl }) => {
        const issue = issueOr404(state, request.params.issueIdOrKey);
        const startAt = integer(request.query.startAt, 0);
        const maxResults = Math.min(integer(request.query.maxResults, 100), 100);
        const ordered = request.query.orderBy === '-created' ? [...issue.comments].reverse() : issue.comments;
        return {
          status: 200,
          body: {
            startAt,
            maxResults,
            total: issue.comments.length,
            comments: ordered
              .slice(startAt, startAt + maxResults)
              .map((comment) => commentBean(state, baseUrl, issue, comment)),
          },
        };
      },
    },
    addComment: {
      route: 'POST /rest/api/3/issue/{issueIdOrKey}/comment',
      handle: ({ request, baseUrl }) => {
        const issue = issueOr404(state, request.params.issueIdOrKey);
        const body = (request.body as { body?: unknown } | undefined)?.body;
        if (body === undefined) throw fieldErrors({ comment: 'Comment body can not be empty!' });
        if (!isDocument(body)) throw fieldErrors({ comment: ADF_REQUIRED });
        const comment = state.addComment(issue, caller(request), body);
        return { status: 201, body: commentBean(state, baseUrl, issue, comment) };
      },
    },
    searchProjects: {
      route: 'GET /rest/api/3/project/search',
      handle: ({ request, baseUrl }) => {
        const startAt = integer(request.query.startAt, 0);
        const maxResults = Math.min(integer(request.query.maxResults, 50), 100);
        const text = typeof request.query.query === 'string' ? request.query.query.toLowerCase() : '';
        const keys = list(request.query.keys).map((k) => k.toUpperCase());
        const expand = list(request.query.expand);
        const matching = state.projects.filter(
          (p) =>
            (text === '' || p.key.toLowerCase().includes(text) || p.name.toLowerCase().includes(text)) &&
            (keys.length === 0 || keys.includes(p.key)),
        );
        const page = matching.slice(startAt, startAt + maxResults);
        const isLast = startAt + page.length >= matching.length;
        const self = `${baseUrl}/rest/api/3/project/search?startAt=${startAt}&maxResults=${maxResults}`;
        return {
          status: 200,
          body: {
            self,
            ...(isLast
              ? {}
              : {
                  nextPage: `${baseUrl}/rest/api/3/project/search?startAt=${startAt + maxResults}&maxResults=${maxResults}`,
                }),
            maxResults,
            startAt,
            total: matching.length,
            isLast,
            values: page.map((project) => {
              const lead = state.userById(project.leadAccountId);
              return {
                expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
                ...projectRef(baseUrl, project),
                style: 'classic',
                isPrivate: false,
                properties: {},
                ...(expand.includes('description') ? { description: project.description } : {}),
                ...(expand.includes('lead') && lead ? { lead: userDetails(baseUrl, lead) } : {}),
              };
            }),
          },
        };
      },
    },
    findUsers: {
      route: 'GET /rest/api/3/user/search',
      handle: ({ request, baseUrl }) => {
        const query = typeof request.query.query === 'string' ? request.query.query.toLowerCase() : undefined;
        const accountId = typeof request.query.accountId === 'string' ? request.query.accountId : undefined;
        if (query === undefined && accountId === undefined) {
          throw new FakeHttpError(
            400,
            errorBody(400, "One of 'query' or 'accountId' query parameters must be provided."),
          );
        }
        const startAt = integer(request.query.startAt, 0);
        const maxResults = Math.min(integer(request.query.maxResults, 50), 1000);
        const matching = state.users.filter(
          (user) =>
            (accountId === undefined || user.accountId === accountId) &&
            (query === undefined ||
              user.displayName
                .toLowerCase()
                .split(/\s+/)
                .some((part) => part.startsWith(query)) ||
              user.displayName.toLowerCase().startsWith(query) ||
              user.emailAddress.toLowerCase().startsWith(query)),
        );
        return {
          status: 200,
          body: matching
            .slice(startAt, startAt + maxResults)
            .map((user) => ({ ...userDetails(baseUrl, user), locale: 'en_US' })),
        };
      },
    },
    getAllBoards: {
      route: 'GET /rest/agile/1.0/board',
      handle: ({ request, baseUrl }) => {
        const startAt = integer(request.query.startAt, 0);
        const maxResults = Math.min(integer(request.query.maxResults, 50), 50);
        const projectKeyOrId =
          typeof request.query.projectKeyOrId === 'string' ? request.query.projectKeyOrId : undefined;
        const project = projectKeyOrId ? state.project(projectKeyOrId) : undefined;
        if (projectKeyOrId && !project) {
          throw new FakeHttpError(400, errorBody(400, `No project could be found with key or id '${projectKeyOrId}'.`));
        }
        const name = typeof request.query.name === 'string' ? request.query.name.toLowerCase() : '';
        const matching = state.boards.filter(
          (b) => (!project || b.projectKey === project.key) && b.name.toLowerCase().includes(name),
        );
        const page = matching.slice(startAt, startAt + maxResults);
        return {
          status: 200,
          body: {
            maxResults,
            startAt,
            total: matching.length,
            isLast: startAt + page.length >= matching.length,
            values: page.map((board) => {
              const boardProject = state.project(board.projectKey)!;
              return {
                id: board.id,
                self: `${baseUrl}/rest/agile/1.0/board/${board.id}`,
                name: board.name,
                type: board.type,
                location: {
                  projectId: Number(boardProject.id),
                  displayName: `${boardProject.name} (${boardProject.key})`,
                  projectName: boardProject.name,
                  projectKey: boardProject.key,
                  projectTypeKey: 'software',
                  name: `${boardProject.name} (${boardProject.key})`,
                },
              };
            }),
          },
        };
      },
    },
    getAllSprints: {
      route: 'GET /rest/agile/1.0/board/{boardId}/sprint',
      handle: ({ request, baseUrl }) => {
        const board = state.boards.find((b) => String(b.id) === request.params.boardId);
        if (!board) throw notFound('Board does not exist or you do not have permission to see it.');
        if (board.type !== 'scrum') throw new FakeHttpError(400, errorBody(400, 'The board does not support sprints'));
        const states = list(request.query.state);
        const startAt = integer(request.query.startAt, 0);
        const maxResults = Math.min(integer(request.query.maxResults, 50), 50);
        const order = { closed: 0, active: 1, future: 2 };
        const matching = state.sprints
          .filter((s) => s.boardId === board.id && (states.length === 0 || states.includes(s.state)))
          .sort((a, b) => order[a.state] - order[b.state] || a.id - b.id);
        const page = matching.slice(startAt, startAt + maxResults);
        return {
          status: 200,
          body: {
            maxResults,
            startAt,
            isLast: startAt + page.length >= matching.length,
            values: page.map((sprint) => sprintBean(baseUrl, sprint)),
          },
        };
      },
    },
  };
}

// --- the published descriptions ---------------------------------------------------------------------------------

const ERROR_COLLECTION = '#/components/schemas/ErrorCollection';

/**
 * Spec clean-up, the one place where Atlassian's descriptions are corrected to what Jira does:
 * - Jira answers every 4xx with an ErrorCollection body (`{ errorMessages, errors }`), but the platform description
 *   documents that body for only a few operations and the Agile one for none; error responses without content get it.
 * - Some 204 responses (editIssue, assignIssue, doTransition) are described with an empty JSON schema as content;
 *   a 204 has no body (RFC 9110) and Jira sends none, so that content is dropped.
 * - The Agile description types getAllSprints' `state` query parameter as an empty object although its own text
 *   says "multiple states separated by commas, e.g. state=active,closed"; it becomes a string.
 * Everything else is validated as published.
 */
function cleanUp(doc: OpenApiDocument): void {
  for (const item of Object.values(doc.paths)) {
    for (const operation of Object.values(item)) {
      const { responses, parameters, operationId } = operation as {
        responses?: Record<string, { content?: unknown }>;
        parameters?: Array<{ name?: string; in?: string; schema?: unknown }>;
        operationId?: string;
      };
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (status === '204') delete response.content;
        else if (/^[45]/.test(status) && response.content === undefined) {
          response.content = { 'application/json': { schema: { $ref: ERROR_COLLECTION } } };
        }
      }
      if (operationId === 'getAllSprints') {
        const state = parameters?.find((p) => p.name === 'state' && p.in === 'query');
        if (state) state.schema = { type: 'string' };
      }
    }
  }
}

/** Renames the Agile description's components that collide with the platform's (refs rewritten), then merges. */
function mergeDescriptions(platform: OpenApiDocument, agile: OpenApiDocument): OpenApiDocument {
  const renames = new Map<string, string>();
  for (const [section, entries] of Object.entries(agile.components ?? {})) {
    for (const name of Object.keys(entries)) {
      if (platform.components?.[section]?.[name] !== undefined) {
        renames.set(`#/components/${section}/${name}`, `#/components/${section}/Agile${name}`);
      }
    }
  }
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? (renames.get(v) ?? v) : rewrite(v),
      ]),
    );
  };
  const components: Record<string, Record<string, unknown>> = structuredClone(platform.components ?? {});
  for (const [section, entries] of Object.entries(agile.components ?? {})) {
    components[section] ??= {};
    for (const [name, value] of Object.entries(entries)) {
      const renamed = renames.get(`#/components/${section}/${name}`)?.split('/').pop() ?? name;
      components[section][renamed] = rewrite(value);
    }
  }
  return {
    ...platform,
    paths: { ...structuredClone(platform.paths), ...(rewrite(agile.paths) as OpenApiDocument['paths']) },
    components,
  };
}

const PLATFORM_OPERATIONS = Object.keys(jiraOperations(createEmptyJiraState())).filter(
  (id) => id !== 'getAllBoards' && id !== 'getAllSprints',
);
const AGILE_OPERATIONS = ['getAllBoards', 'getAllSprints'];
let merged: Promise<OpenApiDocument> | undefined;

/** Both descriptions trimmed to the implemented operations, merged and cleaned (cached per process). */
export function jiraSpec(): Promise<OpenApiDocument> {
  merged ??= Promise.all([
    loadSpec({ file: 'jira/jira-platform-v3.json' }, { operationIds: PLATFORM_OPERATIONS }),
    loadSpec({ file: 'jira/jira-software-agile.json' }, { operationIds: AGILE_OPERATIONS }),
  ]).then(([platform, agile]) => {
    const doc = mergeDescriptions(platform, agile);
    cleanUp(doc);
    return doc;
  });
  return merged;
}

export async function startJiraFake(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const state = options.state ?? createSampleJiraState();
  const validate = options.validate ?? true;
  const fake = await startOpenApiFake({
    name: 'jira',
    spec: validate ? jiraSpec() : undefined,
    operations: jiraOperations(state),
    validate,
    authenticate: (request) => authenticate(state, request),
    errorBody,
    errorSchemaRef: ERROR_COLLECTION,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const alice = [...state.apiTokens.entries()][0] ?? ['', ''];
  return { ...fake, state, email: alice[0], token: alice[1] };
}
