import { defineTool, listArgs, nextCursorField, READ } from '@idp-mcp/core';
import * as z from 'zod';
import type { PagerDutyClient } from '../pagerduty.ts';
import { nameQuery, nextCursor, pageStart, type Reference, ref, reference } from './shared.ts';

/** Services and their state. */
export function serviceTools(pd: PagerDutyClient) {
  return [
    defineTool({
      name: 'list_services',
      title: 'List services',
      description: 'List PagerDuty services with status (active, warning, critical), escalation policy and teams.',
      toolset: 'services',
      tier: 'read',
      annotations: READ,
      input: z.object({ query: nameQuery, ...listArgs }),
      output: z.object({
        services: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            status: z.string(),
            description: z.string().nullable(),
            escalation_policy: reference,
            teams: z.array(z.string()),
          }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const offset = pageStart('list_services', input.cursor);
        const page = await pd.list<{
          id: string;
          name: string;
          status: string;
          description?: string | null;
          escalation_policy: Reference;
          teams?: Reference[];
        }>(
          '/services',
          'services',
          input.query ? { query: input.query } : {},
          { limit: input.limit, offset },
          ctx.signal,
        );
        return {
          services: page.items.map((s) => ({
            id: s.id,
            name: s.name,
            status: s.status,
            description: s.description ?? null,
            escalation_policy: ref(s.escalation_policy)!,
            teams: (s.teams ?? []).map((t) => t.summary ?? t.id),
          })),
          nextCursor: nextCursor('list_services', page, input.limit),
        };
      },
    }),
  ];
}
