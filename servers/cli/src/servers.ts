import type { ServerModule } from '@idp-mcp/core';

/**
 * Every server the idp-mcp command can start, in --help order, each loaded on demand: starting one server
 * loads only its own code (a desktop client pays for GitHub alone, not for twelve integrations).
 */
export const SERVER_LOADERS: Record<string, () => Promise<ServerModule>> = {
  platform: async () => (await import('@idp-mcp/platform')).platformModule,
  github: async () => (await import('@idp-mcp/github')).githubModule,
  kubernetes: async () => (await import('@idp-mcp/kubernetes')).kubernetesModule,
  flux: async () => (await import('@idp-mcp/flux')).fluxModule,
  argocd: async () => (await import('@idp-mcp/argocd')).argocdModule,
  kafka: async () => (await import('@idp-mcp/kafka')).kafkaModule,
  rancher: async () => (await import('@idp-mcp/rancher')).rancherModule,
  policy: async () => (await import('@idp-mcp/policy')).policyModule,
  jira: async () => (await import('@idp-mcp/jira')).jiraModule,
  slack: async () => (await import('@idp-mcp/slack')).slackModule,
  pagerduty: async () => (await import('@idp-mcp/pagerduty')).pagerdutyModule,
  backstage: async () => (await import('@idp-mcp/backstage')).backstageModule,
  vault: async () => (await import('@idp-mcp/vault')).vaultModule,
};

/** Every server module, for --help and for tools that go over all of them (the benchmarks). */
export async function loadServers(): Promise<ServerModule[]> {
  return Promise.all(Object.values(SERVER_LOADERS).map((load) => load()));
}
