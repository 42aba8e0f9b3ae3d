import { defineTool, listArgs, nextCursorField, offsetPage, READ, ToolError, WRITE } from '@idp-mcp/core';
import { type KubeEvent, kubeEventSchema, recentKubeEvents } from '@idp-mcp/kube/events';
import * as z from 'zod';
import { type ArgoCd, seg } from '../argocd.ts';
import {
  type Application,
  applicationSummary,
  type List,
  operationSummary,
  type ResourceDiff,
  type ResourceNode,
  sourceOf,
  summarizeApplication,
  summarizeOperation,
} from '../model.ts';
import { appName, projectName } from './args.ts';

const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
const HEALTH_STATUSES = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'] as const;
const MAX_LISTED = 50;

export function getApplication(argocd: ArgoCd, name: string, signal: AbortSignal, refresh?: 'normal' | 'hard') {
  return argocd.request<Application>('GET', `/api/v1/applications/${seg(name)}`, {
    query: { refresh },
    signal,
  });
}

const statusOutput = z.object({
  name: z.string(),
  project: z.string(),
  sync: z.object({ status: z.string(), revision: z.string().optional(), target_revision: z.string() }),
  health: z.object({ status: z.string(), message: z.string().optional() }),
  operation: operationSummary.optional().describe('The running or last sync/rollback.'),
  conditions: z.array(z.object({ type: z.string(), message: z.string() })),
  resources: z.object({
    total: z.number(),
    out_of_sync: z.number(),
    unhealthy: z.number(),
    by_health: z.record(z.string(), z.number()),
  }),
  problems: z
    .array(
      z.object({
        kind: z.string(),
        name: z.string(),
        namespace: z.string().optional(),
        sync: z.string().optional(),
        health: z.string().optional(),
        message: z.string().optional(),
        requires_pruning: z.boolean().optional(),
      }),
    )
    .describe(`Resources out of sync or not healthy (at most ${MAX_LISTED}).`),
  images: z.array(z.string()),
  reconciled_at: z.string().optional(),
});

export function statusOf(app: Application): z.input<typeof statusOutput> {
  const resources = app.status?.resources ?? [];
  const byHealth: Record<string, number> = {};
  for (const resource of resources) {
    if (!resource.health?.status) continue;
    byHealth[resource.health.status] = (byHealth[resource.health.status] ?? 0) + 1;
  }
  const isProblem = (r: (typeof resources)[number]) =>
    r.status === 'OutOfSync' || (r.health?.status !== undefined && r.health.status !== 'Healthy');
  const problems = resources.filter(isProblem);
  return {
    name: app.metadata?.name ?? '',
    project: app.spec?.project || 'default',
    sync: {
      status: app.status?.sync?.status ?? 'Unknown',
      revision: app.status?.sync?.revision,
      target_revision: sourceOf(app.spec).targetRevision || 'HEAD',
    },
    health: { status: app.status?.health?.status ?? 'Unknown', message: app.status?.health?.message },
    operation: summarizeOperation(app.status?.operationState),
    conditions: (app.status?.conditions ?? []).map((c) => ({ type: c.type ?? '', message: c.message ?? '' })),
    resources: {
      total: resources.length,
      out_of_sync: resources.filter((r) => r.status === 'OutOfSync').length,
      unhealthy: resources.filter((r) => r.health?.status !== undefined && r.health.status !== 'Healthy').length,
      by_health: byHealth,
    },
    problems: problems.slice(0, MAX_LISTED).map((r) => ({
      kind: r.kind ?? '',
      name: r.name ?? '',
      namespace: r.namespace || undefined,
      sync: r.status,
      health: r.health?.status,
      message: r.health?.message,
      requires_pruning: r.requiresPruning || undefined,
    })),
    images: app.status?.summary?.images ?? [],
    reconciled_at: app.status?.reconciledAt,
  };
}

