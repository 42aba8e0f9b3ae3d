// The PagerDuty REST operations the fake implements, by the spec's operationId, with PagerDuty's conventions:
// `Authorization: Token token=...`, offset pagination (`limit`, `offset`, `more`, `total`), `From` on writes, and
// `{ error: { message, code, errors } }` bodies.
import {
  FakeHttpError,
  type FakeOperation,
  type FakeRequest,
  type FakeResponse,
  type HandlerContext,
} from '../server.ts';
import { Renderer } from './render.ts';
import type { Incident, PagerDutyState } from './state.ts';

const CODES: Record<number, [string, number]> = {
  400: ['Invalid Input Provided', 2001],
  401: ['Unauthorized', 2006],
  403: ['Access Denied', 2010],
  404: ['Not Found', 2100],
  429: ['Rate Limit Exceeded', 2020],
  500: ['Internal Server Error', 2000],
  502: ['Bad Gateway', 2000],
  503: ['Service Unavailable', 2000],
};

export function errorBody(status: number, message?: string, errors?: string[]): unknown {
  const [defaultMessage, code] = CODES[status] ?? ['Error', 2000];
  return { error: { message: message ?? defaultMessage, code, ...(errors ? { errors } : {}) } };
}

export function pdError(status: number, errors?: string[], message?: string): FakeHttpError {
  return new FakeHttpError(status, errorBody(status, message, errors));
}

function tokenOf(request: FakeRequest): string | undefined {
  return /^Token token=(\S+)$/.exec(request.headers.authorization ?? '')?.[1];
}

export function authenticate(state: PagerDutyState, request: FakeRequest): FakeResponse | undefined {
  const token = tokenOf(request);
  if (token === undefined || !state.tokens.has(token)) return { status: 401, body: errorBody(401) };
  return undefined;
}

/** Writes need a full-access token and a `From` header naming a user of the account. */
function requester(state: PagerDutyState, request: FakeRequest): string {
  if (state.tokens.get(tokenOf(request)!) !== 'full') throw pdError(403, ['This API key is read-only']);
  const from = request.headers.from;
  const user = from ? state.userByEmail(from) : undefined;
  if (!user) throw pdError(400, ['Requester User Not Found'], 'Invalid Input Provided');
  return user.id;
}

