import { ConfigError, type ServerModule } from '@idp-mcp/core';
import { policyTools } from './tools/policies.ts';
import { secretTools } from './tools/secrets.ts';
import { systemTools } from './tools/system.ts';
import { createVaultClient, kubernetesLogin, mapVaultError, type VaultClient } from './vault.ts';

export { createVaultClient, kubernetesLogin, mapVaultError, type VaultClient } from './vault.ts';

/** Every Vault tool, bound to one client; `defaultMount` is the KV v2 mount used when a call names none. */
export function vaultTools(vault: VaultClient, defaultMount = 'secret') {
  return [...secretTools(vault, defaultMount), ...policyTools(vault), ...systemTools(vault)];
}

export const vaultModule: ServerModule = {
  name: 'vault',
  title: 'HashiCorp Vault',
  description:
    'KV v2 secrets (values masked unless an admin asks), ACL policies, secrets engines, token health (node-vault).',
  toolsets: {
    secrets: 'list, read (masked), write, version metadata, delete, restore and destroy KV v2 secrets',
    policies: 'list, read and write ACL policies',
    system: 'secrets engines and the health of the Vault credential',
  },
  env: {
    VAULT_ADDR: { description: 'Vault address, e.g. https://vault.acme.internal:8200', required: true, format: 'url' },
    VAULT_TOKEN: { description: 'A Vault token (or use VAULT_K8S_ROLE for Kubernetes auth)', secret: true },
    VAULT_K8S_ROLE: { description: 'Kubernetes auth role to log in with when VAULT_TOKEN is not set' },
    VAULT_K8S_TOKEN_PATH: {
      description: 'Service-account token file for Kubernetes auth',
      default: '/var/run/secrets/kubernetes.io/serviceaccount/token',
    },
    VAULT_K8S_MOUNT: { description: 'Path of the Kubernetes auth method', default: 'kubernetes' },
    VAULT_NAMESPACE: { description: 'Vault Enterprise namespace, e.g. acme/payments' },
    VAULT_KV_MOUNT: { description: 'KV v2 mount used when a call names none', default: 'secret' },
    VAULT_TIMEOUT_MS: {
      description: 'Timeout of one Vault request in milliseconds',
      default: '15000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log, world }) {
    let endpoint = env.VAULT_ADDR!;
    let token = env.VAULT_TOKEN;
    if (sandbox) {
      const { startVaultFake } = await import('@idp-mcp/sandbox/vault');
      const fake = await world.shared('vault', () => startVaultFake({ validate: false }));
      endpoint = fake.url;
      token = fake.token;
    } else if (!token && !env.VAULT_K8S_ROLE) {
      throw new ConfigError('vault: set VAULT_TOKEN, or VAULT_K8S_ROLE to log in with the pod service account');
    }
    const vault = createVaultClient({
      endpoint,
      ...(token ? { token } : {}),
      ...(env.VAULT_NAMESPACE ? { namespace: env.VAULT_NAMESPACE } : {}),
      timeoutMs: Number(env.VAULT_TIMEOUT_MS),
      log,
    });
    if (!token) {
      await kubernetesLogin(vault, {
        role: env.VAULT_K8S_ROLE!,
        tokenPath: env.VAULT_K8S_TOKEN_PATH!,
        mountPath: env.VAULT_K8S_MOUNT!,
      });
      // Renews the login token at 80% of its TTL; a token past its max TTL needs a restart (a new login).
      vault.on('token:error:renew', (error: unknown) =>
        log.warn('vault token renewal failed', { error: (error as Error).message }),
      );
      await vault.startTokenRenewal();
    }
    return {
      tools: vaultTools(vault, env.VAULT_KV_MOUNT),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: endpoint },
      mapError: mapVaultError,
      ready: async () => {
        await vault.tokenLookupSelf();
        return true;
      },
      close: async () => vault.stopAllRenewals(),
    };
  },
};
