// PagerDuty's JSON shapes for the fake's state: references, incidents, log entries, services, on-calls.
import type { EscalationPolicy, Incident, LogEntry, Note, PagerDutyState, Schedule, Service } from './state.ts';

export class Renderer {
  private readonly state: PagerDutyState;
  /**
   * `self` links name api.pagerduty.com as PagerDuty's do (the spec's `format: url` needs a host name, and no client
   * of ours follows them); `html_url` names the account's web UI.
   */
  private readonly apiUrl = 'https://api.pagerduty.com';

  constructor(state: PagerDutyState) {
    this.state = state;
  }

  private reference(kind: string, id: string, summary: string, web: string) {
    return {
      id,
      type: `${kind}_reference`,
      summary,
      self: `${this.apiUrl}/${kind === 'escalation_policy' ? 'escalation_policies' : `${kind}s`}/${id}`,
      html_url: `${this.state.webUrl}/${web}/${id}`,
    };
  }

  user(id: string) {
    return this.reference('user', id, this.state.users.get(id)?.name ?? id, 'users');
  }
  team(id: string) {
    return this.reference('team', id, this.state.teams.get(id)?.name ?? id, 'teams');
  }
  service(id: string) {
    return this.reference('service', id, this.state.services.get(id)?.name ?? id, 'service-directory');
  }
  escalationPolicy(id: string) {
    return this.reference(
      'escalation_policy',
      id,
      this.state.escalationPolicies.get(id)?.name ?? id,
      'escalation_policies',
    );
  }
  schedule(id: string) {
    return this.reference('schedule', id, this.state.schedules.get(id)?.name ?? id, 'schedules');
  }

  incident(incident: Incident) {
    const service = this.state.services.get(incident.serviceId)!;
    const trigger = incident.logEntries[0]!;
    const last = incident.logEntries.at(-1)!;
    return {
      id: incident.id,
      type: 'incident',
      summary: `[#${incident.number}] ${incident.title}`,
      self: `${this.apiUrl}/incidents/${incident.id}`,
      html_url: `${this.state.webUrl}/incidents/${incident.id}`,
      incident_number: incident.number,
      title: incident.title,
      created_at: incident.createdAt,
      updated_at: incident.updatedAt,
      status: incident.status,
      incident_key: incident.incidentKey,
      service: this.service(service.id),
      assignments:
        incident.status === 'resolved'
          ? []
          : incident.assigneeIds.map((id) => ({ at: incident.createdAt, assignee: this.user(id) })),
      assigned_via: 'escalation_policy',
      last_status_change_at: last.createdAt,
      ...(incident.resolvedAt ? { resolved_at: incident.resolvedAt } : {}),
      first_trigger_log_entry: {
        id: trigger.id,
        type: 'trigger_log_entry_reference',
        summary: trigger.summary,
        self: `${this.apiUrl}/log_entries/${trigger.id}?incident_id=${incident.id}`,
        html_url: `${this.state.webUrl}/incidents/${incident.id}/log_entries/${trigger.id}`,
      },
      alert_counts: {
        all: 1,
        triggered: incident.status === 'resolved' ? 0 : 1,
        resolved: incident.status === 'resolved' ? 1 : 0,
      },
      is_mergeable: true,
      escalation_policy: this.escalationPolicy(service.escalationPolicyId),
      teams: service.teamIds.map((id) => this.team(id)),
      pending_actions: [],
      acknowledgements:
        incident.status === 'acknowledged'
          ? incident.acknowledgerIds.map((id) => ({ at: incident.updatedAt, acknowledger: this.user(id) }))
          : [],
      last_status_change_by: last.agentUserId ? this.user(last.agentUserId) : this.service(service.id),
      urgency: incident.urgency,
    };
  }

  logEntry(incident: Incident, entry: LogEntry) {
    return {
      id: entry.id,
      type: entry.type,
      summary: entry.summary,
      self: `${this.apiUrl}/log_entries/${entry.id}?incident_id=${incident.id}`,
      html_url: `${this.state.webUrl}/incidents/${incident.id}/log_entries/${entry.id}`,
      created_at: entry.createdAt,
      channel: { type: entry.channel },
      ...(entry.agentUserId ? { agent: this.user(entry.agentUserId) } : { agent: this.service(incident.serviceId) }),
      service: this.service(incident.serviceId),
      incident: {
        id: incident.id,
        type: 'incident_reference',
        summary: `[#${incident.number}] ${incident.title}`,
        self: `${this.apiUrl}/incidents/${incident.id}`,
        html_url: `${this.state.webUrl}/incidents/${incident.id}`,
      },
      teams: this.state.services.get(incident.serviceId)!.teamIds.map((id) => this.team(id)),
      contexts: [],
    };
  }

  note(note: Note) {
    return {
      id: note.id,
      user: this.user(note.userId),
      channel: { summary: 'The PagerDuty website or APIs' },
      content: note.content,
      created_at: note.createdAt,
    };
  }

  serviceObject(service: Service) {
    return {
      id: service.id,
      type: 'service',
      summary: service.name,
      self: `${this.apiUrl}/services/${service.id}`,
      html_url: `${this.state.webUrl}/service-directory/${service.id}`,
      name: service.name,
      description: service.description,
      auto_resolve_timeout: 14400,
      acknowledgement_timeout: 1800,
      created_at: service.createdAt,
      status: service.status,
      last_incident_timestamp:
        [...this.state.incidents.values()]
          .filter((i) => i.serviceId === service.id)
          .map((i) => i.createdAt)
          .sort()
          .at(-1) ?? null,
      escalation_policy: this.escalationPolicy(service.escalationPolicyId),
      teams: service.teamIds.map((id) => this.team(id)),
      integrations: [],
      incident_urgency_rule: { type: 'constant', urgency: 'high' },
      scheduled_actions: [],
      addons: [],
      alert_creation: 'create_alerts_and_incidents',
      alert_grouping_parameters: { type: null },
    };
  }

  scheduleObject(schedule: Schedule) {
    return {
      id: schedule.id,
      type: 'schedule',
      summary: schedule.name,
      self: `${this.apiUrl}/schedules/${schedule.id}`,
      html_url: `${this.state.webUrl}/schedules/${schedule.id}`,
      name: schedule.name,
      description: `${schedule.rotationHours}h rotation`,
      time_zone: schedule.timeZone,
      escalation_policies: [...this.state.escalationPolicies.values()]
        .filter((p) => p.rules.some((r) => r.scheduleIds.includes(schedule.id)))
        .map((p) => this.escalationPolicy(p.id)),
      users: [...new Set(schedule.rotation)].map((id) => this.user(id)),
      teams: schedule.teamIds.map((id) => this.team(id)),
    };
  }

  escalationPolicyObject(policy: EscalationPolicy) {
    return {
      id: policy.id,
      type: 'escalation_policy',
      summary: policy.name,
      self: `${this.apiUrl}/escalation_policies/${policy.id}`,
      html_url: `${this.state.webUrl}/escalation_policies/${policy.id}`,
      name: policy.name,
      num_loops: 1,
      on_call_handoff_notifications: 'if_has_services',
      escalation_rules: policy.rules.map((rule, index) => ({
        id: `${policy.id}R${index + 1}`,
        escalation_delay_in_minutes: rule.delayMinutes,
        targets: [...rule.scheduleIds.map((id) => this.schedule(id)), ...rule.userIds.map((id) => this.user(id))],
      })),
      services: [...this.state.services.values()]
        .filter((s) => s.escalationPolicyId === policy.id)
        .map((s) => this.service(s.id)),
      teams: policy.teamIds.map((id) => this.team(id)),
    };
  }
}