function list(request: FakeRequest, key: string): string[] {
  const value = request.query[key];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function paginate<T>(request: FakeRequest, items: T[], key: string, render: (item: T) => unknown): FakeResponse {
  const limit = Math.min(Number(request.query.limit ?? 25), 100);
  const offset = Number(request.query.offset ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
    throw pdError(400, ['Offset and limit must be non-negative integers']);
  }
  const page = items.slice(offset, offset + limit);
  return {
    status: 200,
    body: {
      [key]: page.map(render),
      limit,
      offset,
      more: offset + limit < items.length,
      total: request.query.total === 'true' ? items.length : null,
    },
  };
}

function matchesQuery(name: string, request: FakeRequest): boolean {
  const query = request.query.query;
  return typeof query !== 'string' || name.toLowerCase().includes(query.toLowerCase());
}

export function pagerDutyOperations(state: PagerDutyState): Record<string, FakeOperation> {
  const render = (_context: HandlerContext) => new Renderer(state);
  const incidentOf = (context: HandlerContext): Incident => {
    const incident = state.incidents.get(context.request.params.id!);
    if (!incident) throw pdError(404, ['Incident Not Found']);
    return incident;
  };
  return {
    listIncidents: {
      route: 'GET /incidents',
      handle: (context) => {
        const { request } = context;
        const statuses = list(request, 'statuses[]');
        const urgencies = list(request, 'urgencies[]');
        const services = list(request, 'service_ids[]');
        const teams = list(request, 'team_ids[]');
        const since = typeof request.query.since === 'string' ? Date.parse(request.query.since) : undefined;
        const until = typeof request.query.until === 'string' ? Date.parse(request.query.until) : undefined;
        const all = request.query.date_range === 'all';
        // PagerDuty's default window is the last 30 days when neither since nor date_range=all is given.
        const from = all ? undefined : (since ?? state.now().getTime() - 30 * 86_400_000);
        const incidents = [...state.incidents.values()]
          .filter((i) => statuses.length === 0 || statuses.includes(i.status))
          .filter((i) => urgencies.length === 0 || urgencies.includes(i.urgency))
          .filter((i) => services.length === 0 || services.includes(i.serviceId))
          .filter(
            (i) => teams.length === 0 || state.services.get(i.serviceId)!.teamIds.some((team) => teams.includes(team)),
          )
          .filter((i) => from === undefined || Date.parse(i.createdAt) >= from)
          .filter((i) => all || until === undefined || Date.parse(i.createdAt) < until)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number);
        const renderer = render(context);
        return paginate(request, incidents, 'incidents', (i) => renderer.incident(i));
      },
    },
    getIncident: {
      route: 'GET /incidents/{id}',
      handle: (context) => ({ status: 200, body: { incident: render(context).incident(incidentOf(context)) } }),
    },
    updateIncident: {
      route: 'PUT /incidents/{id}',
      handle: (context) => {
        const incident = incidentOf(context);
        const userId = requester(state, context.request);
        const body = context.request.body as { incident?: { status?: string; type?: string } } | undefined;
        const status = body?.incident?.status;
        const now = state.timestamp();
        if (status === 'acknowledged' && incident.status !== 'acknowledged') {
          incident.status = 'acknowledged';
          incident.resolvedAt = undefined;
          incident.acknowledgerIds = [userId];
          incident.logEntries.push({
            id: state.id('R'),
            type: 'acknowledge_log_entry',
            summary: `Acknowledged by ${state.users.get(userId)!.name}`,
            createdAt: now,
            agentUserId: userId,
            channel: 'website',
          });
          incident.updatedAt = now;
        } else if (status === 'resolved' && incident.status !== 'resolved') {
          incident.status = 'resolved';
          incident.resolvedAt = now;
          incident.logEntries.push({
            id: state.id('R'),
            type: 'resolve_log_entry',
            summary: `Resolved by ${state.users.get(userId)!.name}`,
            createdAt: now,
            agentUserId: userId,
            channel: 'website',
          });
          incident.updatedAt = now;
        } else if (status === 'triggered' && incident.status !== 'triggered') {
          incident.status = 'triggered';
          incident.resolvedAt = undefined;
          incident.updatedAt = now;
        }
        return { status: 200, body: { incident: render(context).incident(incident) } };
      },
    },
    listIncidentLogEntries: {
      route: 'GET /incidents/{id}/log_entries',
      handle: (context) => {
        const incident = incidentOf(context);
        const renderer = render(context);
        const entries = [...incident.logEntries].reverse();
        return paginate(context.request, entries, 'log_entries', (e) => renderer.logEntry(incident, e));
      },
    },
    listIncidentNotes: {
      route: 'GET /incidents/{id}/notes',
      handle: (context) => {
        const renderer = render(context);
        return { status: 200, body: { notes: incidentOf(context).notes.map((n) => renderer.note(n)) } };
      },
    },
    createIncidentNote: {
      route: 'POST /incidents/{id}/notes',
      handle: (context) => {
        const incident = incidentOf(context);
        const userId = requester(state, context.request);
        const content = (context.request.body as { note?: { content?: string } } | undefined)?.note?.content ?? '';
        if (content.trim() === '') throw pdError(400, ['Note content cannot be empty']);
        if (content.length > 25_000) throw pdError(400, ['Note content is too long (maximum is 25000 characters)']);
        const note = { id: state.id('N'), userId, content, createdAt: state.timestamp() };
        incident.notes.push(note);
        incident.logEntries.push({
          id: state.id('R'),
          type: 'annotate_log_entry',
          summary: `Note added by ${state.users.get(userId)!.name}`,
          createdAt: note.createdAt,
          agentUserId: userId,
          channel: 'note',
        });
        return { status: 200, body: { note: render(context).note(note) } };
      },
    },
    listOnCalls: {
      route: 'GET /oncalls',
      handle: (context) => {
        const { request } = context;
        const policyIds = list(request, 'escalation_policy_ids[]');
        const scheduleIds = list(request, 'schedule_ids[]');
        const userIds = list(request, 'user_ids[]');
        const at = typeof request.query.since === 'string' ? new Date(request.query.since) : state.now();
        const renderer = render(context);
        const oncalls: unknown[] = [];
        for (const policy of state.escalationPolicies.values()) {
          if (policyIds.length > 0 && !policyIds.includes(policy.id)) continue;
          policy.rules.forEach((rule, index) => {
            for (const scheduleId of rule.scheduleIds) {
              if (scheduleIds.length > 0 && !scheduleIds.includes(scheduleId)) continue;
              const shift = state.onCallAt(state.schedules.get(scheduleId)!, at);
              if (userIds.length > 0 && !userIds.includes(shift.userId)) continue;
              oncalls.push({
                escalation_policy: renderer.escalationPolicy(policy.id),
                user: renderer.user(shift.userId),
                schedule: renderer.schedule(scheduleId),
                escalation_level: index + 1,
                start: shift.start.toISOString().replace(/\.\d{3}Z$/, 'Z'),
                end: shift.end.toISOString().replace(/\.\d{3}Z$/, 'Z'),
              });
            }
            if (scheduleIds.length > 0) return;
            for (const userId of rule.userIds) {
              if (userIds.length > 0 && !userIds.includes(userId)) continue;
              oncalls.push({
                escalation_policy: renderer.escalationPolicy(policy.id),
                user: renderer.user(userId),
                schedule: null,
                escalation_level: index + 1,
                start: null,
                end: null,
              });
            }
          });
        }
        return paginate(request, oncalls, 'oncalls', (o) => o);
      },
    },
    listServices: {
      route: 'GET /services',
      handle: (context) => {
        const teams = list(context.request, 'team_ids[]');
        const services = [...state.services.values()]
          .filter((s) => matchesQuery(s.name, context.request))
          .filter((s) => teams.length === 0 || s.teamIds.some((t) => teams.includes(t)))
          .sort((a, b) => a.name.localeCompare(b.name));
        const renderer = render(context);
        return paginate(context.request, services, 'services', (s) => renderer.serviceObject(s));
      },
    },
    listSchedules: {
      route: 'GET /schedules',
      handle: (context) => {
        const schedules = [...state.schedules.values()]
          .filter((s) => matchesQuery(s.name, context.request))
          .sort((a, b) => a.name.localeCompare(b.name));
        const renderer = render(context);
        return paginate(context.request, schedules, 'schedules', (s) => renderer.scheduleObject(s));
      },
    },
    listEscalationPolicies: {
      route: 'GET /escalation_policies',
      handle: (context) => {
        const policies = [...state.escalationPolicies.values()]
          .filter((p) => matchesQuery(p.name, context.request))
          .sort((a, b) => a.name.localeCompare(b.name));
        const renderer = render(context);
        return paginate(context.request, policies, 'escalation_policies', (p) => renderer.escalationPolicyObject(p));
      },
    },
  };
}
