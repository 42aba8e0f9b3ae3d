import {
  type AnyTool,
  callerFromRoles,
  defineTool,
  type Logger,
  type PolicyGate,
  type PolicyVerdict,
  READ,
  type Role,
  type ToolContext,
  ToolError,
  type ToolInterceptor,
  tierAllows,
  WRITE,
} from '@idp-mcp/core';
import type { ApplyResult, Plan, Run, Store } from '@idp-mcp/store';
import * as z from 'zod';
import type { Absent, AnyComposite } from './composites.ts';
import { assertNotMixed, type IntegrationMode, plannedSteps } from './modes.ts';
import type { PlatformSettings } from './render.ts';
import { type CallTool, createCaller, invokerOf, type StepSpec, stepDefinitions } from './steps.ts';

/** What a stored plan holds besides the request: everything needed to show, check and apply it. */
interface StoredArtefacts {
  summary: string;
  files: Array<{ repo: string; path: string; domain?: string; content: string }>;
  steps: StepSpec[];
  notes: string[];
  absent?: Absent[];
}

export interface SelfServiceOptions {
  store: Store;
  composites: AnyComposite[];
  settings: PlatformSettings;
  gate: PolicyGate;
  /** Every platform tool: composites call them through handles (handles.ts). */
  tools: () => AnyTool[];
  /** The gateway's interceptor for the platform's own calls (audited, not rate-limited). */
  intercept: ToolInterceptor;
  /** The same for a run's steps and undos: their audit records carry the plan id, run id and the plan's verdict. */
  interceptRun: (fields: { planId: string; runId: string; verdict: PolicyVerdict | null }) => ToolInterceptor;
  log: Logger;
  /** The mounted integrations, live or sandboxed: each plan says which its steps go to. */
  integrations: IntegrationMode[];
}

/** Undo steps run as the platform itself: undoing an approved plan needs no extra rights from its caller. */
const PLATFORM_CALLER = callerFromRoles('idp-mcp-platform', ['platform-admin']);

const stepResult = z.object({
  name: z.string(),
  description: z.string(),
  status: z.string(),
  error: z.string().optional(),
});
const runOutput = z.object({
  run_id: z.string(),
  plan_id: z.string(),
  status: z.string(),
  done: z.array(z.string()),
  undone: z.array(z.string()),
  left: z.array(z.object({ step: z.string(), reason: z.string(), error: z.string().optional() })),
  remains: z
    .array(z.string())
    .describe('After a failed apply: what is still there in the systems it changed (empty: nothing)'),
  failed: z.object({ step: z.string(), error: z.string(), code: z.string() }).optional(),
  steps: z.array(stepResult),
});

/**
 * The run as its caller reads it. After a failure, `left` and `remains` say exactly what is still there: a done step
 * whose change went with an earlier step's undo (a commit with its branch) is not left; an undo that leaves
 * something (an archived repository) says what.
 */
function runSummary(result: ApplyResult, specs: StepSpec[]) {
  const statusOf = new Map(result.run.steps.map((step) => [step.name, step.status]));
  const specOf = new Map(specs.map((spec) => [spec.name, spec]));
  const goneWith = (name: string) => {
    const earlier = specOf.get(name)?.undoneWith;
    return earlier !== undefined && statusOf.get(earlier) === 'undone';
  };
  const left = result.left.filter((item) => !goneWith(item.step));
  const finished = result.status === 'failed' || result.status === 'rolling_back' || result.status === 'canceled';
  const remains = finished
    ? result.run.steps.flatMap((step) => {
        const spec = specOf.get(step.name);
        if (step.status === 'undone') return spec?.undoLeaves ? [spec.undoLeaves] : [];
        const item = left.find((candidate) => candidate.step === step.name);
        if (!item) return [];
        return [
          item.reason === 'undo_failed'
            ? `${step.description} (undo failed: ${item.error ?? 'unknown'})`
            : `${step.description} (no undo)`,
        ];
      })
    : [];
  return {
    run_id: result.runId,
    plan_id: result.run.planId,
    status: result.status,
    done: result.done,
    undone: result.undone,
    left: left.map((item) => ({
      step: item.step,
      reason: item.reason,
      ...(item.error ? { error: item.error } : {}),
    })),
    remains,
    ...(result.failed ? { failed: result.failed } : {}),
    steps: result.run.steps.map((step) => ({
      name: step.name,
      description: step.description,
      status: step.status,
      ...(step.error ? { error: step.error } : {}),
    })),
  };
}

