import { defineTool, READ, ToolError, truncateText, WRITE } from '@idp-mcp/core';
import type { Kube } from '@idp-mcp/kube';
import { type Obj, plain } from '@idp-mcp/kube';
import { PatchStrategy } from '@kubernetes/client-node';
import * as z from 'zod';
import { context, defaultNamespace, name } from './args.ts';
import { readObject } from './resources.ts';

const LOG_LIMIT = 20_000;
const FIELD_MANAGER = 'idp-mcp';

const workloadKind = z
  .enum(['Deployment', 'StatefulSet', 'DaemonSet'], { error: 'must be Deployment, StatefulSet or DaemonSet' })
  .default('Deployment')
  .describe('Workload kind.');

const scalableKind = z
  .enum(['Deployment', 'StatefulSet', 'ReplicaSet'], { error: 'must be Deployment, StatefulSet or ReplicaSet' })
  .default('Deployment')
  .describe('Workload kind.');

const rolloutOutput = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  done: z.boolean().describe('True when the rollout is complete.'),
  message: z.string(),
  desired: z.number(),
  updated: z.number(),
  ready: z.number(),
  available: z.number(),
  generation: z.number(),
  observed_generation: z.number(),
});

/** kubectl rollout status, as data: the same checks in the same order. */
export function rolloutStatus(kind: string, object: Obj): z.input<typeof rolloutOutput> {
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  const n = (value: unknown) => Number(value ?? 0);
  const generation = n(object.metadata?.generation);
  const observed = n(status.observedGeneration);
  const base = {
    kind,
    name: object.metadata?.name ?? '',
    namespace: object.metadata?.namespace ?? '',
    generation,
    observed_generation: observed,
  };
  if (kind === 'DaemonSet') {
    const desired = n(status.desiredNumberScheduled);
    const updated = n(status.updatedNumberScheduled);
    const available = n(status.numberAvailable);
    const counts = { desired, updated, ready: n(status.numberReady), available };
    if (generation > observed)
      return { ...base, ...counts, done: false, message: 'Waiting for daemon set spec update to be observed...' };
    if (updated < desired)
      return {
        ...base,
        ...counts,
        done: false,
        message: `Waiting for daemon set rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
      };
    if (available < desired)
      return {
        ...base,
        ...counts,
        done: false,
        message: `Waiting for daemon set rollout to finish: ${available} of ${desired} updated pods are available...`,
      };
    return { ...base, ...counts, done: true, message: `daemon set "${base.name}" successfully rolled out` };
  }
  const desired = n(spec.replicas ?? 1);
  const updated = n(status.updatedReplicas);
  const ready = n(status.readyReplicas);
  const available = n(status.availableReplicas ?? status.readyReplicas);
  const total = n(status.replicas);
  const counts = { desired, updated, ready, available };
  const lower = kind === 'StatefulSet' ? 'statefulset' : 'deployment';
  if (generation > observed)
    return { ...base, ...counts, done: false, message: `Waiting for ${lower} spec update to be observed...` };
  if (kind === 'Deployment') {
    const progressing = ((status.conditions as Array<{ type?: string; reason?: string }>) ?? []).find(
      (c) => c.type === 'Progressing',
    );
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      return { ...base, ...counts, done: false, message: `deployment "${base.name}" exceeded its progress deadline` };
    }
    if (updated < desired)
      return {
        ...base,
        ...counts,
        done: false,
        message: `Waiting for deployment "${base.name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
      };
    if (total > updated)
      return {
        ...base,
        ...counts,
        done: false,
        message: `Waiting for deployment "${base.name}" rollout to finish: ${total - updated} old replicas are pending termination...`,
      };
    if (available < updated)
      return {
        ...base,
        ...counts,
        done: false,
        message: `Waiting for deployment "${base.name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
      };
    return { ...base, ...counts, done: true, message: `deployment "${base.name}" successfully rolled out` };
  }
  if (ready < desired)
    return { ...base, ...counts, done: false, message: `Waiting for ${desired - ready} pods to be ready...` };
  if (status.updateRevision !== undefined && status.updateRevision !== status.currentRevision) {
    return {
      ...base,
      ...counts,
      done: false,
      message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${String(status.updateRevision)}...`,
    };
  }
  return {
    ...base,
    ...counts,
    done: true,
    message: `statefulset rolling update complete ${ready} pods at revision ${String(status.currentRevision ?? '')}...`,
  };
}

