// The PagerDuty fake's world: users, teams, escalation policies, schedules, services with Events API integration
// keys, and incidents with their log entries and notes.

export interface User {
  id: string;
  name: string;
  email: string;
}
export interface Team {
  id: string;
  name: string;
}
export interface EscalationPolicy {
  id: string;
  name: string;
  teamIds: string[];
  /** Level -> schedule ids (or user ids for direct user targets). */
  rules: Array<{ delayMinutes: number; scheduleIds: string[]; userIds: string[] }>;
}
export interface Schedule {
  id: string;
  name: string;
  timeZone: string;
  teamIds: string[];
  /** Users in rotation order; the on-call changes every `rotationHours`. */
  rotation: string[];
  rotationHours: number;
}
export interface Service {
  id: string;
  name: string;
  description: string;
  status: 'active' | 'warning' | 'critical' | 'maintenance' | 'disabled';
  escalationPolicyId: string;
  teamIds: string[];
  /** Events API v2 integration key. */
  routingKey: string;
  createdAt: string;
}
export interface LogEntry {
  id: string;
  type: 'trigger_log_entry' | 'acknowledge_log_entry' | 'annotate_log_entry' | 'resolve_log_entry';
  summary: string;
  createdAt: string;
  /** User id, or undefined for the API / an integration. */
  agentUserId?: string;
  channel: string;
}
export interface Note {
  id: string;
  userId: string;
  content: string;
  createdAt: string;
}
export interface Incident {
  id: string;
  number: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: 'high' | 'low';
  serviceId: string;
  incidentKey: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt?: string;
  assigneeIds: string[];
  acknowledgerIds: string[];
  logEntries: LogEntry[];
  notes: Note[];
  body?: string;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class PagerDutyState {
  readonly users = new Map<string, User>();
  readonly teams = new Map<string, Team>();
  readonly escalationPolicies = new Map<string, EscalationPolicy>();
  readonly schedules = new Map<string, Schedule>();
  readonly services = new Map<string, Service>();
  readonly incidents = new Map<string, Incident>();
  /** REST API tokens -> access ('full' or 'read'). */
  readonly tokens = new Map<string, 'full' | 'read'>();
  /** Deterministic ids: P + 6 characters, from a counter. */
  private counter = 0;
  /** The clock; tests may move it. */
  now: () => Date = () => new Date();
  /** Where the web UI would be, for html_url fields. */
  readonly webUrl = 'https://acme.pagerduty.com';

  id(prefix = 'P'): string {
    let n = ++this.counter * 7919 + 104729;
    let id = '';
    for (let i = 0; i < 6; i++) {
      id += ID_CHARS[n % ID_CHARS.length];
      n = Math.floor(n / ID_CHARS.length);
    }
    return `${prefix}${id}`;
  }

  timestamp(offsetMinutes = 0): string {
    return new Date(this.now().getTime() + offsetMinutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  userByEmail(email: string): User | undefined {
    return [...this.users.values()].find((user) => user.email.toLowerCase() === email.toLowerCase());
  }

  /** Who is on call on a schedule at a time (rotation by whole hours since the epoch). */
  onCallAt(schedule: Schedule, at: Date): { userId: string; start: Date; end: Date } {
    const slot = Math.floor(at.getTime() / (schedule.rotationHours * 3_600_000));
    const start = new Date(slot * schedule.rotationHours * 3_600_000);
    const end = new Date(start.getTime() + schedule.rotationHours * 3_600_000);
    return { userId: schedule.rotation[slot % schedule.rotation.length]!, start, end };
  }

  /** Opens an incident on a service (as an Events API trigger or the REST API would). */
  openIncident(options: {
    serviceId: string;
    title: string;
    urgency?: 'high' | 'low';
    incidentKey?: string;
    channel?: string;
    minutesAgo?: number;
    body?: string;
  }): Incident {
    const service = this.services.get(options.serviceId)!;
    const policy = this.escalationPolicies.get(service.escalationPolicyId)!;
    const createdAt = this.timestamp(-(options.minutesAgo ?? 0));
    const firstRule = policy.rules[0]!;
    const assignees = [
      ...firstRule.scheduleIds.map((id) => this.onCallAt(this.schedules.get(id)!, this.now()).userId),
      ...firstRule.userIds,
    ];
    const incident: Incident = {
      id: this.id('Q'),
      number: this.incidents.size + 1001,
      title: options.title,
      status: 'triggered',
      urgency: options.urgency ?? 'high',
      serviceId: service.id,
      incidentKey: options.incidentKey ?? this.id('K').toLowerCase().repeat(4),
      createdAt,
      updatedAt: createdAt,
      assigneeIds: [...new Set(assignees)],
      acknowledgerIds: [],
      logEntries: [],
      notes: [],
      ...(options.body ? { body: options.body } : {}),
    };
    incident.logEntries.push({
      id: this.id('R'),
      type: 'trigger_log_entry',
      summary: `Triggered through the ${options.channel ?? 'API'}`,
      createdAt,
      channel: options.channel === 'website' ? 'web_trigger' : 'api',
    });
    this.incidents.set(incident.id, incident);
    return incident;
  }
}
