import { defineTool, listArgs, nextCursorField, READ, ToolError } from '@idp-mcp/core';
import * as z from 'zod';
import type { PagerDutyClient } from '../pagerduty.ts';
import {
  nameQuery,
  nextCursor,
  POLICIES,
  pageStart,
  type Reference,
  ref,
  reference,
  resolveId,
  SCHEDULES,
} from './shared.ts';

interface Oncall {
  user: Reference;
  schedule: Reference | null;
  escalation_policy: Reference;
  escalation_level: number;
  start: string | null;
  end: string | null;
}

export function oncallTools(pd: PagerDutyClient) {
  return [
    defineTool({
      name: 'list_oncalls',
      title: 'Who is on call',
      description:
        'Who is on call now (or at a time), by schedule or escalation policy (names or IDs), with escalation level and shift end.',
      toolset: 'oncall',
      tier: 'read',
      annotations: READ,
      input: z.object({
        schedule: z.string().min(1).optional().describe('Schedule name or ID, e.g. "payments-primary".'),
        escalation_policy: z.string().min(1).optional().describe('Escalation policy name or ID.'),
        at: z.iso
          .datetime({ offset: true, error: 'must be an ISO 8601 time such as "2026-11-21T22:00:00Z"' })
          .optional()
          .describe('When; now if omitted.'),
        ...listArgs,
      }),
      output: z.object({
        oncalls: z.array(
          z.object({
            user: z.string(),
            level: z.number(),
            escalation_policy: reference,
            schedule: reference.optional(),
            start: z.string().nullable(),
            end: z.string().nullable(),
          }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        if (!input.schedule && !input.escalation_policy) {
          throw new ToolError('invalid_request', 'schedule or escalation_policy: give one of them', {
            hint: 'list_schedules and list_escalation_policies show the names',
            retryable: false,
          });
        }
        const q: Record<string, string | string[]> = {};
        if (input.schedule) {
          q['schedule_ids[]'] = [await resolveId(pd, SCHEDULES, input.schedule, 'schedule', ctx.signal)];
        }
        if (input.escalation_policy) {
          q['escalation_policy_ids[]'] = [
            await resolveId(pd, POLICIES, input.escalation_policy, 'escalation_policy', ctx.signal),
          ];
        }
        if (input.at) {
          q.since = input.at;
          q.until = input.at;
        }
        const offset = pageStart('list_oncalls', input.cursor);
        const page = await pd.list<Oncall>('/oncalls', 'oncalls', q, { limit: input.limit, offset }, ctx.signal);
        return {
          oncalls: page.items
            .map((o) => ({
              user: o.user.summary ?? o.user.id,
              level: o.escalation_level,
              escalation_policy: ref(o.escalation_policy)!,
              ...(o.schedule ? { schedule: ref(o.schedule) } : {}),
              start: o.start,
              end: o.end,
            }))
            .sort((a, b) => a.level - b.level),
          nextCursor: nextCursor('list_oncalls', page, input.limit),
        };
      },
    }),
    defineTool({
      name: 'list_schedules',
      title: 'List on-call schedules',
      description: 'List on-call schedules with time zone, users in rotation and the escalation policies using them.',
      toolset: 'oncall',
      tier: 'read',
      annotations: READ,
      input: z.object({ query: nameQuery, ...listArgs }),
      output: z.object({
        schedules: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            time_zone: z.string(),
            users: z.array(z.string()),
            escalation_policies: z.array(z.string()),
          }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const offset = pageStart('list_schedules', input.cursor);
        const page = await pd.list<{
          id: string;
          name: string;
          time_zone: string;
          users?: Reference[];
          escalation_policies?: Reference[];
        }>(
          '/schedules',
          'schedules',
          input.query ? { query: input.query } : {},
          { limit: input.limit, offset },
          ctx.signal,
        );
        return {
          schedules: page.items.map((s) => ({
            id: s.id,
            name: s.name,
            time_zone: s.time_zone,
            users: (s.users ?? []).map((u) => u.summary ?? u.id),
            escalation_policies: (s.escalation_policies ?? []).map((p) => p.summary ?? p.id),
          })),
          nextCursor: nextCursor('list_schedules', page, input.limit),
        };
      },
    }),
    defineTool({
      name: 'list_escalation_policies',
      title: 'List escalation policies',
      description:
        'List escalation policies: who is paged at each level and after how many minutes, and their services.',
      toolset: 'oncall',
      tier: 'read',
      annotations: READ,
      input: z.object({ query: nameQuery, ...listArgs }),
      output: z.object({
        escalation_policies: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            levels: z.array(z.object({ level: z.number(), delay_minutes: z.number(), targets: z.array(z.string()) })),
            services: z.array(z.string()),
          }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const offset = pageStart('list_escalation_policies', input.cursor);
        const page = await pd.list<{
          id: string;
          name: string;
          escalation_rules: Array<{ escalation_delay_in_minutes: number; targets: Reference[] }>;
          services?: Reference[];
        }>(
          '/escalation_policies',
          'escalation_policies',
          input.query ? { query: input.query } : {},
          { limit: input.limit, offset },
          ctx.signal,
        );
        return {
          escalation_policies: page.items.map((p) => ({
            id: p.id,
            name: p.name,
            levels: p.escalation_rules.map((rule, index) => ({
              level: index + 1,
              delay_minutes: rule.escalation_delay_in_minutes,
              targets: rule.targets.map((t) => `${(t.type ?? '').replace(/_reference$/, '')}:${t.summary ?? t.id}`),
            })),
            services: (p.services ?? []).map((s) => s.summary ?? s.id),
          })),
          nextCursor: nextCursor('list_escalation_policies', page, input.limit),
        };
      },
    }),
  ];
}
