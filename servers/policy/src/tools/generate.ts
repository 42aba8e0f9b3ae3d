import { defineTool, type ToolContext, ToolError } from '@idp-mcp/core';
import type { createPolicyGate } from '@idp-mcp/policy';
import { findingSchema, type ReportedFinding, ruleCatalog, type Validation, validateText } from '@idp-mcp/policy';
import * as z from 'zod';
import { checkOptions, configInput, domain, LOCAL } from './args.ts';

type Gate = ReturnType<typeof createPolicyGate>;

/** Asks the client's model for text (MCP sampling); undefined when the client cannot. */
export type Sampler = ToolContext['sample'];

/** Rounds of model proposal -> re-validation before giving up. */
export const MAX_ATTEMPTS = 2;

const outcome = {
  status: z
    .enum(['compliant', 'fixed', 'still_violating', 'needs_manual_fix', 'needs_sampling'])
    .describe(
      'compliant/fixed: the (proposed) config passes; still_violating: the model could not fix it; needs_*: no model available',
    ),
  sampled: z.boolean().describe('whether the client model was asked'),
  attempts: z.number().int(),
  config: z.string().optional().describe('The proposed configuration; only ever returned after it was re-validated'),
  violations: z.array(findingSchema).describe('deny findings the (proposed) config still has'),
  warnings: z.array(findingSchema),
  fixes: z
    .array(z.object({ rule: z.string(), field: z.string().optional(), line: z.number().optional(), fix: z.string() }))
    .optional()
    .describe('Without sampling: what to change, per violation'),
};

const stripFences = (text: string) => {
  const fenced = /```[\w-]*\n([\s\S]*?)```/.exec(text);
  return (fenced ? fenced[1]! : text).trim();
};

const listFindings = (findings: ReportedFinding[]) =>
  findings.map((f) => `- [${f.rule}] ${f.field ? `${f.field}: ` : ''}${f.message}`).join('\n');

async function proposeUntilValid(
  sample: Sampler,
  ctx: ToolContext,
  first: { system: string; prompt: string },
  check: (text: string) => Promise<Validation>,
) {
  let prompt = first.prompt;
  let last: { config: string; result: Validation } | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    await ctx.progress(attempt, MAX_ATTEMPTS, `asking the client model (attempt ${attempt})`);
    const answer = await sample({ system: first.system, prompt, maxTokens: 4000 }, ctx.signal);
    if (answer === undefined) return { attempts: attempt - 1, unavailable: attempt === 1, ...(last ?? {}) };
    const config = stripFences(answer);
    let result: Validation;
    try {
      result = await check(config);
    } catch (error) {
      const message = error instanceof ToolError ? error.message : String(error);
      prompt = `${first.prompt}\n\nYour previous answer could not be parsed (${message}). Answer with the configuration only.`;
      continue;
    }
    last = { config, result };
    if (result.allowed) return { attempts: attempt, unavailable: false, ...last };
    prompt = `${first.prompt}\n\nYour previous answer still violates:\n${listFindings(result.violations)}\nFix these too. Answer with the full configuration only.\n\n${config}`;
  }
  return { attempts: MAX_ATTEMPTS, unavailable: false, ...(last ?? {}) };
}

export function generationTools(gate: Gate) {
  const rules = ruleCatalog(gate.bundle.policy);
  const requirements = (d: string) =>
    rules
      .filter((rule) => rule.domain === d)
      .map((rule) => `- ${rule.id} (${rule.severity}): ${rule.description}`)
      .join('\n');
  const SYSTEM =
    'You write platform configuration that must pass the policies listed. Answer with the configuration only, in the requested format, without commentary.';

  return [
    defineTool({
      name: 'fix_violations',
      title: 'Fix policy violations',
      description:
        'Propose a compliant version of a configuration. When the client supports sampling its model rewrites the config and the result is re-validated (returned only with its verdict); otherwise returns each violation with the precise change to make.',
      toolset: 'policy',
      tier: 'read',
      annotations: LOCAL,
      input: z.object(configInput),
      output: z.object(outcome),
      handler: async (input, ctx) => {
        const check = (text: string) => validateText(gate, text, checkOptions(input));
        const original = await check(input.config);
        if (original.allowed) {
          return {
            status: 'compliant' as const,
            sampled: false,
            attempts: 0,
            violations: [],
            warnings: original.warnings,
          };
        }
        const manual = () => ({
          status: 'needs_manual_fix' as const,
          sampled: false,
          attempts: 0,
          violations: original.violations,
          warnings: original.warnings,
          fixes: original.violations.map((v) => ({
            rule: v.rule,
            ...(v.field ? { field: v.field } : {}),
            ...(v.line ? { line: v.line } : {}),
            fix: v.message,
          })),
        });
        const prompt = `Fix this ${original.format} configuration (${original.domains.join(', ')}) so it passes the policies. Change only what the violations require.\n\nViolations:\n${listFindings(original.violations)}\n\nConfiguration:\n${input.config}`;
        const proposal = await proposeUntilValid(ctx.sample, ctx, { system: SYSTEM, prompt }, check);
        if (proposal.unavailable) return manual();
        const result = proposal.result ?? original;
        return {
          status: proposal.result?.allowed ? ('fixed' as const) : ('still_violating' as const),
          sampled: true,
          attempts: proposal.attempts,
          ...(proposal.config ? { config: proposal.config } : {}),
          violations: result.violations,
          warnings: result.warnings,
        };
      },
    }),
    defineTool({
      name: 'generate_config',
      title: 'Generate compliant configuration',
      description:
        'Generate configuration for a request (e.g. "a KafkaTopic payments.refunds.v1 with 7 days retention") with the client\'s model, validated against the domain\'s policies before it is returned. Without sampling, returns the rules the config must satisfy.',
      toolset: 'policy',
      tier: 'read',
      annotations: LOCAL,
      input: z.object({
        request: z.string().min(3).describe('What to generate, in plain words.'),
        domain: domain.describe('Policy domain of the configuration.'),
        format: z.enum(['yaml', 'json', 'hcl']).default('yaml').describe('Output format (hcl for Terraform).'),
        environment: z.string().optional().describe('Target environment, e.g. "prod".'),
      }),
      output: z.object({ ...outcome, requirements: z.string().describe('The rules the configuration must satisfy') }),
      handler: async (input, ctx) => {
        const needs = requirements(input.domain);
        const unsampled = {
          status: 'needs_sampling' as const,
          sampled: false,
          attempts: 0,
          violations: [],
          warnings: [],
          requirements: needs,
        };
        const check = (text: string) =>
          validateText(gate, text, {
            domain: input.domain,
            format: input.format,
            ...(input.environment ? { context: { environment: input.environment } } : {}),
          });
        const prompt = `Write ${input.format} ${input.domain} configuration for: ${input.request}${input.environment ? ` (environment ${input.environment})` : ''}.\n\nIt must pass these rules:\n${needs}`;
        const proposal = await proposeUntilValid(ctx.sample, ctx, { system: SYSTEM, prompt }, check);
        if (proposal.unavailable) return unsampled;
        return {
          status: proposal.result?.allowed ? ('compliant' as const) : ('still_violating' as const),
          sampled: true,
          attempts: proposal.attempts,
          ...(proposal.config ? { config: proposal.config } : {}),
          violations: proposal.result?.violations ?? [],
          warnings: proposal.result?.warnings ?? [],
          requirements: needs,
        };
      },
    }),
  ];
}
