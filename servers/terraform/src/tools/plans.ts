import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DESTRUCTIVE,
  defineTool,
  isSecretKey,
  listArgs,
  nextCursorField,
  offsetPage,
  type PolicyVerdict,
  READ,
  refuseDenied,
  registerSecret,
  ToolError,
  truncateText,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import { type PlanJson, planSensitiveStrings, summarisePlan } from '../plan.ts';
import { dirArg, lineProgress, type SavedPlan, type TerraformToolsOptions, workdirOf, workspaceArg } from './shared.ts';

const PLAN_ID = /^tfplan_[a-z0-9]{20}$/;
const planIdArg = z
  .string()
  .regex(PLAN_ID, { error: 'must be a plan id returned by plan, e.g. tfplan_0123456789abcdefghij' })
  .describe('The plan_id the plan tool returned.');
const ADDRESS = /^[A-Za-z0-9_.[\]"\-:/]+$/;
const addressList = (what: string) =>
  z
    .array(z.string().regex(ADDRESS, { error: 'must be a resource address, e.g. aws_s3_bucket.logs' }))
    .max(50)
    .optional()
    .describe(what);

const changeSchema = z.object({
  address: z.string(),
  action: z.enum(['create', 'update', 'replace', 'delete', 'read']),
  type: z.string(),
  changed: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).optional(),
  replace_because: z.string().optional(),
});
const countsSchema = z.object({
  add: z.number(),
  change: z.number(),
  replace: z.number(),
  destroy: z.number(),
  read: z.number(),
});
const findingSchema = z.object({
  rule: z.string(),
  severity: z.enum(['deny', 'warn']),
  message: z.string(),
  resource: z.string().optional(),
  field: z.string().optional(),
});
/** The policy gate's verdict on a plan, as the audit log records it (a PolicyVerdict with its waivers). */
const verdictSchema = z.object({
  allowed: z.boolean().describe('false: apply will refuse this plan'),
  gate: z.string(),
  violations: z.array(findingSchema),
  waived: z
    .array(findingSchema.extend({ reason: z.string().optional(), expires: z.string().optional() }))
    .describe('findings a valid waiver tag covers: reported, not enforced'),
});

type Waived = {
  waived?: Array<PolicyVerdict['violations'][number] & { waiver?: { reason?: string; expires?: string } }>;
};

function verdictFor(verdict: PolicyVerdict & Waived): z.input<typeof verdictSchema> {
  const finding = (v: PolicyVerdict['violations'][number]) => ({
    rule: v.rule,
    severity: v.severity,
    message: v.message,
    ...(v.resource ? { resource: v.resource } : {}),
    ...(v.field ? { field: v.field } : {}),
  });
  return {
    allowed: verdict.allowed,
    gate: verdict.gate,
    violations: verdict.violations.map(finding),
    waived: (verdict.waived ?? []).map((w) => ({
      ...finding(w),
      ...(w.waiver?.reason ? { reason: w.waiver.reason } : {}),
      ...(w.waiver?.expires ? { expires: w.waiver.expires } : {}),
    })),
  };
}

