import { type GitHubFake, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { startVaultFake, type VaultFake } from '@idp-mcp/sandbox/vault';
import { type ConnectedClient, callOk, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { platformModule } from '../src/index.ts';

/**
 * provision_database puts its connection settings where the self-service flow says: Vault, written through the vault
 * integration (values masked on the way back), never in Git; the GitOps pull request carries an ExternalSecret that
 * makes them a Secret in the team's namespace; a failed apply deletes what it wrote.
 */
let github: GitHubFake;
let vault: VaultFake;
let mcp: ConnectedClient;
beforeAll(async () => {
  [github, vault] = await Promise.all([startGitHubFake(), startVaultFake()]);
  mcp = await connectClient(platformModule, {
    args: ['--role', 'developer'],
    env: {
      IDP_MCP_STATE: ':memory:',
      PLATFORM_INTEGRATIONS: 'github,vault',
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: SANDBOX_TOKEN,
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.token,
    },
  });
});
afterAll(async () => {
  await mcp.close();
  await Promise.all([github.close(), vault.close()]);
});
afterEach(() => {
  assertNoViolations(github);
  assertNoViolations(vault);
  github.reset();
});

const call = <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) =>
  callOk<T>(mcp.client, name, args);
const through = (tool: string, args: Record<string, unknown>) =>
  mcp.client.callTool({ name: 'call_tool', arguments: { name: tool, arguments: args } });

describe('provision_database orders for payments in dev', () => {
  it('writes the connection settings to its Vault path, read back masked, and syncs them with an ExternalSecret', async () => {
    const plan = await call<{
      plan_id: string;
      steps: Array<{ name: string }>;
      files: Array<{ path: string; content: string }>;
    }>('provision_database', { name: 'orders', team: 'payments' });
    expect(plan.steps.map((step) => step.name)).toEqual([
      'vault_credentials',
      'gitops_branch',
      'gitops_commit',
      'gitops_pull_request',
    ]);
    const run = await call<{ status: string }>('apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');

    const read = await through('vault_read_secret', { path: 'payments/databases/orders-dev' });
    const secret = (read.structuredContent as { result: Record<string, unknown> }).result;
    expect(secret).toMatchObject({
      keys: ['database', 'engine', 'identifier', 'port', 'sslmode', 'username'],
      masked: true,
    });
    expect(secret.values).toBeUndefined();
    expect(JSON.stringify(read)).not.toContain('orders_admin');

    const branch = 'database/payments-orders-dev';
    const gitops = github.state.repo('acme/gitops');
    const externalSecret = parse(
      gitops.file(branch, 'infra/databases/payments/orders-dev/external-secret.yaml')!,
    ) as Record<string, unknown>;
    expect(externalSecret).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'orders-db', namespace: 'payments-dev' },
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
        target: { name: 'orders-db' },
        dataFrom: [{ extract: { key: 'payments/databases/orders-dev' } }],
      },
    });
    const committed = gitops
      .files(branch)
      .map((path) => gitops.file(branch, path))
      .join('\n');
    expect(committed).not.toMatch(/"password"\s*:/);
  });

  it('deletes what it wrote to Vault when a later step fails, and says what stays', async () => {
    const plan = await call<{ plan_id: string }>('provision_database', { name: 'ledger', team: 'payments' });
    github.failNext({ method: 'POST', path: '/repos/acme/gitops/pulls', status: 500, times: 5 });
    const run = await call<{ status: string; undone: string[]; left: unknown[]; remains: string[] }>('apply_plan', {
      plan_id: plan.plan_id,
    });
    expect(run.status).toBe('failed');
    expect(run.undone).toEqual(['gitops_branch', 'vault_credentials']);
    expect(run.left).toEqual([]);
    expect(run.remains).toEqual([expect.stringContaining('Vault secret/data/payments/databases/ledger-dev')]);
    const read = await through('vault_read_secret', { path: 'payments/databases/ledger-dev' });
    expect(read.isError).toBe(true);
    expect(textOf(read)).toContain('not_found');
  });
});
