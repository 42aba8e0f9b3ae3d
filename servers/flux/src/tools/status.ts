import {
  age,
  decodeCursor,
  defineTool,
  encodeCursor,
  listArgs,
  nextCursorField,
  READ,
  truncateText,
} from '@idp-mcp/core';
import { kubeEventSchema, maskSensitive, recentEvents } from '@idp-mcp/kube';
import { stringify } from 'yaml';
import * as z from 'zod';
import {
  type Condition,
  conditionsOf,
  FLUX_KINDS,
  type Flux,
  type FluxKind,
  type FluxObject,
  REQUESTED_AT,
  SOURCE_KINDS,
  type SourceKind,
  sourceOf,
} from '../flux.ts';
import { context, fluxKind, name, namespace, optionalNamespace, sourceKind } from './args.ts';

export const summary = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  ready: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional().describe('The Ready message, when not ready.'),
  suspended: z.boolean(),
  revision: z.string().optional().describe('Last applied revision, or the artifact revision of a source.'),
  source: z.string().optional().describe('Source as Kind/namespace/name.'),
  path: z.string().optional(),
  chart: z.string().optional(),
  url: z.string().optional(),
  since: z.string().optional().describe('Time since the Ready condition last changed, e.g. 5m.'),
});
type Summary = z.input<typeof summary>;

const conditionSchema = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

export function summarize(object: FluxObject): Summary {
  const ready = conditionsOf(object).find((c) => c.type === 'Ready');
  const status = object.status ?? {};
  const spec = object.spec ?? {};
  const artifact = status.artifact as { revision?: string } | undefined;
  const revision =
    (status.lastAppliedRevision as string | undefined) ??
    artifact?.revision ??
    (status.lastAttemptedRevision as string | undefined);
  const source = sourceOf(object);
  const chart = (spec.chart as { spec?: { chart?: string; version?: string } } | undefined)?.spec;
  const state = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  return {
    kind: object.kind ?? '',
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    ready: state,
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(state !== 'True' && ready?.message ? { message: ready.message.slice(0, 300) } : {}),
    suspended: spec.suspend === true,
    ...(revision ? { revision } : {}),
    ...(source ? { source: `${source.kind}/${source.namespace}/${source.name}` } : {}),
    ...(typeof spec.path === 'string' ? { path: spec.path } : {}),
    ...(chart?.chart ? { chart: `${chart.chart}${chart.version ? `@${chart.version}` : ''}` } : {}),
    ...(typeof spec.url === 'string' ? { url: spec.url } : {}),
    ...(age(ready?.lastTransitionTime) ? { since: age(ready?.lastTransitionTime) } : {}),
  };
}

/** The spec without credential-looking values (inline HelmRelease values can carry them). */
function masked(spec: unknown): unknown {
  const copy = structuredClone(spec ?? {});
  maskSensitive(copy);
  return copy;
}

function details(object: FluxObject) {
  const status = object.status ?? {};
  return {
    summary: summarize(object),
    conditions: conditionsOf(object) as Condition[],
    generation: Number(object.metadata.generation ?? 0),
    observed_generation: Number(status.observedGeneration ?? 0),
    ...(object.metadata.annotations?.[REQUESTED_AT] ? { requested_at: object.metadata.annotations[REQUESTED_AT] } : {}),
    ...(typeof status.lastHandledReconcileAt === 'string'
      ? { last_handled_reconcile_at: status.lastHandledReconcileAt }
      : {}),
    spec: truncateText(stringify(masked(object.spec)), {
      limit: 6000,
      hint: 'read the object with kubernetes get_resource for all of it',
    }).text,
  };
}

const detailOutput = z.object({
  summary,
  conditions: z.array(conditionSchema),
  generation: z.number(),
  observed_generation: z.number().describe('Less than generation: the controller has not seen the latest spec yet.'),
  requested_at: z.string().optional().describe('Last reconcile request (reconcile.fluxcd.io/requestedAt).'),
  last_handled_reconcile_at: z
    .string()
    .optional()
    .describe('The last request the controller handled; equal to requested_at when done.'),
  spec: z.string().describe('The spec as YAML.'),
});