/** Plans: make one (saved, summarised, policy-checked), page through it, apply it. */
export function planTools(options: TerraformToolsOptions) {
  const { terraform, gate, plans } = options;

  const showPlan = (plan: SavedPlan, signal: AbortSignal) =>
    terraform.json<PlanJson>(plan.dir, ['show', '-json', '-no-color', plan.file], {
      signal,
      workspace: plan.workspace,
    });
  const check = async (plan: SavedPlan, json: PlanJson) =>
    (await gate.check('terraform', [json], {
      tool: 'terraform.plan',
      environment: plan.environment,
    })) as PolicyVerdict & Waived;
  const savedPlan = (id: string) => {
    const plan = plans.get(id);
    if (!plan) {
      throw new ToolError('not_found', `plan_id: no saved plan ${id}`, {
        hint: 'make a plan with the plan tool first (saved plans last as long as the server runs)',
      });
    }
    return plan;
  };

  return [
    defineTool({
      name: 'plan',
      title: 'Plan changes',
      description:
        "Plan a working directory (terraform plan, saved): what will be added, changed, replaced (and why) and destroyed, sensitive values masked, with the policy gate's verdict on the plan. Returns a plan_id for apply; streams progress.",
      toolset: 'plans',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: false },
      input: z.object({
        dir: dirArg,
        workspace: workspaceArg,
        environment: z
          .string()
          .regex(/^[a-z0-9-]{1,40}$/, { error: 'must be an environment name such as prod or staging' })
          .optional()
          .describe(
            'Environment the policy check and the audit record name (default: TERRAFORM_ENVIRONMENT, else the workspace).',
          ),
        vars: z
          .record(
            z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: 'must be a variable name' }),
            z.string().max(10_000),
          )
          .optional()
          .describe('Input variables (-var name=value); values are kept out of the audit log.'),
        target: addressList('Plan only these resources and what they depend on (-target).'),
        replace: addressList('Force replacement of these resources (-replace).'),
        destroy: z.boolean().default(false).describe('Plan to destroy every resource.'),
        refresh: z.boolean().default(true).describe('Read remote objects first; false is faster and offline.'),
        limit: listArgs.limit,
      }),
      output: z.object({
        plan_id: z.string(),
        dir: z.string(),
        workspace: z.string(),
        environment: z.string(),
        counts: countsSchema,
        changes: z.array(changeSchema),
        nextCursor: nextCursorField.describe('More changes: pass to show_plan with this plan_id.'),
        outputs: z.array(z.object({ name: z.string(), action: z.string(), after: z.unknown().optional() })),
        drift: z.array(z.string()).describe('resources changed outside Terraform since the last apply'),
        verdict: verdictSchema,
      }),
      auditArgs: (args) => {
        const vars = args.vars && typeof args.vars === 'object' ? args.vars : undefined;
        return vars ? { ...args, vars: Object.fromEntries(Object.keys(vars).map((k) => [k, '[withheld]'])) } : args;
      },
      handler: async (input, ctx) => {
        const dir = await workdirOf(options, input.dir, ctx.signal);
        const id = `tfplan_${randomBytes(10).toString('hex')}`;
        const file = join(options.planDir, `${id}.tfplan`);
        const args = ['plan', '-input=false', '-no-color', '-lock-timeout=10s', `-out=${file}`];
        if (input.destroy) args.push('-destroy');
        if (!input.refresh) args.push('-refresh=false');
        for (const address of input.target ?? []) args.push(`-target=${address}`);
        for (const address of input.replace ?? []) args.push(`-replace=${address}`);
        for (const [name, value] of Object.entries(input.vars ?? {})) {
          if (isSecretKey(name)) registerSecret(value);
          args.push('-var', `${name}=${value}`);
        }
        await terraform.run(dir, args, { signal: ctx.signal, workspace: input.workspace, onLine: lineProgress(ctx) });
        const workspace = input.workspace ?? (await selectedWorkspace(dir, ctx.signal));
        const saved: SavedPlan = {
          id,
          dir,
          workspace: input.workspace,
          environment: input.environment ?? options.environment ?? workspace,
          file,
          createdAt: new Date().toISOString(),
          summary: {
            counts: { add: 0, change: 0, replace: 0, destroy: 0, read: 0 },
            changes: [],
            outputs: [],
            drift: [],
          },
          allowed: false,
        };
        const json = await showPlan(saved, ctx.signal);
        for (const value of planSensitiveStrings(json)) registerSecret(value);
        const verdict = await check(saved, json);
        saved.summary = summarisePlan(json);
        saved.allowed = verdict.allowed;
        plans.set(id, saved);
        const page = offsetPage('show_plan', saved.summary.changes, { limit: input.limit }, { plan_id: id });
        return {
          plan_id: id,
          dir: await terraform.display(dir),
          workspace,
          environment: saved.environment,
          counts: saved.summary.counts,
          changes: page.items,
          nextCursor: page.nextCursor,
          outputs: saved.summary.outputs,
          drift: saved.summary.drift,
          verdict: verdictFor(verdict),
        };
      },
    }),
    defineTool({
      name: 'show_plan',
      title: 'Show a saved plan',
      description:
        'Page through the resource changes of a plan the plan tool saved; narrow with action (e.g. replace or delete).',
      toolset: 'plans',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({
        plan_id: planIdArg,
        action: z
          .enum(['create', 'update', 'replace', 'delete', 'read'])
          .optional()
          .describe('Only changes of this action.'),
        ...listArgs,
      }),
      output: z.object({
        plan_id: z.string(),
        counts: countsSchema,
        allowed: z.boolean().describe('the policy verdict when the plan was made'),
        changes: z.array(changeSchema),
        total: z.number(),
        nextCursor: nextCursorField,
      }),
      handler: async (input) => {
        const plan = savedPlan(input.plan_id);
        const changes = plan.summary.changes.filter((change) => !input.action || change.action === input.action);
        const page = offsetPage('show_plan', changes, input, {
          plan_id: plan.id,
          ...(input.action ? { action: input.action } : {}),
        });
        return {
          plan_id: plan.id,
          counts: plan.summary.counts,
          allowed: plan.allowed,
          changes: page.items,
          total: page.total,
          nextCursor: page.nextCursor,
        };
      },
    }),
    defineTool({
      name: 'apply',
      title: 'Apply a saved plan',
      description:
        'Apply a plan the plan tool saved, exactly as planned, after checking it against the policies again: a plan the policies deny is refused. Prefer GitOps (a pull request) for shared infrastructure. Streams progress.',
      toolset: 'plans',
      tier: 'admin',
      annotations: { ...DESTRUCTIVE, idempotentHint: false },
      input: z.object({ plan_id: planIdArg }),
      output: z.object({
        plan_id: z.string(),
        applied: z.literal(true),
        counts: countsSchema,
        verdict: verdictSchema,
        log: z.string().describe("the end of terraform's output"),
      }),
      handler: async (input, ctx) => {
        const plan = savedPlan(input.plan_id);
        // The plan file is what terraform applies: the verdict is taken on it now, not trusted from plan time.
        const verdict = refuseDenied(await check(plan, await showPlan(plan, ctx.signal)), ['terraform']);
        const { add, change, replace, destroy } = plan.summary.counts;
        const confirmed = await ctx.confirm(
          `Apply ${plan.id} in ${await terraform.display(plan.dir)}: ${add} to add, ${change} to change, ${replace} to replace, ${destroy} to destroy?`,
        );
        if (confirmed === false) {
          throw new ToolError('invalid_request', `${plan.id} was not confirmed; nothing changed`, {
            hint: 'call apply again and confirm when asked',
            retryable: false,
          });
        }
        // A saved plan applies once: terraform refuses it afterwards as stale.
        plans.delete(plan.id);
        try {
          const { stdout } = await terraform.run(
            plan.dir,
            ['apply', '-input=false', '-no-color', '-lock-timeout=10s', plan.file],
            { signal: ctx.signal, workspace: plan.workspace, onLine: lineProgress(ctx) },
          );
          return {
            plan_id: plan.id,
            applied: true as const,
            counts: plan.summary.counts,
            verdict: verdictFor(verdict),
            log: truncateText(stdout.trim(), { limit: 3000, keep: 'tail', hint: 'only the end is shown' }).text,
          };
        } finally {
          await rm(plan.file, { force: true });
        }
      },
    }),
  ];

  async function selectedWorkspace(dir: string, signal: AbortSignal): Promise<string> {
    const { stdout } = await terraform.run(dir, ['workspace', 'show'], { signal });
    return stdout.trim() || 'default';
  }
}
