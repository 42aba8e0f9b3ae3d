import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { terraformModule } from '../src/index.ts';

// The plan-JSON policy path on recorded plans of AWS resources (terraform's documented plan JSON, written by hand):
// a stand-in binary (fixtures/fake-terraform.sh) saves plan files and prints the recorded JSON for show -json, so the
// server's plan, verdict and apply path run exactly as with the real CLI.

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: unknown;
  _meta?: Record<string, unknown>;
};

let root: string;
let mcp: ConnectedClient;

const call = async (name: string, args: Record<string, unknown>) =>
  (await mcp.client.callTool({ name, arguments: args })) as Result;

async function recorded(name: string): Promise<string> {
  await mkdir(join(root, name));
  await copyFile(join(fixtures, 'plans', `${name}.json`), join(root, name, 'plan.json'));
  return name;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tf-recorded-'));
  mcp = await connectClient(terraformModule, {
    env: {
      TERRAFORM_ROOTS: root,
      TERRAFORM_BINARY: join(fixtures, 'fake-terraform.sh'),
      TERRAFORM_ENVIRONMENT: 'prod',
    },
    args: ['--role', 'platform-admin'],
  });
});

afterEach(async () => {
  await mcp.close();
  await rm(root, { recursive: true, force: true });
});

describe('terraform plans and the policy gate', () => {
  it('shows the rule messages of a plan the terraform policies deny, and refuses to apply it', async () => {
    const dir = await recorded('s3-unencrypted');
    const plan = await call('plan', { dir });
    expect(plan.isError).toBeFalsy();
    const output = plan.structuredContent!;
    expect(output.counts).toMatchObject({ add: 1 });
    expect(output.environment).toBe('prod');
    expect(output.verdict).toMatchObject({
      allowed: false,
      violations: expect.arrayContaining([
        expect.objectContaining({
          rule: 'TF-001',
          severity: 'deny',
          resource: 'aws_s3_bucket.exports',
          message: expect.stringContaining('bucket aws_s3_bucket.exports has no server-side encryption'),
        }),
        expect.objectContaining({ rule: 'TF-002', resource: 'aws_s3_bucket.exports' }),
      ]),
    });

    const apply = await call('apply', { plan_id: output.plan_id });
    expect(apply.isError).toBe(true);
    expect(apply._meta?.['idp-mcp/error']).toMatchObject({ code: 'policy_denied' });
    expect(textOf(apply)).toContain(
      '[TF-001] aws_s3_bucket.exports: bucket aws_s3_bucket.exports has no server-side encryption',
    );
    expect(existsSync(join(root, dir, 'applied.log'))).toBe(false);
  });

  it('applies a plan the policies allow, masking its sensitive values', async () => {
    const dir = await recorded('rds-encrypted');
    const plan = await call('plan', { dir });
    const output = plan.structuredContent!;
    expect(output.verdict).toMatchObject({ allowed: true, violations: [], waived: [] });
    expect(JSON.stringify(plan)).not.toContain('recorded-db-password');
    const apply = await call('apply', { plan_id: output.plan_id });
    expect(apply.structuredContent).toMatchObject({ applied: true, counts: { add: 1 } });
    expect(await readFile(join(root, dir, 'applied.log'), 'utf8')).toContain(`${output.plan_id}.tfplan`);
  });

  it('reports a waived finding with its reason and expiry, and lets the plan through', async () => {
    const dir = await recorded('rds-public-waived');
    const output = (await call('plan', { dir })).structuredContent!;
    expect(output.verdict).toMatchObject({
      allowed: true,
      violations: [],
      waived: [
        {
          rule: 'TF-003',
          severity: 'deny',
          resource: 'aws_db_instance.payments',
          reason: 'vendor migration reads it over a VPN-less link until cut-over',
          expires: '2099-12-31',
        },
      ],
    });
  });
});