/** Kustomizations, HelmReleases and sources: lists, details and events. */
export function statusTools(flux: Flux) {
  const listTool = (
    tool: 'list_kustomizations' | 'list_helmreleases',
    kind: FluxKind,
    title: string,
    description: string,
  ) =>
    defineTool({
      name: tool,
      title,
      description,
      toolset: 'status',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        namespace: optionalNamespace,
        not_ready_only: z.boolean().default(false).describe('Only objects that are not Ready or are suspended.'),
        ...listArgs,
      }),
      output: z.object({ items: z.array(summary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const position = decodeCursor<{ c: string }>(tool, input.cursor, { c: 'string' });
        const page = await flux.list(ctx.signal, input.context, kind, input.namespace, {
          limit: input.limit,
          continue: position?.c,
        });
        const items = page.items
          .map(summarize)
          .filter((s) => !input.not_ready_only || s.ready !== 'True' || s.suspended);
        return { items, nextCursor: page.continue ? encodeCursor(tool, { c: page.continue }) : undefined };
      },
    });

  const getTool = (tool: 'get_kustomization' | 'get_helmrelease', kind: FluxKind, title: string, description: string) =>
    defineTool({
      name: tool,
      title,
      description,
      toolset: 'status',
      tier: 'read',
      annotations: READ,
      input: z.object({ context, name, namespace }),
      output: detailOutput,
      handler: async (input, ctx) =>
        details(await flux.get(ctx.signal, input.context, kind, input.name, input.namespace)),
    });

  return [
    listTool(
      'list_kustomizations',
      'Kustomization',
      'List Flux Kustomizations',
      'List Flux Kustomizations with ready status, reason, suspended, source, path and last applied revision. Paginated.',
    ),
    getTool(
      'get_kustomization',
      'Kustomization',
      'Get Flux Kustomization',
      'Get one Kustomization: summary, all conditions, generations, last reconcile request and its spec.',
    ),
    listTool(
      'list_helmreleases',
      'HelmRelease',
      'List Flux HelmReleases',
      'List Flux HelmReleases with ready status, reason, suspended, chart@version, source and last revision. Paginated.',
    ),
    getTool(
      'get_helmrelease',
      'HelmRelease',
      'Get Flux HelmRelease',
      'Get one HelmRelease: summary, all conditions (Ready, Released, TestSuccess, ...), generations, last reconcile request and its spec.',
    ),
    defineTool({
      name: 'list_sources',
      title: 'List Flux sources',
      description:
        'List Flux sources (GitRepository, OCIRepository, HelmRepository; all when kind is omitted) with URL, ready status and artifact revision. Paginated.',
      toolset: 'status',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        kind: sourceKind.optional().describe('Only this source kind; every source kind when omitted.'),
        namespace: optionalNamespace,
        ...listArgs,
      }),
      output: z.object({ items: z.array(summary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const kinds: SourceKind[] = input.kind ? [input.kind] : [...SOURCE_KINDS];
        const position = decodeCursor<{ k: number; c?: string }>('list_sources', input.cursor, {
          k: 'number',
          c: 'string?',
        }) ?? { k: 0 };
        const items: Summary[] = [];
        let next: { k: number; c?: string } | undefined;
        for (let index = position.k; index < kinds.length; index++) {
          const page = await flux.list(ctx.signal, input.context, kinds[index]!, input.namespace, {
            limit: input.limit - items.length,
            continue: index === position.k ? position.c : undefined,
          });
          items.push(...page.items.map(summarize));
          if (page.continue) {
            next = { k: index, c: page.continue };
            break;
          }
          if (items.length >= input.limit) {
            next = index + 1 < kinds.length ? { k: index + 1 } : undefined;
            break;
          }
        }
        return { items, nextCursor: next ? encodeCursor('list_sources', next) : undefined };
      },
    }),
    defineTool({
      name: 'get_source',
      title: 'Get Flux source',
      description:
        'Get one source (GitRepository, OCIRepository or HelmRepository): URL, ref, conditions and the last fetched artifact (revision, digest, time, size).',
      toolset: 'status',
      tier: 'read',
      annotations: READ,
      input: z.object({ context, kind: sourceKind.describe('Source kind.'), name, namespace }),
      output: detailOutput.extend({
        artifact: z
          .object({
            revision: z.string().optional(),
            digest: z.string().optional(),
            lastUpdateTime: z.string().optional(),
            size: z.number().optional(),
            url: z.string().optional(),
          })
          .optional()
          .describe('The last artifact the source controller stored.'),
      }),
      handler: async (input, ctx) => {
        const object = await flux.get(ctx.signal, input.context, input.kind, input.name, input.namespace);
        const artifact = object.status?.artifact as Record<string, unknown> | undefined;
        return {
          ...details(object),
          ...(artifact
            ? {
                artifact: {
                  ...(artifact.revision ? { revision: String(artifact.revision) } : {}),
                  ...(artifact.digest ? { digest: String(artifact.digest) } : {}),
                  ...(artifact.lastUpdateTime ? { lastUpdateTime: String(artifact.lastUpdateTime) } : {}),
                  ...(typeof artifact.size === 'number' ? { size: artifact.size } : {}),
                  ...(artifact.url ? { url: String(artifact.url) } : {}),
                },
              }
            : {}),
        };
      },
    }),
    defineTool({
      name: 'list_not_ready',
      title: 'List failing Flux objects',
      description:
        'Every Flux Kustomization, HelmRelease and source that is not Ready or is suspended, across kinds: the first call when GitOps delivery is stuck.',
      toolset: 'status',
      tier: 'read',
      annotations: READ,
      input: z.object({ context, namespace: optionalNamespace }),
      output: z.object({
        items: z.array(summary),
        checked: z.number().describe('How many Flux objects were checked.'),
        truncated: z.boolean().describe('True when more than 100 objects are failing; narrow by namespace.'),
      }),
      handler: async (input, ctx) => {
        let checked = 0;
        const failing: Summary[] = [];
        for (const kind of Object.keys(FLUX_KINDS) as FluxKind[]) {
          let token: string | undefined;
          do {
            const page = await flux.list(ctx.signal, input.context, kind, input.namespace, {
              limit: 500,
              continue: token,
            });
            checked += page.items.length;
            failing.push(...page.items.map(summarize).filter((s) => s.ready !== 'True' || s.suspended));
            token = page.continue;
          } while (token && failing.length <= 100);
        }
        return { items: failing.slice(0, 100), checked, truncated: failing.length > 100 };
      },
    }),
    defineTool({
      name: 'list_flux_events',
      title: 'List Flux object events',
      description:
        'Recent events the Flux controllers recorded for one object, newest first (reconcile failures, applied revisions).',
      toolset: 'status',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        kind: fluxKind,
        name,
        namespace,
        limit: z.number().int().min(1).max(50).default(20).describe('Maximum events.'),
      }),
      output: z.object({ events: z.array(kubeEventSchema) }),
      handler: async (input, ctx) => ({
        events: await recentEvents(flux.kube, ctx.signal, {
          context: input.context,
          namespace: input.namespace,
          object: { kind: input.kind, name: input.name },
          limit: input.limit,
        }),
      }),
    }),
  ];
}
