import * as z from 'zod';

/**
 * Kubernetes Events as every server that shows them summarises them (kubernetes, flux, argocd, rancher):
 * the same fields, newest first, messages capped, times as an age a model reads at a glance.
 */
export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  metadata?: { creationTimestamp?: string; namespace?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

export const kubeEventSchema = z.object({
  type: z.string(),
  reason: z.string(),
  object: z.string().describe('Kind/name, or Kind/namespace/name.'),
  message: z.string(),
  count: z.number(),
  last_seen: z.string().describe('How long ago it last happened, e.g. 5m or 2d.'),
});
export type KubeEventSummary = z.output<typeof kubeEventSchema>;

const MESSAGE_LIMIT = 500;

/** How long ago a timestamp was, in the largest unit under two of the next: 90s, 45m, 5h, 3d; '' when unknown. */
export function age(timestamp: unknown, now = Date.now()): string {
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(time)) return '';
  const seconds = Math.max(0, Math.floor((now - time) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

function lastSeen(event: KubeEvent): string | undefined {
  return event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
}

export function summarizeKubeEvent(event: KubeEvent): KubeEventSummary {
  const involved = event.involvedObject ?? {};
  return {
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    object: [involved.kind ?? '', ...(involved.namespace ? [involved.namespace] : []), involved.name ?? ''].join('/'),
    message: (event.message ?? '').slice(0, MESSAGE_LIMIT),
    count: event.count ?? 1,
    last_seen: age(lastSeen(event)),
  };
}

/** The newest `limit` events, summarised. */
export function recentKubeEvents(events: readonly KubeEvent[], limit: number): KubeEventSummary[] {
  const time = (event: KubeEvent) => Date.parse(lastSeen(event) ?? '') || 0;
  return [...events]
    .sort((a, b) => time(b) - time(a))
    .slice(0, limit)
    .map(summarizeKubeEvent);
}
