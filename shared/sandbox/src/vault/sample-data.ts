// The sample world of the Vault fake, coherent with the other fakes: org acme, teams payments and platform, services
// payments-api and orders-api. Values are obviously fake; tests use them to prove values are masked.
import { VaultState } from './state.ts';

/** The root-like token the sandbox and tests use. */
export const SANDBOX_TOKEN = 'hvs.sandbox-root-token-0000000000';
/** A token with only the default policy (for permission tests). */
export const DEVELOPER_TOKEN = 'hvs.developer-token-0000000000000';
/** A service-account JWT the `payments-api` Kubernetes role accepts. */
export const SAMPLE_SERVICE_ACCOUNT_JWT =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cGF5bWVudHM6cGF5bWVudHMtYXBpIn0.c2lnbmF0dXJl';

export const SAMPLE_SECRET_VALUES = {
  paymentsDbPassword: 'pg-pay-7Qw!xR2vLm',
  stripeKey: 'sk_test_51Hacme00000000000000000',
  ordersDbPassword: 'pg-ord-Zk3#pT9sWq',
  webhookSecret: 'whsec_acme_0000000000',
} as const;

export function createSampleVaultState(): VaultState {
  const state = new VaultState();
  state.mount('secret', 'kv', 'key/value secret storage', { version: '2' });
  state.mount('transit', 'transit', 'encryption as a service for payments-api');
  state.mount('database', 'database', 'dynamic PostgreSQL credentials');
  state.mount('cubbyhole', 'cubbyhole', 'per-token private secret storage');
  state.authMounts.add('kubernetes');

  const values = SAMPLE_SECRET_VALUES;
  state.put(
    'secret',
    'payments/payments-api/database',
    { username: 'payments', password: 'pg-pay-old-1' },
    {
      owner: 'payments',
      service: 'payments-api',
    },
  );
  state.put('secret', 'payments/payments-api/database', { username: 'payments', password: values.paymentsDbPassword });
  state.put(
    'secret',
    'payments/payments-api/stripe',
    { api_key: values.stripeKey, webhook_secret: values.webhookSecret },
    {
      owner: 'payments',
      service: 'payments-api',
      rotation: '90d',
    },
  );
  state.put(
    'secret',
    'orders/orders-api/database',
    { username: 'orders', password: values.ordersDbPassword },
    {
      owner: 'payments',
      service: 'orders-api',
    },
  );
  state.put(
    'secret',
    'platform/ci/github-app',
    { app_id: '123456', private_key: 'not-a-real-key' },
    {
      owner: 'platform',
    },
  );

  state.policies.set('default', 'path "auth/token/lookup-self" {\n  capabilities = ["read"]\n}\n');
  state.policies.set('root', '');
  state.policies.set(
    'payments-api',
    'path "secret/data/payments/payments-api/*" {\n  capabilities = ["read"]\n}\npath "transit/encrypt/payments" {\n  capabilities = ["update"]\n}\n',
  );
  state.policies.set(
    'platform-admin',
    'path "*" {\n  capabilities = ["create", "read", "update", "delete", "list", "sudo"]\n}\n',
  );

  state.addToken(SANDBOX_TOKEN, {
    display_name: 'token-alice',
    policies: ['platform-admin'],
    ttl: 32 * 24 * 3600,
    renewable: true,
    meta: { user: 'alice' },
  });
  state.addToken(DEVELOPER_TOKEN, {
    display_name: 'token-bob',
    policies: ['default'],
    ttl: 8 * 3600,
    renewable: true,
    meta: { user: 'bob' },
  });
  state.kubernetesRoles.set('payments-api', {
    jwts: new Set([SAMPLE_SERVICE_ACCOUNT_JWT]),
    policies: ['payments-api'],
    ttl: 3600,
  });
  return state;
}
