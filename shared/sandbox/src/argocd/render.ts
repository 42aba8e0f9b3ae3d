// Argo CD's objects in its own JSON shapes (argoproj.io/v1alpha1), as its API server answers them and as they are
// stored in the cluster: no heavy imports, so the Kubernetes fake's sample cluster can hold the same Applications.
import type { KubeObject } from '../kubernetes/state.ts';
import type { ApplicationSource, ApplicationSpec, FakeApplication, FakeProject, Json } from './state.ts';

export function sourceOf(spec: ApplicationSpec): ApplicationSource {
  return spec.source ?? spec.sources?.[0] ?? {};
}

export function renderApplication(app: FakeApplication): Json {
  const source = sourceOf(app.spec);
  const images = [...new Set(app.resources.flatMap((r) => r.images ?? []))];
  const status: Json = {
    sync: {
      status: app.syncStatus,
      revision: app.syncRevision,
      comparedTo: { source, destination: app.spec.destination ?? {} },
    },
    health: app.health,
    history: app.history,
    reconciledAt: app.reconciledAt,
    observedAt: app.reconciledAt,
    sourceType: source.chart ? 'Helm' : source.kustomize ? 'Kustomize' : 'Directory',
    summary: images.length > 0 ? { images } : {},
    resources: app.resources.map((r) => ({
      group: r.group,
      version: r.version,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      status: r.status,
      ...(r.health ? { health: r.health } : {}),
      ...(r.requiresPruning ? { requiresPruning: true } : {}),
    })),
    controllerNamespace: 'argocd',
  };
  if (app.conditions.length > 0) status.conditions = app.conditions;
  if (app.operationState) status.operationState = app.operationState;
  return {
    metadata: {
      name: app.name,
      namespace: app.namespace,
      uid: app.uid,
      resourceVersion: String(app.resourceVersion),
      generation: app.generation,
      creationTimestamp: app.createdAt,
      ...(Object.keys(app.labels).length > 0 ? { labels: app.labels } : {}),
      ...(Object.keys(app.annotations).length > 0 ? { annotations: app.annotations } : {}),
    },
    spec: app.spec,
    status,
    ...(app.operation ? { operation: app.operation } : {}),
  };
}

export function renderProject(project: FakeProject): Json {
  return {
    metadata: {
      name: project.name,
      namespace: 'argocd',
      uid: project.uid,
      resourceVersion: String(project.resourceVersion),
      creationTimestamp: project.createdAt,
    },
    spec: {
      description: project.description,
      sourceRepos: project.sourceRepos,
      destinations: project.destinations,
      ...(project.roles.length > 0 ? { roles: project.roles } : {}),
    },
    status: {},
  };
}

/** An Application as stored in the cluster. */
export function applicationObject(app: FakeApplication): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...renderApplication(app) } as KubeObject;
}

/** An AppProject as stored in the cluster. */
export function projectObject(project: FakeProject): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', ...renderProject(project) } as KubeObject;
}
