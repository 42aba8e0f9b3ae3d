import { policyGateFromEnv } from '@idp-mcp/policy';
import { type ConnectedClient, callOk, connectClient } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

/**
 * provision_bucket in the sandbox, through a real MCP client and the shipped policies: the Terraform it plans passes
 * the terraform rules with no finding, lands in the GitOps pull request, and a public or unencrypted variant of the
 * same file is refused with the rule's message.
 */
let mcp: ConnectedClient;
beforeAll(async () => {
  mcp = await connectClient(platformModule, {
    args: ['--sandbox', '--role', 'developer'],
    env: { IDP_MCP_STATE: ':memory:' },
    gate: policyGateFromEnv({}),
  });
});
afterAll(() => mcp.close());

const call = <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) =>
  callOk<T>(mcp.client, name, args);
const through = async <T = Record<string, unknown>>(tool: string, args: Record<string, unknown>) =>
  (await call<{ result: T }>('call_tool', { name: tool, arguments: args })).result;

interface Terraform {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}
const PATH = 'infra/buckets/payments/invoices-prod/main.tf.json';
let terraform: Terraform;

describe('provision_bucket for invoices of team payments in prod', () => {
  it('plans Terraform with every safeguard and no policy finding, and applies it as a GitOps pull request', async () => {
    const plan = await call<{
      plan_id: string;
      status: string;
      warnings: unknown[];
      steps: Array<{ name: string }>;
      files: Array<{ repo: string; path: string; domain?: string; content: string }>;
    }>('provision_bucket', {
      name: 'invoices',
      team: 'payments',
      environment: 'prod',
      data_class: 'archive',
      access: 'read',
      service_account: 'invoices-api',
    });
    expect(plan.status).toBe('planned');
    expect(plan.warnings).toEqual([]);
    expect(plan.steps.map((step) => step.name)).toEqual([
      'gitops_branch',
      'gitops_commit',
      'gitops_pull_request',
      'notify',
      'tracking_ticket',
    ]);
    expect(plan.files).toEqual([expect.objectContaining({ repo: 'acme/gitops', path: PATH, domain: 'terraform' })]);
    terraform = JSON.parse(plan.files[0]!.content) as Terraform;
    const r = terraform.resource;
    const id = 'acme_payments_invoices_prod';
    expect(r.aws_s3_bucket![id]).toEqual({
      bucket: 'acme-payments-invoices-prod',
      tags: {
        owner: 'payments',
        team: 'payments',
        environment: 'prod',
        'data-class': 'archive',
        'managed-by': 'idp-mcp',
      },
    });
    expect(JSON.stringify(r.aws_s3_bucket_server_side_encryption_configuration![id])).toContain('"aws:kms"');
    expect(r.aws_s3_bucket_versioning![id]).toMatchObject({ versioning_configuration: { status: 'Enabled' } });
    expect(r.aws_s3_bucket_public_access_block![id]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(JSON.stringify(r.aws_s3_bucket_lifecycle_configuration![id])).toContain('DEEP_ARCHIVE');
    expect(r.aws_s3_bucket_logging![id]).toMatchObject({ target_bucket: 'acme-s3-access-logs' });
    // The role: assumed only by payments-prod/invoices-api, reading this bucket and its key, nothing else.
    const role = r.aws_iam_role![id] as { assume_role_policy: string };
    expect(role.assume_role_policy).toContain('system:serviceaccount:payments-prod:invoices-api');
    const policy = JSON.parse((r.aws_iam_role_policy![id] as { policy: string }).policy) as {
      Statement: Array<{ Action: string[]; Resource: string }>;
    };
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `\${aws_s3_bucket.${id}.arn}` },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: `\${aws_s3_bucket.${id}.arn}/*` },
      { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: `\${aws_kms_key.${id}.arn}` },
    ]);

    const gate = await through<{ allowed: boolean; violations: unknown[]; warnings: unknown[] }>('policy_validate', {
      config: plan.files[0]!.content,
      domain: 'terraform',
      filename: 'main.tf.json',
    });
    expect(gate).toMatchObject({ allowed: true, violations: [], warnings: [] });

    const run = await call<{ status: string }>('apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');
    const committed = await through<{ content: string }>('github_get_file_contents', {
      owner: 'acme',
      repo: 'gitops',
      path: PATH,
      ref: 'bucket/acme-payments-invoices-prod',
    });
    expect(committed.content).toBe(plan.files[0]!.content);
  });

  it.each([
    [
      'unencrypted',
      'TF-001',
      'has no server-side encryption',
      (t: Terraform) => {
        delete t.resource.aws_s3_bucket_server_side_encryption_configuration;
      },
    ],
    [
      'public',
      'TF-002',
      'does not set block_public_policy',
      (t: Terraform) => {
        Object.values(t.resource.aws_s3_bucket_public_access_block!)[0]!.block_public_policy = false;
      },
    ],
  ] as const)('refuses an %s variant with %s', async (_variant, rule, message, change) => {
    const variant = structuredClone(terraform);
    change(variant);
    const gate = await through<{ allowed: boolean; violations: Array<{ rule: string; message: string }> }>(
      'policy_validate',
      { config: JSON.stringify(variant), domain: 'terraform', filename: 'main.tf.json' },
    );
    expect(gate.allowed).toBe(false);
    expect(gate.violations).toEqual([expect.objectContaining({ rule, message: expect.stringContaining(message) })]);
  });
});
