export {
  type ContextClients,
  Kube,
  type KubeOptions,
  type KubernetesObject,
  mapKubeError,
  type ResolvedKind,
} from './client.ts';
export {
  type KubeEvent,
  type KubeEventSummary,
  kubeEventSchema,
  recentEvents,
  recentKubeEvents,
  summarizeKubeEvent,
} from './events.ts';
export {
  clean,
  conditions,
  HIDDEN,
  manifestsForAudit,
  maskSensitive,
  type Obj,
  parseManifests,
  plain,
  podStatus,
  readyCondition,
  ref,
  type Summary,
  sameContent,
  summarize,
} from './objects.ts';
export { KUBE_ENV, kubeIsConfigured, startKube } from './start.ts';
