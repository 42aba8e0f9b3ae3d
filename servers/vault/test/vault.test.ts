import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, parseFlags, startServer } from '@idp-mcp/core';
import {
  DEVELOPER_TOKEN,
  SAMPLE_SECRET_VALUES,
  SAMPLE_SERVICE_ACCOUNT_JWT,
  startVaultFake,
  type VaultFake,
} from '@idp-mcp/sandbox/vault';
import { connectClient, connectUrl, shippedPolicyGate, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vaultModule } from '../src/index.ts';

type Role = 'viewer' | 'developer' | 'platform-admin';

let fake: VaultFake;
let logLines: string[];
const closers: Array<() => Promise<void>> = [];

/** A real MCP client over Streamable HTTP, with the server's log captured (debug level) to prove masking. */
async function connect(role: Role = 'platform-admin', env: Record<string, string> = {}): Promise<Client> {
  const log = createLogger('vault', { level: 'debug', write: (line) => logLines.push(line) });
  const server = await startServer(
    vaultModule,
    parseFlags(['--transport', 'http', '--port', '0', '--role', role]),
    { VAULT_ADDR: fake.url, VAULT_TOKEN: fake.token, VAULT_TIMEOUT_MS: '2000', ...env },
    shippedPolicyGate,
    log,
  );
  const client = await connectUrl(server.url!);
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  return {
    result,
    text: textOf(result),
    isError: result.isError === true,
    code: (result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code,
    meta: result._meta?.['idp-mcp/error'] as { code?: string; retryable?: boolean; retryAfterSeconds?: number },
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the structured result freely
    data: result.structuredContent as Record<string, any>,
  };
}

const allValues = [...Object.values(SAMPLE_SECRET_VALUES), 'n3w-Sup3r-S3cret!', 'rotated-key-0001'];

beforeEach(async () => {
  logLines = [];
  fake = await startVaultFake();
});

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
  await fake.close();
  assertNoViolations(fake);
});

