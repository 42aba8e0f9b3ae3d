// Argo CD on the sandbox world's cluster: as a real Argo CD keeps its Applications as argoproj.io Application objects
// in the cluster it runs in, the fake stores them in the Kubernetes fake (namespace argocd) and reads them back before
// every request, so an Application applied with kubectl (or the kubernetes tools) is one Argo CD serves, and one Argo
// CD creates is one the kubernetes tools list. A sync to that cluster (`in-cluster`) creates the destination namespace
// (CreateNamespace=true) and applies the application's resources there.

import type { KubeObject, KubernetesFake } from '../kubernetes/index.ts';
import { findTypeByKind } from '../kubernetes/resources.ts';
import type { FakeOperation } from '../server.ts';
import { newApplication } from './handlers.ts';
import { applicationObject, projectObject } from './render.ts';
import { IN_CLUSTER } from './sample-data.ts';
import type { ApplicationSpec, ArgoCdState } from './state.ts';

const APPLICATION = ['argoproj.io/v1alpha1', 'Application'] as const;
const NAMESPACE = 'argocd';
const applicationType = findTypeByKind(...APPLICATION)!;

/** Keeps the state's Applications and the cluster's Application objects one set; see the top of this file. */
export function onCluster(
  state: ArgoCdState,
  kube: KubernetesFake,
  operations: Record<string, FakeOperation>,
): Record<string, FakeOperation> {
  /** What the fake last wrote per application: the object's resourceVersion and its rendering. */
  const written = new Map<string, { resourceVersion: string; rendered: string }>();

  const push = () => {
    for (const app of state.applications.values()) {
      const object = applicationObject(app);
      const rendered = JSON.stringify(object);
      if (written.get(app.name)?.rendered === rendered) continue;
      kube.seed([object]);
      const resourceVersion = kube.get(...APPLICATION, app.name, NAMESPACE)?.metadata.resourceVersion ?? '';
      written.set(app.name, { resourceVersion, rendered });
    }
    for (const name of [...written.keys()]) {
      if (state.applications.has(name)) continue;
      written.delete(name);
      kube.state.remove(applicationType, NAMESPACE, name);
    }
  };

  const pull = () => {
    const objects = new Map(kube.list(...APPLICATION, NAMESPACE).map((o) => [o.metadata.name, o]));
    for (const [name, object] of objects) {
      const seen = written.get(name);
      if (seen && seen.resourceVersion === object.metadata.resourceVersion) continue;
      const spec = (object.spec ?? {}) as ApplicationSpec;
      const meta = object.metadata as unknown as Record<string, unknown>;
      const app = state.applications.get(name);
      if (!app) {
        state.applications.set(
          name,
          newApplication(state, name, { ...spec, project: spec.project || 'default' }, meta),
        );
      } else if (JSON.stringify(app.spec) !== JSON.stringify(spec)) {
        app.spec = spec;
        app.generation += 1;
        app.syncStatus = 'OutOfSync';
        app.labels = object.metadata.labels ?? {};
        app.annotations = object.metadata.annotations ?? {};
        app.resourceVersion = state.nextResourceVersion();
      }
      written.delete(name);
    }
    // Deleted from the cluster (kubectl delete application): gone from Argo CD too.
    for (const name of [...state.applications.keys()]) {
      if (!objects.has(name) && written.has(name)) {
        state.applications.delete(name);
        written.delete(name);
      }
    }
  };

  state.onSynced = (app) => {
    const destination = app.spec.destination ?? {};
    if (destination.server !== IN_CLUSTER.server && destination.name !== IN_CLUSTER.name) return;
    const namespace = destination.namespace;
    const objects: KubeObject[] = [];
    if (
      namespace &&
      app.spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true') &&
      !kube.get('v1', 'Namespace', namespace)
    ) {
      objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    }
    for (const resource of app.resources) {
      if (resource.live) objects.push(structuredClone(resource.live) as unknown as KubeObject);
    }
    kube.seed(objects);
  };

  kube.seed([...state.projects.values()].map(projectObject));
  pull();
  push();

  return Object.fromEntries(
    Object.entries(operations).map(([operationId, operation]) => [
      operationId,
      {
        ...operation,
        handle: async (context) => {
          pull();
          try {
            return await operation.handle(context);
          } finally {
            push();
          }
        },
      },
    ]),
  );
}
