import { defineTool, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { type ArgoCd, seg } from '../argocd.ts';
import { type Application, operationSummary, summarizeOperation } from '../model.ts';
import { appName, resourceSelector, revision } from './args.ts';

const operationOutput = z.object({
  name: z.string(),
  operation: operationSummary.describe('The operation Argo CD started; it runs asynchronously.'),
  next: z.string(),
});

function started(app: Application, name: string) {
  const operation = summarizeOperation(app.status?.operationState) ?? { phase: 'Running' };
  return {
    name,
    operation,
    next: 'call get_application_status to follow the operation until its phase is Succeeded or Failed',
  };
}

export function operationTools(argocd: ArgoCd) {
  return [
    defineTool({
      name: 'sync_application',
      title: 'Sync application',
      description:
        'Start a sync: apply the target revision (or the given revision) from Git to the cluster. Options: dry_run, prune (delete resources removed from Git), only selected resources. Returns at once; follow with get_application_status.',
      toolset: 'operations',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: true },
      input: z.object({
        name: appName,
        revision: revision.optional().describe('Sync to this branch, tag or commit instead of the target revision.'),
        prune: z.boolean().default(false).describe('Delete resources that are no longer in Git.'),
        dry_run: z
          .boolean()
          .default(false)
          .describe('Run kubectl apply --dry-run: report without changing the cluster.'),
        resources: z
          .array(resourceSelector)
          .min(1)
          .max(50)
          .optional()
          .describe('Sync only these resources; all when omitted.'),
      }),
      output: operationOutput,
      handler: async (input, ctx) => {
        const app = await argocd.request<Application>('POST', `/api/v1/applications/${seg(input.name)}/sync`, {
          body: {
            name: input.name,
            ...(input.revision ? { revision: input.revision } : {}),
            prune: input.prune,
            dryRun: input.dry_run,
            ...(input.resources ? { resources: input.resources } : {}),
          },
          signal: ctx.signal,
        });
        return started(app, input.name);
      },
    }),
    defineTool({
      name: 'rollback_application',
      title: 'Roll back application',
      description:
        'Redeploy the revision of an earlier sync, by history id from get_application_history. Refused while automated sync is on. Returns at once; follow with get_application_status.',
      toolset: 'operations',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: true },
      input: z.object({
        name: appName,
        id: z.number().int().min(0).describe('History id to roll back to (get_application_history).'),
        prune: z.boolean().default(false).describe('Delete resources not in that revision.'),
        dry_run: z.boolean().default(false),
      }),
      output: operationOutput,
      handler: async (input, ctx) => {
        const app = await argocd.request<Application>('POST', `/api/v1/applications/${seg(input.name)}/rollback`, {
          body: { name: input.name, id: input.id, prune: input.prune, dryRun: input.dry_run },
          signal: ctx.signal,
        });
        return started(app, input.name);
      },
    }),
    defineTool({
      name: 'terminate_operation',
      title: 'Terminate operation',
      description: 'Stop the sync or rollback running on an application, e.g. one stuck waiting on a hook.',
      toolset: 'operations',
      tier: 'write',
      annotations: WRITE,
      input: z.object({ name: appName }),
      output: z.object({ name: z.string(), message: z.string() }),
      handler: async (input, ctx) => {
        const result = await argocd.request<{ message?: string }>(
          'DELETE',
          `/api/v1/applications/${seg(input.name)}/operation`,
          { signal: ctx.signal },
        );
        return { name: input.name, message: result?.message ?? 'operation terminated' };
      },
    }),
  ];
}
