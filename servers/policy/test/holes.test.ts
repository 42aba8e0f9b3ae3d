import type { Validation } from '@idp-mcp/policy';
import { type ConnectedClient, connectClient } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { policyModule } from '../src/index.ts';
import { call, readFixture } from './support.ts';

let mcp: ConnectedClient;
beforeAll(async () => {
  mcp = await connectClient(policyModule, { args: ['--role', 'viewer'] });
});
afterAll(() => mcp.close());

/** The compliant fixture Deployment with `value` set at `path` below its pod spec (pod) or its first container. */
function deployment(target: 'pod' | 'container', path: string, value: unknown): string {
  const doc = YAML.parse(readFixture('deployment.yaml'));
  let node: Record<string, unknown> = target === 'pod' ? doc.spec.template.spec : doc.spec.template.spec.containers[0];
  const keys = path.split('.');
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
  return YAML.stringify(doc);
}

const sha = '11bd71901bbe5b1630ceea73d27597364c9af683';
const workflow = (on: string, job: string, runsOn = 'ubuntu-latest') =>
  `name: ci\non: ${on}\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ${runsOn}\n    timeout-minutes: 10\n${job}`;
const tags = 'tags = { owner = "bob", team = "payments", environment = "prod" }';

// Issue 17 "The rules": each of these was allowed (exit 0) before the rule named next to it.
const holes: Array<[string, string, string]> = [
  ['capabilities.add SYS_ADMIN', 'K8S-020', deployment('container', 'securityContext.capabilities.add', ['SYS_ADMIN'])],
  ['a hostPort', 'K8S-021', deployment('container', 'ports', [{ containerPort: 8080, hostPort: 8080 }])],
  ['seccomp Unconfined', 'K8S-022', deployment('pod', 'securityContext.seccompProfile.type', 'Unconfined')],
  ['AppArmor unconfined', 'K8S-023', deployment('container', 'securityContext.appArmorProfile.type', 'Unconfined')],
  ['procMount Unmasked', 'K8S-025', deployment('container', 'securityContext.procMount', 'Unmasked')],
  [
    'an unsafe sysctl',
    'K8S-026',
    deployment('pod', 'securityContext.sysctls', [{ name: 'kernel.msgmax', value: '1' }]),
  ],
  ['an nfs volume', 'K8S-027', deployment('pod', 'volumes', [{ name: 'share', nfs: { server: 'nfs', path: '/' } }])],
  [
    'a team namespace without a NetworkPolicy',
    'K8S-030',
    [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: payments, labels: {owner: alice, team: payments}}',
      'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: payments}\nspec: {hard: {requests.cpu: "8"}}',
      'apiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: payments}\nspec: {limits: [{type: Container, default: {cpu: 500m}}]}',
    ].join('\n---\n'),
  ],
  [
    'an issue title expanded in run',
    'CICD-008',
    workflow('issues', `    steps:\n      - run: echo "\${{ github.event.issue.title }}"\n`),
  ],
  [
    'workflow_run checking out the head',
    'CICD-003',
    workflow(
      'workflow_run',
      `    steps:\n      - uses: actions/checkout@${sha}\n        with:\n          persist-credentials: false\n          ref: \${{ github.event.workflow_run.head_sha }}\n`,
    ),
  ],
  [
    'a self-hosted runner on pull_request',
    'CICD-009',
    workflow('pull_request', '    steps:\n      - run: make\n', '[self-hosted]'),
  ],
  [
    'an unpinned job container',
    'CICD-010',
    workflow('push', '    container: node:22\n    steps:\n      - run: make\n'),
  ],
  [
    'a checkout that keeps its token',
    'CICD-011',
    workflow('push', `    steps:\n      - uses: actions/checkout@${sha}\n`),
  ],
  [
    'an IAM policy allowing writes on every resource',
    'TF-010',
    `resource "aws_iam_policy" "p" {\n  name = "p"\n  ${tags}\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n      Action   = ["s3:PutObject"]\n      Resource = "*"\n    }]\n  })\n}\n`,
  ],
  [
    'an unencrypted EBS volume',
    'TF-011',
    `resource "aws_ebs_volume" "v" {\n  availability_zone = "eu-west-1a"\n  size = 10\n  ${tags}\n}\n`,
  ],
  ['a KMS key without rotation', 'TF-012', `resource "aws_kms_key" "k" {\n  description = "k"\n  ${tags}\n}\n`],
  [
    'SSH open to the internet in a quoted port range',
    'TF-006',
    `resource "aws_security_group_rule" "r" {\n  type = "ingress"\n  from_port = "0"\n  to_port = "1024"\n  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n`,
  ],
  [
    'a KafkaUser granted All on every topic',
    'KAFKA-009',
    'apiVersion: kafka.strimzi.io/v1\nkind: KafkaUser\nmetadata: {name: app, namespace: kafka}\nspec:\n  authorization:\n    type: simple\n    acls:\n      - {resource: {type: topic, name: "*"}, operations: [All]}\n',
  ],
  ['a topic without an owner', 'KAFKA-008', readFixture('topic.yaml').replace('    owner: payments\n', '')],
  [
    'an AppProject open to every repository',
    'GITOPS-007',
    'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: payments, namespace: argocd}\nspec:\n  sourceRepos: ["*"]\n',
  ],
];

describe('the holes of issue 17, through validate', () => {
  it.each(holes)('denies %s with %s', async (_, rule, config) => {
    const result = await call<Validation>(mcp, 'validate', { config });
    expect(result.allowed).toBe(false);
    expect(result.violations.map((v) => v.rule)).toContain(rule);
  });
});

describe('the default registry allow-list', () => {
  it('says what to set when an image from the organisation’s own ECR meets the placeholder list', async () => {
    const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2';
    const result = await call<Validation>(mcp, 'validate', { config: deployment('container', 'image', ecr) });
    const k8s011 = result.violations.find((v) => v.rule === 'K8S-011');
    expect(k8s011?.message).toContain('no kubernetes.allowed_registries is set');
    expect(k8s011?.message).toContain('POLICY_CONFIG or --config');
  });
});
