import { enforcePolicy, ToolError } from '@idp-mcp/core';
import { createPolicyGate, gatekeeperSet, policyGateFromEnv } from '@idp-mcp/policy';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { fixture, readFixture } from './support.ts';

const deployment = YAML.parse(readFixture('deployment.yaml'));
const gate = createPolicyGate();

describe('createPolicyGate (library mode)', () => {
  it('implements the core PolicyGate: allowed, warnings kept, deny refused by enforcePolicy', async () => {
    expect(await gate.check('kubernetes', [deployment])).toEqual({
      allowed: true,
      violations: [],
      waived: [],
      gate: 'idp-mcp policy (embedded Rego)',
    });
    const noLiveness = structuredClone(deployment);
    delete noLiveness.spec.template.spec.containers[0].livenessProbe;
    const warned = await enforcePolicy(gate, 'kubernetes', [noLiveness], { tool: 'kubernetes.apply_manifests' });
    expect(warned.violations.map((v) => `${v.rule}:${v.severity}`)).toEqual(['K8S-008:warn']);
    const privileged = structuredClone(deployment);
    privileged.spec.template.spec.containers[0].securityContext.privileged = true;
    const refusal = await enforcePolicy(gate, 'kubernetes', [privileged]).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ToolError);
    expect((refusal as ToolError).code).toBe('policy_denied');
    expect((refusal as ToolError).message).toContain(
      '- [K8S-002] Deployment/payments/payments-api: container "api" is privileged: remove securityContext.privileged or set it to false (at spec.template.spec.containers[0].securityContext.privileged)',
    );
  });

  it('takes per-domain settings as data.config', async () => {
    const strict = createPolicyGate({ config: { kubernetes: { allowed_registries: ['registry.acme.internal/'] } } });
    const verdict = await strict.check('kubernetes', [deployment]);
    expect(verdict.violations.map((v) => v.rule)).toEqual(['K8S-011']);
    expect(verdict.violations[0]!.message).toContain('push it to one of registry.acme.internal/');
  });

  it('expires waivers by its clock', async () => {
    const waived = structuredClone(deployment);
    waived.metadata.annotations = { 'policy.idp-mcp.io/waive-K8S-013': 'reason=node exporter; expires=2026-06-30' };
    waived.spec.template.spec.hostPID = true;
    const before = createPolicyGate({ now: () => new Date('2026-06-01T00:00:00Z') });
    const after = createPolicyGate({ now: () => new Date('2026-07-01T00:00:00Z') });
    const early = before.checkDetailed('kubernetes', [waived]);
    expect(early.allowed).toBe(true);
    expect(early.waived.map((v) => v.rule)).toEqual(['K8S-013']);
    const late = after.checkDetailed('kubernetes', [waived]);
    expect(late.allowed).toBe(false);
    expect(late.violations[0]!.message).toMatch(
      /waiver policy.idp-mcp.io\/waive-K8S-013 ignored: it expired on 2026-06-30/,
    );
  });

  it('refuses an unknown domain by name', async () => {
    await expect(gate.check('helm' as never, [])).rejects.toThrow(
      'unknown policy domain "helm"; choose from kubernetes, kafka, terraform, cicd, gitops',
    );
  });

  it('checks many times from one compilation, fast', async () => {
    const started = performance.now();
    for (let i = 0; i < 200; i++) await gate.check('kubernetes', [deployment]);
    const perCheckMs = (performance.now() - started) / 200;
    expect(perCheckMs).toBeLessThan(25);
  });
});

