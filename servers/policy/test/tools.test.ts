import type { Validation } from '@idp-mcp/policy';
import { MAX_INPUT_BYTES } from '@idp-mcp/policy';
import { type ConnectedClient, connectClient, connectStdio, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { policyModule } from '../src/index.ts';
import { call, readFixture } from './support.ts';

let mcp: ConnectedClient;
beforeAll(async () => {
  mcp = await connectClient(policyModule, { args: ['--role', 'viewer'] });
});
afterAll(() => mcp.close());

const deployment = readFixture('deployment.yaml');
const withImage = (image: string) => deployment.replace('ghcr.io/acme/payments-api:1.4.2', image);

describe('what a model sees', () => {
  it('matches the reviewed tools/list snapshot', async () => {
    await expect(await toolsSnapshot(mcp.client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('offers every tool to a viewer: they only read', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'validate',
      'list_policies',
      'explain_rule',
      'test_policies',
      'fix_violations',
      'generate_config',
    ]);
    expect(tools.every((tool) => tool.annotations?.readOnlyHint)).toBe(true);
  });

  it('runs as a stdio process (the bin a desktop client starts)', async () => {
    const client = await connectStdio(new URL('../src/bin.ts', import.meta.url).pathname, []);
    try {
      expect((await client.listTools()).tools).toHaveLength(6);
      const result = await client.callTool({ name: 'validate', arguments: { config: withImage('nginx') } });
      expect(textOf(result)).toMatch(/^DENY K8S-010 Deployment\/payments\/payments-api/m);
    } finally {
      await client.close();
    }
  });

  it('serves each domain policy as a resource', async () => {
    const { contents } = await mcp.client.readResource({ uri: 'policy://domains/kafka' });
    const text = (contents[0] as { text: string }).text;
    expect(text).toContain('package kafka');
    expect(text).toContain('KAFKA-006');
    expect(text).not.toContain('package kafka_test');
    await expect(mcp.client.readResource({ uri: 'policy://domains/helm' })).rejects.toThrow(/no policy domain helm/);
  });
});

describe('validate', () => {
  it('allows a compliant Deployment', async () => {
    const result = await call<Validation>(mcp, 'validate', { config: deployment });
    expect(result).toEqual({
      allowed: true,
      domains: ['kubernetes'],
      documents: 1,
      violations: [],
      warnings: [],
      waived: [],
    });
  });

  it('denies a latest image with rule, message, resource and field', async () => {
    const result = await call<Validation>(mcp, 'validate', { config: withImage('ghcr.io/acme/payments-api:latest') });
    expect(result.allowed).toBe(false);
    expect(result.violations).toEqual([
      {
        rule: 'K8S-010',
        severity: 'deny',
        message: expect.stringMatching(/uses the latest tag: pin a version tag/),
        resource: 'Deployment/payments/payments-api',
        field: 'spec.template.spec.containers[0].image',
        document: 1,
        line: 25,
      },
    ]);
  });

  it('checks each document of a mixed YAML against its own domain', async () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'payments-api', namespace: 'argocd' },
      spec: {
        project: 'payments',
        source: { repoURL: 'https://github.com/acme/gitops', path: 'apps/payments-api', targetRevision: 'HEAD' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'payments-prod' },
        syncPolicy: { automated: { selfHeal: true, prune: true } },
      },
    };
    const config = [deployment, readFixture('topic.yaml'), YAML.stringify(app)].join('---\n');
    const result = await call<Validation>(mcp, 'validate', { config });
    expect(result.domains).toEqual(['kubernetes', 'kafka', 'gitops']);
    expect(result.violations.map((v) => [v.rule, v.document, v.field])).toEqual([
      ['GITOPS-002', 3, 'spec.source.targetRevision'],
    ]);
  });

  it('reads Terraform HCL and GitHub workflows', async () => {
    const tf = await call<Validation>(mcp, 'validate', { config: readFixture('main.tf'), filename: 'main.tf' });
    expect(tf.domains).toEqual(['terraform']);
    expect(tf.violations.map((v) => `${v.rule} ${v.resource}`)).toEqual([
      'TF-003 aws_db_instance.orders',
      'TF-006 aws_security_group.ssh',
    ]);
    expect(tf.violations[1]!.message).toContain('opens 22 to 0.0.0.0/0');
    const wf = await call<Validation>(mcp, 'validate', { config: readFixture('workflow.yml') });
    expect(wf.violations.map((v) => v.rule)).toEqual(['CICD-001', 'CICD-002']);
    expect(wf.warnings.map((v) => v.rule)).toEqual(['CICD-006']);
  });

  it('reads a Terraform plan (terraform show -json) and points at the line', async () => {
    const result = await call<Validation>(mcp, 'validate', { config: readFixture('plan.json') });
    expect(result.domains).toEqual(['terraform']);
    expect(result.violations).toEqual([
      expect.objectContaining({
        rule: 'TF-004',
        resource: 'aws_db_instance.orders',
        field: 'resource_changes[0].change.after.storage_encrypted',
        line: 15,
      }),
    ]);
  });

  it('reports waived findings instead of dropping them', async () => {
    const waived = deployment.replace(
      '  labels:\n    owner',
      '  annotations:\n    policy.idp-mcp.io/waive-K8S-011: "reason=vendor image under review SEC-7; expires=2099-01-01"\n  labels:\n    owner',
    );
    const result = await call<Validation>(mcp, 'validate', {
      config: waived.replace('ghcr.io/acme/payments-api:1.4.2', 'quay.io/vendor/agent:2.0.1'),
    });
    expect(result.allowed).toBe(true);
    expect(result.waived).toMatchObject([
      {
        rule: 'K8S-011',
        waiver: { status: 'valid', reason: 'vendor image under review SEC-7', expires: '2099-01-01' },
      },
    ]);
  });

  it('refuses bad input with the field and the fix', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ config: 'kind: Deployment\n  metadata: [' }, /YAML document 1 line \d+ column \d+/],
      [{ config: deployment, domain: 'helm' }, /domain/],
      [{ config: 'hello: world\n' }, /document 1: cannot tell its policy domain \(top-level keys: hello\)/],
      [{ config: `# ${'x'.repeat(MAX_INPUT_BYTES)}\nkind: Pod` }, /over the 524288-byte \(512 KiB\) limit/],
      [{ config: '{"kind": ' }, /not valid JSON/],
      [{ config: 'resource "aws_s3_bucket" "x" {', filename: 'x.tf' }, /not valid HCL/],
    ];
    for (const [args, message] of cases) {
      const result = await mcp.client.callTool({ name: 'validate', arguments: args });
      expect(result.isError, JSON.stringify(args).slice(0, 80)).toBe(true);
      expect(textOf(result)).toMatch(message);
    }
  });
});

