import type { ServerModule } from '@idp-mcp/core';
import { KUBE_ENV, type Kube, kubeIsConfigured, mapKubeError, startKube } from '@idp-mcp/kube';
import { type ApplySettings, applyTools } from './tools/apply.ts';
import { resourceTools } from './tools/resources.ts';
import { teamTools } from './tools/teams.ts';
import { workloadTools } from './tools/workloads.ts';

/** Every Kubernetes tool, bound to one set of clusters. */
export function kubernetesTools(kube: Kube, settings: ApplySettings) {
  return [...resourceTools(kube), ...workloadTools(kube), ...applyTools(kube, settings), ...teamTools(kube, settings)];
}

export const kubernetesModule: ServerModule = {
  name: 'kubernetes',
  isConfigured: kubeIsConfigured,
  title: 'Kubernetes',
  description:
    'Resources, logs, events and rollouts of any kind; policy-gated server-side apply; team onboarding (client-node).',
  toolsets: {
    resources: 'contexts, API resources, list/get/describe objects of any kind, events',
    workloads: 'pod logs, rollout status, rollout restart, scale',
    apply: 'policy-gated server-side apply of manifests (dry run first), delete',
    teams: 'team namespace onboarding: quota, limits, network policies, RoleBindings (plan, then apply)',
  },
  env: {
    ...KUBE_ENV,
    K8S_DENY_KINDS: {
      description: 'Kinds the write tools refuse to apply or delete, comma-separated; none to allow every kind',
      default: 'Secret',
      format: 'list',
    },
  },
  async start({ env, sandbox, log, gate, world }) {
    const kube = await startKube(env, sandbox, log, world);
    const denyKinds = (env.K8S_DENY_KINDS ?? '')
      .split(',')
      .map((k) => k.trim().toLowerCase())
      // An empty value means the default to the env loader, so "none" is how an operator allows every kind.
      .filter((k) => k !== '' && k !== 'none');
    const current = kube.context();
    return {
      tools: kubernetesTools(kube, { denyKinds, gate }),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: current.server },
      mapError: mapKubeError,
      ready: async () => {
        await kube.call(AbortSignal.timeout(5000), undefined, (c) => c.core.getAPIResources());
        return true;
      },
      close: async () => {},
    };
  },
};
