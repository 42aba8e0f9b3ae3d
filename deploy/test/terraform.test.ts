import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseConfig } from '@idp-mcp/policy';
import { beforeAll, describe, expect, it } from 'vitest';
import { policyValidate, requireTool, root, run } from './support.ts';

/**
 * infrastructure/ is checked the way provision_database's Terraform is: parsed as HCL by the policy gate and held
 * to the terraform policies, with zero findings; and formatted (terraform fmt). terraform init/plan need providers
 * from the registry, which these machines cannot download: deploy/README.md gives the commands.
 */
const infrastructure = join(root, 'infrastructure');

function terraformFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return terraformFiles(path);
    return name.endsWith('.tf') ? [path] : [];
  });
}

const files = terraformFiles(infrastructure);

beforeAll(() => requireTool('terraform', ['version'], 'it checks the formatting of infrastructure/'));

describe('infrastructure/', () => {
  it('is terraform fmt clean', async () => {
    expect(await run('terraform', ['fmt', '-check', '-recursive', '-list=true', infrastructure])).toBe('');
  });

  it('has the modules and environment roots the deploy overlays refer to', () => {
    const paths = files.map((file) => relative(infrastructure, file));
    for (const module of ['vpc', 'eks', 'irsa', 'rds', 'gitops-bridge']) {
      expect(paths).toEqual(expect.arrayContaining([`modules/${module}/main.tf`, `modules/${module}/variables.tf`]));
    }
    for (const env of ['dev', 'prod']) {
      expect(paths).toEqual(expect.arrayContaining([`envs/${env}/main.tf`]));
      expect(readFileSync(join(infrastructure, 'envs', env, 'terraform.tfvars'), 'utf8')).toMatch(
        new RegExp(`environment\\s+= "${env}"`),
      );
      expect(readFileSync(join(infrastructure, 'envs', env, 'backend.hcl'), 'utf8')).toMatch(/use_lockfile\s+= true/);
    }
  });

  it.each(files.map((file) => relative(root, file)))('%s parses as Terraform HCL for the policy gate', async (file) => {
    const parsed = await parseConfig(readFileSync(join(root, file), 'utf8'), { filename: file });
    expect(parsed.format).toBe('hcl');
  });

  it('passes the terraform policies with no violation, warning or waiver', async () => {
    const { code, stdout } = await policyValidate(files);
    expect(stdout).toMatch(/^allowed: 0 violation\(s\), 0 warning\(s\), 0 waived, in \d+ document\(s\) \[terraform\]/m);
    expect(code).toBe(0);
  });

  it('names the resources the EKS, RDS and state rules look at, so the check above is not vacuous', async () => {
    const types = new Set<string>();
    for (const file of files) {
      const [document] = (await parseConfig(readFileSync(file, 'utf8'), { filename: file })).documents as Array<{
        resource?: Record<string, unknown>;
      }>;
      for (const type of Object.keys(document?.resource ?? {})) types.add(type);
    }
    for (const type of [
      'aws_eks_cluster',
      'aws_eks_node_group',
      'aws_iam_openid_connect_provider',
      'aws_db_instance',
      'aws_kms_key',
      'aws_s3_bucket',
      'aws_s3_bucket_public_access_block',
      'aws_iam_role',
    ]) {
      expect([...types]).toContain(type);
    }
  });
});
