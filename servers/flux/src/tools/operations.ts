import { defineTool, ToolError, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { FLUX_KINDS, type Flux, type FluxKind, FORCE_AT, now, REQUESTED_AT, sourceOf } from '../flux.ts';
import { context, fluxKind, name, namespace } from './args.ts';
import { summarize, summary } from './status.ts';

/** Reconcile (with its source), suspend and resume. */
export function operationTools(flux: Flux) {
  return [
    defineTool({
      name: 'reconcile',
      title: 'Reconcile Flux object',
      description:
        'Ask Flux to reconcile an object now (sets reconcile.fluxcd.io/requestedAt, like flux reconcile). with_source reconciles its source first; force re-runs a HelmRelease install/upgrade. Check get_* for last_handled_reconcile_at.',
      toolset: 'operations',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        context,
        kind: fluxKind,
        name,
        namespace,
        with_source: z
          .boolean()
          .default(false)
          .describe('Reconcile the source (GitRepository, HelmRepository, ...) first.'),
        force: z
          .boolean()
          .default(false)
          .describe('HelmRelease only: force a one-off install or upgrade (reconcile.fluxcd.io/forceAt).'),
      }),
      output: z.object({
        requested_at: z.string(),
        reconciled: z.array(z.string()).describe('Objects asked to reconcile, as Kind/namespace/name, in order.'),
      }),
      handler: async (input, ctx) => {
        if (input.force && input.kind !== 'HelmRelease') {
          throw new ToolError('invalid_request', 'force: only a HelmRelease can be forced', {
            hint: 'drop force, or pass kind HelmRelease',
          });
        }
        const object = await flux.get(ctx.signal, input.context, input.kind, input.name, input.namespace);
        if (object.spec?.suspend === true) {
          throw new ToolError(
            'conflict',
            `${input.kind}/${input.namespace}/${input.name} is suspended: Flux ignores reconcile requests`,
            {
              hint: 'call resume first (it also requests a reconcile)',
            },
          );
        }
        const requestedAt = now();
        const reconciled: string[] = [];
        if (input.with_source) {
          const source = sourceOf(object);
          if (!source || !(source.kind in FLUX_KINDS)) {
            throw new ToolError(
              'invalid_request',
              `with_source: ${input.kind}/${input.name} has no Flux source reference`,
              {
                hint: 'reconcile without with_source',
              },
            );
          }
          await flux.patch(ctx.signal, input.context, source.kind as FluxKind, source.name, source.namespace, {
            annotations: { [REQUESTED_AT]: requestedAt },
          });
          reconciled.push(`${source.kind}/${source.namespace}/${source.name}`);
        }
        await flux.patch(ctx.signal, input.context, input.kind, input.name, input.namespace, {
          annotations: { [REQUESTED_AT]: requestedAt, ...(input.force ? { [FORCE_AT]: requestedAt } : {}) },
        });
        reconciled.push(`${input.kind}/${input.namespace}/${input.name}`);
        return { requested_at: requestedAt, reconciled };
      },
    }),
    defineTool({
      name: 'suspend',
      title: 'Suspend Flux object',
      description:
        'Suspend reconciliation of a Flux object (spec.suspend: true, like flux suspend): Flux stops applying changes until resume.',
      toolset: 'operations',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ context, kind: fluxKind, name, namespace }),
      output: z.object({ summary }),
      handler: async (input, ctx) => ({
        summary: summarize(
          await flux.patch(ctx.signal, input.context, input.kind, input.name, input.namespace, {
            spec: { suspend: true },
          }),
        ),
      }),
    }),
    defineTool({
      name: 'resume',
      title: 'Resume Flux object',
      description: 'Resume a suspended Flux object (spec.suspend: false) and request a reconcile, like flux resume.',
      toolset: 'operations',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ context, kind: fluxKind, name, namespace }),
      output: z.object({ summary, requested_at: z.string() }),
      handler: async (input, ctx) => {
        const requestedAt = now();
        const object = await flux.patch(ctx.signal, input.context, input.kind, input.name, input.namespace, {
          spec: { suspend: false },
          annotations: { [REQUESTED_AT]: requestedAt },
        });
        return { summary: summarize(object), requested_at: requestedAt };
      },
    }),
  ];
}
