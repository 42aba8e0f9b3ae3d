import { defineTool, type ToolContext, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { type ArgoCd, seg } from '../argocd.ts';
import { type Application, operationSummary, summarizeOperation } from '../model.ts';
import { appName, resourceSelector, revision } from './args.ts';

const operationOutput = z.object({
  name: z.string(),
  operation: operationSummary.describe('The operation Argo CD started, or its outcome when waited for.'),
  finished: z.boolean().describe('False while the operation still runs.'),
  next: z.string().optional(),
});

const waitSeconds = z
  .number()
  .int()
  .min(0)
  .max(300)
  .default(0)
  .describe('Wait up to this many seconds for the operation to finish (0: return at once).');

const FIRST_POLL_MS = 250;
const POLL_MS = 2_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * The operation's state after starting it, waiting up to `seconds` for it to finish. Argo CD keeps `operation` on the
 * Application until the controller has finished it, so an old operationState is never taken for the new outcome.
 */
async function outcome(argocd: ArgoCd, app: Application, name: string, seconds: number, ctx: ToolContext) {
  const deadline = Date.now() + seconds * 1000;
  let current = app;
  const done = (a: Application) => !a.operation && a.status?.operationState?.phase !== 'Running';
  for (let poll = 0; !done(current) && Date.now() < deadline; poll++) {
    await ctx.progress(seconds - Math.ceil((deadline - Date.now()) / 1000), seconds, 'waiting for the operation');
    await sleep(Math.min(poll === 0 ? FIRST_POLL_MS : POLL_MS, Math.max(0, deadline - Date.now())), ctx.signal);
    current = await argocd.request<Application>('GET', `/api/v1/applications/${seg(name)}`, { signal: ctx.signal });
  }
  const finished = done(current);
  return {
    name,
    operation: summarizeOperation(current.status?.operationState) ?? { phase: 'Running' },
    finished,
    next: finished
      ? undefined
      : 'the operation still runs: call get_application_status to follow it until its phase is Succeeded or Failed',
  };
}

export function operationTools(argocd: ArgoCd) {
  return [
    defineTool({
      name: 'sync_application',
      title: 'Sync application',
      description:
        'Start a sync: apply the target revision (or the given revision) from Git to the cluster. Options: dry_run, prune (delete resources removed from Git), only selected resources. Returns at once unless wait_seconds is given; follow with get_application_status.',
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
        wait_seconds: waitSeconds,
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
        return outcome(argocd, app, input.name, input.wait_seconds, ctx);
      },
    }),
    defineTool({
      name: 'rollback_application',
      title: 'Roll back application',
      description:
        'Redeploy the revision of an earlier sync, by history id from get_application_history. Refused while automated sync is on. Returns at once unless wait_seconds is given; follow with get_application_status.',
      toolset: 'operations',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: true },
      input: z.object({
        name: appName,
        id: z.number().int().min(0).describe('History id to roll back to (get_application_history).'),
        prune: z.boolean().default(false).describe('Delete resources not in that revision.'),
        dry_run: z.boolean().default(false).describe('Report what the rollback would do without changing the cluster.'),
        wait_seconds: waitSeconds,
      }),
      output: operationOutput,
      handler: async (input, ctx) => {
        const app = await argocd.request<Application>('POST', `/api/v1/applications/${seg(input.name)}/rollback`, {
          body: { name: input.name, id: input.id, prune: input.prune, dryRun: input.dry_run },
          signal: ctx.signal,
        });
        return outcome(argocd, app, input.name, input.wait_seconds, ctx);
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