describe('list_policies, explain_rule, test_policies', () => {
  it('lists the rules of every domain', async () => {
    const result = await call<{ domains: Array<{ domain: string; rules: Array<{ id: string; severity: string }> }> }>(
      mcp,
      'list_policies',
      {},
    );
    const counts = Object.fromEntries(result.domains.map((d) => [d.domain, d.rules.length]));
    expect(counts).toEqual({ kubernetes: 30, kafka: 9, terraform: 12, cicd: 11, gitops: 10 });
    const kafka = await call<{ domains: Array<{ rules: Array<{ id: string; severity: string; title: string }> }> }>(
      mcp,
      'list_policies',
      { domain: 'kafka' },
    );
    expect(kafka.domains[0]!.rules[0]).toEqual({ id: 'KAFKA-001', severity: 'deny', title: 'Minimum partitions' });
  });

  it('explains a rule from its annotations, source and tests', async () => {
    const rule = await call<Record<string, unknown>>(mcp, 'explain_rule', { rule_id: 'tf-006' });
    expect(rule).toMatchObject({
      id: 'TF-006',
      domain: 'terraform',
      severity: 'deny',
      title: 'No open ingress on sensitive ports',
    });
    expect(rule.rationale).toMatch(/scanned/);
    expect(rule.waiver).toBe('tag the resource policy.idp-mcp.io/waive-TF-006 = "reason=<why>; expires=YYYY-MM-DD"');
    expect(rule.source).toContain('findings contains finding("TF-006"');
    expect(rule.compliant_example).toContain('cidr_blocks:\n');
    expect((rule.failing_examples as string[])[0]).toMatch(/^test_TF_006_denied if/);
    expect((rule.passing_examples as string[])[0]).toMatch(/^test_TF_006_allowed if/);
  });

  it('names the rules of the domain when an id does not exist', async () => {
    const result = await mcp.client.callTool({ name: 'explain_rule', arguments: { rule_id: 'KAFKA-099' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/no rule KAFKA-099[\s\S]*KAFKA-001, KAFKA-002/);
    const malformed = await mcp.client.callTool({ name: 'explain_rule', arguments: { rule_id: 'privileged' } });
    expect(textOf(malformed)).toMatch(/must be a rule id like "K8S-001"/);
  });

  it('runs the policy tests', async () => {
    const all = await call<{ passed: number; failed: number; by_package: Record<string, unknown> }>(
      mcp,
      'test_policies',
      {},
    );
    expect(all.failed).toBe(0);
    expect(all.passed).toBeGreaterThan(100);
    expect(Object.keys(all.by_package).sort()).toEqual([
      'cicd_test',
      'gitops_test',
      'kafka_test',
      'kubernetes_test',
      'terraform_test',
    ]);
    const one = await call<{ passed: number }>(mcp, 'test_policies', { filter: 'K8S_001' });
    expect(one.passed).toBe(3);
  });
});
