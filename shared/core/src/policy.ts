import * as z from 'zod';
import { ToolError } from './errors.ts';

/**
 * The seam every configuration-carrying write passes before anything changes. `@idp-mcp/policy` implements it;
 * no server starts without one (there is no allow-all default).
 */
export type PolicyDomain = 'kubernetes' | 'kafka' | 'terraform' | 'cicd' | 'gitops';

export interface PolicyViolation {
  rule: string;
  severity: 'deny' | 'warn';
  message: string;
  /** e.g. 'Deployment/payments/api'. */
  resource?: string;
  /** Path of the offending field, e.g. 'spec.template.spec.containers[0].image'. */
  field?: string;
}

export interface PolicyVerdict {
  allowed: boolean;
  violations: PolicyViolation[];
  /** Which gate decided, for audit. */
  gate: string;
}

export interface PolicyContext {
  /** The tool asking, e.g. 'kubernetes.apply_manifests'. */
  tool?: string;
  environment?: string;
  namespace?: string;
  /** The file each document came from, in document order; the cicd policies name workflows by it. */
  files?: string[];
}

export interface PolicyGate {
  check(domain: PolicyDomain, documents: unknown[], context?: PolicyContext): Promise<PolicyVerdict>;
}

/** Checks documents and throws a structured refusal on any deny; returns the verdict (with warnings) otherwise. */
export async function enforcePolicy(
  gate: PolicyGate,
  domain: PolicyDomain,
  documents: unknown[],
  context?: PolicyContext,
): Promise<PolicyVerdict> {
  return refuseDenied(await gate.check(domain, documents, context), [domain]);
}

/**
 * The refusal every policy-gated write gives: throws policy_denied listing each deny when the verdict (of the
 * given domains' policies) is not allowed; returns it otherwise.
 */
export function refuseDenied(verdict: PolicyVerdict, domains: PolicyDomain[]): PolicyVerdict {
  if (verdict.allowed) return verdict;
  const denies = verdict.violations.filter((violation) => violation.severity === 'deny');
  const lines = denies.map(
    (violation) =>
      `- [${violation.rule}] ${violation.resource ? `${violation.resource}: ` : ''}${violation.message}${violation.field ? ` (at ${violation.field})` : ''}`,
  );
  throw new ToolError(
    'policy_denied',
    `the ${domains.join(', ')} policies deny this change; nothing was changed:\n${lines.join('\n')}`,
    {
      retryable: false,
      hint: 'fix each violation (the message says how) and call again; explain_rule on the policy server explains a rule',
      details: verdict,
    },
  );
}

/** A gate loaded on its first check: a server that never writes configuration never loads the policy engine. */
export function lazyGate(load: () => Promise<PolicyGate>): PolicyGate {
  let loaded: Promise<PolicyGate> | undefined;
  return {
    check: async (domain, documents, context) => {
      loaded ??= load();
      return (await loaded).check(domain, documents, context);
    },
  };
}

/** What a write tool reports of the verdict that let it through: which gate decided, and any warnings. */
export const verdictOutput = z.object({
  gate: z.string(),
  warnings: z.array(
    z.object({
      rule: z.string(),
      message: z.string(),
      resource: z.string().optional(),
      field: z.string().optional(),
    }),
  ),
});

export function verdictOf(verdict: PolicyVerdict): z.input<typeof verdictOutput> {
  return {
    gate: verdict.gate,
    warnings: verdict.violations
      .filter((v) => v.severity === 'warn')
      .map((v) => ({
        rule: v.rule,
        message: v.message,
        ...(v.resource ? { resource: v.resource } : {}),
        ...(v.field ? { field: v.field } : {}),
      })),
  };
}