describe('vault tools/list', () => {
  it('matches the reviewed snapshot', async () => {
    const client = await connect('platform-admin');
    await expect(await toolsSnapshot(client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('shows each role only the tools its tier allows', async () => {
    const names = async (role: Role) => (await (await connect(role)).listTools()).tools.map((t) => t.name).sort();
    const viewer = await names('viewer');
    const developer = await names('developer');
    expect(viewer).toEqual([
      'get_secret_metadata',
      'list_policies',
      'list_secrets',
      'list_secrets_engines',
      'read_policy',
      'read_secret',
      'token_status',
    ]);
    expect(developer).toEqual([...viewer, 'undelete_secret_versions', 'write_secret'].sort());
    expect(await names('platform-admin')).toHaveLength(13);
  });
});

describe('secrets', () => {
  it('lists the mount root and folders with the LIST verb, paginated', async () => {
    const client = await connect('viewer');
    const root = await call(client, 'list_secrets', {});
    expect(root.data.keys.map((k: { name: string }) => k.name)).toEqual(['orders/', 'payments/', 'platform/']);
    expect(fake.received.at(-1)).toMatchObject({ method: 'LIST', path: '/v1/secret/metadata/' });

    const first = await call(client, 'list_secrets', { path: 'payments/payments-api', limit: 1 });
    expect(first.data.keys).toEqual([{ name: 'database', folder: false, path: 'payments/payments-api/database' }]);
    expect(first.data.total).toBe(2);
    const second = await call(client, 'list_secrets', {
      path: 'payments/payments-api',
      limit: 1,
      cursor: first.data.nextCursor,
    });
    expect(second.data.keys.map((k: { name: string }) => k.name)).toEqual(['stripe']);
    expect(second.data.nextCursor).toBeUndefined();

    const other = await call(client, 'list_secrets', { path: 'orders', cursor: first.data.nextCursor });
    expect(other.code).toBe('invalid_request');
    expect(other.text).toMatch(/cursor/);
  });

  it('also accepts GET ?list=true, as Vault does', async () => {
    const response = await fetch(`${fake.url}/v1/secret/metadata/payments?list=true`, {
      headers: { 'x-vault-token': fake.token },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { keys: string[] } }).data.keys).toEqual(['payments-api/']);
  });

  it('reads a secret masked by default: keys, version and metadata, no values', async () => {
    const client = await connect('developer');
    const read = await call(client, 'read_secret', { path: 'payments/payments-api/database' });
    expect(read.isError).toBe(false);
    expect(read.data).toMatchObject({
      mount: 'secret',
      version: 2,
      keys: ['password', 'username'],
      masked: true,
      custom_metadata: { owner: 'payments', service: 'payments-api' },
    });
    expect(read.data.values).toBeUndefined();
    expect(read.text).not.toContain(SAMPLE_SECRET_VALUES.paymentsDbPassword);
    expect(JSON.stringify(read.result)).not.toContain(SAMPLE_SECRET_VALUES.paymentsDbPassword);
  });

  it('refuses reveal below the admin tier, naming the field, before calling Vault', async () => {
    const client = await connect('developer');
    const before = fake.requests.length;
    const read = await call(client, 'read_secret', { path: 'payments/payments-api/database', reveal: true });
    expect(read.code).toBe('forbidden');
    expect(read.text).toMatch(/reveal: .*admin tier/);
    expect(read.text).toMatch(/without reveal/);
    expect(fake.requests.length).toBe(before);
  });

  it('reveals values to an admin who asks, including an older version', async () => {
    const client = await connect('platform-admin');
    const latest = await call(client, 'read_secret', { path: 'payments/payments-api/database', reveal: true });
    expect(latest.data.values).toEqual({ username: 'payments', password: SAMPLE_SECRET_VALUES.paymentsDbPassword });
    expect(latest.data.masked).toBe(false);
    const old = await call(client, 'read_secret', { path: 'payments/payments-api/database', version: 1, reveal: true });
    expect(old.data.version).toBe(1);
    expect(old.data.values.password).toBe('pg-pay-old-1');
    expect(fake.requests.at(-1)?.query).toEqual({ version: '1' });
  });

  it('writes without echoing values, merges keys, and maps a check-and-set mismatch to conflict', async () => {
    const client = await connect('developer');
    const write = await call(client, 'write_secret', {
      path: 'payments/payments-api/stripe',
      data: { api_key: 'rotated-key-0001' },
      merge: true,
    });
    expect(write.data).toMatchObject({ version: 2, keys: ['api_key', 'webhook_secret'] });
    expect(write.text).not.toContain('rotated-key-0001');
    expect(fake.requests.at(-1)?.body).toMatchObject({ options: { cas: 1 } });
    const stored = fake.state.kv('secret')!.get('payments/payments-api/stripe')!.versions.get(2)!.data;
    expect(stored).toEqual({ api_key: 'rotated-key-0001', webhook_secret: SAMPLE_SECRET_VALUES.webhookSecret });

    const created = await call(client, 'write_secret', {
      path: 'orders/orders-api/api',
      data: { token: 'n3w-Sup3r-S3cret!' },
      cas: 0,
    });
    expect(created.data).toMatchObject({ version: 1, keys: ['token'] });
    const conflict = await call(client, 'write_secret', {
      path: 'orders/orders-api/api',
      data: { token: 'x' },
      cas: 0,
    });
    expect(conflict.code).toBe('conflict');
    expect(conflict.text).toMatch(/cas: .*changed since version 0/);
  });

  it('rejects bad input naming the field and the form', async () => {
    const client = await connect('developer');
    const badPath = await call(client, 'read_secret', { path: '/payments/../db' });
    expect(badPath.isError).toBe(true);
    expect(badPath.text).toMatch(/path/);
    expect(badPath.text).toMatch(/no leading or trailing slash/);
    const empty = await call(client, 'write_secret', { path: 'payments/x', data: {} });
    expect(empty.isError).toBe(true);
    expect(empty.text).toMatch(/at least one key/);
    expect(fake.requests).toHaveLength(0);
  });

  it('shows metadata with versions newest first, and deletes, restores and destroys versions', async () => {
    const client = await connect('platform-admin');
    const meta = await call(client, 'get_secret_metadata', { path: 'payments/payments-api/database' });
    expect(meta.data).toMatchObject({ current_version: 2, oldest_version: 1, versions_omitted: 0 });
    expect(meta.data.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    expect(
      (await call(client, 'delete_secret_versions', { path: 'payments/payments-api/database' })).data.deleted,
    ).toBe('latest');
    const gone = await call(client, 'read_secret', { path: 'payments/payments-api/database' });
    expect(gone.code).toBe('not_found');
    const afterDelete = await call(client, 'get_secret_metadata', { path: 'payments/payments-api/database', limit: 1 });
    expect(afterDelete.data.versions[0]).toMatchObject({ version: 2, deleted: true, destroyed: false });
    expect(afterDelete.data.versions_omitted).toBe(1);

    // Merging onto a secret whose latest version is deleted starts from nothing but keeps check-and-set right.
    const merged = await call(client, 'write_secret', {
      path: 'payments/payments-api/database',
      data: { password: 'rotated-key-0001' },
      merge: true,
    });
    expect(merged.data).toMatchObject({ version: 3, keys: ['password'] });
    expect(fake.requests.at(-1)?.body).toMatchObject({ options: { cas: 2 } });
    await call(client, 'delete_secret_versions', { path: 'payments/payments-api/database', versions: [3] });
    await call(client, 'undelete_secret_versions', { path: 'payments/payments-api/database', versions: [2] });
    expect(
      (await call(client, 'read_secret', { path: 'payments/payments-api/database', version: 2 })).data.version,
    ).toBe(2);

    await call(client, 'destroy_secret_versions', { path: 'payments/payments-api/database', versions: [1] });
    const destroyed = await call(client, 'get_secret_metadata', { path: 'payments/payments-api/database' });
    expect(destroyed.data.versions.at(-1)).toMatchObject({ version: 1, destroyed: true });
    const versionsMissing = await call(client, 'destroy_secret_versions', { path: 'payments/payments-api/database' });
    expect(versionsMissing.text).toMatch(/versions/);
  });

  it('never puts a secret value in a log line or an error', async () => {
    const admin = await connect('platform-admin');
    await call(admin, 'read_secret', { path: 'payments/payments-api/stripe', reveal: true });
    await call(admin, 'write_secret', { path: 'payments/payments-api/stripe', data: { api_key: 'n3w-Sup3r-S3cret!' } });
    fake.failNext({ method: 'POST', status: 500 });
    const failed = await call(admin, 'write_secret', {
      path: 'orders/orders-api/database',
      data: { password: 'rotated-key-0001' },
    });
    expect(failed.code).toBe('upstream_unavailable');
    fake.failNext({ method: 'GET', status: 503, times: 1 });
    await call(admin, 'read_secret', { path: 'orders/orders-api/database', reveal: true });
    expect(logLines.length).toBeGreaterThan(3);
    const logs = logLines.join('\n');
    expect(logs).toContain('secret written');
    expect(logs).toContain('upstream asked to retry');
    for (const value of allValues) {
      expect(logs).not.toContain(value);
      expect(failed.text).not.toContain(value);
    }
    expect(logs).not.toContain(fake.token);
  });
});

describe('policies and system', () => {
  it('lists, reads and writes ACL policies; Vault parse errors come back naming the problem', async () => {
    const client = await connect('platform-admin');
    const list = await call(client, 'list_policies', { limit: 2 });
    expect(list.data.policies).toEqual(['default', 'payments-api']);
    expect(list.data.total).toBe(4);
    const rest = await call(client, 'list_policies', { limit: 2, cursor: list.data.nextCursor });
    expect(rest.data.policies).toEqual(['platform-admin', 'root']);

    const read = await call(client, 'read_policy', { name: 'payments-api' });
    expect(read.text).toContain('path "secret/data/payments/payments-api/*"');

    const hcl = 'path "secret/data/orders/*" {\n  capabilities = ["read", "list"]\n}\n';
    const created = await call(client, 'write_policy', { name: 'orders-api', policy: hcl });
    expect(created.data).toEqual({ name: 'orders-api', created: true, paths: ['secret/data/orders/*'] });
    expect(fake.state.policies.get('orders-api')).toBe(hcl);
    expect((await call(client, 'write_policy', { name: 'orders-api', policy: hcl })).data.created).toBe(false);

    const bad = await call(client, 'write_policy', { name: 'broken', policy: 'path "x" { capabilities = ["fly"] }' });
    expect(bad.code).toBe('invalid_request');
    expect(bad.text).toMatch(/invalid capability "fly"/);
    const badName = await call(client, 'write_policy', { name: 'Bad Name', policy: hcl });
    expect(badName.text).toMatch(/name/);
  });

  it('lists and enables secrets engines; a path in use is a conflict', async () => {
    const client = await connect('platform-admin');
    const engines = await call(client, 'list_secrets_engines');
    expect(engines.data.engines).toContainEqual({
      path: 'secret/',
      type: 'kv',
      version: '2',
      description: 'key/value secret storage',
      local: false,
    });
    const enabled = await call(client, 'enable_secrets_engine', {
      path: 'team-payments',
      type: 'kv',
      max_lease_ttl: '24h',
    });
    expect(enabled.data).toEqual({ path: 'team-payments/', type: 'kv', version: '2' });
    expect(fake.state.mounts.get('team-payments')?.options).toEqual({ version: '2' });
    const again = await call(client, 'enable_secrets_engine', { path: 'team-payments', type: 'kv' });
    expect(again.code).toBe('conflict');
    const reserved = await call(client, 'enable_secrets_engine', { path: 'sys/x', type: 'kv' });
    expect(reserved.text).toMatch(/path: sys\/x is reserved/);
    expect((await call(client, 'enable_secrets_engine', { path: 'system-secrets', type: 'kv' })).isError).toBe(false);
    const unknown = await call(client, 'enable_secrets_engine', { path: 'x', type: 'made-up' });
    expect(unknown.text).toMatch(/plugin not found in the catalog: made-up/);
  });

  it('reports the credential health without the token', async () => {
    const client = await connect('viewer');
    const status = await call(client, 'token_status');
    expect(status.data).toMatchObject({ display_name: 'token-alice', policies: ['platform-admin'], renewable: true });
    expect(status.data.ttl_seconds).toBeGreaterThan(0);
    expect(JSON.stringify(status.result)).not.toContain(fake.token);
    expect(JSON.stringify(status.result)).not.toMatch(/accessor/);
  });

  it('sends VAULT_NAMESPACE as X-Vault-Namespace', async () => {
    const client = await connect('viewer', { VAULT_NAMESPACE: 'acme/payments' });
    await call(client, 'token_status');
    expect(fake.requests.at(-1)?.headers['x-vault-namespace']).toBe('acme/payments');
  });
});

describe('authentication', () => {
  it('logs in with Kubernetes auth from the service-account token file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-k8s-'));
    await writeFile(join(dir, 'token'), `${SAMPLE_SERVICE_ACCOUNT_JWT}\n`);
    const client = await connect('viewer', {
      VAULT_TOKEN: '',
      VAULT_K8S_ROLE: 'payments-api',
      VAULT_K8S_TOKEN_PATH: join(dir, 'token'),
    });
    const status = await call(client, 'token_status');
    expect(status.data).toMatchObject({ display_name: 'kubernetes-payments-api', auth_path: 'auth/kubernetes/login' });
    expect(status.data.policies).toContain('payments-api');
    // The role's policy grants read on payments-api's secrets and nothing else.
    expect(
      (await call(client, 'read_secret', { path: 'payments/payments-api/database', version: 2 })).data.version,
    ).toBe(2);
    expect((await call(client, 'read_secret', { path: 'orders/orders-api/database' })).code).toBe('forbidden');
    expect(fake.requests.find((r) => r.operationId === 'kubernetes-login')?.body).toMatchObject({
      role: 'payments-api',
    });
    expect(logLines.join('\n')).not.toContain(SAMPLE_SERVICE_ACCOUNT_JWT);
  });

  it('fails to start with a clear error when the Kubernetes login is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-k8s-'));
    await writeFile(join(dir, 'token'), 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lLWVsc2UifQ.c2lnbmF0dXJlMg');
    await expect(
      connect('viewer', { VAULT_TOKEN: '', VAULT_K8S_ROLE: 'payments-api', VAULT_K8S_TOKEN_PATH: join(dir, 'token') }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      connect('viewer', {
        VAULT_TOKEN: '',
        VAULT_K8S_ROLE: 'payments-api',
        VAULT_K8S_TOKEN_PATH: join(dir, 'missing'),
      }),
    ).rejects.toThrow(/VAULT_K8S_TOKEN_PATH: cannot read/);
  });

  it('maps a rejected token (Vault answers 403, not 401) to forbidden with a hint', async () => {
    const client = await connect('viewer', { VAULT_TOKEN: 'hvs.not-a-valid-token-000000000000' });
    const denied = await call(client, 'list_secrets');
    expect(denied.code).toBe('forbidden');
    expect(denied.text).toMatch(/permission denied/);
    expect(denied.text).toMatch(/VAULT_TOKEN/);
    expect(denied.text).not.toContain('hvs.not-a-valid-token');
  });

  it('a token whose policies do not grant the path is refused by Vault (its ACL), not by us', async () => {
    const client = await connect('platform-admin', { VAULT_TOKEN: DEVELOPER_TOKEN });
    const denied = await call(client, 'read_secret', { path: 'payments/payments-api/database' });
    expect(denied.code).toBe('forbidden');
    expect(denied.text).toMatch(/permission denied/);
    expect((await call(client, 'token_status')).data.policies).toEqual(['default']);
  });
});

