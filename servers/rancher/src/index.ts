import type { ServerModule } from '@idp-mcp/core';
import { createRancherClient, mapRancherError, type Rancher } from './rancher.ts';
import { clusterTools } from './tools/clusters.ts';
import { nodeTools } from './tools/nodes.ts';
import { projectTools } from './tools/projects.ts';

export { createRancherClient, mapRancherError, type Rancher, RancherApiError } from './rancher.ts';

/** Every Rancher tool, bound to one client. */
export function rancherTools(rancher: Rancher) {
  return [...clusterTools(rancher), ...nodeTools(rancher), ...projectTools(rancher)];
}

export const rancherModule: ServerModule = {
  name: 'rancher',
  title: 'Rancher',
  description:
    'Downstream Kubernetes clusters in Rancher: status, nodes, node pools (scale), cordon and drain, events, projects.',
  toolsets: {
    clusters: 'list clusters, their status and events',
    nodes: 'nodes and node pools; scale pools, cordon and drain nodes',
    projects: "a cluster's Rancher projects, their namespaces and quotas",
  },
  env: {
    RANCHER_URL: {
      description: 'Rancher server URL, e.g. https://rancher.acme.example',
      required: true,
      format: 'url',
    },
    RANCHER_TOKEN: { description: 'A Rancher API key (token-xxxxx:secret)', secret: true, required: true },
    RANCHER_TIMEOUT_MS: {
      description: 'Timeout of one Rancher request in milliseconds',
      default: '15000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log }) {
    let url = env.RANCHER_URL!;
    let token = env.RANCHER_TOKEN!;
    let stopFake = async () => {};
    if (sandbox) {
      const { startRancherFake, SANDBOX_TOKEN } = await import('@idp-mcp/sandbox/rancher');
      const fake = await startRancherFake({ validate: false });
      url = fake.url;
      token = SANDBOX_TOKEN;
      stopFake = () => fake.close();
    }
    const rancher = createRancherClient({ url, token, timeoutMs: Number(env.RANCHER_TIMEOUT_MS), log });
    return {
      tools: rancherTools(rancher),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url },
      mapError: mapRancherError,
      ready: async () => {
        await rancher.request('GET', '/v3/clusters', { query: { limit: 1 } });
        return true;
      },
      close: stopFake,
    };
  },
};