/** Leaf-level differences between two JSON documents: `path`, live value, target value. */
export function jsonChanges(
  live: unknown,
  target: unknown,
  path = '',
): Array<{ path: string; live?: unknown; target?: unknown }> {
  if (JSON.stringify(live) === JSON.stringify(target)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (isObject(live) && isObject(target) && Array.isArray(live) === Array.isArray(target)) {
    const keys = [...new Set([...Object.keys(live), ...Object.keys(target)])];
    return keys.flatMap((key) =>
      jsonChanges(live[key], target[key], Array.isArray(live) ? `${path}[${key}]` : path ? `${path}.${key}` : key),
    );
  }
  return [{ path: path || '(root)', live, target }];
}

function clip(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : value;
}

function parseState(text: string | undefined): unknown {
  if (!text || text === 'null') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function applicationReadTools(argocd: ArgoCd) {
  return [
    defineTool({
      name: 'list_applications',
      title: 'List applications',
      description:
        'List Argo CD applications with sync status, health, revision and destination, sorted by name. Filter by project, label selector, name substring, sync or health status.',
      toolset: 'applications',
      tier: 'read',
      annotations: READ,
      input: z.object({
        project: z.array(projectName).optional().describe('Only these projects.'),
        selector: z
          .string()
          .regex(/^[A-Za-z0-9._/\-=!, ()]+$/, {
            error: 'must be a label selector, e.g. "team=payments,env in (dev,prod)"',
          })
          .optional()
          .describe('Kubernetes label selector on the Application, e.g. "team=payments,env=prod".'),
        name_contains: z.string().min(1).optional().describe('Only names containing this text.'),
        sync_status: z.enum(SYNC_STATUSES).optional().describe('Only applications with this sync status.'),
        health_status: z.enum(HEALTH_STATUSES).optional().describe('Only applications with this health.'),
        ...listArgs,
      }),
      output: z.object({ applications: z.array(applicationSummary), total: z.number(), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const list = await argocd.request<List<Application>>('GET', '/api/v1/applications', {
          query: { projects: input.project, selector: input.selector },
          signal: ctx.signal,
        });
        const summaries = (list.items ?? [])
          .map(summarizeApplication)
          .filter((app) => !input.name_contains || app.name.includes(input.name_contains))
          .filter((app) => !input.sync_status || app.sync === input.sync_status)
          .filter((app) => !input.health_status || app.health === input.health_status)
          .sort((a, b) => a.name.localeCompare(b.name));
        const result = offsetPage('list_applications', summaries, input);
        return { applications: result.items, total: result.total, nextCursor: result.nextCursor };
      },
    }),
    defineTool({
      name: 'get_application',
      title: 'Get application',
      description:
        "Get an application's definition: project, source (repo, path or chart, target revision, Helm value files), destination, sync policy and labels. For live state use get_application_status.",
      toolset: 'applications',
      tier: 'read',
      annotations: READ,
      input: z.object({ name: appName }),
      output: z.object({
        name: z.string(),
        project: z.string(),
        labels: z.record(z.string(), z.string()),
        sources: z.array(
          z.object({
            repo_url: z.string(),
            path: z.string().optional(),
            chart: z.string().optional(),
            target_revision: z.string(),
            helm_value_files: z.array(z.string()).optional(),
            helm_parameters: z.record(z.string(), z.string()).optional(),
          }),
        ),
        destination: z.object({
          server: z.string().optional(),
          name: z.string().optional(),
          namespace: z.string().optional(),
        }),
        sync_policy: z.object({
          automated: z.boolean(),
          prune: z.boolean(),
          self_heal: z.boolean(),
          sync_options: z.array(z.string()),
        }),
        resource_version: z.string().optional(),
        created_at: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const app = await getApplication(argocd, input.name, ctx.signal);
        const spec = app.spec ?? {};
        const sources = spec.sources ?? (spec.source ? [spec.source] : []);
        const automated = spec.syncPolicy?.automated;
        return {
          name: app.metadata?.name ?? input.name,
          project: spec.project || 'default',
          labels: app.metadata?.labels ?? {},
          sources: sources.map((s) => ({
            repo_url: s.repoURL ?? '',
            path: s.path,
            chart: s.chart,
            target_revision: s.targetRevision || 'HEAD',
            helm_value_files: s.helm?.valueFiles,
            helm_parameters: s.helm?.parameters
              ? Object.fromEntries(s.helm.parameters.map((p) => [p.name ?? '', p.value ?? '']))
              : undefined,
          })),
          destination: spec.destination ?? {},
          sync_policy: {
            automated: automated !== undefined && automated.enabled !== false,
            prune: automated?.prune ?? false,
            self_heal: automated?.selfHeal ?? false,
            sync_options: spec.syncPolicy?.syncOptions ?? [],
          },
          resource_version: app.metadata?.resourceVersion,
          created_at: app.metadata?.creationTimestamp,
        };
      },
    }),
    defineTool({
      name: 'get_application_status',
      title: 'Get application status',
      description:
        "Get an application's live state: sync status and revision, health, the running or last operation, conditions, resource counts and the resources that are out of sync or unhealthy.",
      toolset: 'applications',
      tier: 'read',
      annotations: READ,
      input: z.object({ name: appName }),
      output: statusOutput,
      handler: async (input, ctx) => statusOf(await getApplication(argocd, input.name, ctx.signal)),
    }),
    defineTool({
      name: 'get_application_history',
      title: 'Get deployment history',
      description:
        "List an application's past syncs, newest first: history id (for rollback_application), revision, when and by whom.",
      toolset: 'applications',
      tier: 'read',
      annotations: READ,
      input: z.object({ name: appName, ...listArgs }),
      output: z.object({
        current_revision: z.string().optional(),
        history: z.array(
          z.object({
            id: z.number(),
            revision: z.string(),
            deployed_at: z.string().optional(),
            initiated_by: z.string().optional(),
            target_revision: z.string().optional(),
            path: z.string().optional(),
            current: z.boolean().describe('True for the deployment running now.'),
          }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const app = await getApplication(argocd, input.name, ctx.signal);
        const history = [...(app.status?.history ?? [])].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
        const latestId = history[0]?.id;
        const entries = history.map((h) => ({
          id: h.id ?? 0,
          revision: h.revision ?? h.revisions?.join(',') ?? '',
          deployed_at: h.deployedAt,
          initiated_by: h.initiatedBy?.automated ? 'automated' : h.initiatedBy?.username,
          target_revision: (h.source ?? h.sources?.[0])?.targetRevision,
          path: (h.source ?? h.sources?.[0])?.path,
          current: h.id === latestId,
        }));
        const result = offsetPage('get_application_history', entries, input);
        return { current_revision: app.status?.sync?.revision, history: result.items, nextCursor: result.nextCursor };
      },
    }),
    defineTool({
      name: 'get_resource_tree',
      title: 'Get resource tree',
      description:
        'Summarize the live resources of an application, including children such as ReplicaSets and Pods: counts by kind and by health, and every node that is not healthy with its message and parent.',
      toolset: 'applications',
      tier: 'read',
      annotations: READ,
      input: z.object({
        name: appName,
        kind: z.string().min(1).optional().describe('Only nodes of this kind, e.g. Pod.'),
      }),
      output: z.object({
        total: z.number(),
        by_kind: z.record(z.string(), z.number()),
        by_health: z.record(z.string(), z.number()),
        unhealthy: z.array(
          z.object({
            kind: z.string(),
            name: z.string(),
            namespace: z.string().optional(),
            health: z.string(),
            message: z.string().optional(),
            parent: z.string().optional().describe('Kind/name of the owner.'),
          }),
        ),
        unhealthy_omitted: z.number().optional(),
        images: z.array(z.string()),
      }),
      handler: async (input, ctx) => {
        const tree = await argocd.request<{ nodes?: ResourceNode[] | null }>(
          'GET',
          `/api/v1/applications/${seg(input.name)}/resource-tree`,
          { signal: ctx.signal },
        );
        const nodes = (tree.nodes ?? []).filter((n) => !input.kind || n.kind === input.kind);
        const byKind: Record<string, number> = {};
        const byHealth: Record<string, number> = {};
        for (const node of nodes) {
          byKind[node.kind ?? ''] = (byKind[node.kind ?? ''] ?? 0) + 1;
          if (node.health?.status) byHealth[node.health.status] = (byHealth[node.health.status] ?? 0) + 1;
        }
        const unhealthy = nodes.filter((n) => n.health?.status !== undefined && n.health.status !== 'Healthy');
        return {
          total: nodes.length,
          by_kind: byKind,
          by_health: byHealth,
          unhealthy: unhealthy.slice(0, MAX_LISTED).map((n) => ({
            kind: n.kind ?? '',
            name: n.name ?? '',
            namespace: n.namespace || undefined,
            health: n.health?.status ?? '',
            message: n.health?.message,
            parent: n.parentRefs?.[0] ? `${n.parentRefs[0].kind}/${n.parentRefs[0].name}` : undefined,
          })),
          unhealthy_omitted: unhealthy.length > MAX_LISTED ? unhealthy.length - MAX_LISTED : undefined,
          images: [...new Set(nodes.flatMap((n) => n.images ?? []))].sort(),
        };
      },
    }),
    defineTool({
      name: 'get_resource_diffs',
      title: 'Get resource diffs',
      description:
        "Show what differs between Git and the cluster for an application's managed resources: per modified resource, the changed fields with live and target values (long values clipped).",
      toolset: 'applications',
      tier: 'read',
      annotations: READ,
      input: z.object({
        name: appName,
        kind: z.string().min(1).optional().describe('Only resources of this kind, e.g. Deployment.'),
        resource_name: z.string().min(1).optional().describe('Only the resource with this name.'),
        include_unmodified: z.boolean().default(false).describe('Also list resources without differences.'),
      }),
      output: z.object({
        resources: z.array(
          z.object({
            kind: z.string(),
            name: z.string(),
            namespace: z.string().optional(),
            modified: z.boolean(),
            state: z.enum(['changed', 'missing_in_cluster', 'extra_in_cluster', 'same']),
            changes: z.array(
              z.object({ path: z.string(), live: z.unknown().optional(), target: z.unknown().optional() }),
            ),
            changes_omitted: z.number().optional(),
          }),
        ),
        modified_count: z.number(),
      }),
      handler: async (input, ctx) => {
        const result = await argocd.request<List<ResourceDiff>>(
          'GET',
          `/api/v1/applications/${seg(input.name)}/managed-resources`,
          { query: { kind: input.kind, name: input.resource_name }, signal: ctx.signal },
        );
        const items = result.items ?? [];
        const resources = items
          .filter((item) => input.include_unmodified || item.modified)
          .map((item) => {
            const live = parseState(item.normalizedLiveState ?? item.liveState);
            const target = parseState(item.predictedLiveState ?? item.targetState);
            const targetOnly = parseState(item.targetState);
            const state: 'changed' | 'missing_in_cluster' | 'extra_in_cluster' | 'same' =
              live === null
                ? 'missing_in_cluster'
                : targetOnly === null
                  ? 'extra_in_cluster'
                  : item.modified
                    ? 'changed'
                    : 'same';
            const changes = state === 'changed' ? jsonChanges(live, target) : [];
            return {
              kind: item.kind ?? '',
              name: item.name ?? '',
              namespace: item.namespace || undefined,
              modified: item.modified ?? false,
              state,
              changes: changes.slice(0, 20).map((c) => ({ path: c.path, live: clip(c.live), target: clip(c.target) })),
              changes_omitted: changes.length > 20 ? changes.length - 20 : undefined,
            };
          });
        return { resources, modified_count: items.filter((i) => i.modified).length };
      },
    }),
    defineTool({
      name: 'get_application_events',
      title: 'Get application events',
      description:
        'Recent Kubernetes events, newest first: of the Application itself (syncs, health changes), or of one of its resources (resource_kind and resource_name, e.g. a crash-looping Pod).',
      toolset: 'applications',
      tier: 'read',
      annotations: READ,
      input: z.object({
        name: appName,
        resource_kind: z.string().min(1).optional().describe('Kind of the resource, e.g. Pod; with resource_name.'),
        resource_name: z.string().min(1).optional().describe('Name of the resource (get_resource_tree lists them).'),
        warnings_only: z.boolean().default(false).describe('Only Warning events.'),
        limit: z.number().int().min(1).max(100).default(20).describe('Events to return (1-100).'),
      }),
      output: z.object({
        events: z.array(kubeEventSchema),
        total: z.number(),
      }),
      handler: async (input, ctx) => {
        if ((input.resource_kind === undefined) !== (input.resource_name === undefined)) {
          throw new ToolError(
            'invalid_request',
            "resource_kind and resource_name: give both, or neither for the Application's own events",
            {
              hint: 'get_resource_tree shows the kinds and names of the live resources',
            },
          );
        }
        let query: Record<string, string | undefined> = {};
        if (input.resource_name) {
          const tree = await argocd.request<{ nodes?: ResourceNode[] | null }>(
            'GET',
            `/api/v1/applications/${seg(input.name)}/resource-tree`,
            { signal: ctx.signal },
          );
          const node = (tree.nodes ?? []).find((n) => n.kind === input.resource_kind && n.name === input.resource_name);
          if (!node) {
            throw new ToolError(
              'not_found',
              `${input.resource_kind}/${input.resource_name} is not a live resource of ${input.name}`,
              {
                hint: 'get_resource_tree lists the live resources (including Pods and ReplicaSets)',
              },
            );
          }
          query = { resourceName: node.name, resourceNamespace: node.namespace, resourceUID: node.uid };
        }
        const list = await argocd.request<List<KubeEvent>>('GET', `/api/v1/applications/${seg(input.name)}/events`, {
          query,
          signal: ctx.signal,
        });
        const events = (list.items ?? []).filter((e) => !input.warnings_only || e.type === 'Warning');
        return {
          events: recentKubeEvents(events, input.limit),
          total: events.length,
        };
      },
    }),
    defineTool({
      name: 'refresh_application',
      title: 'Refresh application',
      description:
        'Make Argo CD compare the application with Git again now (normal), or also regenerate manifests bypassing its cache (hard). Returns the refreshed status summary.',
      toolset: 'applications',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        name: appName,
        hard: z.boolean().default(false).describe('Regenerate manifests, ignoring the manifest cache.'),
      }),
      output: applicationSummary.extend({ reconciled_at: z.string().optional() }),
      handler: async (input, ctx) => {
        const app = await getApplication(argocd, input.name, ctx.signal, input.hard ? 'hard' : 'normal');
        return { ...summarizeApplication(app), reconciled_at: app.status?.reconciledAt };
      },
    }),
  ];
}
