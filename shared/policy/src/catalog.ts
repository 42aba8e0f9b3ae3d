import type { PolicyDomain } from '@idp-mcp/core';
import type { Policy, RegoModule } from '@idp-mcp/rego';

export const DOMAINS: readonly PolicyDomain[] = ['kubernetes', 'kafka', 'terraform', 'cicd', 'gitops'];

export interface RuleInfo {
  id: string;
  domain: string;
  severity: 'deny' | 'warn';
  title: string;
  description: string;
  rationale: string;
  /** The module (relative path) and line of its METADATA block. */
  file: string;
  line: number;
}

/** Every rule with a `custom.id` in its METADATA, in source order. */
export function ruleCatalog(policy: Policy): RuleInfo[] {
  return policy.annotations().flatMap((annotation) => {
    const id = annotation.custom?.id;
    if (typeof id !== 'string') return [];
    const severity = annotation.custom?.severity === 'warn' ? 'warn' : 'deny';
    const path = annotation.path.replace(/^data\./, '').split('.');
    return [
      {
        id,
        domain: path.slice(0, -1).join('.'),
        severity,
        title: annotation.title ?? id,
        description: annotation.description?.trim() ?? '',
        rationale: typeof annotation.custom?.rationale === 'string' ? annotation.custom.rationale : '',
        file: annotation.location.file,
        line: annotation.location.line,
      } satisfies RuleInfo,
    ];
  });
}

/** The source of a rule: its annotated definition and every other definition that reports its id. */
export function ruleSource(rule: RuleInfo, modules: RegoModule[]): string {
  const module = modules.find((candidate) => candidate.path === rule.file);
  if (!module) return '';
  return module.source
    .split(/\n{2,}/)
    .filter((block) =>
      block.startsWith('# METADATA') ? block.includes(`id: ${rule.id}\n`) : block.includes(`finding("${rule.id}"`),
    )
    .join('\n\n');
}

/** The tests of a rule (test_<ID>_...), by name and source. */
export function ruleTests(
  rule: RuleInfo,
  modules: RegoModule[],
): Array<{ name: string; kind: 'allowed' | 'denied' | 'other'; source: string }> {
  const prefix = `test_${rule.id.replaceAll('-', '_')}`;
  const out: Array<{ name: string; kind: 'allowed' | 'denied' | 'other'; source: string }> = [];
  for (const module of modules) {
    if (!module.path.endsWith('_test.rego')) continue;
    for (const block of module.source.split(/\n{2,}/)) {
      const name = /^(?:#.*\n)*(test_\w+)\s+if\b/.exec(block)?.[1];
      if (!name || !(name === prefix || name.startsWith(`${prefix}_`))) continue;
      const kind = name.includes('_allowed') ? 'allowed' : name.includes('_denied') ? 'denied' : 'other';
      out.push({ name, kind, source: block.trim() });
    }
  }
  return out;
}

/**
 * A compliant input for a rule: `examples["<ID>"]` or `example` of the domain's test package (a list of
 * documents), undefined when the tests define neither.
 */
export function ruleExample(rule: RuleInfo, testPolicy: Policy): unknown[] | undefined {
  const examples = testPolicy.evalRule(`data.${rule.domain}_test.examples`) as Record<string, unknown> | undefined;
  const example = examples?.[rule.id] ?? testPolicy.evalRule(`data.${rule.domain}_test.example`);
  return Array.isArray(example) ? example : undefined;
}