export function selfServiceTools(options: SelfServiceOptions): AnyTool[] {
  const { store } = options;
  const callerFor = (ctx: ToolContext) =>
    createCaller({ tools: options.tools, intercept: options.intercept, caller: ctx.caller, log: ctx.log });

  async function apply(plan: Plan, ctx: ToolContext): Promise<ApplyResult> {
    // First apply: the state the plan was made against must still hold (another run may have taken the name).
    if (!(await store.getRunForPlan(plan.id))) await assertStillAbsent(plan, callerFor(ctx), ctx.signal);
    const { run } = await store.startRun(plan.id, { appliedBy: ctx.caller.id });
    const { steps } = plan.artefacts as unknown as StoredArtefacts;
    const intercept = options.interceptRun({ planId: plan.id, runId: run.id, verdict: plan.verdict });
    const call = createCaller({ tools: options.tools, intercept, caller: ctx.caller, log: ctx.log });
    const undo = createCaller({ tools: options.tools, intercept, caller: PLATFORM_CALLER, log: options.log });
    // The caller's cancel stops the run at the next step boundary and undoes what it did: never half done.
    return store.applyRun(run, stepDefinitions(steps, call, undo), {
      onProgress: (index, total, message) => void ctx.progress(index, total, message),
      cancel: ctx.signal,
    });
  }

  const planTools = options.composites.map((composite) =>
    defineTool({
      name: composite.name,
      title: composite.title,
      description: composite.description,
      toolset: 'selfservice',
      tier: 'write',
      annotations: { ...WRITE, openWorldHint: false },
      input: composite.input,
      output: z.object({
        plan_id: z.string(),
        status: z.enum(['planned', 'denied']),
        summary: z.string(),
        steps: z.array(
          z.object({
            name: z.string(),
            description: z.string(),
            integration: z.string(),
            mode: z.string().describe('live: a real system; sandbox: an in-memory fake'),
          }),
        ),
        files: z.array(
          z.object({ repo: z.string(), path: z.string(), domain: z.string().optional(), content: z.string() }),
        ),
        warnings: z.array(z.object({ rule: z.string(), message: z.string(), resource: z.string().optional() })),
        notes: z.array(z.string()),
        expires_at: z.string(),
      }),
      handler: async (input, ctx) => {
        const draft = await composite.plan(input, {
          settings: options.settings,
          gate: options.gate,
          invoke: invokerOf(callerFor(ctx)),
          has: (tool) => options.tools().some((candidate) => candidate.name === tool.name),
          requestedBy: ctx.caller.username ? `${ctx.caller.username} (${ctx.caller.id})` : ctx.caller.id,
          signal: ctx.signal,
        });
        const steps = plannedSteps(draft.steps, options.integrations);
        if (!options.settings.allowMixed) assertNotMixed(composite.name, steps, options.integrations);
        const artefacts: StoredArtefacts = {
          summary: draft.summary,
          files: draft.artefacts.map((file) => ({
            repo: file.repo,
            path: file.path,
            content: file.content,
            ...(file.domain ? { domain: file.domain } : {}),
          })),
          steps: draft.steps,
          notes: draft.notes,
          ...(draft.absent ? { absent: draft.absent } : {}),
        };
        const plan = await store.createPlan({
          kind: composite.name,
          caller: ctx.caller.id,
          args: input,
          artefacts,
          verdict: draft.verdict,
        });
        if (plan.status === 'denied') {
          const denies = draft.verdict.violations.filter((violation) => violation.severity === 'deny');
          throw new ToolError(
            'policy_denied',
            `plan ${plan.id} is denied by policy; nothing will change:\n${denies
              .map(
                (violation) =>
                  `- [${violation.rule}] ${violation.resource ? `${violation.resource}: ` : ''}${violation.message}`,
              )
              .join('\n')}`,
            {
              retryable: false,
              hint: `change the request so each rule passes and call ${composite.name} again`,
              details: { plan_id: plan.id, violations: denies },
            },
          );
        }
        return {
          plan_id: plan.id,
          status: plan.status,
          summary: draft.summary,
          steps,
          files: artefacts.files,
          warnings: draft.verdict.violations
            .filter((violation) => violation.severity === 'warn')
            .map((violation) => ({
              rule: violation.rule,
              message: violation.message,
              ...(violation.resource ? { resource: violation.resource } : {}),
            })),
          notes: draft.notes,
          expires_at: plan.expiresAt,
        };
      },
    }),
  );

  return [
    ...planTools,
    defineTool({
      name: 'apply_plan',
      title: 'Apply a plan',
      description:
        'Apply a plan made by a self-service tool: runs its steps in order with progress, undoes completed steps if one fails, and reports what was done, undone and left. Applying the same plan again returns the same run.',
      toolset: 'selfservice',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        plan_id: z
          .string()
          .regex(/^plan_[a-z2-7]{20}$/, { error: 'must be a plan id from a self-service tool, e.g. plan_abc...' }),
      }),
      output: runOutput,
      handler: async (input, ctx) => {
        const plan = await store.getPlan(input.plan_id);
        if (!plan) {
          throw new ToolError('not_found', `no plan ${input.plan_id}`, {
            hint: 'make a plan with a self-service tool first',
          });
        }
        const existing = await store.getRunForPlan(plan.id);
        if (!existing && plan.status === 'planned' && !plan.expired) {
          const { summary, steps } = plan.artefacts as unknown as StoredArtefacts;
          const confirmed = await ctx.confirm(
            `Apply plan ${plan.id}? ${summary} Steps: ${steps.map((step) => step.description).join('; ')}.`,
          );
          if (confirmed === false) {
            throw new ToolError('invalid_request', `plan ${plan.id} was not confirmed; nothing changed`, {
              hint: 'call apply_plan again and confirm when asked',
              retryable: false,
            });
          }
        }
        return runSummary(await apply(plan, ctx), stepsOf(plan));
      },
    }),
    defineTool({
      name: 'get_run',
      title: 'Get a run',
      description: 'The state of a plan being applied: each step with its status and error.',
      toolset: 'selfservice',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({ run_id: z.string().min(1) }),
      output: z.object({
        run_id: z.string(),
        plan_id: z.string(),
        kind: z.string(),
        status: z.string(),
        applied_by: z.string(),
        steps: z.array(stepResult),
      }),
      handler: async (input) => {
        const run = await store.getRun(input.run_id);
        if (!run) throw new ToolError('not_found', `no run ${input.run_id}`, { hint: 'list_runs shows the runs' });
        return {
          run_id: run.id,
          plan_id: run.planId,
          kind: run.kind,
          status: run.status,
          applied_by: run.appliedBy,
          steps: run.steps.map((step) => ({
            name: step.name,
            description: step.description,
            status: step.status,
            ...(step.error ? { error: step.error } : {}),
          })),
        };
      },
    }),
    defineTool({
      name: 'list_runs',
      title: 'List runs',
      description: 'Self-service runs, newest first, optionally by status (running, succeeded, failed).',
      toolset: 'selfservice',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({
        status: z.enum(['running', 'rolling_back', 'succeeded', 'failed']).optional(),
        limit: z.number().int().min(1).max(100).default(30),
        cursor: z.string().optional(),
      }),
      output: z.object({
        runs: z.array(
          z.object({
            run_id: z.string(),
            plan_id: z.string(),
            kind: z.string(),
            status: z.string(),
            applied_by: z.string(),
            created_at: z.string(),
          }),
        ),
        nextCursor: z.string().optional(),
      }),
      handler: async (input) => {
        const page = await store.listRuns({
          limit: input.limit,
          ...(input.status ? { status: input.status } : {}),
          ...(input.cursor ? { cursor: input.cursor } : {}),
        });
        return {
          runs: page.items.map((run) => ({
            run_id: run.id,
            plan_id: run.planId,
            kind: run.kind,
            status: run.status,
            applied_by: run.appliedBy,
            created_at: run.createdAt,
          })),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        };
      },
    }),
    defineTool({
      name: 'resume_run',
      title: 'Resume a run',
      description: 'Continue a run that stopped part-way (the process died): steps already done are not repeated.',
      toolset: 'selfservice',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ run_id: z.string().min(1) }),
      output: runOutput,
      handler: async (input, ctx) => {
        const run = await store.getRun(input.run_id);
        if (!run) throw new ToolError('not_found', `no run ${input.run_id}`, { hint: 'list_runs shows the runs' });
        const plan = await store.getPlan(run.planId);
        if (!plan) throw new ToolError('not_found', `the plan of run ${run.id} is gone`);
        return runSummary(await apply(plan, ctx), stepsOf(plan));
      },
    }),
  ];
}

