// A JQL subset for the fake: clauses on the fields idp-mcp's tools and sample prompts use, joined by AND / OR with
// parentheses, and ORDER BY. A query outside the subset gets Jira's own 400 shape, and the message says it is the fake.
import { FakeHttpError } from '../server.ts';
import type { JiraIssue, JiraState } from './state.ts';

type Token = { kind: 'word' | 'string' | 'op' | 'punct'; value: string };
type Predicate = (issue: JiraIssue) => boolean;

export interface JqlQuery {
  /** False for a query without a restriction (empty, or ORDER BY only). */
  bounded: boolean;
  matches: Predicate;
  compare: (a: JiraIssue, b: JiraIssue) => number;
}

export function jqlError(message: string): FakeHttpError {
  return new FakeHttpError(400, { errorMessages: [message], errors: {} });
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(!=|>=|<=|!~|=|~|>|<)|([(),])|([\w.\-:@+]+(?:\(\))?))/y;
  let index = 0;
  while (index < jql.length) {
    if (/^\s*$/.test(jql.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(jql);
    if (!match) throw jqlError(`Error in the JQL Query: the character '${jql[index]}' is a reserved JQL character.`);
    index = pattern.lastIndex;
    if (match[1] !== undefined || match[2] !== undefined) tokens.push({ kind: 'string', value: match[1] ?? match[2]! });
    else if (match[3]) tokens.push({ kind: 'op', value: match[3] });
    else if (match[4]) tokens.push({ kind: 'punct', value: match[4] });
    else tokens.push({ kind: 'word', value: match[5]! });
  }
  return tokens;
}

const FIELDS = new Set([
  'project',
  'key',
  'issuekey',
  'status',
  'statuscategory',
  'assignee',
  'reporter',
  'labels',
  'type',
  'issuetype',
  'priority',
  'summary',
  'text',
  'sprint',
  'parent',
  'created',
  'updated',
]);

export function parseJql(state: JiraState, jql: string, currentAccountId: string): JqlQuery {
  const tokens = tokenize(jql);
  let position = 0;
  const peek = () => tokens[position];
  const isWord = (token: Token | undefined, word: string) =>
    token?.kind === 'word' && token.value.toLowerCase() === word.toLowerCase();
  const next = (): Token => {
    const token = tokens[position++];
    if (!token) throw jqlError('Error in the JQL Query: Expecting a value but reached the end of the query.');
    return token;
  };

  const fieldValue = (field: string, issue: JiraIssue): string[] => {
    switch (field) {
      case 'project':
        return [
          issue.projectKey,
          state.project(issue.projectKey)?.name ?? '',
          state.project(issue.projectKey)?.id ?? '',
        ];
      case 'key':
      case 'issuekey':
        return [issue.key, issue.id];
      case 'status':
        return [state.status(issue.statusId).name, issue.statusId];
      case 'statuscategory': {
        const category = state.status(issue.statusId).category;
        return [category, { new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[category]];
      }
      case 'assignee':
      case 'reporter': {
        const user = state.userById(field === 'assignee' ? issue.assigneeAccountId : issue.reporterAccountId);
        return user ? [user.accountId, user.displayName, user.emailAddress] : [];
      }
      case 'labels':
        return issue.labels;
      case 'type':
      case 'issuetype':
        return [issue.issueType];
      case 'priority':
        return [issue.priority];
      case 'parent': {
        const parent = issue.parentKey ? state.issue(issue.parentKey) : undefined;
        return parent ? [parent.key, parent.id] : [];
      }
      case 'sprint': {
        const sprint = state.sprints.find((s) => s.id === issue.sprintId);
        return sprint ? [String(sprint.id), sprint.name] : [];
      }
      default:
        return [];
    }
  };

  const value = (): string => {
    const token = next();
    if (token.kind === 'punct' || token.kind === 'op') {
      throw jqlError(`Error in the JQL Query: Expecting either a value, list or function but got '${token.value}'.`);
    }
    if (isWord(token, 'currentUser()')) return currentAccountId;
    return token.value;
  };

  const values = (): string[] => {
    if (peek()?.value !== '(') return [value()];
    next();
    const list = [value()];
    while (peek()?.value === ',') {
      next();
      list.push(value());
    }
    if (next().value !== ')') throw jqlError("Error in the JQL Query: Expecting ')' to close the list.");
    return list;
  };

  const timeOf = (text: string): number => {
    const relative = /^([-+]?\d+)([mhdw])$/.exec(text);
    if (relative) {
      const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as 'm' | 'h' | 'd' | 'w'];
      return Date.parse(state.now()) + Number(relative[1]) * unit;
    }
    const parsed = Date.parse(text.replace(/\//g, '-'));
    if (Number.isNaN(parsed)) throw jqlError(`Date value '${text}' for field 'updated' is invalid.`);
    return parsed;
  };

  const clause = (): Predicate => {
    if (peek()?.value === '(') {
      next();
      const inner = orExpression();
      if (next().value !== ')') throw jqlError("Error in the JQL Query: Expecting ')'.");
      return inner;
    }
    if (isWord(peek(), 'not')) {
      next();
      const inner = clause();
      return (issue) => !inner(issue);
    }
    const fieldToken = next();
    const field = fieldToken.value.toLowerCase();
    if (!FIELDS.has(field)) {
      throw jqlError(`Field '${fieldToken.value}' does not exist or you do not have permission to view it.`);
    }
    let operator = next();
    let negate = false;
    if (isWord(operator, 'not')) {
      negate = true;
      operator = next();
    }
    const op = operator.value.toLowerCase();
    if (op === 'is') {
      let empty = value().toLowerCase();
      if (empty === 'not') {
        negate = !negate;
        empty = value().toLowerCase();
      }
      if (empty !== 'empty' && empty !== 'null') throw jqlError("Error in the JQL Query: Expecting 'EMPTY' after IS.");
      return (issue) => (fieldValue(field, issue).length === 0) !== negate;
    }
    if (field === 'created' || field === 'updated') {
      const at = timeOf(value());
      const compare = {
        '>=': (t: number) => t >= at,
        '>': (t: number) => t > at,
        '<=': (t: number) => t <= at,
        '<': (t: number) => t < at,
      }[op];
      if (!compare) throw jqlError(`The operator '${operator.value}' is not supported by the '${field}' field.`);
      return (issue) => compare(Date.parse(issue[field].replace('+0000', 'Z')));
    }
    if (field === 'summary' || field === 'text') {
      if (op !== '~' && op !== '!~')
        throw jqlError(`The operator '${operator.value}' is not supported by the '${field}' field.`);
      const words = value().toLowerCase().split(/\s+/).filter(Boolean);
      const contains = (issue: JiraIssue) => {
        const text = (
          field === 'summary' ? issue.summary : `${issue.summary} ${adfText(issue.description)}`
        ).toLowerCase();
        return words.every((word) => text.includes(word.replace(/\*$/, '')));
      };
      return op === '~' ? contains : (issue) => !contains(issue);
    }
    if (field === 'sprint' && (op === 'in' || op === '=') && isWord(peek(), 'openSprints()')) {
      next();
      return (issue) => state.sprints.some((s) => s.id === issue.sprintId && s.state === 'active') !== negate;
    }
    if (op === '=' || op === '!=' || op === 'in') {
      const wanted = (op === 'in' ? values() : [value()]).map((v) => v.toLowerCase());
      const positive = op !== '!=' && !negate;
      return (issue) => fieldValue(field, issue).some((v) => wanted.includes(v.toLowerCase())) === positive;
    }
    throw jqlError(`The operator '${operator.value}' is not supported by the '${fieldToken.value}' field.`);
  };

  const andExpression = (): Predicate => {
    const parts = [clause()];
    while (isWord(peek(), 'and')) {
      next();
      parts.push(clause());
    }
    return (issue) => parts.every((part) => part(issue));
  };

  function orExpression(): Predicate {
    const parts = [andExpression()];
    while (isWord(peek(), 'or')) {
      next();
      parts.push(andExpression());
    }
    return (issue) => parts.some((part) => part(issue));
  }

  const bounded = !(tokens.length === 0 || isWord(peek(), 'order'));
  const matches: Predicate = bounded ? orExpression() : () => true;
  const order: Array<{ field: string; direction: number }> = [];
  if (isWord(peek(), 'order')) {
    next();
    if (!isWord(next(), 'by')) throw jqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.");
    do {
      if (peek()?.value === ',') next();
      const field = next().value.toLowerCase();
      let direction = 1;
      if (isWord(peek(), 'asc') || isWord(peek(), 'desc')) direction = next().value.toLowerCase() === 'desc' ? -1 : 1;
      order.push({ field, direction });
    } while (peek()?.value === ',');
  }
  if (position < tokens.length) {
    throw jqlError(`Error in the JQL Query: Expecting operator but got '${tokens[position]!.value}'.`);
  }
  if (order.length === 0) order.push({ field: 'key', direction: -1 });
  const sortKey = (issue: JiraIssue, field: string): string | number => {
    if (field === 'created' || field === 'updated') return issue[field];
    // The fake ranks issues in creation order.
    if (field === 'key' || field === 'id' || field === 'rank') return Number(issue.id);
    // Jira sorts priorities by rank: DESC puts Highest first.
    if (field === 'priority') return 4 - ['Highest', 'High', 'Medium', 'Low', 'Lowest'].indexOf(issue.priority);
    if (field === 'status') return state.status(issue.statusId).name;
    if (field === 'summary') return issue.summary;
    throw jqlError(`Field '${field}' does not exist or you do not have permission to view it.`);
  };
  return {
    bounded,
    matches,
    compare: (a, b) => {
      for (const { field, direction } of order) {
        const x = sortKey(a, field);
        const y = sortKey(b, field);
        if (x < y) return -direction;
        if (x > y) return direction;
      }
      return 0;
    },
  };
}

/** The plain text of an Atlassian document (for text search). */
export function adfText(node: unknown): string {
  if (node === null || typeof node !== 'object') return '';
  const { text, content } = node as { text?: unknown; content?: unknown };
  const own = typeof text === 'string' ? text : '';
  return Array.isArray(content) ? `${own} ${content.map(adfText).join(' ')}` : own;
}
