// Argo CD's API server for what idp-mcp calls, by operationId of Argo CD's own swagger.json. The application
// controller is simulated: a requested sync or rollback runs when the application is next read, like a reconcile.
import {
  FakeHttpError,
  type FakeOperation,
  type FakeRequest,
  type FakeResponse,
  type HandlerContext,
} from '../server.ts';
import { applicationCrdProblems } from './crd.ts';
import { renderApplication, renderProject, sourceOf } from './render.ts';
import type {
  ApplicationSource,
  ApplicationSpec,
  ArgoCdState,
  FakeApplication,
  FakeEvent,
  FakeUser,
  Json,
  LiveResource,
  SyncOperationResource,
} from './state.ts';

/** gRPC status codes Argo CD puts in `code`, and the HTTP status grpc-gateway maps each to. */
const GRPC = {
  invalidArgument: { code: 3, status: 400 },
  notFound: { code: 5, status: 404 },
  alreadyExists: { code: 6, status: 409 },
  permissionDenied: { code: 7, status: 403 },
  failedPrecondition: { code: 9, status: 400 },
  internal: { code: 13, status: 500 },
  unavailable: { code: 14, status: 503 },
  unauthenticated: { code: 16, status: 401 },
} as const;

/** Argo CD's error body (runtimeError): `{ error, code, message }` with the same text in error and message. */
export function errorBody(status: number, message?: string): Json {
  const byStatus: Record<number, { code: number; text: string }> = {
    400: { code: 3, text: 'invalid request' },
    401: { code: 16, text: 'no session information' },
    403: { code: 7, text: 'permission denied' },
    404: { code: 5, text: 'not found' },
    409: { code: 6, text: 'already exists' },
    429: { code: 8, text: 'too many requests' },
    500: { code: 13, text: 'internal error' },
    502: { code: 14, text: 'upstream connect error' },
    503: { code: 14, text: 'the server is currently unable to handle the request' },
    504: { code: 4, text: 'context deadline exceeded' },
  };
  const known = byStatus[status] ?? { code: 2, text: 'unknown error' };
  const text = message ?? known.text;
  return { error: text, code: known.code, message: text };
}

function grpcError(kind: keyof typeof GRPC, message: string): FakeHttpError {
  const { code, status } = GRPC[kind];
  return new FakeHttpError(status, { error: message, code, message });
}

function ok(body: unknown): FakeResponse {
  return { status: 200, body };
}

/** The user a bearer token (or the argocd.token cookie) belongs to. */
export function userOf(state: ArgoCdState, request: FakeRequest): FakeUser | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = /(?:^|;\s*)argocd\.token=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  const token = bearer ?? cookie;
  return token ? state.tokens.get(token) : undefined;
}

export function authenticate(state: ArgoCdState, request: FakeRequest): FakeResponse | undefined {
  if (userOf(state, request)) return undefined;
  const message = request.headers.authorization ? 'invalid session: token is malformed' : 'no session information';
  return { status: 401, body: { error: message, code: 16, message } };
}

/** Argo CD's RBAC: `role:readonly` may get; anything else needs `role:admin` here. */
function authorize(state: ArgoCdState, context: HandlerContext, resource: string, action: string, object: string) {
  const user = userOf(state, context.request);
  if (!user) throw grpcError('unauthenticated', 'no session information');
  if (user.role === 'admin' || action === 'get') return user;
  throw grpcError(
    'permissionDenied',
    `permission denied: ${resource}, ${action}, ${object}, sub: ${user.username}, iat: 2025-03-01T08:00:00Z`,
  );
}

function query(context: HandlerContext, name: string): string | undefined {
  const value = context.request.query[name];
  return Array.isArray(value) ? value.at(-1) : value;
}

function queryList(context: HandlerContext, name: string): string[] {
  const value = context.request.query[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).filter(Boolean);
}

/** Matches Kubernetes label selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`. */
export function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  const terms = selector.match(/[^,()]+(?:\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const term = raw.trim();
    if (term === '') return true;
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      const has = labels[set[1]!] !== undefined && values.includes(labels[set[1]!]!);
      return set[2] === 'in' ? has : !has;
    }
    const neq = /^([^!=]+)!=(.*)$/.exec(term);
    if (neq) return labels[neq[1]!.trim()] !== neq[2]!.trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(term);
    if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
    if (term.startsWith('!')) return labels[term.slice(1)] === undefined;
    return labels[term] !== undefined;
  });
}

