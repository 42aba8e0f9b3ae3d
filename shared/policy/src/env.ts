import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, type PolicyGate } from '@idp-mcp/core';
import YAML from 'yaml';
import { createPolicyGate, type PolicyGateOptions } from './gate.ts';

/** Reads a policy settings file (YAML or JSON): a mapping of domain -> settings, used as data.config. */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ConfigError(`policy config ${path} does not exist (POLICY_CONFIG / --config)`);
  const value = YAML.parse(readFileSync(path, 'utf8')) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `policy config ${path} must be a mapping of domain -> settings, e.g. kubernetes: {allowed_registries: [...]}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Gate options from POLICY_DIRS (comma-separated) and POLICY_CONFIG, plus command-line additions. */
export function gateOptionsFromEnv(
  env: Record<string, string | undefined>,
  extra: { policyDirs?: string[]; configFile?: string } = {},
): PolicyGateOptions {
  const dirs = [
    ...(env.POLICY_DIRS?.split(',')
      .map((dir) => dir.trim())
      .filter(Boolean) ?? []),
    ...(extra.policyDirs ?? []),
  ];
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new ConfigError(`policy directory ${dir} does not exist (POLICY_DIRS / --policy-dir)`);
  }
  const configFile = extra.configFile ?? (env.POLICY_CONFIG || undefined);
  return { policyDirs: dirs, ...(configFile ? { config: readConfigFile(configFile) } : {}) };
}

/**
 * The gate every server's CLI passes to its tools: the shipped policies plus POLICY_DIRS, settings from
 * POLICY_CONFIG. Settings are checked now; the policies compile on the first check, so servers that never
 * write configuration do not pay for it at start.
 */
export function policyGateFromEnv(env: Record<string, string | undefined>): PolicyGate {
  const options = gateOptionsFromEnv(env);
  let gate: ReturnType<typeof createPolicyGate> | undefined;
  return {
    check: async (domain, documents, context) => {
      if (!gate) gate = createPolicyGate(options);
      return gate.check(domain, documents, context);
    },
  };
}
