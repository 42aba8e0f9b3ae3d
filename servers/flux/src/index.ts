import type { ServerModule } from '@idp-mcp/core';
import { KUBE_ENV, kubeIsConfigured, mapKubeError, startKube } from '@idp-mcp/kube';
import { Flux } from './flux.ts';
import { operationTools } from './tools/operations.ts';
import { statusTools } from './tools/status.ts';

export { FLUX_KINDS, Flux, type FluxKind, REQUESTED_AT } from './flux.ts';
export { summarize } from './tools/status.ts';

/** Every Flux tool, bound to one set of clusters. */
export function fluxTools(flux: Flux) {
  return [...statusTools(flux), ...operationTools(flux)];
}

export const fluxModule: ServerModule = {
  name: 'flux',
  isConfigured: kubeIsConfigured,
  title: 'Flux',
  description:
    'Flux Kustomizations, HelmReleases and sources: ready status, conditions, artifacts; reconcile, suspend, resume.',
  toolsets: {
    status: 'Kustomizations, HelmReleases and sources with ready status, conditions, artifacts and events',
    operations: 'reconcile (with source), suspend and resume',
  },
  env: KUBE_ENV,
  async start({ env, sandbox, log, world }) {
    const kube = await startKube(env, sandbox, log, world);
    return {
      tools: fluxTools(new Flux(kube)),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: kube.context().server },
      mapError: mapKubeError,
      ready: async () => {
        await kube.call(AbortSignal.timeout(5000), undefined, (c) => c.core.getAPIResources());
        return true;
      },
      close: async () => {},
    };
  },
};
