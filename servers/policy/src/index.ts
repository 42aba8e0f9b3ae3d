import type { ResourceDefinition, ServerModule } from '@idp-mcp/core';
import { ToolError } from '@idp-mcp/core';
import {
  BUILTIN_POLICY_DIR,
  createPolicyGate,
  DOMAINS,
  gateOptionsFromEnv,
  type PolicyBundle,
  packageOf,
} from '@idp-mcp/policy';
import { policyCommands } from './commands.ts';
import { generationTools } from './tools/generate.ts';
import { policyTools } from './tools/policy.ts';

export { EXIT, policyCommands } from './commands.ts';
export { generationTools, MAX_ATTEMPTS, type Sampler } from './tools/generate.ts';
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
        // Own keys only: `constructor` or `__proto__` are no domain (the prototype's members are no packages).
        const packages = Object.hasOwn(bundle.packages, domain ?? '')
          ? bundle.packages[domain as (typeof DOMAINS)[number]]
          : undefined;
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

export const policyModule: ServerModule = {
  name: 'policy',
  title: 'Policy',
  description:
    'Checks configuration against the Rego policies (Kubernetes, Kafka, Terraform, CI/CD, GitOps) before it changes anything.',
  toolsets: {
    policy: 'validate configuration, list and explain rules, run the policy tests, fix and generate compliant config',
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
