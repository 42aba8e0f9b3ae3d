import { age, decodeCursor, defineTool, encodeCursor, listArgs, nextCursorField, READ, ToolError } from '@idp-mcp/core';
import {
  clean,
  type Kube,
  kubeEventSchema,
  type Obj,
  plain,
  type ResolvedKind,
  recentEvents,
  summarize,
} from '@idp-mcp/kube';
import { stringify } from 'yaml';
import * as z from 'zod';
import {
  apiVersion,
  context,
  fieldSelector,
  kind,
  labelSelector,
  name,
  objectArgs,
  optionalNamespace,
} from './args.ts';

export const summarySchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  age: z.string(),
  status: z.string().optional(),
  ready: z.string().optional(),
  restarts: z.number().optional(),
  node: z.string().optional(),
  info: z.string().optional(),
});

const objectOutput = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  object: z.record(z.string(), z.unknown()).describe('The object without managedFields and last-applied noise.'),
  secret_keys: z.array(z.string()).optional().describe('For a Secret: its keys. Values are never returned.'),
});

/** Reads one object of a resolved kind. */
export async function readObject(
  kube: Kube,
  signal: AbortSignal,
  ctx: string | undefined,
  resolved: ResolvedKind,
  objectName: string,
  objectNamespace: string | undefined,
): Promise<Obj> {
  const ns = resolved.namespaced ? (objectNamespace ?? kube.context(ctx).defaultNamespace) : undefined;
  const object = await kube.call(signal, ctx, (c) =>
    c.objects.read({
      apiVersion: resolved.apiVersion,
      kind: resolved.kind,
      metadata: { name: objectName, ...(ns ? { namespace: ns } : {}) },
    }),
  );
  return plain(object);
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; finishedAt?: string };
}

/** kubectl describe's container block, in one line each. */
function containerStates(pod: Obj) {
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{
    name: string;
    image?: string;
    ready?: boolean;
    restartCount?: number;
    state?: ContainerState;
    lastState?: ContainerState;
  }>;
  const describe = (state: ContainerState | undefined): string => {
    if (state?.running) return `Running since ${age(state.running.startedAt)}`;
    if (state?.waiting) return `Waiting: ${state.waiting.reason ?? ''}`.trim();
    if (state?.terminated) {
      return `Terminated: ${state.terminated.reason ?? ''} (exit code ${state.terminated.exitCode ?? '?'})`;
    }
    return 'Unknown';
  };
  return statuses.map((status) => ({
    name: status.name,
    image: status.image ?? '',
    ready: status.ready === true,
    restarts: status.restartCount ?? 0,
    state: describe(status.state),
    ...(status.lastState?.terminated ? { last_termination: describe(status.lastState) } : {}),
  }));
}

