import { readFileSync } from 'node:fs';
import { compile } from '@idp-mcp/rego';
import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICY_DIR, discoverTests, readRegoDir, runTests } from '../src/bundle.ts';
import { DOMAINS, ruleCatalog, ruleExample } from '../src/catalog.ts';
import { createPolicyGate } from '../src/gate.ts';

const modules = readRegoDir(BUILTIN_POLICY_DIR);
const policy = compile(modules);

describe('the Rego tests in policies/', () => {
  const results = runTests(policy, modules);

  it('all pass under the embedded engine', () => {
    expect(results.length).toBeGreaterThan(100);
    expect(results.filter((result) => !result.passed).map((r) => `${r.package}.${r.name}: ${r.error}`)).toEqual([]);
  });

  it.each(DOMAINS)('%s has an allowed and a denied test for every rule', (domain) => {
    const rules = ruleCatalog(policy).filter((rule) => rule.domain === domain);
    expect(rules.length).toBeGreaterThanOrEqual(6);
    const names = new Set(results.filter((r) => r.package === `${domain}_test`).map((r) => r.name));
    const missing = rules.flatMap((rule) => {
      const base = `test_${rule.id.replaceAll('-', '_')}`;
      return [`${base}_allowed`, `${base}_denied`].filter(
        (name) => ![...names].some((test) => test === name || test.startsWith(`${name}_`)),
      );
    });
    expect(missing).toEqual([]);
  });

  it('fail when a rule is broken, so they can catch a regression', () => {
    const broken = modules.map((module) =>
      module.path === 'kubernetes/kubernetes.rego'
        ? { ...module, source: module.source.replace('c.c.securityContext.privileged == true', 'false') }
        : module,
    );
    expect(broken).not.toEqual(modules);
    const failed = runTests(compile(broken), broken, { filter: /K8S_002/ }).filter((r) => !r.passed);
    expect(failed.map((r) => r.name)).toEqual(['test_K8S_002_denied']);
  });

  it('are discovered from test_ rules of *_test.rego files only', () => {
    const tests = discoverTests([
      {
        path: 'x_test.rego',
        source: 'package x_test\n\ntest_a if { true }\n\ntest_a if { false }\nhelper if { true }\n',
      },
      { path: 'x.rego', source: 'package x\n\ntest_b if { true }\n' },
    ]);
    expect(tests).toEqual([{ package: 'x_test', name: 'test_a', file: 'x_test.rego' }]);
  });
});

describe('the rule annotations', () => {
  const rules = ruleCatalog(policy);

  it('give every rule a unique id, a severity, a title, a description and a rationale', () => {
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^(K8S|KAFKA|TF|CICD|GITOPS)-\d{3}$/);
      expect(['deny', 'warn']).toContain(rule.severity);
      expect(rule.title.length, rule.id).toBeGreaterThan(5);
      expect(rule.description.length, rule.id).toBeGreaterThan(10);
      expect(rule.rationale.length, rule.id).toBeGreaterThan(10);
    }
  });

  it('agree with the severity each rule reports', () => {
    for (const rule of rules) {
      const source = modules.find((module) => module.path === rule.file)!.source;
      const reported = [...source.matchAll(new RegExp(`finding\\("${rule.id}", "(deny|warn)"`, 'g'))].map((m) => m[1]);
      expect(reported.length, rule.id).toBeGreaterThan(0);
      expect(new Set(reported), rule.id).toEqual(new Set([rule.severity]));
    }
  });

  it('are all listed, with their severity, in docs/policies.md', () => {
    const docs = readFileSync(new URL('../../../docs/policies.md', import.meta.url), 'utf8');
    const missing = rules.filter((rule) => !docs.includes(`| ${rule.id} | ${rule.severity} | ${rule.title} |`));
    expect(missing.map((rule) => rule.id)).toEqual([]);
  });

  it('each come with a compliant example that passes every policy of its domain', () => {
    const gate = createPolicyGate();
    for (const rule of rules) {
      const example = ruleExample(rule, policy);
      expect(example, rule.id).toBeDefined();
      const verdict = gate.checkDetailed(rule.domain as (typeof DOMAINS)[number], example!);
      expect(verdict.violations, rule.id).toEqual([]);
    }
  });
});
