import { age } from '@idp-mcp/core';
import * as z from 'zod';
import type { Kube } from './client.ts';
import { plain } from './objects.ts';

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

/** Events of a namespace or of one object, newest first. */
export async function recentEvents(
  kube: Kube,
  signal: AbortSignal,
  options: {
    context?: string | undefined;
    namespace?: string | undefined;
    object?: { kind: string; name: string };
    warningsOnly?: boolean;
    limit: number;
  },
): Promise<KubeEventSummary[]> {
  const selectors = [
    ...(options.object
      ? [`involvedObject.kind=${options.object.kind}`, `involvedObject.name=${options.object.name}`]
      : []),
    ...(options.warningsOnly ? ['type=Warning'] : []),
  ].join(',');
  const list = await kube.call(signal, options.context, (c) =>
    options.namespace
      ? c.core.listNamespacedEvent({ namespace: options.namespace, ...(selectors ? { fieldSelector: selectors } : {}) })
      : c.core.listEventForAllNamespaces(selectors ? { fieldSelector: selectors } : {}),
  );
  return recentKubeEvents(plain<{ items: KubeEvent[] }>(list).items, options.limit);
}
