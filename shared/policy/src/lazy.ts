import { lazyGate, type PolicyGate } from '@idp-mcp/core';

/**
 * The gate every bin starts its server with: the shipped policies plus POLICY_DIRS and POLICY_CONFIG. A light
 * entry point: the policy engine loads on the first check, so a server that never writes configuration starts
 * without it.
 */
export function gateFromEnv(env: Record<string, string | undefined>): PolicyGate {
  return lazyGate(async () => (await import('./env.ts')).policyGateFromEnv(env));
}