function stepsOf(plan: Plan): StepSpec[] {
  return (plan.artefacts as unknown as StoredArtefacts).steps;
}

async function assertStillAbsent(plan: Plan, call: CallTool, signal: AbortSignal): Promise<void> {
  for (const absent of (plan.artefacts as unknown as StoredArtefacts).absent ?? []) {
    const found = await call(absent.call, signal).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ToolError && error.code === 'not_found') return false;
        throw error;
      },
    );
    if (found) {
      throw new ToolError(
        'conflict',
        `plan ${plan.id} was made when ${absent.what} did not exist; it exists now (another run or someone else made it), so applying would take it over; nothing changed`,
        { retryable: false, hint: `make a new plan with another name, or change ${absent.what} directly` },
      );
    }
  }
}

/** What this process may do with runs others left behind: its --read-only and --role. */
export interface ResumeRights {
  readOnly: boolean;
  role: Role;
}

/**
 * Runs a killed process left behind: the ones this process resumes (`resumed`, a promise of their results: start-up
 * does not wait for them), or none when it may not write (`refused` says why; `resume_run` by a writable process
 * continues them).
 */
export async function resumeInterruptedRuns(
  options: SelfServiceOptions,
  rights: ResumeRights,
): Promise<{ count: number; refused?: string; resumed: Promise<ApplyResult[]> }> {
  const runs = await options.store.resumableRuns();
  const refused = refusal(rights);
  if (runs.length > 0 && refused) {
    options.log.warn(`${runs.length} interrupted run(s) not resumed: ${refused}`, {
      runs: runs.map((run) => run.id),
      hint: 'start a process that may write, or call resume_run from one',
    });
  }
  if (runs.length === 0 || refused)
    return { count: runs.length, ...(refused ? { refused } : {}), resumed: Promise.resolve([]) };
  return { count: runs.length, resumed: resumeRuns(options, rights, runs) };
}