describe('upstream failures', () => {
  it('maps 404, 429 with Retry-After, 5xx then success, and a timeout', async () => {
    const client = await connect('platform-admin', { VAULT_TIMEOUT_MS: '300' });
    const missing = await call(client, 'read_secret', { path: 'payments/nope' });
    expect(missing.code).toBe('not_found');
    expect(missing.text).toMatch(/GET \/secret\/data\/payments\/nope/);

    fake.failNext({ status: 429, headers: { 'retry-after': '120' } });
    const limited = await call(client, 'get_secret_metadata', { path: 'payments/payments-api/database' });
    expect(limited.meta).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterSeconds: 120 });
    expect(limited.text).toMatch(/rate limit quota exceeded/);

    fake.failNext({ method: 'GET', status: 503, times: 2 });
    const recovered = await call(client, 'get_secret_metadata', { path: 'payments/payments-api/database' });
    expect(recovered.data.current_version).toBe(2);

    fake.failNext({ method: 'GET', status: 503, times: 3 });
    const sealed = await call(client, 'get_secret_metadata', { path: 'payments/payments-api/database' });
    expect(sealed.meta).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    expect(sealed.text).toMatch(/sealed/);

    fake.failNext({ method: 'GET', delayMs: 1500, times: 3 });
    const slow = await call(client, 'token_status');
    expect(slow.meta).toMatchObject({ code: 'timeout', retryable: true });
    expect(slow.text).toMatch(/300 ms/);
  });
});

describe('sandbox', () => {
  it('starts with sample data and no credentials', async () => {
    const { client, close } = await connectClient(vaultModule, { args: ['--sandbox', '--role', 'viewer'] });
    closers.push(close);
    const list = await call(client, 'list_secrets', { path: 'payments' });
    expect(list.data.keys).toEqual([{ name: 'payments-api/', folder: true, path: 'payments/payments-api' }]);
  });
});
