import type { ServerModule } from '@idp-mcp/core';

/**
 * The one list of integration servers, in tools/list order: the platform mounts them and the idp-mcp command
 * starts any of them. Each loads on demand, so a command that starts one server loads only its code.
 */
export const INTEGRATION_LOADERS: Record<string, () => Promise<ServerModule>> = {
  github: async () => (await import('@idp-mcp/github')).githubModule,
  kubernetes: async () => (await import('@idp-mcp/kubernetes')).kubernetesModule,
  flux: async () => (await import('@idp-mcp/flux')).fluxModule,
  argocd: async () => (await import('@idp-mcp/argocd')).argocdModule,
  kafka: async () => (await import('@idp-mcp/kafka')).kafkaModule,
  rancher: async () => (await import('@idp-mcp/rancher')).rancherModule,
  policy: async () => (await import('@idp-mcp/policy-server')).policyModule,
  jira: async () => (await import('@idp-mcp/jira')).jiraModule,
  slack: async () => (await import('@idp-mcp/slack')).slackModule,
  pagerduty: async () => (await import('@idp-mcp/pagerduty')).pagerdutyModule,
  backstage: async () => (await import('@idp-mcp/backstage')).backstageModule,
  vault: async () => (await import('@idp-mcp/vault')).vaultModule,
  terraform: async () => (await import('@idp-mcp/terraform')).terraformModule,
};

/** Every integration, loaded. */
export function loadIntegrations(): Promise<ServerModule[]> {
  return Promise.all(Object.values(INTEGRATION_LOADERS).map((load) => load()));
}
