import type { PolicyGate, ServerModule } from '@idp-mcp/core';
import { type ArgoCd, createArgoCdClient, mapArgoCdError } from './argocd.ts';
import { applicationReadTools } from './tools/applications.ts';
import { applicationWriteTools } from './tools/manage.ts';
import { operationTools } from './tools/operations.ts';
import { projectTools } from './tools/projects.ts';

export { type ArgoCd, ArgoCdApiError, createArgoCdClient, mapArgoCdError } from './argocd.ts';
export { buildApplication } from './tools/manage.ts';

/** Every Argo CD tool, bound to one client and the policy gate writes pass. */
export function argocdTools(argocd: ArgoCd, gate: PolicyGate) {
  return [
    ...applicationReadTools(argocd),
    ...operationTools(argocd),
    ...applicationWriteTools(argocd, gate),
    ...projectTools(argocd),
  ];
}

export const argocdModule: ServerModule = {
  name: 'argocd',
  title: 'Argo CD',
  description: 'GitOps deployments: applications, sync and rollback, history, resource trees and diffs, projects.',
  toolsets: {
    applications: 'list applications, their definition, status, history, resource tree and diffs; refresh',
    operations: 'sync, roll back and terminate operations',
    manage: 'create, update (policy-gated) and delete applications',
    projects: 'list and read projects',
  },
  env: {
    ARGOCD_URL: {
      description: 'Argo CD server URL, e.g. https://argocd.acme.example',
      required: true,
      format: 'url',
    },
    ARGOCD_TOKEN: {
      description: 'An Argo CD API token (argocd account generate-token) for an account with the RBAC you need',
      secret: true,
      required: true,
    },
    ARGOCD_TIMEOUT_MS: {
      description: 'Timeout of one Argo CD request in milliseconds',
      default: '15000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log, gate, world }) {
    let url = env.ARGOCD_URL!;
    let token = env.ARGOCD_TOKEN!;
    if (sandbox) {
      const { startArgoCdFake, SANDBOX_TOKEN } = await import('@idp-mcp/sandbox/argocd');
      const { sharedKubernetesFake } = await import('@idp-mcp/sandbox/kubernetes');
      // Argo CD runs in the world's one cluster: its Applications are Application objects there.
      const cluster = await sharedKubernetesFake(world);
      const fake = await world.shared('argocd', () => startArgoCdFake({ validate: false, cluster }));
      url = fake.url;
      token = SANDBOX_TOKEN;
    }
    const argocd = createArgoCdClient({ url, token, timeoutMs: Number(env.ARGOCD_TIMEOUT_MS), log });
    return {
      tools: argocdTools(argocd, gate),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url },
      mapError: mapArgoCdError,
      ready: async () => {
        await argocd.request('GET', '/api/v1/session/userinfo');
        return true;
      },
      close: async () => {},
    };
  },
};