function matchesGlob(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${source}$`).test(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering in Argo CD's JSON shapes.

function resourceRef(resource: Pick<LiveResource, 'group' | 'version' | 'kind' | 'namespace' | 'name' | 'uid'>): Json {
  return {
    group: resource.group,
    version: resource.version,
    kind: resource.kind,
    namespace: resource.namespace,
    name: resource.name,
    uid: resource.uid,
  };
}

function renderTree(app: FakeApplication, createdAt: string): Json {
  const nodes: Json[] = [];
  for (const resource of app.resources) {
    if (resource.live === null) continue;
    nodes.push({
      ...resourceRef(resource),
      resourceVersion: String(app.resourceVersion),
      createdAt,
      ...(resource.health ? { health: resource.health } : {}),
      ...(resource.images ? { images: resource.images } : {}),
    });
    for (const child of resource.children ?? []) {
      nodes.push({
        ...resourceRef(child),
        resourceVersion: String(app.resourceVersion),
        createdAt,
        parentRefs: [resourceRef(resource.children?.find((c) => c.uid === child.parent) ?? resource)],
        ...(child.health ? { health: child.health } : {}),
        ...(child.images ? { images: child.images } : {}),
      });
    }
  }
  return { nodes, hosts: [] };
}

/** argocd's ResourceDiff: states are JSON strings; `modified` when live differs from what Git wants. */
function renderDiff(resource: LiveResource): Json {
  const target = resource.target === null ? 'null' : JSON.stringify(resource.target);
  const live = resource.live === null ? 'null' : JSON.stringify(resource.live);
  return {
    group: resource.group,
    kind: resource.kind,
    namespace: resource.namespace,
    name: resource.name,
    targetState: target,
    liveState: live,
    normalizedLiveState: live,
    predictedLiveState: resource.target === null ? live : target,
    modified: resource.status === 'OutOfSync',
    hook: false,
    resourceVersion: '',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The controller: runs requested operations on the next read, like a reconcile loop.

function reconcile(state: ArgoCdState, app: FakeApplication): void {
  const operation = app.operation as { sync?: Json; initiatedBy?: Json } | undefined;
  if (!state.controllerRunning) return;
  if (!operation || !app.operationState || app.operationState.phase !== 'Running') return;
  const sync = (operation.sync ?? {}) as {
    revision?: string;
    prune?: boolean;
    dryRun?: boolean;
    resources?: SyncOperationResource[];
    source?: ApplicationSource;
  };
  const revision = sync.revision ?? app.syncRevision;
  const selected = (resource: LiveResource) =>
    !sync.resources ||
    sync.resources.some(
      (r) =>
        (r.kind ?? resource.kind) === resource.kind &&
        (r.name ?? resource.name) === resource.name &&
        (r.group ?? resource.group) === resource.group &&
        (!r.namespace || r.namespace === resource.namespace),
    );
  const results: Json[] = [];
  const kept: LiveResource[] = [];
  for (const resource of app.resources) {
    if (!selected(resource)) {
      kept.push(resource);
      continue;
    }
    if (resource.requiresPruning) {
      const pruned = sync.prune === true;
      results.push({
        ...resourceRef(resource),
        status: pruned ? 'Pruned' : 'PruneSkipped',
        message: pruned ? 'pruned' : 'ignored (requires pruning)',
        hookPhase: 'Succeeded',
        syncPhase: 'Sync',
      });
      if (!pruned || sync.dryRun) kept.push(resource);
      continue;
    }
    const changed = resource.status === 'OutOfSync';
    results.push({
      ...resourceRef(resource),
      status: 'Synced',
      message: changed
        ? `${resource.kind.toLowerCase()}.${resource.group || 'v1'}/${resource.name} configured`
        : `${resource.kind.toLowerCase()}/${resource.name} unchanged`,
      hookPhase: 'Running',
      syncPhase: 'Sync',
    });
    if (!sync.dryRun && changed) {
      resource.status = 'Synced';
      if (resource.target) resource.live = structuredClone(resource.target);
      if (resource.health && resource.health.status !== 'Healthy') resource.health = { status: 'Healthy' };
    }
    kept.push(resource);
  }
  const finishedAt = state.now();
  recordEvent(state, app, {
    type: 'Normal',
    reason: 'OperationCompleted',
    message: sync.dryRun
      ? `Sync operation to ${revision} (dry run) succeeded`
      : `Sync operation to ${revision} succeeded`,
  });
  app.operationState = {
    ...app.operationState,
    phase: 'Succeeded',
    message: sync.dryRun ? 'successfully synced (dry run)' : 'successfully synced (all tasks run)',
    finishedAt,
    syncResult: { resources: results, revision, source: sync.source ?? sourceOf(app.spec) },
  };
  delete app.operation;
  if (sync.dryRun) return;
  app.resources = kept;
  app.syncRevision = revision;
  app.syncStatus = app.resources.every((r) => r.status === 'Synced') ? 'Synced' : 'OutOfSync';
  const unhealthy = app.resources.find((r) => r.health && r.health.status !== 'Healthy');
  app.health = unhealthy?.health ? { status: unhealthy.health.status } : { status: 'Healthy' };
  const id = Math.max(0, ...app.history.map((h) => h.id)) + 1;
  app.history.push({
    id,
    revision,
    deployStartedAt: app.operationState.startedAt,
    deployedAt: finishedAt,
    source: sync.source ?? sourceOf(app.spec),
    initiatedBy: (operation.initiatedBy ?? {}) as { username?: string },
  });
  const limit = (app.spec.revisionHistoryLimit as number | undefined) ?? 10;
  while (app.history.length > limit) app.history.shift();
  app.resourceVersion = state.nextResourceVersion();
  app.reconciledAt = finishedAt;
  state.onSynced?.(app);
}

/** An event about the Application, as the application controller and API server record them. */
function recordEvent(
  state: ArgoCdState,
  app: FakeApplication,
  event: { type: 'Normal' | 'Warning'; reason: string; message: string },
) {
  const now = state.now();
  app.events ??= [];
  app.events.push({
    name: `${app.name}.${(Date.parse(now) / 1000).toString(16)}${app.events.length}`,
    ...event,
    involvedObject: {
      kind: 'Application',
      name: app.name,
      namespace: app.namespace,
      apiVersion: 'argoproj.io/v1alpha1',
      uid: app.uid,
    },
    count: 1,
    firstTimestamp: now,
    lastTimestamp: now,
    component: 'argocd-application-controller',
  });
}

function renderEvent(event: FakeEvent, namespace: string): Json {
  return {
    metadata: { name: event.name, namespace, creationTimestamp: event.firstTimestamp },
    involvedObject: event.involvedObject,
    reason: event.reason,
    message: event.message,
    source: { component: event.component },
    firstTimestamp: event.firstTimestamp,
    lastTimestamp: event.lastTimestamp,
    count: event.count,
    type: event.type,
    // Kubernetes writes a null eventTime for events made by the core/v1 recorder (see cleanUpArgoCdSpec).
    eventTime: null,
    reportingComponent: '',
    reportingInstance: '',
  };
}

function findApp(state: ArgoCdState, name: string, context: HandlerContext): FakeApplication {
  const app = state.applications.get(name);
  const namespace = query(context, 'appNamespace');
  if (!app || (namespace && namespace !== app.namespace)) {
    throw grpcError('notFound', `applications.argoproj.io "${name}" not found`);
  }
  const project = query(context, 'project');
  if (project && project !== app.spec.project) {
    throw grpcError('notFound', `applications.argoproj.io "${name}" not found`);
  }
  reconcile(state, app);
  return app;
}

function startOperation(state: ArgoCdState, app: FakeApplication, user: FakeUser, sync: Json): void {
  if (app.operation || app.operationState?.phase === 'Running') {
    throw grpcError('failedPrecondition', 'another operation is already in progress');
  }
  const operation = { sync, initiatedBy: { username: user.username }, retry: {} };
  app.operation = operation;
  app.operationState = { operation, phase: 'Running', message: 'Sync operation to be started', startedAt: state.now() };
  app.resourceVersion = state.nextResourceVersion();
}

// ---------------------------------------------------------------------------------------------------------------
// Validation Argo CD's API server does on create and update.

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function validateApplication(
  state: ArgoCdState,
  body: Json,
  checkCrd: boolean,
): { name: string; spec: ApplicationSpec; meta: Json } {
  const meta = (body.metadata ?? {}) as Json;
  const name = meta.name;
  if (checkCrd) {
    const problems = applicationCrdProblems({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...body });
    if (problems.length > 0) {
      throw grpcError(
        'invalidArgument',
        `Application.argoproj.io "${String(name ?? '')}" is invalid: ${problems.join(', ')}`,
      );
    }
  }
  if (typeof name !== 'string' || name === '') {
    throw grpcError(
      'invalidArgument',
      'Application.argoproj.io "" is invalid: metadata.name: Required value: name is required',
    );
  }
  if (name.length > 253 || !NAME.test(name)) {
    throw grpcError(
      'invalidArgument',
      `Application.argoproj.io "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    );
  }
  const spec = (body.spec ?? {}) as ApplicationSpec;
  const projectName = spec.project || 'default';
  const project = state.projects.get(projectName);
  if (!project) {
    throw grpcError('invalidArgument', `application references project ${projectName} which does not exist`);
  }
  const sources = spec.sources ?? (spec.source ? [spec.source] : []);
  if (sources.length === 0)
    throw grpcError(
      'invalidArgument',
      `application spec for ${name} is invalid: InvalidSpecError: spec.source or spec.sources must be specified`,
    );
  for (const source of sources) {
    if (!source.repoURL) {
      throw grpcError(
        'invalidArgument',
        `application spec for ${name} is invalid: InvalidSpecError: spec.source.repoURL and either spec.source.path, spec.source.chart, or spec.source.ref are required`,
      );
    }
    if (!project.sourceRepos.some((pattern) => matchesGlob(pattern, source.repoURL!))) {
      throw grpcError(
        'invalidArgument',
        `application spec for ${name} is invalid: InvalidSpecError: application repo ${source.repoURL} is not permitted in project '${projectName}'`,
      );
    }
  }
  const destination = spec.destination ?? {};
  if (destination.server && destination.name) {
    throw grpcError(
      'invalidArgument',
      `application spec for ${name} is invalid: InvalidSpecError: application destination can't have both name and server defined: ${destination.name} ${destination.server}`,
    );
  }
  const cluster = state.clusterFor(destination);
  if (!cluster) {
    const which = destination.name ? `name '${destination.name}'` : `server '${destination.server ?? ''}'`;
    throw grpcError(
      'invalidArgument',
      `application spec for ${name} is invalid: InvalidSpecError: there are no clusters with this ${which}`,
    );
  }
  const permitted = project.destinations.some(
    (d) =>
      (d.server ? matchesGlob(d.server, cluster.server) : d.name ? matchesGlob(d.name, cluster.name) : false) &&
      matchesGlob(d.namespace ?? '*', destination.namespace ?? ''),
  );
  if (!permitted) {
    throw grpcError(
      'invalidArgument',
      `application spec for ${name} is invalid: InvalidSpecError: application destination server '${cluster.server}' and namespace '${destination.namespace ?? ''}' do not match any of the allowed destinations in project '${projectName}'`,
    );
  }
  for (const source of sources) {
    const revision = source.targetRevision || 'HEAD';
    if (!source.chart && !state.resolveRevision(revision)) {
      throw grpcError(
        'invalidArgument',
        `application spec for ${name} is invalid: InvalidSpecError: Unable to generate manifests in ${source.path ?? '.'}: rpc error: code = Unknown desc = unable to resolve '${revision}' to a commit SHA`,
      );
    }
  }
  return { name, spec: { ...spec, project: projectName }, meta };
}

