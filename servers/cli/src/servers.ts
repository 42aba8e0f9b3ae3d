import { argocdModule } from '@idp-mcp/argocd';
import { backstageModule } from '@idp-mcp/backstage';
import type { ServerModule } from '@idp-mcp/core';
import { fluxModule } from '@idp-mcp/flux';
import { githubModule } from '@idp-mcp/github';
import { jiraModule } from '@idp-mcp/jira';
import { kafkaModule } from '@idp-mcp/kafka';
import { kubernetesModule } from '@idp-mcp/kubernetes';
import { pagerdutyModule } from '@idp-mcp/pagerduty';
import { platformModule } from '@idp-mcp/platform';
import { policyModule } from '@idp-mcp/policy';
import { rancherModule } from '@idp-mcp/rancher';
import { slackModule } from '@idp-mcp/slack';
import { vaultModule } from '@idp-mcp/vault';

/** Every server the idp-mcp command can start, in --help order: the aggregator first. */
export const servers: ServerModule[] = [
  platformModule,
  githubModule,
  kubernetesModule,
  fluxModule,
  argocdModule,
  kafkaModule,
  rancherModule,
  policyModule,
  jiraModule,
  slackModule,
  pagerdutyModule,
  backstageModule,
  vaultModule,
];
