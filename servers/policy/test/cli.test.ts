import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Each case spawns a Node process that compiles the policies: seconds on a busy machine.
vi.setConfig({ testTimeout: 90_000 });

import { fixture, readFixture } from './support.ts';

const bin = new URL('../src/bin.ts', import.meta.url).pathname;

/** Runs `idp-mcp-policy <args>` as CI would: a real process, its exit code and output. */
function run(args: string[], stdin?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input: stdin ?? '',
    env: { ...process.env, POLICY_DIRS: '', POLICY_CONFIG: '' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
const bad = join(dir, 'bad.yaml');
writeFileSync(bad, readFixture('deployment.yaml').replace(':1.4.2', ':latest'));
const privileged = join(dir, 'privileged.yml');
writeFileSync(
  privileged,
  readFixture('deployment.yaml')
    .replace(':1.4.2', ':latest')
    .replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true'),
);

describe('idp-mcp policy validate (CI gate)', () => {
  it('exits 0 on allowed files, and says so', () => {
    const { code, stdout } = run(['validate', '--domain', 'kubernetes', '--file', fixture('deployment.yaml')]);
    expect(stdout).toContain('allowed: 0 violation(s), 0 warning(s), 0 waived, in 1 document(s) [kubernetes]');
    expect(code).toBe(0);
  });

  it('exits 1 on a violation and prints rule, file, resource, field and fix', () => {
    const { code, stdout } = run(['validate', '--file', bad]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      `DENY K8S-010 ${bad}:25 Deployment/payments/payments-api (spec.template.spec.containers[0].image): container "api" image "ghcr.io/acme/payments-api:latest" uses the latest tag`,
    );
  });

  it('expands globs and reads stdin', () => {
    const glob = run(['validate', '--file', `${dir}/*.yaml`, '--file', fixture('deployment.yaml'), '--format', 'json']);
    expect(glob.code).toBe(1);
    const report = JSON.parse(glob.stdout) as { documents: number; violations: Array<{ file: string }> };
    expect(report.documents).toBe(2);
    expect(report.violations.map((v) => v.file)).toEqual([bad]);
    const stdin = run(['validate', '--domain', 'terraform', '--file', '-'], readFixture('main.tf'));
    expect(stdin.stdout).toContain(
      'DENY TF-003 aws_db_instance.orders (resource.aws_db_instance.orders.publicly_accessible)',
    );
    expect(stdin.code).toBe(1);
  });

  it('applies the production rules with --environment prod', () => {
    const app = fixture('argocd-app.yaml');
    expect(run(['validate', '--file', app]).code).toBe(0);
    const prod = run(['validate', '--file', app, '--environment', 'prod']);
    expect(prod.stdout).toContain(
      `DENY GITOPS-002 ${app}:11 Application/argocd/orders-api (spec.source.targetRevision)`,
    );
    expect(prod.code).toBe(1);
  });

  it('writes SARIF 2.1.0 for code scanning', () => {
    const { code, stdout } = run(['validate', '--file', fixture('workflow.yml'), '--format', 'sarif']);
    expect(code).toBe(1);
    const sarif = JSON.parse(stdout);
    expect(sarif.version).toBe('2.1.0');
    const { results, tool } = sarif.runs[0];
    expect(results.map((r: { ruleId: string; level: string }) => `${r.ruleId}:${r.level}`)).toEqual([
      'CICD-001:error',
      'CICD-002:error',
      'CICD-006:warning',
    ]);
    expect(results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(fixture('workflow.yml'));
    expect(
      results.map(
        (r: { locations: Array<{ physicalLocation: { region: { startLine: number } } }> }) =>
          r.locations[0]!.physicalLocation.region.startLine,
      ),
    ).toEqual([12, 15, 9]);
    expect(tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual(['CICD-001', 'CICD-002', 'CICD-006']);
  });

  it.each([
    [['validate', '--file', join(dir, 'missing.yaml')], undefined, /--file: .*missing.yaml does not exist/],
    [['validate', '--file', `${dir}/*.json`], undefined, /--file: no file matches/],
    [['validate'], undefined, /--file is required/],
    [['validate', '--file', bad, '--domain', 'helm'], undefined, /--domain: unknown domain helm/],
    [['validate', '--file', bad, '--format', 'xml'], undefined, /--format: must be text, json or sarif/],
    [['validate', '--file', '-'], 'a: [\n', /YAML document 1 line 2/],
    [['validate', '--file', '-'], 'hello: world\n', /cannot tell its policy domain/],
    [['validate', '--bogus'], undefined, /Unknown option '--bogus'/],
  ] as Array<[string[], string | undefined, RegExp]>)('exits 2 on bad input: %j', (args, stdin, message) => {
    const { code, stderr } = run(args, stdin);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it.each(['kafka', 'cicd', 'terraform', 'gitops'])(
    'exits 2 on a privileged latest Deployment checked as --domain %s: the domain narrows, never overrides',
    (domain) => {
      const { code, stdout, stderr } = run(['validate', '--domain', domain, '--file', privileged]);
      expect(stderr).toContain(
        `${privileged}: document 1: is kubernetes configuration (apps/v1 Deployment), not ${domain}; it is checked only in its own domain`,
      );
      expect(stdout).not.toContain('allowed');
      expect(code).toBe(2);
    },
  );

  it('exits 1 on the privileged Deployment in its own domain, and 2 on a Terraform plan checked as kubernetes', () => {
    const own = run(['validate', '--file', privileged]);
    expect(own.stdout).toContain('DENY K8S-002');
    expect(own.code).toBe(1);
    const plan = run(['validate', '--domain', 'kubernetes', '--file', fixture('plan.json')]);
    expect(plan.stderr).toContain('document 1: is terraform configuration');
    expect(plan.code).toBe(2);
  });

  it('exits 2 when a policy directory does not compile, naming file and line', () => {
    const broken = mkdtempSync(join(tmpdir(), 'policy-broken-'));
    writeFileSync(join(broken, 'team.rego'), 'package kubernetes.team\n\nviolations contains v if {\n\tv := \n}\n');
    const { code, stderr } = run(['validate', '--policy-dir', broken, '--file', fixture('deployment.yaml')]);
    expect(stderr).toMatch(new RegExp(`${broken}/team.rego:\\d+:\\d+: rego_parse_error`));
    expect(code).toBe(2);
  });

  it('runs the policy tests as a command', () => {
    const { code, stdout } = run(['test', '--filter', 'KAFKA']);
    expect(stdout).toMatch(/^(\d+)\/\1 policy tests passed$/m);
    expect(code).toBe(0);
  });
});

describe('the shipped examples obey the policies', () => {
  it('deploy/base/policy-webhook manifests pass the kubernetes policies', () => {
    const manifests = new URL('../../../deploy/base/policy-webhook/', import.meta.url).pathname;
    // config.yaml is the policy settings the kustomization turns into a ConfigMap, not a manifest.
    const files = readdirSync(manifests).filter((file) => file.endsWith('.yaml') && file !== 'config.yaml');
    const { code, stdout } = run([
      'validate',
      '--domain',
      'kubernetes',
      ...files.flatMap((file) => ['--file', join(manifests, file)]),
    ]);
    expect(stdout).toMatch(/^allowed: 0 violation\(s\), 0 warning\(s\)/m);
    expect(code).toBe(0);
  });

  it('the CI gate workflow example passes the cicd policies', () => {
    const workflow = new URL('../../../policies/examples/policy-gate.yml', import.meta.url).pathname;
    const { code, stdout } = run(['validate', '--domain', 'cicd', '--file', workflow]);
    expect(stdout).toMatch(/^allowed: 0 violation\(s\), 0 warning\(s\)/m);
    expect(code).toBe(0);
  });
});

describe('idp-mcp policy validate with Gatekeeper constraints', () => {
  const library = fixture('gatekeeper-library');
  const examples = (name: string) => join(library, 'examples', name);

  it('passes --operation, --old-file and --user/--group to the templates as input.review', () => {
    const args = ['validate', '--policy-dir', library, '--domain', 'kubernetes'];
    const files = ['--file', examples('update-new.yaml'), '--file', examples('team-apps.yaml')];
    const update = run([
      ...args,
      ...files,
      '--operation',
      'UPDATE',
      '--old-file',
      examples('update-old.yaml'),
      '--group',
      'developers',
    ]);
    expect(update.stdout).toContain(
      'DENY K8sImmutableLabels/team-label-is-immutable', // the team label changed from pay to checkout
    );
    expect(update.stderr).toContain('key metadata.annotations.description appears more than once');
    expect(update.code).toBe(1);
    const admin = run([
      ...args,
      ...files,
      '--operation',
      'UPDATE',
      '--old-file',
      examples('update-old.yaml'),
      '--group',
      'platform-admins',
    ]);
    expect(admin.stdout).not.toContain('K8sImmutableLabels');
    expect(run([...args, ...files, '--operation', 'PATCH']).stderr).toContain(
      '--operation: must be one of CREATE, UPDATE, DELETE, CONNECT',
    );
  });
});