/** A new Application as the API server stores it, before the controller's first sync. */
export function newApplication(state: ArgoCdState, name: string, spec: ApplicationSpec, meta: Json): FakeApplication {
  const now = state.now();
  return {
    name,
    namespace: 'argocd',
    uid: state.uid(),
    resourceVersion: state.nextResourceVersion(),
    generation: 1,
    createdAt: now,
    labels: (meta.labels as Record<string, string>) ?? {},
    annotations: (meta.annotations as Record<string, string>) ?? {},
    spec,
    syncStatus: 'OutOfSync',
    syncRevision: state.resolveRevision(sourceOf(spec).targetRevision || 'HEAD') ?? '',
    health: { status: 'Missing' },
    resources: newResources(state, name, spec),
    history: [],
    conditions: [],
    reconciledAt: now,
  };
}

/** What a newly created application's controller finds: the resources Git describes, not yet in the cluster. */
function newResources(state: ArgoCdState, application: string, spec: ApplicationSpec): LiveResource[] {
  const namespace = spec.destination?.namespace ?? 'default';
  // The golden path names an application <service>-<environment> and its workload <service>.
  const name = application.replace(/-(dev|staging|prod)$/, '');
  const labels = { 'app.kubernetes.io/name': name };
  const image = `registry.acme.example/${name}:latest`;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
  };
  return [
    {
      group: '',
      version: 'v1',
      kind: 'Service',
      namespace,
      name,
      uid: state.uid(),
      health: { status: 'Missing' },
      status: 'OutOfSync',
      target: service,
      live: null,
    },
    {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace,
      name,
      uid: state.uid(),
      health: { status: 'Missing' },
      status: 'OutOfSync',
      target: deployment,
      live: null,
      images: [image],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Operations.

export interface ArgoCdOperationOptions {
  /** Check Application bodies and answers against the Application CRD schema (tests: on; sandbox: off). */
  checkCrd: boolean;
}

export function argocdOperations(
  state: ArgoCdState,
  options: ArgoCdOperationOptions = { checkCrd: false },
): Record<string, FakeOperation> {
  /** An Application answer; with checkCrd, one the CRD would not admit is a fake bug (a handler violation). */
  const application = (app: FakeApplication): Json => {
    const rendered = renderApplication(app);
    if (options.checkCrd) {
      const problems = applicationCrdProblems({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...rendered });
      if (problems.length > 0)
        throw new Error(`fake bug: Application ${app.name} violates the CRD: ${problems.join(', ')}`);
    }
    return rendered;
  };
  return {
    VersionService_Version: {
      route: 'GET /api/version',
      handle: () =>
        ok({
          Version: 'v3.1.5+cfeed49',
          BuildDate: '2025-09-10T15:13:19Z',
          GitCommit: 'cfeed4910542c359f18537a6668d4671abd3813b',
          GitTreeState: 'clean',
          GoVersion: 'go1.24.6',
          Compiler: 'gc',
          Platform: 'linux/amd64',
        }),
    },
    SessionService_GetUserInfo: {
      route: 'GET /api/v1/session/userinfo',
      handle: (context) => {
        const user = userOf(state, context.request)!;
        return ok({ loggedIn: true, username: user.username, iss: 'argocd', groups: [] });
      },
    },
    ApplicationService_List: {
      route: 'GET /api/v1/applications',
      handle: (context) => {
        const projects = [...queryList(context, 'projects'), ...queryList(context, 'project')];
        const name = query(context, 'name');
        const selector = query(context, 'selector');
        const repo = query(context, 'repo');
        const namespace = query(context, 'appNamespace');
        const items = [...state.applications.values()]
          .filter((app) => projects.length === 0 || projects.includes(app.spec.project ?? 'default'))
          .filter((app) => !name || app.name === name)
          .filter((app) => !namespace || app.namespace === namespace)
          .filter((app) => !selector || matchesSelector(app.labels, selector))
          .filter((app) => !repo || (app.spec.sources ?? [sourceOf(app.spec)]).some((s) => s.repoURL === repo))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((app) => {
            reconcile(state, app);
            return application(app);
          });
        return ok({ metadata: { resourceVersion: String(state.nextResourceVersion()) }, items });
      },
    },
    ApplicationService_Get: {
      route: 'GET /api/v1/applications/{name}',
      handle: (context) => {
        const app = findApp(state, context.request.params.name!, context);
        const refresh = query(context, 'refresh');
        if (refresh !== undefined) {
          if (refresh !== 'normal' && refresh !== 'hard') {
            throw grpcError('invalidArgument', `unknown refresh type: ${refresh}`);
          }
          app.reconciledAt = state.now();
          app.resourceVersion = state.nextResourceVersion();
        }
        return ok(application(app));
      },
    },
    ApplicationService_Create: {
      route: 'POST /api/v1/applications',
      handle: (context) => {
        const body = (context.request.body ?? {}) as { metadata?: { name?: string }; spec?: { project?: string } };
        authorize(
          state,
          context,
          'applications',
          'create',
          `${body.spec?.project || 'default'}/${body.metadata?.name ?? ''}`,
        );
        const { name, spec, meta } = validateApplication(state, context.request.body as Json, options.checkCrd);
        const existing = state.applications.get(name);
        if (existing) {
          reconcile(state, existing);
          if (JSON.stringify(existing.spec) === JSON.stringify(spec)) return ok(application(existing));
          if (query(context, 'upsert') !== 'true') {
            throw grpcError(
              'invalidArgument',
              'existing application spec is different, use upsert flag to force update',
            );
          }
          existing.spec = spec;
          existing.labels = (meta.labels as Record<string, string>) ?? existing.labels;
          existing.generation += 1;
          existing.syncStatus = 'OutOfSync';
          existing.resourceVersion = state.nextResourceVersion();
          return ok(application(existing));
        }
        const app = newApplication(state, name, spec, meta);
        state.applications.set(name, app);
        return ok(application(app));
      },
    },
    ApplicationService_Update: {
      route: 'PUT /api/v1/applications/{application_metadata_name}',
      handle: (context) => {
        const pathName = context.request.params.application_metadata_name!;
        const body = context.request.body as Json;
        const app = findApp(state, pathName, context);
        const { name, spec, meta } = validateApplication(state, body, options.checkCrd);
        if (name !== pathName) {
          throw grpcError(
            'invalidArgument',
            `application name in path (${pathName}) does not match the body (${name})`,
          );
        }
        authorize(state, context, 'applications', 'update', `${spec.project}/${name}`);
        // Argo CD's API server re-reads and retries on a Kubernetes conflict, but a caller that sends a
        // resourceVersion asks for optimistic concurrency, and the Kubernetes API refuses a stale one.
        if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== String(app.resourceVersion)) {
          throw new FakeHttpError(409, {
            error: `Operation cannot be fulfilled on applications.argoproj.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
            code: 10,
            message: `Operation cannot be fulfilled on applications.argoproj.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          });
        }
        if (JSON.stringify(app.spec) !== JSON.stringify(spec)) {
          app.spec = spec;
          app.generation += 1;
          app.syncStatus = 'OutOfSync';
          for (const resource of app.resources) {
            if (resource.target && resource.kind === 'Deployment') resource.status = 'OutOfSync';
          }
        }
        if (meta.labels) app.labels = meta.labels as Record<string, string>;
        if (meta.annotations) app.annotations = meta.annotations as Record<string, string>;
        app.resourceVersion = state.nextResourceVersion();
        return ok(application(app));
      },
    },
    ApplicationService_Delete: {
      route: 'DELETE /api/v1/applications/{name}',
      handle: (context) => {
        const app = findApp(state, context.request.params.name!, context);
        authorize(state, context, 'applications', 'delete', `${app.spec.project}/${app.name}`);
        const policy = query(context, 'propagationPolicy');
        if (policy !== undefined && !['foreground', 'background'].includes(policy)) {
          throw grpcError('invalidArgument', `invalid propagation policy: ${policy}`);
        }
        state.applications.delete(app.name);
        return ok({});
      },
    },
    ApplicationService_Sync: {
      route: 'POST /api/v1/applications/{name}/sync',
      handle: (context) => {
        const app = findApp(state, context.request.params.name!, context);
        const user = authorize(state, context, 'applications', 'sync', `${app.spec.project}/${app.name}`);
        const body = (context.request.body ?? {}) as {
          revision?: string;
          prune?: boolean;
          dryRun?: boolean;
          resources?: SyncOperationResource[];
        };
        const requested = body.revision || sourceOf(app.spec).targetRevision || 'HEAD';
        const revision = state.resolveRevision(requested);
        if (!revision) {
          throw grpcError(
            'invalidArgument',
            `rpc error: code = Unknown desc = unable to resolve '${requested}' to a commit SHA`,
          );
        }
        if (body.resources?.length) {
          for (const wanted of body.resources) {
            const found = app.resources.some(
              (r) => r.kind === wanted.kind && r.name === wanted.name && r.group === (wanted.group ?? ''),
            );
            if (!found) {
              throw grpcError(
                'invalidArgument',
                `resource ${wanted.group ?? ''}:${wanted.kind}:${wanted.name} not found`,
              );
            }
          }
        }
        const sync: Json = { revision };
        if (body.prune) sync.prune = true;
        if (body.dryRun) sync.dryRun = true;
        if (body.resources?.length) sync.resources = body.resources;
        startOperation(state, app, user, sync);
        return ok(application(app));
      },
    },
    ApplicationService_Rollback: {
      route: 'POST /api/v1/applications/{name}/rollback',
      handle: (context) => {
        const app = findApp(state, context.request.params.name!, context);
        const user = authorize(state, context, 'applications', 'sync', `${app.spec.project}/${app.name}`);
        const body = (context.request.body ?? {}) as { id?: number | string; prune?: boolean; dryRun?: boolean };
        if (app.spec.syncPolicy?.automated && app.spec.syncPolicy.automated.enabled !== false) {
          throw grpcError('failedPrecondition', 'rollback cannot be initiated when auto-sync is enabled');
        }
        const id = Number(body.id);
        const entry = app.history.find((h) => h.id === id);
        if (!entry) {
          throw grpcError(
            'invalidArgument',
            `application ${app.name} does not have deployment with id ${body.id ?? 0}`,
          );
        }
        const sync: Json = { revision: entry.revision, source: entry.source };
        if (body.prune) sync.prune = true;
        if (body.dryRun) sync.dryRun = true;
        startOperation(state, app, user, sync);
        return ok(application(app));
      },
    },
    ApplicationService_TerminateOperation: {
      route: 'DELETE /api/v1/applications/{name}/operation',
      handle: (context) => {
        const app = state.applications.get(context.request.params.name!);
        if (!app) throw grpcError('notFound', `applications.argoproj.io "${context.request.params.name}" not found`);
        authorize(state, context, 'applications', 'sync', `${app.spec.project}/${app.name}`);
        if (app.operationState?.phase !== 'Running') {
          throw grpcError('invalidArgument', 'Unable to terminate operation. No operation is in progress');
        }
        app.operationState = {
          ...app.operationState,
          phase: 'Failed',
          message: 'Operation terminated',
          finishedAt: state.now(),
        };
        delete app.operation;
        app.resourceVersion = state.nextResourceVersion();
        return ok({ message: 'operation terminated' });
      },
    },
    ApplicationService_ResourceTree: {
      route: 'GET /api/v1/applications/{applicationName}/resource-tree',
      handle: (context) => {
        const app = findApp(state, context.request.params.applicationName!, context);
        return ok(renderTree(app, app.createdAt));
      },
    },
    ApplicationService_ManagedResources: {
      route: 'GET /api/v1/applications/{applicationName}/managed-resources',
      handle: (context) => {
        const app = findApp(state, context.request.params.applicationName!, context);
        const kind = query(context, 'kind');
        const name = query(context, 'name');
        const namespace = query(context, 'namespace');
        const items = app.resources
          .filter(
            (r) =>
              (!kind || r.kind === kind) && (!name || r.name === name) && (!namespace || r.namespace === namespace),
          )
          .map(renderDiff);
        return ok({ items });
      },
    },
    ApplicationService_ListResourceEvents: {
      route: 'GET /api/v1/applications/{name}/events',
      handle: (context) => {
        const app = findApp(state, context.request.params.name!, context);
        const name = query(context, 'resourceName');
        const namespace = query(context, 'resourceNamespace');
        const uid = query(context, 'resourceUID');
        const events = (app.events ?? []).filter((e) =>
          name || uid
            ? e.involvedObject.kind !== 'Application' &&
              (!uid || e.involvedObject.uid === uid) &&
              (!name || e.involvedObject.name === name) &&
              (!namespace || e.involvedObject.namespace === namespace)
            : e.involvedObject.kind === 'Application',
        );
        const eventsNamespace = name || uid ? (app.spec.destination?.namespace ?? 'default') : app.namespace;
        return ok({
          metadata: { resourceVersion: String(state.nextResourceVersion()) },
          items: events.map((e) => renderEvent(e, e.involvedObject.namespace || eventsNamespace)),
        });
      },
    },
    ProjectService_List: {
      route: 'GET /api/v1/projects',
      handle: (context) => {
        const name = query(context, 'name');
        const items = [...state.projects.values()]
          .filter((p) => !name || p.name === name)
          .sort((a, b) => a.name.localeCompare(b.name))
          .map(renderProject);
        return ok({ metadata: { resourceVersion: String(state.nextResourceVersion()) }, items });
      },
    },
    ProjectService_Get: {
      route: 'GET /api/v1/projects/{name}',
      handle: (context) => {
        const project = state.projects.get(context.request.params.name!);
        if (!project) throw grpcError('notFound', `appprojects.argoproj.io "${context.request.params.name}" not found`);
        return ok(renderProject(project));
      },
    },
  };
}
