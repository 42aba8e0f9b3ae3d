import type { PolicyGate, ResourceDefinition, ServerModule } from '@idp-mcp/core';
import { ToolError } from '@idp-mcp/core';
import { BUILTIN_POLICY_DIR, packageOf } from './bundle.ts';
import { DOMAINS } from './catalog.ts';
import { policyCommands, readConfigFile } from './commands.ts';
import { createPolicyGate, type PolicyBundle, type PolicyGateOptions } from './gate.ts';
import { generationTools } from './tools/generate.ts';
import { policyTools } from './tools/policy.ts';

export { BUILTIN_POLICY_DIR, runTests } from './bundle.ts';
export { DOMAINS, type RuleInfo, ruleCatalog } from './catalog.ts';
export { EXIT, policyCommands } from './commands.ts';
export { createPolicyGate, type DetailedVerdict, type Finding, type PolicyGateOptions } from './gate.ts';
export { gatekeeperSet } from './gatekeeper.ts';
export { detectDomain, MAX_INPUT_BYTES, parseConfig } from './parse.ts';
export { generationTools, MAX_ATTEMPTS, type Sampler } from './tools/generate.ts';
export { type Validation, validateDocuments, validateText } from './validate.ts';
export { admissionResponse, createWebhookServer } from './webhook.ts';

function policyResources(bundle: PolicyBundle): ResourceDefinition[] {
  return [
    {
      name: 'domain_policy',
      title: 'Policy source of a domain',
      description: `The Rego source of one policy domain (${DOMAINS.join(', ')}), tests excluded.`,
      uriTemplate: 'policy://domains/{domain}',
      mimeType: 'text/x-rego',
      read: async ({ domain }) => {
        const packages = bundle.packages[domain as (typeof DOMAINS)[number]];
        if (!packages) {
          throw new ToolError('not_found', `no policy domain ${domain}`, { hint: `use one of ${DOMAINS.join(', ')}` });
        }
        return bundle.modules
          .filter((m) => !m.path.endsWith('_test.rego') && packages.includes(packageOf(m.source) ?? ''))
          .map((m) => `# file: ${m.path}\n${m.source}`)
          .join('\n');
      },
    },
  ];
}

/** The gate's options from POLICY_DIRS and POLICY_CONFIG, as the policy server and every other server read them. */
export function gateOptionsFromEnv(env: Record<string, string | undefined>): PolicyGateOptions {
  return {
    policyDirs:
      env.POLICY_DIRS?.split(',')
        .map((dir) => dir.trim())
        .filter(Boolean) ?? [],
    ...(env.POLICY_CONFIG ? { config: readConfigFile(env.POLICY_CONFIG) } : {}),
  };
}

/**
 * The policy gate other servers and the platform use: compiled on its first check, so a server that
 * never writes configuration never pays for compiling the policies.
 */
export function policyGateFromEnv(env: Record<string, string | undefined>): PolicyGate {
  let gate: PolicyGate | undefined;
  return {
    check: (domain, documents, context) => {
      gate ??= createPolicyGate(gateOptionsFromEnv(env));
      return gate.check(domain, documents, context);
    },
  };
}

export const policyModule: ServerModule = {
  name: 'policy',
  title: 'Policy',
  description:
    'Checks configuration against the Rego policies (Kubernetes, Kafka, Terraform, CI/CD, GitOps) before it changes anything.',
  toolsets: {
    policy: 'validate configuration, list and explain rules, run the policy tests',
  },
  env: {
    POLICY_DIRS: {
      description:
        'Extra policy directories: .rego files (packages <domain> or <domain>.*) and Gatekeeper ConstraintTemplates/Constraints (YAML)',
      format: 'list',
    },
    POLICY_CONFIG: {
      description: 'A YAML/JSON file of policy settings per domain (data.config), e.g. kubernetes.allowed_registries',
    },
  },
  commands: policyCommands,
  async start({ env, sandbox }) {
    const gate = createPolicyGate(gateOptionsFromEnv(env));
    return {
      tools: [...policyTools(gate), ...generationTools(gate)],
      resources: policyResources(gate.bundle),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: `file://${BUILTIN_POLICY_DIR}` },
      ready: async () => true,
      close: async () => {},
    };
  },
};
