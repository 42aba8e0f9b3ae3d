// The Vault fake: Vault's HTTP API for what idp-mcp calls (KV v2, ACL policies, secrets engines, token lookup,
// Kubernetes login), checked against Vault's published OpenAPI description (see spec.ts for its clean-ups) behind
// Vault's own routing (front.ts: /v1, the LIST verb, nested secret paths).
import { type OpenApiFake, startOpenApiFake } from '../server.ts';
import { type FrontRequest, startVaultFront } from './front.ts';
import { authenticate, vaultOperations } from './handlers.ts';
import { createSampleVaultState, SANDBOX_TOKEN } from './sample-data.ts';
import { vaultSpec } from './spec.ts';
import type { VaultState } from './state.ts';

export { type FrontRequest, startVaultFront } from './front.ts';
export {
  createSampleVaultState,
  DEVELOPER_TOKEN,
  SAMPLE_SECRET_VALUES,
  SAMPLE_SERVICE_ACCOUNT_JWT,
  SANDBOX_TOKEN,
} from './sample-data.ts';
export { cleanUpVaultSpec, VAULT_OPERATIONS, vaultSpec } from './spec.ts';
export { type KubernetesRole, type Mount, type Secret, timestamp, VaultState } from './state.ts';

export interface VaultFakeOptions {
  state?: VaultState;
  /** Check traffic against Vault's OpenAPI description (default true; the sandbox turns it off to start fast). */
  validate?: boolean;
}

export interface VaultFake extends OpenApiFake {
  readonly state: VaultState;
  /** A token the sample data accepts (platform-admin policy). */
  readonly token: string;
  /** What clients sent before Vault's routing normalised it (method LIST, nested paths). */
  readonly received: FrontRequest[];
}

const ERROR_MESSAGES: Record<number, string[]> = {
  400: ['invalid request'],
  403: ['permission denied'],
  404: [],
  429: ['request path "secret/data/payments/payments-api/database": rate limit quota exceeded'],
  500: ['internal error'],
  503: ['Vault is sealed'],
};

export async function startVaultFake(options: VaultFakeOptions = {}): Promise<VaultFake> {
  const state = options.state ?? createSampleVaultState();
  const validate = options.validate ?? true;
  const fake = await startOpenApiFake({
    name: 'vault',
    spec: validate ? vaultSpec() : undefined,
    operations: vaultOperations(state),
    validate,
    authenticate: (request) => authenticate(state, request),
    responseHeaders: () => ({ 'cache-control': 'no-store' }),
    errorBody: (status, message) => ({ errors: message ? [message] : (ERROR_MESSAGES[status] ?? []) }),
    errorSchemaRef: '#/components/schemas/VaultErrorResponse',
  });
  const front = await startVaultFront(Number(new URL(fake.url).port), (mount) => state.kv(mount) !== undefined);
  return {
    ...fake,
    url: front.url,
    state,
    token: SANDBOX_TOKEN,
    received: front.received,
    reset() {
      fake.reset();
      front.received.length = 0;
    },
    close: async () => {
      await front.close();
      await fake.close();
    },
  };
}