export function workloadTools(kube: Kube) {
  const resolveNamespace = (ctx: string | undefined, ns: string | undefined) =>
    ns ?? kube.context(ctx).defaultNamespace;
  return [
    defineTool({
      name: 'get_pod_logs',
      title: 'Get pod logs',
      description:
        "Read a pod container's log: the last tail_lines lines (default 200), optionally only the last since_seconds, or the previous (crashed) container's log. Long logs keep the end.",
      toolset: 'workloads',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        namespace: defaultNamespace,
        pod: name.describe('Pod name (list_resources kind Pod shows them).'),
        container: z.string().min(1).optional().describe('Container; required when the pod has several.'),
        tail_lines: z.number().int().min(1).max(5000).default(200).describe('Lines from the end of the log.'),
        since_seconds: z
          .number()
          .int()
          .min(1)
          .max(604_800)
          .optional()
          .describe('Only lines newer than this many seconds.'),
        previous: z
          .boolean()
          .default(false)
          .describe("The previous container instance's log (after a restart or crash)."),
      }),
      output: z.object({
        pod: z.string(),
        namespace: z.string(),
        container: z.string().optional(),
        lines: z.number(),
        truncated: z.boolean(),
        text: z.string(),
      }),
      handler: async (input, ctx) => {
        const ns = resolveNamespace(input.context, input.namespace);
        const text = await kube.call(ctx.signal, input.context, (c) =>
          c.core.readNamespacedPodLog({
            name: input.pod,
            namespace: ns,
            tailLines: input.tail_lines,
            ...(input.container ? { container: input.container } : {}),
            ...(input.since_seconds ? { sinceSeconds: input.since_seconds } : {}),
            ...(input.previous ? { previous: true } : {}),
            limitBytes: 2 * 1024 * 1024,
          }),
        );
        const log = String(text ?? '');
        const capped = truncateText(log, {
          limit: LOG_LIMIT,
          keep: 'tail',
          hint: 'lower tail_lines or set since_seconds to read less',
        });
        return {
          pod: input.pod,
          namespace: ns,
          ...(input.container ? { container: input.container } : {}),
          lines: log === '' ? 0 : log.replace(/\n$/, '').split('\n').length,
          truncated: capped.truncated,
          text: capped.text,
        };
      },
      render: (output) => output.text || `(no log lines for ${output.pod})`,
    }),
    defineTool({
      name: 'rollout_status',
      title: 'Rollout status',
      description:
        'Whether a Deployment, StatefulSet or DaemonSet has finished rolling out, with replica counts and the kubectl rollout status message.',
      toolset: 'workloads',
      tier: 'read',
      annotations: READ,
      input: z.object({
        context,
        kind: workloadKind,
        name,
        namespace: defaultNamespace,
      }),
      output: rolloutOutput,
      handler: async (input, ctx) => {
        const resolved = await kube.resolve(ctx.signal, input.context, input.kind, 'apps/v1');
        const object = await readObject(kube, ctx.signal, input.context, resolved, input.name, input.namespace);
        return rolloutStatus(input.kind, object);
      },
    }),
    defineTool({
      name: 'restart_rollout',
      title: 'Restart rollout',
      description:
        'Restart the pods of a Deployment, StatefulSet or DaemonSet with a rolling update (sets the kubectl.kubernetes.io/restartedAt annotation, like kubectl rollout restart).',
      toolset: 'workloads',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        context,
        kind: workloadKind,
        name,
        namespace: defaultNamespace,
      }),
      output: z.object({
        kind: z.string(),
        name: z.string(),
        namespace: z.string(),
        restarted_at: z.string(),
        generation: z.number(),
      }),
      handler: async (input, ctx) => {
        const ns = resolveNamespace(input.context, input.namespace);
        const restartedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const patch = {
          apiVersion: 'apps/v1',
          kind: input.kind,
          metadata: { name: input.name, namespace: ns },
          spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } },
        };
        const updated = plain(
          await kube.call(ctx.signal, input.context, (c) =>
            c.objects.patch(patch, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch),
          ),
        );
        return {
          kind: input.kind,
          name: input.name,
          namespace: ns,
          restarted_at: restartedAt,
          generation: Number(updated.metadata?.generation ?? 0),
        };
      },
    }),
    defineTool({
      name: 'scale_workload',
      title: 'Scale workload',
      description:
        'Set the replica count of a Deployment, StatefulSet or ReplicaSet through its scale subresource. Returns the previous and new count.',
      toolset: 'workloads',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        context,
        kind: scalableKind,
        name,
        namespace: defaultNamespace,
        replicas: z.number().int().min(0).max(500).describe('Desired replicas (0 stops every pod).'),
      }),
      output: z.object({
        kind: z.string(),
        name: z.string(),
        namespace: z.string(),
        previous_replicas: z.number(),
        replicas: z.number(),
      }),
      handler: async (input, ctx) => {
        const ns = resolveNamespace(input.context, input.namespace);
        const where = { name: input.name, namespace: ns };
        const result = await kube.call(ctx.signal, input.context, async (c) => {
          const read =
            input.kind === 'Deployment'
              ? c.apps.readNamespacedDeploymentScale(where)
              : input.kind === 'StatefulSet'
                ? c.apps.readNamespacedStatefulSetScale(where)
                : c.apps.readNamespacedReplicaSetScale(where);
          const current = await read;
          const body = { ...current, spec: { replicas: input.replicas } };
          const replaced =
            input.kind === 'Deployment'
              ? await c.apps.replaceNamespacedDeploymentScale({ ...where, body, fieldManager: FIELD_MANAGER })
              : input.kind === 'StatefulSet'
                ? await c.apps.replaceNamespacedStatefulSetScale({ ...where, body, fieldManager: FIELD_MANAGER })
                : await c.apps.replaceNamespacedReplicaSetScale({ ...where, body, fieldManager: FIELD_MANAGER });
          return { previous: current.spec?.replicas ?? 0, replicas: replaced.spec?.replicas ?? input.replicas };
        });
        if (result.replicas !== input.replicas) {
          throw new ToolError(
            'conflict',
            `scale: the API server kept ${result.replicas} replicas instead of ${input.replicas}`,
            {
              hint: 'an autoscaler may own the replica count; check for a HorizontalPodAutoscaler',
            },
          );
        }
        return {
          kind: input.kind,
          name: input.name,
          namespace: ns,
          previous_replicas: result.previous,
          replicas: result.replicas,
        };
      },
    }),
  ];
}
