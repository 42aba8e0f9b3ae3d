import { textOf } from '@idp-mcp/testing/mcp';
import { describe, expect, it } from 'vitest';
import { call, useGitHub } from './support.ts';

/** File writes pass the shipped policies (the gate every bin starts with), as a developer, in any repository. */
const github = useGitHub();

async function refused(name: string, args: Record<string, unknown>) {
  const result = await github.mcp().client.callTool({ name, arguments: args });
  const meta = result._meta?.['idp-mcp/error'] as { code?: string } | undefined;
  expect(result.isError).toBe(true);
  // Nothing reached GitHub but reads: no blob, tree, commit or ref was written.
  expect(github.fake().requests.filter((r) => r.method !== 'GET')).toEqual([]);
  return { code: meta?.code, text: textOf(result) };
}

const injectableWorkflow = `name: triage
on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: echo "\${{ github.event.pull_request.title }}"
`;

const privilegedPod = `apiVersion: v1
kind: Pod
metadata: {name: node-shell, namespace: payments}
spec:
  containers:
    - name: shell
      image: alpine:latest
      securityContext: {privileged: true}
`;

const publicDatabase = `resource "aws_db_instance" "orders" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = true
}
`;

const main = { owner: 'acme', branch: 'main', message: 'change' };

describe('policy gate on file writes', () => {
  it('refuses a pull_request_target workflow that checks out and interpolates the pull request (create_or_update_file)', async () => {
    const { code, text } = await refused('create_or_update_file', {
      ...main,
      repo: 'payments-api',
      path: '.github/workflows/triage.yml',
      content: injectableWorkflow,
    });
    expect(code).toBe('policy_denied');
    expect(text).toContain('the cicd policies deny this change; nothing was changed');
    expect(text).toContain('[CICD-003] .github/workflows/triage.yml job greet');
    expect(github.fake().state.repo('acme/payments-api').file('main', '.github/workflows/triage.yml')).toBeUndefined();
  });

  it('refuses a privileged Pod pushed to the GitOps repository, with the rest of the commit (push_files)', async () => {
    const { code, text } = await refused('push_files', {
      ...main,
      repo: 'gitops',
      files: [
        { path: 'README.md', content: '# ok\n' },
        { path: 'apps/debug/pod.yaml', content: privilegedPod },
      ],
    });
    expect(code).toBe('policy_denied');
    expect(text).toContain('[K8S-002] Pod/payments/node-shell');
    expect(github.fake().state.repo('acme/gitops').file('main', 'apps/debug/pod.yaml')).toBeUndefined();
  });

  it('checks each file in its own domain: workflows by path, manifests, HCL and plans by content', async () => {
    const plan = JSON.stringify({
      format_version: '1.2',
      terraform_version: '1.9.0',
      resource_changes: [
        {
          address: 'aws_db_instance.orders',
          mode: 'managed',
          type: 'aws_db_instance',
          name: 'orders',
          change: { actions: ['create'], after: { publicly_accessible: true, tags_all: {} } },
        },
      ],
    });
    const { text } = await refused('push_files', {
      ...main,
      repo: 'gitops',
      files: [
        { path: './.github//workflows/triage.yaml', content: injectableWorkflow },
        { path: 'infra/rds.tf', content: publicDatabase },
        { path: 'infra/plan.json', content: plan },
        {
          path: 'apps/topics.yaml',
          content:
            'apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata: {name: orders.audit.v1, labels: {strimzi.io/cluster: platform-kafka}}\nspec: {partitions: 1, replicas: 3}\n',
        },
      ],
    });
    expect(text).toContain('the cicd, terraform, kafka policies deny this change');
    expect(text).toContain('[CICD-003] .github/workflows/triage.yaml job greet');
    expect(text).toContain('[TF-003] aws_db_instance.orders');
    expect(text).toContain('[KAFKA-001] KafkaTopic/orders.audit.v1');
  });

  it('refuses configuration it cannot check: a workflow path holding a manifest, HCL that does not parse', async () => {
    const manifest = await refused('create_or_update_file', {
      ...main,
      repo: 'payments-api',
      path: '.github/workflows/deploy.yml',
      content: privilegedPod,
    });
    expect(manifest.code).toBe('invalid_request');
    expect(manifest.text).toContain('.github/workflows/deploy.yml: is kubernetes configuration (v1 Pod), not cicd');
    const hcl = await refused('create_or_update_file', {
      ...main,
      repo: 'gitops',
      path: 'infra/broken.tf',
      content: 'resource "aws_s3_bucket" "b" {\n',
    });
    expect(hcl.code).toBe('invalid_request');
    expect(hcl.text).toContain('infra/broken.tf: not valid HCL');
  });

  it('refuses a manifest Kubernetes tooling would read differently: a << merge that makes a container privileged', async () => {
    const merged = `apiVersion: v1
kind: Pod
metadata: {name: node-shell, namespace: payments}
spec:
  containers:
    - name: shell
      image: ghcr.io/acme/toolbox:1.0.0
      securityContext:
        <<: {privileged: true}
`;
    const { code, text } = await refused('create_or_update_file', {
      ...main,
      repo: 'gitops',
      path: 'apps/debug/pod.yaml',
      content: merged,
    });
    expect(code).toBe('invalid_request');
    expect(text).toContain('apps/debug/pod.yaml: YAML document 1 (Pod) reads differently in YAML 1.1');
  });

  it('commits compliant configuration and files no policy covers', async () => {
    const workflow = `name: ci
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with: { persist-credentials: false }
      - run: npm test
`;
    await call(github.mcp(), 'push_files', {
      ...main,
      repo: 'payments-api',
      files: [
        { path: '.github/workflows/ci.yml', content: workflow },
        { path: 'docker-compose.yml', content: 'services:\n  db:\n    image: postgres:latest\n    privileged: true\n' },
        { path: 'tsconfig.json', content: '{\n  // comments are fine here\n  "compilerOptions": {}\n}\n' },
        { path: 'infra/README.tf', content: '# nothing but a comment\n' },
      ],
    });
    expect(github.fake().state.repo('acme/payments-api').file('main', '.github/workflows/ci.yml')).toBe(workflow);
  });
});