/** Continues each run in turn as whoever applied it, with this process's role; a run that cannot is logged. */
async function resumeRuns(options: SelfServiceOptions, rights: ResumeRights, runs: Run[]): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const run of runs) {
    try {
      const plan = await options.store.getPlan(run.planId);
      if (!plan) {
        options.log.error('an interrupted run cannot be resumed: its plan is gone', { run: run.id, plan: run.planId });
        continue;
      }
      const { steps } = plan.artefacts as unknown as StoredArtefacts;
      // As whoever applied it (the audit keeps their name), with this process's role.
      const caller = callerFromRoles(run.appliedBy, [rights.role]);
      const intercept = options.interceptRun({ planId: plan.id, runId: run.id, verdict: plan.verdict });
      const call = createCaller({ tools: options.tools, intercept, caller, log: options.log });
      const undoCaller = createCaller({ tools: options.tools, intercept, caller: PLATFORM_CALLER, log: options.log });
      options.log.info('resuming an interrupted run', { run: run.id, plan: plan.id, caller: run.appliedBy });
      results.push(await options.store.applyRun(run, stepDefinitions(steps, call, undoCaller)));
    } catch (error) {
      options.log.error('an interrupted run could not be resumed', { run: run.id, error: String(error) });
    }
  }
  return results;
}

/**
 * Every `everyMs`, the runs whose owner is gone while this process lives: a holder whose lease ran out (another
 * replica died), a holder on this host that no longer exists, or a run started and never taken up for `graceMs`
 * (its process died between starting and applying it). A process that may write resumes them (the store's lease
 * decides: a run a live process holds comes back `busy`, untouched); one that may not logs them, once per run.
 * Never two sweeps at once. `stop()` ends it and waits for a sweep under way.
 */
export function sweepOrphanedRuns(
  options: SelfServiceOptions,
  rights: ResumeRights,
  { everyMs, graceMs, now = Date.now }: { everyMs: number; graceMs: number; now?: () => number },
): { stop(): Promise<void> } {
  const refused = refusal(rights);
  const reported = new Set<string>();
  let sweeping: Promise<unknown> = Promise.resolve();
  let busy = false;
  const sweep = async () => {
    const runs = (await options.store.resumableRuns()).filter(
      (run) => run.leaseExpiresAt !== null || now() - Date.parse(run.updatedAt) >= graceMs,
    );
    if (refused) {
      const fresh = runs.filter((run) => !reported.has(run.id));
      for (const run of fresh) reported.add(run.id);
      if (fresh.length > 0) {
        options.log.warn(`${fresh.length} orphaned run(s) not resumed: ${refused}`, {
          runs: fresh.map((run) => run.id),
          hint: 'start a process that may write, or call resume_run from one',
        });
      }
      return;
    }
    await resumeRuns(options, rights, runs);
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sweeping = sweep()
      .catch((error: unknown) => options.log.error('the sweep of orphaned runs failed', { error: String(error) }))
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}

/** Why this process may not resume runs (read-only, or a role without write), or undefined when it may. */
function refusal(rights: ResumeRights): string | undefined {
  if (rights.readOnly) return 'this process is read-only';
  return tierAllows(callerFromRoles('resume', [rights.role]).tier, 'write')
    ? undefined
    : `role ${rights.role} may not write`;
}