describe('user policy directories', () => {
  const teamGate = createPolicyGate({ policyDirs: [fixture('team-policies')] });

  it('adds a team package kubernetes.<team> to the kubernetes domain', async () => {
    expect(teamGate.bundle.packages.kubernetes).toEqual(['kubernetes', 'kubernetes.payments']);
    const verdict = await teamGate.check('kubernetes', [deployment]);
    expect(verdict.violations.map((v) => `${v.rule}:${v.severity}`)).toEqual([
      'K8sRequiredLabels/deployments-should-have-tier:warn',
      'PAY-001:deny',
    ]);
  });

  it('enforces Gatekeeper constraints with their parameters and enforcement action', async () => {
    const namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'orders', labels: { owner: 'bob', team: 'payments', 'cost-center': 'marketing' } },
    };
    const verdict = await teamGate.check('kubernetes', [namespace]);
    expect(verdict.allowed).toBe(false);
    expect(verdict.violations).toEqual([
      {
        rule: 'K8sRequiredLabels/namespaces-need-cost-center',
        severity: 'deny',
        message: 'Label <cost-center: marketing> does not satisfy allowed regex: ^cc-[0-9]{4}$',
        resource: 'Namespace/orders',
        document: 0,
      },
    ]);
    namespace.metadata.labels['cost-center'] = 'cc-1234';
    expect((await teamGate.check('kubernetes', [namespace])).allowed).toBe(true);
  });

  it('applies constraints to custom resources of the other domains', async () => {
    const topic = YAML.parse(readFixture('topic.yaml'));
    delete topic.metadata.labels.owner;
    const verdict = await teamGate.check('kafka', [topic]);
    // The shipped KAFKA-008 asks for the same label.
    expect(verdict.violations).toMatchObject([
      { rule: 'K8sRequiredLabels/topics-need-owner', severity: 'deny', message: 'KafkaTopics need an owner label' },
      { rule: 'KAFKA-008', severity: 'deny' },
    ]);
    expect((await teamGate.check('kubernetes', [deployment])).violations.map((v) => v.rule)).not.toContain(
      'K8sRequiredLabels/topics-need-owner',
    );
  });

  it('compiles v1 templates (code: engine Rego) with their source.libs', () => {
    const template = {
      apiVersion: 'templates.gatekeeper.sh/v1',
      kind: 'ConstraintTemplate',
      metadata: { name: 'k8sdisallowedtags' },
      spec: {
        crd: { spec: { names: { kind: 'K8sDisallowedTags' } } },
        targets: [
          {
            target: 'admission.k8s.gatekeeper.sh',
            code: [
              {
                engine: 'Rego',
                source: {
                  version: 'v1',
                  libs: ['package lib.images\n\ntag(image) := split(image, ":")[1]\n'],
                  rego: [
                    'package k8sdisallowedtags',
                    'import data.lib.images',
                    'violation contains {"msg": msg} if {',
                    '  some c in input.review.object.spec.containers',
                    '  images.tag(c.image) in input.parameters.tags',
                    '  msg := sprintf("container %s uses a disallowed tag", [c.name])',
                    '}',
                  ].join('\n'),
                },
              },
            ],
          },
        ],
      },
    };
    const constraint = {
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      kind: 'K8sDisallowedTags',
      metadata: { name: 'no-dev-tags' },
      spec: {
        enforcementAction: 'dryrun',
        match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] },
        parameters: { tags: ['dev'] },
      },
    };
    const set = gatekeeperSet([
      { file: 't.yaml', doc: template },
      { file: 'c.yaml', doc: constraint },
    ]);
    const pod = (image: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'x' },
      spec: { containers: [{ name: 'app', image }] },
    });
    expect(set.evaluate([pod('ghcr.io/acme/app:dev'), pod('ghcr.io/acme/app:1.0.0')])).toEqual([
      {
        rule: 'K8sDisallowedTags/no-dev-tags',
        severity: 'warn',
        message: 'container app uses a disallowed tag',
        resource: 'Pod/x/p',
        document: 0,
      },
    ]);
  });

  it('refuses a constraint without its template', () => {
    expect(() =>
      gatekeeperSet([
        {
          file: 'c.yaml',
          doc: { apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'K8sNoSuch', metadata: { name: 'x' } },
        },
      ]),
    ).toThrow('Gatekeeper constraint K8sNoSuch/x has no ConstraintTemplate of kind K8sNoSuch');
  });
});

describe('policyGateFromEnv (what every server CLI passes its tools)', () => {
  it('reads POLICY_DIRS and POLICY_CONFIG, and checks like createPolicyGate', async () => {
    const env = { POLICY_DIRS: fixture('team-policies'), POLICY_CONFIG: '' };
    const verdict = await policyGateFromEnv(env).check('kubernetes', [deployment]);
    expect(verdict.violations.map((v) => v.rule)).toEqual([
      'K8sRequiredLabels/deployments-should-have-tier',
      'PAY-001',
    ]);
  });

  it('refuses a missing directory or config file at start, naming it', () => {
    expect(() => policyGateFromEnv({ POLICY_DIRS: '/nope/policies' })).toThrow(
      'policy directory /nope/policies does not exist (POLICY_DIRS / --policy-dir)',
    );
    expect(() => policyGateFromEnv({ POLICY_CONFIG: '/nope/config.yaml' })).toThrow(
      'policy config /nope/config.yaml does not exist (POLICY_CONFIG / --config)',
    );
  });
});
