import { decodeCursor, encodeCursor, ToolError } from '@idp-mcp/core';
import * as z from 'zod';
import type { PageOf, PagerDutyClient } from '../pagerduty.ts';

export const incidentId = z
  .string()
  .regex(/^[A-Z0-9]{6,20}$/, {
    error: 'must be a PagerDuty incident ID such as "Q1ABC2DEF3" (list_incidents shows them)',
  })
  .describe('Incident ID, e.g. "Q1ABC2DEF3".');

export interface Reference {
  id: string;
  summary?: string | null;
  type?: string;
}

export const reference = z.object({ id: z.string(), name: z.string() });
export const ref = (r: Reference | null | undefined) => (r ? { id: r.id, name: r.summary ?? r.id } : undefined);

/** PagerDuty pages by offset; the cursor carries the next offset (the page size is the call's `limit`). */
export function pageStart(tool: string, cursor: string | undefined): number {
  return decodeCursor<{ offset: number }>(tool, cursor, { offset: 'number' })?.offset ?? 0;
}

export function nextCursor(tool: string, page: PageOf<unknown>, limit: number): string | undefined {
  return page.more ? encodeCursor(tool, { offset: page.offset + limit }) : undefined;
}

const PAGERDUTY_ID = /^P[A-Z0-9]{6}$/;

/**
 * Accepts a PagerDuty ID (e.g. PABC123) or an exact name and returns the ID; a name is looked up with the list
 * endpoint's `query`. `field` names the argument in errors.
 */
export async function resolveId(
  pd: PagerDutyClient,
  kind: { path: string; key: string; label: string; tool: string },
  nameOrId: string,
  field: string,
  signal: AbortSignal,
): Promise<string> {
  if (PAGERDUTY_ID.test(nameOrId)) return nameOrId;
  const page = await pd.list<{ id: string; name: string }>(
    kind.path,
    kind.key,
    { query: nameOrId },
    { limit: 100, offset: 0 },
    signal,
  );
  const found = page.items.find((item) => item.name.toLowerCase() === nameOrId.toLowerCase());
  if (!found) {
    const close = page.items.map((item) => item.name).slice(0, 5);
    throw new ToolError('not_found', `${field}: no ${kind.label} named ${JSON.stringify(nameOrId)}`, {
      hint: close.length > 0 ? `did you mean ${close.join(', ')}?` : `${kind.tool} lists the ${kind.label}s that exist`,
      retryable: false,
    });
  }
  return found.id;
}

export const SERVICES = { path: '/services', key: 'services', label: 'service', tool: 'list_services' };
export const SCHEDULES = { path: '/schedules', key: 'schedules', label: 'schedule', tool: 'list_schedules' };
export const POLICIES = {
  path: '/escalation_policies',
  key: 'escalation_policies',
  label: 'escalation policy',
  tool: 'list_escalation_policies',
};

/** A name filter several list tools take. */
export const nameQuery = z.string().min(1).max(100).optional().describe('Only names containing this text.');
