import type { EnvVarSpec, Logger, SandboxWorld } from '@idp-mcp/core';
import { Kube } from './client.ts';

/** The cluster settings every server on the Kubernetes API reads (kubernetes, flux, kafka's Strimzi mode). */
export const KUBE_ENV: Record<string, EnvVarSpec> = {
  KUBECONFIG: {
    description: 'kubeconfig file(s), separated by ":"; ~/.kube/config or the in-cluster service account when unset',
  },
  K8S_CONTEXT: { description: 'Default kubeconfig context; the kubeconfig current-context when unset' },
  K8S_IN_CLUSTER: { description: 'true to use the pod service account instead of a kubeconfig', default: 'false' },
  K8S_TIMEOUT_MS: {
    description: 'Timeout of one Kubernetes API call in milliseconds',
    default: '15000',
    format: 'integer',
  },
};

/**
 * Only an explicit KUBECONFIG or in-cluster setting counts as configured: the platform's sandbox must not
 * quietly go live against whatever ~/.kube/config on a laptop points at.
 */
export function kubeIsConfigured(env: Record<string, string | undefined>): boolean {
  return Boolean(env.KUBECONFIG?.trim()) || env.K8S_IN_CLUSTER === 'true';
}

/**
 * Connects to the configured clusters, or in sandbox mode to the sandbox world's one Kubernetes fake (the sample
 * cluster every server started together shares; the world closes it).
 */
export async function startKube(
  env: Record<string, string | undefined>,
  sandbox: boolean,
  log: Logger,
  world: SandboxWorld,
): Promise<Kube> {
  let kubeconfigText: string | undefined;
  if (sandbox) {
    const { sharedKubernetesFake } = await import('@idp-mcp/sandbox/kubernetes');
    kubeconfigText = (await sharedKubernetesFake(world)).kubeconfig;
  }
  return new Kube({
    kubeconfig: sandbox ? undefined : env.KUBECONFIG,
    kubeconfigText,
    inCluster: !sandbox && env.K8S_IN_CLUSTER === 'true',
    context: sandbox ? undefined : env.K8S_CONTEXT,
    timeoutMs: Number(env.K8S_TIMEOUT_MS ?? 15_000),
    log,
  });
}
