import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startVaultFake, type VaultFake, vaultSpec } from './index.ts';

let fake: VaultFake;
const headers = () => ({ 'x-vault-token': fake.token, 'content-type': 'application/json' });

beforeEach(async () => {
  fake = await startVaultFake();
});
afterEach(async () => {
  await fake.close();
});

describe('vault fake', () => {
  it('describes the response wrapper, the root listing and ?version in its cleaned-up spec', async () => {
    const doc = await vaultSpec();
    const read = doc.paths['/{kv_v2_mount_path}/data/{path}']!.get as {
      parameters: Array<{ name: string }>;
      responses: Record<string, { content: Record<string, { schema: { required: string[] } }> }>;
    };
    expect(read.responses['200']!.content['application/json']!.schema.required).toContain('request_id');
    expect(read.parameters.map((p) => p.name)).toContain('version');
    expect(doc.paths['/{kv_v2_mount_path}/metadata/']).toBeDefined();
  });

  it('accepts the LIST verb as Vault does and answers with the wrapper', async () => {
    const response = await fetch(`${fake.url}/v1/secret/metadata/payments/payments-api`, {
      method: 'LIST',
      headers: headers(),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { keys: string[] }; lease_duration: number };
    expect(body.data.keys).toEqual(['database', 'stripe']);
    expect(fake.received.at(-1)).toMatchObject({ method: 'LIST', path: '/v1/secret/metadata/payments/payments-api' });
    assertNoViolations(fake);
  });

  it('answers 403 for an unknown token and records a request the spec does not allow', async () => {
    const denied = await fetch(`${fake.url}/v1/secret/data/payments/payments-api/database`);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ errors: ['permission denied'] });
    const bad = await fetch(`${fake.url}/v1/secret/data/x`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ data: 'not an object' }),
    });
    expect(bad.status).toBe(400);
    expect(fake.violations.splice(0).map((v) => v.where)).toEqual(['request.body']);
  });
});
