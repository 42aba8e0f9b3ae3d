import { defineTool, ToolError } from '@idp-mcp/core';
import type { createPolicyGate } from '@idp-mcp/policy';
import {
  DOMAINS,
  MAX_INPUT_BYTES,
  type RuleInfo,
  renderFindings,
  ruleCatalog,
  ruleExample,
  ruleSource,
  ruleTests,
  runTests,
  validateText,
  validationSchema,
} from '@idp-mcp/policy';
import YAML from 'yaml';
import * as z from 'zod';
import { checkOptions, configInput, domain, LOCAL } from './args.ts';

type Gate = ReturnType<typeof createPolicyGate>;

const ruleId = z
  .string()
  .regex(/^[A-Za-z0-9]+-\d{3}$|^[A-Za-z0-9]+\/[\w.-]+$/, {
    error: 'must be a rule id like "K8S-001" (list_policies lists them)',
  })
  .describe('Rule id, e.g. "K8S-001" or "TF-006".');

export function policyTools(gate: Gate) {
  const { bundle } = gate;
  const rules = ruleCatalog(bundle.policy);
  const findRule = (id: string): RuleInfo => {
    const rule = rules.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
    if (rule) return rule;
    const prefix = id.split('-')[0]!.toUpperCase();
    const near = rules.filter((candidate) => candidate.id.startsWith(`${prefix}-`)).map((candidate) => candidate.id);
    throw new ToolError('not_found', `rule_id: no rule ${id}`, {
      hint: near.length ? `rules of that domain: ${near.join(', ')}` : 'call list_policies for the rule ids',
    });
  };

  return [
    defineTool({
      name: 'validate',
      title: 'Validate configuration against policy',
      description: `Check configuration against the platform's policies before it is committed or applied: Kubernetes YAML (many documents), a Strimzi KafkaTopic, Terraform (plan JSON or HCL), a GitHub Actions workflow, or an Argo CD / Flux object. The domain is detected per document unless given. Returns allowed, deny violations and warnings (rule id, message with the fix, resource, field path) and waived findings. Max ${MAX_INPUT_BYTES / 1024} KiB.`,
      toolset: 'policy',
      tier: 'read',
      annotations: LOCAL,
      input: z.object(configInput),
      output: z.object(validationSchema),
      render: renderFindings,
      handler: async (input) =>
        validateText(gate, input.config, checkOptions(input)).then(({ format: _format, ...result }) => result),
    }),
    defineTool({
      name: 'list_policies',
      title: 'List policy rules',
      description:
        'List the policy rules per domain (id, severity, title), plus loaded Gatekeeper constraints. Use explain_rule for one rule in depth.',
      toolset: 'policy',
      tier: 'read',
      annotations: LOCAL,
      input: z.object({ domain: domain.optional().describe('Only this domain.') }),
      output: z.object({
        domains: z.array(
          z.object({
            domain: z.string(),
            packages: z.array(z.string()),
            rules: z.array(z.object({ id: z.string(), severity: z.enum(['deny', 'warn']), title: z.string() })),
          }),
        ),
        gatekeeper_constraints: z
          .array(z.string())
          .describe('Kind/name of loaded Gatekeeper constraints (kubernetes).'),
        gatekeeper_problems: z
          .array(z.string())
          .describe(
            'Gatekeeper templates, constraints and files that did not load (not enforced) or loaded with a warning.',
          ),
      }),
      handler: async (input) => ({
        domains: DOMAINS.filter((d) => !input.domain || d === input.domain).map((d) => ({
          domain: d,
          packages: bundle.packages[d],
          rules: rules
            .filter((rule) => rule.domain === d || rule.domain.startsWith(`${d}.`))
            .map(({ id, severity, title }) => ({ id, severity, title })),
        })),
        gatekeeper_constraints: bundle.gatekeeper.constraints,
        gatekeeper_problems: bundle.gatekeeper.problems,
      }),
    }),
    defineTool({
      name: 'explain_rule',
      title: 'Explain a policy rule',
      description:
        'Explain one rule: what it checks, why (rationale), how to waive it, its Rego source, a compliant example, and its passing and failing tests.',
      toolset: 'policy',
      tier: 'read',
      annotations: LOCAL,
      input: z.object({ rule_id: ruleId }),
      output: z.object({
        id: z.string(),
        domain: z.string(),
        severity: z.enum(['deny', 'warn']),
        title: z.string(),
        description: z.string(),
        rationale: z.string(),
        waiver: z.string(),
        source: z.string().describe('The Rego that implements the rule.'),
        compliant_example: z.string().optional().describe('Documents (YAML) that pass the rule.'),
        passing_examples: z.array(z.string()).describe('Rego tests that expect no violation.'),
        failing_examples: z.array(z.string()).describe('Rego tests that expect the violation.'),
      }),
      handler: async (input) => {
        const rule = findRule(input.rule_id);
        const tests = ruleTests(rule, bundle.modules);
        const example = ruleExample(rule, bundle.withTests());
        return {
          id: rule.id,
          domain: rule.domain,
          severity: rule.severity,
          title: rule.title,
          description: rule.description,
          rationale: rule.rationale,
          waiver: waiverText(rule),
          source: ruleSource(rule, bundle.modules),
          ...(example ? { compliant_example: example.map((doc) => YAML.stringify(doc)).join('---\n') } : {}),
          passing_examples: tests.filter((t) => t.kind === 'allowed').map((t) => t.source),
          failing_examples: tests.filter((t) => t.kind === 'denied').map((t) => t.source),
        };
      },
    }),
    defineTool({
      name: 'test_policies',
      title: 'Run the policy tests',
      description:
        'Run the Rego unit tests (test_ rules in *_test.rego) of the loaded policies and report passes and failures.',
      toolset: 'policy',
      tier: 'read',
      annotations: LOCAL,
      input: z.object({
        domain: domain.optional().describe('Only this domain.'),
        filter: z.string().optional().describe('Only tests whose package.name contains this text, e.g. "K8S_001".'),
      }),
      output: z.object({
        passed: z.number().int(),
        failed: z.number().int(),
        failures: z.array(z.object({ test: z.string(), file: z.string(), error: z.string() })),
        by_package: z.record(z.string(), z.object({ passed: z.number().int(), failed: z.number().int() })),
      }),
      handler: async (input) => {
        const results = runTests(bundle.withTests(), bundle.modules).filter(
          (r) =>
            (!input.domain || r.package === `${input.domain}_test` || r.package.startsWith(`${input.domain}.`)) &&
            (!input.filter || `${r.package}.${r.name}`.includes(input.filter)),
        );
        if (!results.length) {
          throw new ToolError('not_found', 'no policy tests match domain/filter', {
            hint: 'drop the filter, or use a rule id with underscores, e.g. K8S_001',
          });
        }
        const byPackage: Record<string, { passed: number; failed: number }> = {};
        for (const r of results) {
          const entry = byPackage[r.package] ?? { passed: 0, failed: 0 };
          byPackage[r.package] = entry;
          if (r.passed) entry.passed++;
          else entry.failed++;
        }
        const failures = results.filter((r) => !r.passed);
        return {
          passed: results.length - failures.length,
          failed: failures.length,
          failures: failures.map((r) => ({ test: `${r.package}.${r.name}`, file: r.file, error: r.error ?? '' })),
          by_package: byPackage,
        };
      },
    }),
  ];
}

function waiverText(rule: RuleInfo): string {
  const value = '"reason=<why>; expires=YYYY-MM-DD"';
  if (rule.domain === 'terraform') return `tag the resource policy.idp-mcp.io/waive-${rule.id} = ${value}`;
  if (rule.domain === 'cicd') return `workflow-level env POLICY_WAIVE_${rule.id.replaceAll('-', '_')}: ${value}`;
  return `annotation policy.idp-mcp.io/waive-${rule.id}: ${value}`;
}
