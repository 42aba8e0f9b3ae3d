// The resource types the fake serves: built-in kinds (validated against the Kubernetes OpenAPI document) and the
// CRDs vendored in shared/vendor/specs (validated against their openAPIV3Schema). Discovery documents are derived from this table.
import { parseAllDocuments } from 'yaml';
import { readSpecText } from '../spec.ts';

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** Subresources served besides the object itself. */
  subresources: Array<'status' | 'scale' | 'log'>;
  /** The CRD's openAPIV3Schema; undefined for built-in kinds (validated from the OpenAPI document). */
  crdSchema?: Record<string, unknown>;
  /** 'Cluster' categories kubectl uses for `kubectl get all`. */
  categories: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type Builtin = [group: string, version: string, kind: string, plural: string, namespaced: boolean, shortNames: string];

const BUILTINS: Builtin[] = [
  ['', 'v1', 'Namespace', 'namespaces', false, 'ns'],
  ['', 'v1', 'Pod', 'pods', true, 'po'],
  ['', 'v1', 'Service', 'services', true, 'svc'],
  ['', 'v1', 'ConfigMap', 'configmaps', true, 'cm'],
  ['', 'v1', 'Secret', 'secrets', true, ''],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true, 'sa'],
  ['', 'v1', 'Event', 'events', true, 'ev'],
  ['', 'v1', 'ResourceQuota', 'resourcequotas', true, 'quota'],
  ['', 'v1', 'LimitRange', 'limitranges', true, 'limits'],
  ['', 'v1', 'Node', 'nodes', false, 'no'],
  ['apps', 'v1', 'Deployment', 'deployments', true, 'deploy'],
  ['apps', 'v1', 'StatefulSet', 'statefulsets', true, 'sts'],
  ['apps', 'v1', 'DaemonSet', 'daemonsets', true, 'ds'],
  ['apps', 'v1', 'ReplicaSet', 'replicasets', true, 'rs'],
  ['batch', 'v1', 'Job', 'jobs', true, ''],
  ['batch', 'v1', 'CronJob', 'cronjobs', true, 'cj'],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, 'netpol'],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, 'ing'],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true, ''],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true, ''],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false, ''],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false, ''],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, 'pdb'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, 'hpa'],
  [
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    false,
    '',
  ],
];

const SUBRESOURCES: Record<string, ResourceType['subresources']> = {
  Pod: ['status', 'log'],
  Namespace: ['status'],
  Service: ['status'],
  ResourceQuota: ['status'],
  Deployment: ['status', 'scale'],
  StatefulSet: ['status', 'scale'],
  ReplicaSet: ['status', 'scale'],
  DaemonSet: ['status'],
  Job: ['status'],
  CronJob: ['status'],
  Ingress: ['status'],
  PodDisruptionBudget: ['status'],
  HorizontalPodAutoscaler: ['status'],
};

const ALL_CATEGORY = new Set([
  'Pod',
  'Service',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
]);

/** CRD files below shared/vendor/specs that the fake serves. */
export const CRD_FILES = [
  'argocd/application-crd.yaml',
  'argocd/applicationset-crd.yaml',
  'argocd/appproject-crd.yaml',
  'flux/gitrepositories-crd.yaml',
  'flux/helmrepositories-crd.yaml',
  'flux/ocirepositories-crd.yaml',
  'flux/kustomizations-crd.yaml',
  'flux/helmreleases-crd.yaml',
  'strimzi/kafkatopic-crd.yaml',
];

interface CrdDocument {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema?: Record<string, unknown> };
      subresources?: { status?: unknown; scale?: unknown };
    }>;
  };
}

let cached: ResourceType[] | undefined;

/** Every resource type, built-ins first; CRD files are read once per process. */
export function resourceTypes(): ResourceType[] {
  if (cached) return cached;
  const types: ResourceType[] = BUILTINS.map(([group, version, kind, plural, namespaced, shortNames]) => ({
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: shortNames ? [shortNames] : [],
    subresources: SUBRESOURCES[kind] ?? [],
    categories: ALL_CATEGORY.has(kind) ? ['all'] : [],
  }));
  for (const file of CRD_FILES) {
    const text = readSpecText(file);
    for (const document of parseAllDocuments(text)) {
      const crd = document.toJS() as CrdDocument;
      const { group, scope, names } = crd.spec;
      for (const version of crd.spec.versions.filter((v) => v.served)) {
        types.push({
          group,
          version: version.name,
          kind: names.kind,
          plural: names.plural,
          singular: names.singular ?? names.kind.toLowerCase(),
          namespaced: scope === 'Namespaced',
          shortNames: names.shortNames ?? [],
          subresources: [
            ...(version.subresources?.status ? (['status'] as const) : []),
            ...(version.subresources?.scale ? (['scale'] as const) : []),
          ],
          categories: names.categories ?? [],
          crdSchema: version.schema?.openAPIV3Schema ?? {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
          },
        });
      }
    }
  }
  cached = types;
  return types;
}

export function groupVersion(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps` / `pods`: how the API server names a resource in messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export function findType(group: string, version: string, plural: string): ResourceType | undefined {
  return resourceTypes().find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function findTypeByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return resourceTypes().find((t) => groupVersion(t) === apiVersion && t.kind === kind);
}

/** APIResourceList for /api/v1 or /apis/<group>/<version>. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const types = resourceTypes().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const type of types) {
    resources.push({
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: VERBS,
      ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
      ...(type.categories.length ? { categories: type.categories } : {}),
      storageVersionHash: Buffer.from(`${type.group}/${type.version}/${type.kind}`).toString('base64').slice(0, 11),
    });
    for (const sub of type.subresources) {
      const kind = sub === 'scale' ? 'Scale' : sub === 'log' ? 'Pod' : type.kind;
      const verbs = sub === 'log' ? ['get'] : ['get', 'patch', 'update'];
      resources.push({
        name: `${type.plural}/${sub}`,
        singularName: '',
        namespaced: type.namespaced,
        ...(sub === 'scale' && !type.crdSchema ? { group: 'autoscaling', version: 'v1' } : {}),
        kind,
        verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

/** APIGroupList for /apis: every named group with its served versions (the first is preferred). */
export function apiGroupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups().keys()].map(apiGroup) };
}

export function apiGroup(name: string): Record<string, unknown> {
  const versions = groups().get(name) ?? [];
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: entries, preferredVersion: entries[0] };
}

function groups(): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const type of resourceTypes()) {
    if (!type.group) continue;
    const versions = byGroup.get(type.group) ?? [];
    if (!versions.includes(type.version)) versions.push(type.version);
    byGroup.set(type.group, versions.sort(byVersionPriority));
  }
  return byGroup;
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first (v1 > v1beta2 > v1beta1). */
export function byVersionPriority(a: string, b: string): number {
  const rank = (v: string) => {
    const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!match) return [0, 0, 0];
    const stage = match[2] === undefined ? 3 : match[2] === 'beta' ? 2 : 1;
    return [stage, Number(match[1]), Number(match[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (y[i] ?? 0) - (x[i] ?? 0);
  return 0;
}
