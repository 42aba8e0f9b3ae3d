import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTerraformSandbox } from '@idp-mcp/sandbox/terraform';
import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { terraformModule } from '../src/index.ts';

// The real terraform CLI on the sandbox's sample configurations (terraform_data, locals, outputs, a local module,
// workspaces), each test on its own temporary copy: nothing is downloaded.

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: unknown;
  _meta?: Record<string, unknown>;
};

let sample: { root: string; close(): Promise<void> };
let cache: string;
let mcp: ConnectedClient;

async function call(name: string, args: Record<string, unknown> = {}, client = mcp): Promise<Result> {
  return (await client.client.callTool({ name, arguments: args })) as Result;
}

function ok(result: Result): Record<string, unknown> {
  if (result.isError) throw new Error(`tool error: ${textOf(result)}`);
  return result.structuredContent ?? {};
}

const errorCode = (result: Result) => (result._meta?.['idp-mcp/error'] as { code: string } | undefined)?.code;

beforeEach(async () => {
  sample = await startTerraformSandbox();
  cache = await mkdtemp(join(tmpdir(), 'tf-plugin-cache-'));
  vi.stubEnv('TF_PLUGIN_CACHE_DIR', cache);
  vi.stubEnv('TF_CLI_CONFIG_FILE', '/dev/null');
  mcp = await connectClient(terraformModule, {
    env: { TERRAFORM_ROOTS: sample.root },
    args: ['--role', 'platform-admin'],
  });
});

