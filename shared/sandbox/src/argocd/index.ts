// The Argo CD fake: the API server's REST API for what idp-mcp calls, checked against Argo CD's own swagger.json
// (converted to OpenAPI 3), with a simulated application controller.
import type { KubernetesFake } from '../kubernetes/index.ts';
import { type OpenApiFake, startOpenApiFake } from '../server.ts';
import { loadSpec, type OpenApiDocument } from '../spec.ts';
import { onCluster } from './cluster.ts';
import { argocdOperations, authenticate, errorBody } from './handlers.ts';
import { createSampleArgoCdState } from './sample-data.ts';
import { type ArgoCdState, createEmptyArgoCdState } from './state.ts';

export { matchesSelector } from './handlers.ts';
export { applicationObject, projectObject, renderApplication, renderProject } from './render.ts';
export {
  CLUSTERS,
  COMMITS,
  createSampleArgoCdState,
  GITOPS_REPO,
  IN_CLUSTER,
  SAMPLE_TOKENS,
  SANDBOX_TOKEN,
} from './sample-data.ts';
export * from './state.ts';

export interface ArgoCdFakeOptions {
  /** The world to serve; default: the sample data. */
  state?: ArgoCdState;
  /** Check traffic against Argo CD's swagger (default true; the sandbox turns it off to start fast). */
  validate?: boolean;
  port?: number;
  /**
   * The cluster Argo CD runs in (in-cluster): its Applications are stored there as Application objects, and syncs to
   * it create their namespace and resources there. The sandbox world passes its one Kubernetes fake.
   */
  cluster?: KubernetesFake;
}

export interface ArgoCdFake extends OpenApiFake {
  readonly state: ArgoCdState;
  /** A token with role:admin in the sample data. */
  readonly token: string;
}

/** Argo CD's swagger.json, trimmed to the implemented operations (cached per process). */
export function argocdSpec(): Promise<OpenApiDocument> {
  const operationIds = Object.keys(argocdOperations(createEmptyArgoCdState()));
  return loadSpec({ file: 'argocd/argocd-swagger.json' }, { operationIds, cleanUp: cleanUpArgoCdSpec });
}

/**
 * Mechanical clean-ups of Argo CD's swagger, in one place; none changes what the spec allows:
 * - grpc-gateway names path parameters after message fields, e.g. `{application.metadata.name}`. The fake's router
 *   takes `{word}` parameters only, so dotted names become underscores (`{application_metadata_name}`), in the path
 *   template and in the parameter list alike.
 * - `v1MicroTime` (an Event's eventTime) is described as the protobuf message `{ seconds, nanos }`, but the API
 *   server marshals Kubernetes objects with Kubernetes' JSON rules: a MicroTime is an RFC 3339 string with
 *   microseconds, or null when unset (as it is for every event made by the core/v1 event recorder).
 */
export function cleanUpArgoCdSpec(doc: OpenApiDocument): void {
  const schemas = doc.components?.schemas as Record<string, unknown> | undefined;
  if (schemas?.v1MicroTime) schemas.v1MicroTime = { type: ['string', 'null'], format: 'date-time' };
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!/\{[\w]+\.[\w.]+\}/.test(path)) continue;
    const renamed = path.replace(/\{([\w.]+)\}/g, (_, name: string) => `{${name.replaceAll('.', '_')}}`);
    const rename = (parameters: unknown) => {
      for (const parameter of (parameters as Array<{ in?: string; name?: string }> | undefined) ?? []) {
        if (parameter.in === 'path' && parameter.name) parameter.name = parameter.name.replaceAll('.', '_');
      }
    };
    rename(item.parameters);
    for (const operation of Object.values(item)) rename((operation as { parameters?: unknown }).parameters);
    delete doc.paths[path];
    doc.paths[renamed] = item;
  }
}

export async function startArgoCdFake(options: ArgoCdFakeOptions = {}): Promise<ArgoCdFake> {
  const state = options.state ?? createSampleArgoCdState();
  const validate = options.validate ?? true;
  const fake = await startOpenApiFake({
    name: 'argocd',
    spec: validate ? argocdSpec() : undefined,
    operations: options.cluster
      ? onCluster(state, options.cluster, argocdOperations(state, { checkCrd: validate }))
      : argocdOperations(state, { checkCrd: validate }),
    validate,
    authenticate: (request) => authenticate(state, request),
    errorBody,
    errorSchemaRef: '#/components/schemas/runtimeError',
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const token = [...state.tokens].find(([, user]) => user.role === 'admin')?.[0] ?? '';
  return { ...fake, state, token };
}