export function resourceTools(kube: Kube) {
  return [
    defineTool({
      name: 'list_contexts',
      title: 'List cluster contexts',
      description:
        'List the kubeconfig contexts this server can use (cluster, server URL, default namespace); pass a name as context to other tools.',
      toolset: 'resources',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({}),
      output: z.object({
        contexts: z.array(
          z.object({
            name: z.string(),
            cluster: z.string(),
            server: z.string(),
            namespace: z.string(),
            default: z.boolean(),
          }),
        ),
      }),
      handler: async () => ({ contexts: kube.contexts() }),
    }),
    defineTool({
      name: 'list_api_resources',
      title: 'List API resources',
      description:
        'List the kinds the cluster serves (built-in and CRDs): apiVersion, kind, plural, short names, namespaced. Filter by group or a name fragment.',
      toolset: 'resources',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        group: z
          .string()
          .optional()
          .describe('Only this API group, e.g. apps or kustomize.toolkit.fluxcd.io ("" for core).'),
        search: z.string().optional().describe('Only kinds whose kind, plural or short name contains this text.'),
      }),
      output: z.object({
        resources: z.array(
          z.object({
            apiVersion: z.string(),
            kind: z.string(),
            plural: z.string(),
            namespaced: z.boolean(),
            shortNames: z.array(z.string()),
          }),
        ),
      }),
      handler: async (input, ctx) => {
        const kinds = await kube.kinds(ctx.signal, input.context);
        const search = input.search?.toLowerCase();
        return {
          resources: kinds
            .filter((k) => input.group === undefined || k.group === input.group)
            .filter(
              (k) =>
                !search ||
                k.kind.toLowerCase().includes(search) ||
                k.plural.includes(search) ||
                k.shortNames.some((s) => s.includes(search)),
            )
            .map((k) => ({
              apiVersion: k.apiVersion,
              kind: k.kind,
              plural: k.plural,
              namespaced: k.namespaced,
              shortNames: k.shortNames,
            })),
        };
      },
    }),
    defineTool({
      name: 'list_resources',
      title: 'List resources',
      description:
        'List objects of any kind (Pod, Deployment, Service, HelmRelease, ...) with label/field selectors, as one-line summaries (pods: status, ready, restarts, node, age). Paginated.',
      toolset: 'resources',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        kind,
        api_version: apiVersion,
        namespace: optionalNamespace,
        label_selector: labelSelector,
        field_selector: fieldSelector,
        ...listArgs,
      }),
      output: z.object({
        kind: z.string(),
        apiVersion: z.string(),
        items: z.array(summarySchema),
        remaining: z.number().optional().describe('Objects after this page, when the API server says.'),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const resolved = await kube.resolve(ctx.signal, input.context, input.kind, input.api_version);
        const position = decodeCursor<{ c: string }>('list_resources', input.cursor, { c: 'string' });
        const ns = resolved.namespaced ? input.namespace : undefined;
        const page = await kube.list(ctx.signal, input.context, resolved, {
          namespace: ns,
          labelSelector: input.label_selector,
          fieldSelector: input.field_selector,
          limit: input.limit,
          continue: position?.c,
        });
        return {
          kind: resolved.kind,
          apiVersion: resolved.apiVersion,
          items: page.items.map((item) => summarize(item as Obj, resolved.namespaced && !ns)),
          ...(page.remaining !== undefined ? { remaining: page.remaining } : {}),
          nextCursor: page.continue ? encodeCursor('list_resources', { c: page.continue }) : undefined,
        };
      },
    }),
    defineTool({
      name: 'get_resource',
      title: 'Get resource',
      description:
        'Get one object of any kind as YAML, without managedFields and last-applied noise. For a Secret only its keys are returned, never values.',
      toolset: 'resources',
      tier: 'read',
      annotations: READ,
      input: z.object({
        ...objectArgs,
      }),
      output: objectOutput,
      handler: async (input, ctx) => {
        const resolved = await kube.resolve(ctx.signal, input.context, input.kind, input.api_version);
        const object = await readObject(kube, ctx.signal, input.context, resolved, input.name, input.namespace);
        const { object: cleaned, secretKeys } = clean({
          ...object,
          apiVersion: resolved.apiVersion,
          kind: resolved.kind,
        });
        return {
          apiVersion: resolved.apiVersion,
          kind: resolved.kind,
          object: cleaned,
          ...(secretKeys ? { secret_keys: secretKeys } : {}),
        };
      },
      render: (output) =>
        `${stringify(output.object)}${output.secret_keys ? `# secret keys (values hidden): ${output.secret_keys.join(', ')}\n` : ''}`,
    }),
    defineTool({
      name: 'describe_resource',
      title: 'Describe resource',
      description:
        "Describe one object like kubectl describe: its summary, conditions, recent events and, for workloads, their pods' status. The first stop when something is unhealthy.",
      toolset: 'resources',
      tier: 'read',
      annotations: READ,
      input: z.object({
        ...objectArgs,
        events: z.number().int().min(0).max(50).default(15).describe('How many recent events to include.'),
      }),
      output: z.object({
        kind: z.string(),
        summary: summarySchema,
        labels: z.record(z.string(), z.string()),
        conditions: z.array(
          z.object({
            type: z.string(),
            status: z.string(),
            reason: z.string().optional(),
            message: z.string().optional(),
          }),
        ),
        pods: z.array(summarySchema).optional(),
        containers: z
          .array(
            z.object({
              name: z.string(),
              image: z.string(),
              ready: z.boolean(),
              restarts: z.number(),
              state: z.string(),
              last_termination: z.string().optional(),
            }),
          )
          .optional()
          .describe('For a pod: each container, its state and why it last terminated.'),
        events: z.array(kubeEventSchema),
      }),
      handler: async (input, ctx) => {
        const resolved = await kube.resolve(ctx.signal, input.context, input.kind, input.api_version);
        const object = await readObject(kube, ctx.signal, input.context, resolved, input.name, input.namespace);
        object.kind = resolved.kind;
        const ns = object.metadata?.namespace;
        const selector = (object.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
        let pods: z.input<typeof summarySchema>[] | undefined;
        if (ns && selector && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(resolved.kind)) {
          const labelSelector = Object.entries(selector)
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          const list = await kube.call(ctx.signal, input.context, (c) =>
            c.core.listNamespacedPod({ namespace: ns, labelSelector, limit: 50 }),
          );
          pods = plain<{ items: Obj[] }>(list).items.map((pod) => summarize({ ...pod, kind: 'Pod' }, false));
        }
        const events =
          input.events > 0
            ? await recentEvents(kube, ctx.signal, {
                context: input.context,
                namespace: ns,
                object: { kind: resolved.kind, name: input.name },
                limit: input.events,
              })
            : [];
        const conditionList = ((object.status?.conditions as Array<Record<string, unknown>> | undefined) ?? []).map(
          (c) => ({
            type: String(c.type ?? ''),
            status: String(c.status ?? ''),
            ...(c.reason ? { reason: String(c.reason) } : {}),
            ...(c.message ? { message: String(c.message).slice(0, 500) } : {}),
          }),
        );
        return {
          kind: resolved.kind,
          summary: summarize(object, true),
          labels: object.metadata?.labels ?? {},
          conditions: conditionList,
          ...(pods ? { pods } : {}),
          ...(resolved.kind === 'Pod' ? { containers: containerStates(object) } : {}),
          events,
        };
      },
    }),
    defineTool({
      name: 'list_events',
      title: 'List events',
      description:
        'Recent events of a namespace (or all namespaces), or of one object, newest first; warnings_only for problems.',
      toolset: 'resources',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        namespace: optionalNamespace,
        kind: kind.optional().describe('With name: only events about this object, e.g. Pod.'),
        name: name.optional().describe('With kind: the object name.'),
        warnings_only: z.boolean().default(false).describe('Only Warning events.'),
        limit: z.number().int().min(1).max(100).default(30).describe('Maximum events (newest first).'),
      }),
      output: z.object({ events: z.array(kubeEventSchema) }),
      handler: async (input, ctx) => {
        let object: { kind: string; name: string } | undefined;
        if (input.kind || input.name) {
          if (!input.kind || !input.name) {
            throw new ToolError('invalid_request', 'kind and name: give both to filter by object, or neither', {
              hint: 'e.g. kind: Pod, name: payments-api-7d9f8c6b5d-x2k4p',
            });
          }
          const resolved = await kube.resolve(ctx.signal, input.context, input.kind);
          object = { kind: resolved.kind, name: input.name };
        }
        return {
          events: await recentEvents(kube, ctx.signal, {
            context: input.context,
            namespace: input.namespace,
            ...(object ? { object } : {}),
            warningsOnly: input.warnings_only,
            limit: input.limit,
          }),
        };
      },
    }),
  ];
}
