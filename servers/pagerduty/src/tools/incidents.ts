import { defineTool, listArgs, nextCursorField, READ, ToolError, truncateText, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import type { PagerDutyClient } from '../pagerduty.ts';
import { incidentId, nextCursor, pageStart, type Reference, ref, reference, resolveId, SERVICES } from './shared.ts';

interface Incident {
  id: string;
  incident_number: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency: 'high' | 'low';
  service: Reference;
  escalation_policy?: Reference;
  created_at: string;
  updated_at?: string;
  resolved_at?: string;
  assignments?: Array<{ assignee: Reference }>;
  acknowledgements?: Array<{ acknowledger: Reference }>;
  html_url: string;
}

const incidentSummary = z.object({
  id: z.string(),
  number: z.number(),
  title: z.string(),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  urgency: z.enum(['high', 'low']),
  service: reference,
  created_at: z.string(),
  assignees: z.array(z.string()),
  acknowledged_by: z.array(z.string()).optional(),
  html_url: z.string(),
});

function summarize(incident: Incident): z.input<typeof incidentSummary> {
  const acknowledgers = (incident.acknowledgements ?? []).map((a) => a.acknowledger.summary ?? a.acknowledger.id);
  return {
    id: incident.id,
    number: incident.incident_number,
    title: incident.title,
    status: incident.status,
    urgency: incident.urgency,
    service: ref(incident.service)!,
    created_at: incident.created_at,
    assignees: (incident.assignments ?? []).map((a) => a.assignee.summary ?? a.assignee.id),
    ...(acknowledgers.length > 0 ? { acknowledged_by: acknowledgers } : {}),
    html_url: incident.html_url,
  };
}

const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as "2026-11-20T09:00:00Z"' });

export function incidentTools(pd: PagerDutyClient) {
  const getIncident = async (id: string, signal: AbortSignal) =>
    (await pd.get<{ incident: Incident }>(`/incidents/${id}`, {}, signal)).incident;
  const setStatus = async (id: string, status: 'acknowledged' | 'resolved', signal: AbortSignal) =>
    (
      await pd.write<{ incident: Incident }>(
        'PUT',
        `/incidents/${id}`,
        { incident: { type: 'incident_reference', status } },
        signal,
      )
    ).incident;
  const addNote = async (id: string, content: string, signal: AbortSignal) =>
    (
      await pd.write<{ note: { id: string; created_at: string } }>(
        'POST',
        `/incidents/${id}/notes`,
        { note: { content } },
        signal,
      )
    ).note;

  return [
    defineTool({
      name: 'list_incidents',
      title: 'List incidents',
      description:
        'List PagerDuty incidents, newest first. Defaults to open ones (triggered and acknowledged) of the last 30 days.',
      toolset: 'incidents',
      tier: 'read',
      annotations: READ,
      input: z.object({
        statuses: z
          .array(z.enum(['triggered', 'acknowledged', 'resolved']))
          .min(1)
          .default(['triggered', 'acknowledged'])
          .describe('Statuses to include.'),
        urgency: z.enum(['high', 'low']).optional(),
        services: z
          .array(z.string().min(1))
          .max(10)
          .optional()
          .describe('Service names or IDs, e.g. ["payments-api"].'),
        since: isoDate.optional().describe('Only incidents created at or after this time (default: 30 days ago).'),
        until: isoDate.optional().describe('Only incidents created before this time.'),
        ...listArgs,
      }),
      output: z.object({
        incidents: z.array(incidentSummary),
        total: z.number().nullable(),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const offset = pageStart('list_incidents', input.cursor);
        const serviceIds = await Promise.all(
          (input.services ?? []).map((s) => resolveId(pd, SERVICES, s, 'services', ctx.signal)),
        );
        const query: Record<string, string | string[]> = { 'statuses[]': input.statuses };
        if (input.urgency) query['urgencies[]'] = [input.urgency];
        if (serviceIds.length > 0) query['service_ids[]'] = serviceIds;
        if (input.since) query.since = input.since;
        if (input.until) query.until = input.until;
        const page = await pd.list<Incident>(
          '/incidents',
          'incidents',
          query,
          { limit: input.limit, offset },
          ctx.signal,
        );
        return {
          incidents: page.items.map(summarize),
          total: page.total,
          nextCursor: nextCursor('list_incidents', page, input.limit),
        };
      },
    }),
    defineTool({
      name: 'get_incident',
      title: 'Get incident',
      description:
        'Get one incident with its escalation policy, its latest log entries (trigger, acknowledge, notes, resolve) and notes.',
      toolset: 'incidents',
      tier: 'read',
      annotations: READ,
      input: z.object({
        id: incidentId,
        log_entries: z.number().int().min(0).max(50).default(15).describe('Latest log entries to include (0-50).'),
      }),
      output: incidentSummary.extend({
        escalation_policy: reference.optional(),
        resolved_at: z.string().optional(),
        log_entries: z.array(
          z.object({ at: z.string(), type: z.string(), summary: z.string(), by: z.string().optional() }),
        ),
        more_log_entries: z.boolean(),
        notes: z.array(z.object({ at: z.string(), by: z.string(), content: z.string() })),
      }),
      handler: async (input, ctx) => {
        const incident = await getIncident(input.id, ctx.signal);
        const [entries, notes] = await Promise.all([
          input.log_entries > 0
            ? pd.list<{ created_at: string; type: string; summary: string; agent?: Reference }>(
                `/incidents/${input.id}/log_entries`,
                'log_entries',
                {},
                { limit: input.log_entries, offset: 0 },
                ctx.signal,
              )
            : undefined,
          pd.get<{ notes: Array<{ created_at: string; user: Reference; content: string }> }>(
            `/incidents/${input.id}/notes`,
            {},
            ctx.signal,
          ),
        ]);
        return {
          ...summarize(incident),
          ...(incident.escalation_policy ? { escalation_policy: ref(incident.escalation_policy) } : {}),
          ...(incident.resolved_at ? { resolved_at: incident.resolved_at } : {}),
          log_entries: (entries?.items ?? []).map((e) => ({
            at: e.created_at,
            type: e.type.replace(/_log_entry$/, ''),
            summary: e.summary,
            ...(e.agent?.type === 'user_reference' ? { by: e.agent.summary ?? e.agent.id } : {}),
          })),
          more_log_entries: entries?.more ?? false,
          notes: notes.notes.slice(-10).map((n) => ({
            at: n.created_at,
            by: n.user.summary ?? n.user.id,
            content: truncateText(n.content, { limit: 1000, hint: 'the note is long; open it in PagerDuty' }).text,
          })),
        };
      },
    }),
    defineTool({
      name: 'acknowledge_incident',
      title: 'Acknowledge incident',
      description:
        'Acknowledge a triggered incident as PAGERDUTY_FROM: stops escalation while someone works on it. Refuses a resolved incident.',
      toolset: 'incidents',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ id: incidentId }),
      output: incidentSummary,
      handler: async (input, ctx) => {
        const current = await getIncident(input.id, ctx.signal);
        if (current.status === 'resolved') {
          throw new ToolError('conflict', `id: incident ${input.id} is resolved; acknowledging it would reopen it`, {
            hint: 'leave it resolved, or trigger a new incident if the problem is back',
            retryable: false,
          });
        }
        if (current.status === 'acknowledged') return summarize(current);
        return summarize(await setStatus(input.id, 'acknowledged', ctx.signal));
      },
    }),
    defineTool({
      name: 'resolve_incident',
      title: 'Resolve incident',
      description: 'Resolve an incident as PAGERDUTY_FROM, optionally adding a resolution note first.',
      toolset: 'incidents',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        id: incidentId,
        resolution: z.string().min(1).max(25_000).optional().describe('What fixed it; added as a note.'),
      }),
      output: incidentSummary.extend({ note_added: z.boolean() }),
      handler: async (input, ctx) => {
        if (input.resolution) await addNote(input.id, `Resolution: ${input.resolution}`, ctx.signal);
        const incident = await setStatus(input.id, 'resolved', ctx.signal);
        return { ...summarize(incident), note_added: input.resolution !== undefined };
      },
    }),
    defineTool({
      name: 'add_incident_note',
      title: 'Add incident note',
      description: 'Add a note to an incident timeline as PAGERDUTY_FROM (findings, actions taken, links).',
      toolset: 'incidents',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        id: incidentId,
        content: z.string().min(1, { error: 'give the note text' }).max(25_000).describe('The note text.'),
      }),
      output: z.object({ incident_id: z.string(), note_id: z.string(), created_at: z.string() }),
      handler: async (input, ctx) => {
        const note = await addNote(input.id, input.content, ctx.signal);
        return { incident_id: input.id, note_id: note.id, created_at: note.created_at };
      },
    }),
    defineTool({
      name: 'trigger_incident',
      title: 'Trigger incident',
      description:
        "Trigger an alert through the Events API v2 on the service of PAGERDUTY_ROUTING_KEY. The same dedup_key while it is open doesn't page twice.",
      toolset: 'incidents',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        summary: z.string().min(1).max(1024).describe('What is wrong, e.g. "payments-api: 5xx rate above 5%".'),
        severity: z.enum(['critical', 'error', 'warning', 'info']).describe('critical and error page (high urgency).'),
        source: z.string().min(1).max(255).default('idp-mcp').describe('Where it happens, e.g. a host or service.'),
        dedup_key: z
          .string()
          .min(1)
          .max(255)
          .optional()
          .describe('Groups repeats into one incident; PagerDuty makes one when omitted.'),
        component: z.string().max(255).optional(),
        group: z.string().max(255).optional(),
        class: z.string().max(255).optional(),
        custom_details: z.record(z.string(), z.unknown()).optional().describe('Extra context shown on the alert.'),
        links: z
          .array(z.object({ href: z.url(), text: z.string().optional() }))
          .max(10)
          .optional(),
      }),
      output: z.object({ status: z.string(), message: z.string(), dedup_key: z.string() }),
      handler: async (input, ctx) => {
        const payload = {
          summary: input.summary,
          source: input.source,
          severity: input.severity,
          timestamp: new Date().toISOString(),
          ...(input.component ? { component: input.component } : {}),
          ...(input.group ? { group: input.group } : {}),
          ...(input.class ? { class: input.class } : {}),
          ...(input.custom_details ? { custom_details: input.custom_details } : {}),
        };
        return pd.enqueue(
          {
            event_action: 'trigger',
            payload,
            client: 'idp-mcp',
            ...(input.dedup_key ? { dedup_key: input.dedup_key } : {}),
            ...(input.links ? { links: input.links } : {}),
          },
          ctx.signal,
        );
      },
    }),
  ];
}