afterEach(async () => {
  await mcp.close();
  await sample.close();
  await rm(cache, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('terraform server', () => {
  it('shows a model its tools', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(8);
    expect(tools.length).toBeLessThanOrEqual(20);
    await expect(await toolsSnapshot(mcp.client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('checks formatting and shows the diff, changing nothing', async () => {
    const before = await readFile(join(sample.root, 'checkout/main.tf'), 'utf8');
    const fmt = ok(await call('fmt', { dir: 'checkout' }));
    expect(fmt.formatted).toBe(false);
    expect(fmt.files).toEqual(['main.tf']);
    expect(fmt.diff).toContain('-    service = "checkout-api"');
    expect(fmt.diff).toContain('+  service  = "checkout-api"');
    expect(await readFile(join(sample.root, 'checkout/main.tf'), 'utf8')).toBe(before);
    expect(ok(await call('fmt', { dir: 'payments' }))).toEqual({ formatted: true, files: [] });
  });

  it('asks for init before validate, then validates', async () => {
    expect(ok(await call('validate', { dir: 'payments' }))).toMatchObject({
      valid: false,
      diagnostics: [expect.objectContaining({ summary: 'Module not installed', at: 'main.tf:33' })],
    });
    const show = await call('list_resources', { dir: 'payments' });
    expect(show.isError).toBe(true);
    expect(textOf(show)).toContain('call init on this directory first');
    const progress: string[] = [];
    const init = (await mcp.client.callTool(
      { name: 'init', arguments: { dir: 'payments' } },
      { onprogress: (update: { message?: string }) => void progress.push(update.message ?? '') },
    )) as Result;
    expect(ok(init).backend).toBe(false);
    expect(ok(init).log).toContain('Terraform has been successfully initialized!');
    expect(progress.some((line) => line.includes('naming in modules/naming'))).toBe(true);
    expect(ok(await call('validate', { dir: 'payments' }))).toMatchObject({ valid: true, errors: 0 });

    await writeFile(
      join(sample.root, 'payments/broken.tf'),
      'resource "terraform_data" "x" {\n  input = local.nope\n}\n',
    );
    const broken = ok(await call('validate', { dir: 'payments' }));
    expect(broken.valid).toBe(false);
    expect(broken.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', summary: 'Reference to undeclared local value', at: 'broken.tf:2' }),
    ]);
  });

  it('plans a replacement, says why, masks sensitive values and attaches the policy verdict', async () => {
    ok(await call('init', { dir: 'payments' }));
    const none = ok(await call('plan', { dir: 'payments' }));
    expect(none.counts).toEqual({ add: 0, change: 0, replace: 0, destroy: 0, read: 0 });
    expect(none.workspace).toBe('default');
    expect(none.environment).toBe('default');
    expect(none.verdict).toMatchObject({ allowed: true, violations: [], waived: [] });

    const plan = ok(
      await call('plan', { dir: 'payments', vars: { engine_version: '17.1', db_password: 'n3w-sandbox-secret' } }),
    );
    expect(plan.counts).toEqual({ add: 0, change: 1, replace: 1, destroy: 0, read: 0 });
    const changes = plan.changes as Array<Record<string, unknown>>;
    const database = changes.find((change) => change.address === 'terraform_data.database')!;
    expect(database.action).toBe('replace');
    expect(database.replace_because).toBe('a changed attribute cannot be updated in place: triggers_replace');
    expect(database.changed).toMatchObject({
      triggers_replace: { before: ['16.4'], after: ['17.1'] },
      output: { after: '(known after apply)' },
    });
    // Sensitive where Terraform marks it (input.password), and where a provider copied it unmarked (output).
    expect(JSON.stringify(plan)).not.toContain('sandbox-only-password');
    expect(JSON.stringify(plan)).not.toContain('n3w-sandbox-secret');
    expect(database.changed).toMatchObject({
      input: { before: { password: '(sensitive)' }, after: { password: '(sensitive)' } },
      output: { before: { password: '[REDACTED]' } },
    });
    expect(changes.find((change) => change.address === 'terraform_data.service')).toMatchObject({ action: 'update' });
    expect(plan.plan_id).toMatch(/^tfplan_[a-z0-9]{20}$/);

    const page = ok(await call('show_plan', { plan_id: plan.plan_id, action: 'replace' }));
    expect(page).toMatchObject({ total: 1, allowed: true });
  });

  it('pages a plan through show_plan and applies an allowed plan once', async () => {
    ok(await call('init', { dir: 'payments' }));
    const plan = ok(await call('plan', { dir: 'payments', workspace: 'qa', limit: 1 }));
    expect(plan).toMatchObject({ workspace: 'qa', environment: 'qa', counts: { add: 3 } });
    expect(plan.changes).toHaveLength(1);
    const rest = ok(await call('show_plan', { plan_id: plan.plan_id, cursor: plan.nextCursor, limit: 5 }));
    expect(rest.changes).toHaveLength(2);
    expect(rest.nextCursor).toBeUndefined();

    const progress: string[] = [];
    const applied = (await mcp.client.callTool(
      { name: 'apply', arguments: { plan_id: plan.plan_id } },
      { onprogress: (update: { message?: string }) => void progress.push(update.message ?? '') },
    )) as Result;
    expect(ok(applied)).toMatchObject({ applied: true, counts: { add: 3 } });
    expect(ok(applied).log).toContain('Apply complete! Resources: 3 added');
    expect(progress.some((line) => line.includes('Creation complete'))).toBe(true);
    const again = await call('apply', { plan_id: plan.plan_id });
    expect(errorCode(again)).toBe('not_found');
    expect(ok(await call('outputs', { dir: 'payments', workspace: 'qa' })).outputs).toContainEqual({
      name: 'service_name',
      sensitive: false,
      value: 'payments-api-qa',
    });
  });

  it('reads state, outputs (sensitive masked), workspaces and the graph', async () => {
    ok(await call('init', { dir: 'payments' }));
    const resources = ok(await call('list_resources', { dir: 'payments' }));
    expect(resources.resources).toEqual([
      {
        address: 'terraform_data.database',
        type: 'terraform_data',
        mode: 'managed',
        provider: 'terraform.io/builtin/terraform',
      },
      {
        address: 'terraform_data.queue',
        type: 'terraform_data',
        mode: 'managed',
        provider: 'terraform.io/builtin/terraform',
      },
      {
        address: 'terraform_data.service',
        type: 'terraform_data',
        mode: 'managed',
        provider: 'terraform.io/builtin/terraform',
      },
    ]);
    const database = ok(await call('show_state', { dir: 'payments', address: 'terraform_data.database' }));
    expect(database.values).toMatchObject({
      input: { name: 'payments-api-dev-db', password: '(sensitive)' },
      triggers_replace: ['16.4'],
    });
    const missing = await call('show_state', { dir: 'payments', address: 'database' });
    expect(errorCode(missing)).toBe('not_found');
    expect(textOf(missing)).toContain('did you mean terraform_data.database');

    const outputs = ok(await call('outputs', { dir: 'payments', workspace: 'staging' }));
    expect(outputs.outputs).toEqual([
      { name: 'database_name', sensitive: false, value: 'payments-api-staging-db' },
      { name: 'database_password', sensitive: true, value: '(sensitive)' },
      { name: 'service_name', sensitive: false, value: 'payments-api-staging' },
    ]);
    expect(ok(await call('list_workspaces', { dir: 'payments' }))).toEqual({
      workspaces: ['default', 'staging'],
      selected: 'default',
    });
    const graph = ok(await call('graph', { dir: 'payments' }));
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        'terraform_data.service -> terraform_data.database',
        'terraform_data.service -> terraform_data.queue',
      ]),
    );
  });

  it('refuses directories outside the allowed roots, symlinks included', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tf-outside-'));
    try {
      await writeFile(join(outside, 'main.tf'), 'output "x" { value = 1 }\n');
      await symlink(outside, join(sample.root, 'escape'));
      for (const dir of [outside, '..', 'escape', 'payments/../../']) {
        const result = await call('fmt', { dir });
        expect(errorCode(result), dir).toBe('forbidden');
        expect(textOf(result)).toContain('outside the allowed roots');
      }
      expect(errorCode(await call('fmt', { dir: 'nowhere' }))).toBe('not_found');
      expect(errorCode(await call('fmt', { dir: 'payments/main.tf' }))).toBe('invalid_request');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('passes credentials in the environment through to terraform without ever echoing them', async () => {
    await mcp.close();
    vi.stubEnv('TF_VAR_deploy_token', 'tok-2f9c1d7e5b3a');
    mcp = await connectClient(terraformModule, { env: { TERRAFORM_ROOTS: sample.root } });
    await mkdir(join(sample.root, 'creds'));
    await writeFile(
      join(sample.root, 'creds/main.tf'),
      'variable "deploy_token" {\n  type = string\n}\n\nresource "terraform_data" "hook" {\n  input = var.deploy_token\n}\n\noutput "token_length" {\n  value = length(var.deploy_token)\n}\n\noutput "leak" {\n  value = var.deploy_token\n}\n',
    );
    ok(await call('init', { dir: 'creds' }));
    const plan = await call('plan', { dir: 'creds' });
    const text = JSON.stringify(plan);
    expect(ok(plan).outputs).toContainEqual({ name: 'token_length', action: 'create', after: 16 });
    expect(text).not.toContain('tok-2f9c1d7e5b3a');
    expect(text).toContain('[REDACTED]');
  });

  it('cancels a long apply: terraform and what it started are stopped', async () => {
    await mkdir(join(sample.root, 'slow'));
    const pidFile = join(sample.root, 'slow/pid');
    await writeFile(
      join(sample.root, 'slow/main.tf'),
      `resource "terraform_data" "migration" {\n  provisioner "local-exec" {\n    command = "echo $$ > ${pidFile}; exec sleep 120"\n  }\n}\n`,
    );
    ok(await call('init', { dir: 'slow' }));
    const plan = ok(await call('plan', { dir: 'slow' }));
    const controller = new AbortController();
    const applying = mcp.client
      .callTool({ name: 'apply', arguments: { plan_id: plan.plan_id } }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true), { timeout: 15_000, interval: 100 });
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    controller.abort();
    expect(await applying).toBeInstanceOf(Error);
    await vi.waitFor(
      () => {
        let alive = true;
        try {
          process.kill(pid, 0);
        } catch {
          alive = false;
        }
        expect(alive).toBe(false);
      },
      { timeout: 10_000, interval: 100 },
    );
  }, 30_000);

  it('runs the sample directories in --sandbox, initialising them on first use', async () => {
    const sandbox = await connectClient(terraformModule, { args: ['--sandbox'] });
    try {
      const plan = ok(await call('plan', { dir: 'payments', workspace: 'staging' }, sandbox));
      expect(plan.counts).toEqual({ add: 0, change: 0, replace: 0, destroy: 0, read: 0 });
      expect(ok(await call('list_workspaces', { dir: 'payments' }, sandbox)).workspaces).toEqual([
        'default',
        'staging',
      ]);
    } finally {
      await sandbox.close();
    }
  });
});
