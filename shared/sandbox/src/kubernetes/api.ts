// The API server's behaviour over the store: CRUD, list with selectors and limit/continue, the four patch formats
// (server-side apply with field ownership and conflicts), dryRun=All, the scale subresource, pod logs, and Status
// objects exactly as the API server writes them. http.ts does the HTTP; this file decides the answers.
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { FakeHttpError } from '../server.ts';
import { groupVersion, qualifiedResource, type ResourceType } from './resources.ts';
import type { Cause, KubernetesValidator } from './schema.ts';
import {
  fieldPaths,
  fieldsV1,
  jsonPatch,
  type KubeObject,
  type KubernetesState,
  type ManagedFieldsEntry,
  matchesFields,
  matchesLabels,
  mergePatch,
  now,
  PatchError,
  parseFieldSelector,
  parseLabelSelector,
  pathsOf,
  SelectorError,
  strategicMergePatch,
  valueAt,
} from './state.ts';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Cause[] | Array<{ reason?: string; message: string; field?: string }>;
  retryAfterSeconds?: number;
}

/** A metav1.Status as the API server writes it. */
export function statusBody(code: number, message: string, reason?: string, details?: StatusDetails) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason ?? REASONS[code] ?? 'Unknown',
    ...(details ? { details } : {}),
    code,
  };
}

export function statusError(code: number, message: string, reason?: string, details?: StatusDetails): FakeHttpError {
  return new FakeHttpError(code, statusBody(code, message, reason, details));
}

/** Status details name the resource the way the API server does: the group only when there is one. */
function detailsOf(type: ResourceType, name: string, kind = type.plural): StatusDetails {
  return { name, ...(type.group ? { group: type.group } : {}), kind };
}

function notFound(type: ResourceType, name: string): FakeHttpError {
  return statusError(404, `${qualifiedResource(type)} "${name}" not found`, 'NotFound', detailsOf(type, name));
}

function invalid(type: ResourceType, name: string, causes: Cause[]): FakeHttpError {
  const text = causes.map((c) => `${c.field}: ${c.message}`);
  const qualifiedKind = type.group ? `${type.kind}.${type.group}` : type.kind;
  return statusError(
    422,
    `${qualifiedKind} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`,
    'Invalid',
    { ...detailsOf(type, name, type.kind), causes },
  );
}

export interface Query {
  [key: string]: string | string[] | undefined;
}

function one(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface Target {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export interface ApiOptions {
  state: KubernetesState;
  validator: KubernetesValidator | undefined;
  /** Simulate controllers: Deployment/StatefulSet status follows spec at once, namespaces are Active. */
  controllers: boolean;
  /** A test's own controller: sees every stored write (not dry runs) and may change it, e.g. set status. */
  react?: ((object: KubeObject) => void) | undefined;
  typeOf(apiVersion: string, kind: string): ResourceType | undefined;
  namespaceType: ResourceType;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME_KINDS = new Set(['Namespace', 'Service']);

export class KubernetesApi {
  private readonly options: ApiOptions;

  constructor(options: ApiOptions) {
    this.options = options;
  }

  private get state(): KubernetesState {
    return this.options.state;
  }

  // ---- reads ----

  list(target: Target, query: Query): Record<string, unknown> {
    const { type, namespace } = target;
    let labels: ReturnType<typeof parseLabelSelector> = [];
    let fields: ReturnType<typeof parseFieldSelector> = [];
    try {
      labels = parseLabelSelector(one(query, 'labelSelector') ?? '');
      fields = parseFieldSelector(one(query, 'fieldSelector') ?? '', type.kind);
    } catch (error) {
      if (error instanceof SelectorError) throw statusError(400, error.message, 'BadRequest');
      throw error;
    }
    let items = this.state
      .list(type, namespace)
      .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
    const continueToken = one(query, 'continue');
    if (continueToken) {
      const start = decodeContinue(continueToken);
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` >= start);
    }
    const limit = Number(one(query, 'limit') ?? 0);
    const metadata: Record<string, unknown> = { resourceVersion: this.state.resourceVersion };
    if (limit > 0 && items.length > limit) {
      const next = items[limit]!;
      metadata.continue = encodeContinue(
        this.state.resourceVersion,
        `${next.metadata.namespace ?? ''}/${next.metadata.name}`,
      );
      metadata.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    return {
      kind: `${type.kind}List`,
      apiVersion: groupVersion(type),
      metadata,
      // Typed lists carry items without apiVersion/kind; custom resources keep them.
      items: items.map((o) => (type.crdSchema ? o : withoutTypeMeta(o))),
    };
  }

  get(target: Target): KubeObject {
    return this.existing(target);
  }

  private existing(target: Target): KubeObject {
    const object = this.state.get(target.type, target.namespace, target.name!);
    if (!object) throw notFound(target.type, target.name!);
    return structuredClone(object);
  }

  // ---- writes ----

  create(target: Target, body: unknown, query: Query): KubeObject {
    const { type } = target;
    const object = this.decode(type, body);
    this.strictFields(type, object, query);
    if (target.namespace !== undefined) {
      if (object.metadata.namespace !== undefined && object.metadata.namespace !== target.namespace) {
        throw statusError(
          400,
          'the namespace of the provided object does not match the namespace sent on the request',
          'BadRequest',
        );
      }
      object.metadata.namespace = target.namespace;
    }
    if (!object.metadata.name && typeof object.metadata.generateName === 'string') {
      object.metadata.name = `${object.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    this.checkName(type, object);
    this.requireNamespace(type, object.metadata.namespace);
    if (this.state.get(type, object.metadata.namespace, object.metadata.name)) {
      throw statusError(
        409,
        `${qualifiedResource(type)} "${object.metadata.name}" already exists`,
        'AlreadyExists',
        detailsOf(type, object.metadata.name),
      );
    }
    if (type.subresources.includes('status')) delete object.status;
    for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields'] as const) {
      delete object.metadata[field];
    }
    this.defaults(type, object);
    this.validate(type, object);
    object.metadata.managedFields = [
      this.managedEntry(type, one(query, 'fieldManager') ?? 'unknown', 'Update', fieldPaths(userFields(object))),
    ];
    return this.persist(type, object, query);
  }

  replace(target: Target, body: unknown, query: Query): KubeObject {
    const { type } = target;
    const current = this.existing(target);
    const object = this.decode(type, body);
    this.strictFields(type, object, query);
    nameMatchesUrl(object, target);
    object.metadata.namespace = current.metadata.namespace;
    this.checkResourceVersion(type, current, object.metadata.resourceVersion);
    return this.update(type, current, object, query, 'Update');
  }

  patch(target: Target, body: string, contentType: string, query: Query): { object: KubeObject; created: boolean } {
    const { type } = target;
    const mediaType = contentType.split(';')[0]!.trim();
    if (mediaType === 'application/apply-patch+yaml') return this.apply(target, body, query);
    const current = this.existing(target);
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch (error) {
      throw statusError(400, `error decoding patch: ${(error as Error).message}`, 'BadRequest');
    }
    let patched: unknown;
    try {
      if (mediaType === 'application/merge-patch+json') patched = mergePatch(current, patch);
      else if (mediaType === 'application/strategic-merge-patch+json') {
        if (type.crdSchema) {
          throw statusError(
            415,
            'strategic merge patch is not supported for custom resources: use application/merge-patch+json',
            'UnsupportedMediaType',
          );
        }
        patched = strategicMergePatch(current, patch);
      } else if (mediaType === 'application/json-patch+json') patched = jsonPatch(current, patch);
      else {
        throw statusError(
          415,
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${type.crdSchema ? '' : ', application/strategic-merge-patch+json'}`,
          'UnsupportedMediaType',
        );
      }
    } catch (error) {
      if (error instanceof PatchError) throw statusError(422, error.message, 'Invalid');
      throw error;
    }
    const object = patched as KubeObject;
    this.strictFields(type, object, query);
    const patchedVersion = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
    this.checkResourceVersion(type, current, patchedVersion);
    return { object: this.update(type, current, object, query, 'Update'), created: false };
  }

  /** Server-side apply: create or merge the applied configuration, owning its fields; conflicts unless force. */
  private apply(target: Target, body: string, query: Query): { object: KubeObject; created: boolean } {
    const { type } = target;
    const manager = one(query, 'fieldManager');
    if (!manager) {
      throw statusError(
        400,
        'PATCH /apply requires a fieldManager: fieldManager: Required value: is required for apply patch',
        'BadRequest',
      );
    }
    let applied: unknown;
    try {
      applied = parseYaml(body);
    } catch (error) {
      throw statusError(400, `error decoding YAML: ${(error as Error).message}`, 'BadRequest');
    }
    const config = this.decode(type, applied);
    this.strictFields(type, config, query);
    nameMatchesUrl(config, target);
    if (target.namespace !== undefined) config.metadata.namespace = target.namespace;
    const paths = fieldPaths(userFields(config));
    const current = this.state.get(type, target.namespace, target.name!);
    if (!current) {
      this.checkName(type, config);
      this.requireNamespace(type, config.metadata.namespace);
      const object = structuredClone(config);
      if (type.subresources.includes('status')) delete object.status;
      this.defaults(type, object);
      this.validate(type, object);
      object.metadata.managedFields = [this.managedEntry(type, manager, 'Apply', paths)];
      return { object: this.persist(type, object, query), created: true };
    }
    const existing = structuredClone(current);
    const force = one(query, 'force') === 'true';
    const others = (existing.metadata.managedFields ?? []).filter((e) => e.manager !== manager);
    const conflicts: Array<{ manager: string; path: string }> = [];
    for (const entry of others) {
      const owned = new Set(pathsOf(entry.fieldsV1));
      for (const path of paths) {
        if (!owned.has(path)) continue;
        if (JSON.stringify(valueAt(existing, path)) !== JSON.stringify(valueAt(config, path))) {
          conflicts.push({ manager: entry.manager, path });
        }
      }
    }
    if (conflicts.length > 0 && !force && !this.upgradesClientSideApply(existing, conflicts, paths)) {
      const lines = conflicts.map((c) => `conflict with "${c.manager}": ${c.path}`);
      throw statusError(
        409,
        `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`,
        'Conflict',
        {
          causes: conflicts.map((c) => ({
            reason: 'FieldManagerConflict',
            message: `conflict with "${c.manager}"`,
            field: c.path,
          })),
        },
      );
    }
    const merged = strategicMergePatch(existing, config) as KubeObject;
    // Fields this manager applied before and leaves out now are removed, unless another manager owns them.
    const previous = (existing.metadata.managedFields ?? []).find(
      (e) => e.manager === manager && e.operation === 'Apply',
    );
    if (previous) {
      const kept = [...paths, ...others.flatMap((entry) => pathsOf(entry.fieldsV1))];
      for (const path of pathsOf(previous.fieldsV1)) {
        if (!kept.includes(path)) removeField(merged, path, kept);
      }
    }
    // Ownership: the applier now owns its paths; forced conflicts move to it.
    const taken = new Set(paths);
    const managedFields = others
      .map((entry) => ({ ...entry, fieldsV1: fieldsV1(pathsOf(entry.fieldsV1).filter((p) => !taken.has(p))) }))
      .filter((entry) => Object.keys(entry.fieldsV1).length > 0);
    managedFields.push(this.managedEntry(type, manager, 'Apply', paths));
    merged.metadata.managedFields = managedFields;
    return { object: this.update(type, existing, merged, query, 'Apply'), created: false };
  }

  /**
   * The API server's last-applied manager: a server-side apply takes over from `kubectl apply` (client-side) without
   * conflicts when only kubectl-client-side-apply conflicts and the new configuration covers the last-applied one.
   */
  private upgradesClientSideApply(
    existing: KubeObject,
    conflicts: Array<{ manager: string }>,
    paths: string[],
  ): boolean {
    if (!conflicts.every((c) => c.manager === 'kubectl-client-side-apply')) return false;
    const lastApplied = existing.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    if (!lastApplied) return false;
    try {
      const previous = JSON.parse(lastApplied) as KubeObject;
      const applied = new Set(paths);
      return fieldPaths(userFields(previous)).every((p) => applied.has(p) || p.startsWith('.metadata.annotations'));
    } catch {
      return false;
    }
  }

  /** Validates and stores a changed object: identity fields kept, generation bumped when the spec changed. */
  private update(
    type: ResourceType,
    current: KubeObject,
    next: KubeObject,
    query: Query,
    operation: 'Update' | 'Apply',
  ): KubeObject {
    if (!next || typeof next !== 'object' || typeof next.metadata !== 'object') {
      throw statusError(400, 'the patched object is not a Kubernetes object', 'BadRequest');
    }
    if (next.metadata.name !== current.metadata.name) {
      throw invalid(type, current.metadata.name, [
        { reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: field is immutable' },
      ]);
    }
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    for (const field of ['uid', 'creationTimestamp', 'namespace'] as const) {
      if (current.metadata[field] === undefined) delete next.metadata[field];
      else next.metadata[field] = current.metadata[field] as never;
    }
    if (type.subresources.includes('status')) {
      if (current.status === undefined) delete next.status;
      else next.status = current.status;
    }
    const specChanged = JSON.stringify(withoutMeta(current)) !== JSON.stringify(withoutMeta(next));
    next.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    if (operation === 'Update') {
      const manager = one(query, 'fieldManager') ?? 'unknown';
      const entries = (current.metadata.managedFields ?? []).filter(
        (e) => !(e.manager === manager && e.operation === 'Update'),
      );
      if (next.metadata.managedFields === undefined || operation === 'Update') {
        next.metadata.managedFields = [
          ...entries,
          this.managedEntry(type, manager, 'Update', changedPaths(current, next)),
        ];
      }
    }
    this.defaults(type, next);
    this.validate(type, next);
    return this.persist(type, next, query);
  }

  delete(target: Target, query: Query, operationId: string | undefined): Record<string, unknown> {
    const { type } = target;
    const object = this.existing(target);
    if (one(query, 'dryRun') !== 'All') {
      this.state.remove(type, target.namespace, target.name!);
      const orphan = one(query, 'propagationPolicy') === 'Orphan' || one(query, 'orphanDependents') === 'true';
      // A namespace always takes its objects; Orphan leaves an owner's dependents in place.
      if (!orphan || type.kind === 'Namespace') this.collect(object);
    }
    const ref = operationId ? this.options.validator?.responseRef(operationId, 200) : undefined;
    if (ref && !ref.endsWith('meta.v1.Status')) return object;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { ...detailsOf(type, object.metadata.name), uid: object.metadata.uid },
    };
  }

  /** Garbage collection: a namespace takes its objects along; owned objects follow their owner. */
  private collect(removed: KubeObject): void {
    const pending = [removed];
    while (pending.length > 0) {
      const owner = pending.pop()!;
      for (const { key, object } of this.state.all()) {
        const inNamespace = owner.kind === 'Namespace' && object.metadata.namespace === owner.metadata.name;
        const owned = object.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid);
        if (inNamespace || owned) {
          this.state.removeKey(key);
          pending.push(object);
        }
      }
      if (owner.kind === 'Namespace') {
        for (const logKey of this.state.logs.keys()) {
          if (logKey.startsWith(`${owner.metadata.name}/`)) this.state.logs.delete(logKey);
        }
      }
    }
  }

  // ---- subresources ----

  /** PUT or PATCH (merge) of the status subresource: only status changes; spec and metadata stay. */
  updateStatus(target: Target, body: string, contentType: string | undefined, query: Query): KubeObject {
    const current = this.existing(target);
    let sent: unknown;
    try {
      sent = JSON.parse(body);
    } catch (error) {
      throw statusError(400, `error decoding the request body: ${(error as Error).message}`, 'BadRequest');
    }
    const mediaType = contentType?.split(';')[0]?.trim();
    const next =
      mediaType === undefined || mediaType === 'application/json'
        ? (sent as KubeObject)
        : mediaType === 'application/merge-patch+json'
          ? (mergePatch(current, sent) as KubeObject)
          : mediaType === 'application/json-patch+json'
            ? (jsonPatch(current, sent) as KubeObject)
            : (strategicMergePatch(current, sent) as KubeObject);
    if (mediaType === undefined || mediaType === 'application/json') {
      this.checkResourceVersion(target.type, current, next?.metadata?.resourceVersion);
    }
    const updated = structuredClone(current);
    updated.status = next?.status;
    this.validate(target.type, updated);
    if (one(query, 'dryRun') === 'All') return updated;
    return this.state.put(target.type, updated);
  }

  getScale(target: Target): Record<string, unknown> {
    const object = this.existing(target);
    return scaleOf(target.type, object);
  }

  updateScale(target: Target, body: unknown, contentType: string | undefined, query: Query) {
    const current = this.existing(target);
    let scale: unknown = body;
    if (contentType !== undefined) {
      const mediaType = contentType.split(';')[0]!.trim();
      const patch = typeof body === 'string' ? JSON.parse(body) : body;
      const before = scaleOf(target.type, current);
      scale =
        mediaType === 'application/json-patch+json'
          ? jsonPatch(before, patch)
          : mediaType === 'application/merge-patch+json'
            ? mergePatch(before, patch)
            : strategicMergePatch(before, patch);
    }
    const replicas = (scale as { spec?: { replicas?: unknown } })?.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid(target.type, target.name!, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const next = structuredClone(current);
    (next.spec as { replicas?: number }).replicas = replicas;
    const stored = this.update(target.type, current, next, query, 'Update');
    return scaleOf(target.type, stored);
  }

  /** Pod logs: container choice, tailLines, sinceSeconds, timestamps, limitBytes. */
  logs(target: Target, query: Query): string {
    const pod = this.existing(target);
    const containers = ((pod.spec as { containers?: Array<{ name: string }> })?.containers ?? []).map((c) => c.name);
    let container = one(query, 'container');
    if (!container) {
      if (containers.length !== 1) {
        throw statusError(
          400,
          `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`,
          'BadRequest',
        );
      }
      container = containers[0]!;
    } else if (!containers.includes(container)) {
      throw statusError(400, `container ${container} is not valid for pod ${pod.metadata.name}`, 'BadRequest');
    }
    const key = `${target.namespace}/${target.name}/${container}`;
    let lines = this.state.logs.get(key) ?? [];
    if (one(query, 'previous') === 'true') {
      // The kubelet keeps the log of the instance before the last restart; without a restart there is none.
      const statuses = (pod.status as { containerStatuses?: Array<{ name: string; restartCount?: number }> })
        ?.containerStatuses;
      if (!statuses?.some((s) => s.name === container && (s.restartCount ?? 0) > 0)) {
        throw statusError(
          400,
          `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`,
          'BadRequest',
        );
      }
      lines = this.state.logs.get(`${key}/previous`) ?? lines;
    }
    const since = Number(one(query, 'sinceSeconds') ?? 0);
    if (since > 0) {
      const from = Date.now() - since * 1000;
      lines = lines.filter((line) => Date.parse(line.time) >= from);
    }
    const tail = one(query, 'tailLines');
    if (tail !== undefined) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
    const timestamps = one(query, 'timestamps') === 'true';
    let text = lines.map((line) => `${timestamps ? `${line.time} ` : ''}${line.text}\n`).join('');
    const limitBytes = Number(one(query, 'limitBytes') ?? 0);
    if (limitBytes > 0) text = Buffer.from(text).subarray(0, limitBytes).toString('utf8');
    return text;
  }

  // ---- helpers ----

  private decode(type: ResourceType, body: unknown): KubeObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw statusError(400, `the body of the request is not a ${type.kind} object`, 'BadRequest');
    }
    const object = structuredClone(body) as KubeObject;
    const apiVersion = groupVersion(type);
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw statusError(
        400,
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`,
        'BadRequest',
      );
    }
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
      throw statusError(
        400,
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`,
        'BadRequest',
      );
    }
    object.apiVersion = apiVersion;
    object.kind = type.kind;
    if (object.metadata === undefined || typeof object.metadata !== 'object') object.metadata = { name: '' };
    return object;
  }

  private checkName(type: ResourceType, object: KubeObject): void {
    const name = object.metadata.name;
    if (!name) {
      throw invalid(type, '', [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    const pattern = LABEL_NAME_KINDS.has(type.kind) ? DNS_LABEL : DNS_SUBDOMAIN;
    const limit = LABEL_NAME_KINDS.has(type.kind) ? 63 : 253;
    if (!pattern.test(name) || name.length > limit) {
      const what = LABEL_NAME_KINDS.has(type.kind) ? 'RFC 1123 label' : 'RFC 1123 subdomain';
      throw invalid(type, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        },
      ]);
    }
  }

  private requireNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced) return;
    if (!namespace) {
      throw statusError(400, 'an empty namespace may not be set during creation', 'BadRequest');
    }
    if (!this.state.get(this.options.namespaceType, undefined, namespace)) {
      throw statusError(404, `namespaces "${namespace}" not found`, 'NotFound', {
        name: namespace,
        kind: 'namespaces',
      });
    }
  }

  private checkResourceVersion(type: ResourceType, current: KubeObject, requested: string | undefined): void {
    if (requested === undefined || requested === '' || requested === current.metadata.resourceVersion) return;
    throw statusError(
      409,
      `Operation cannot be fulfilled on ${qualifiedResource(type)} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      'Conflict',
      detailsOf(type, current.metadata.name),
    );
  }

  /** fieldValidation=Strict: unknown fields in what the client sent are a 400, as the API server's strict decoding. */
  private strictFields(type: ResourceType, sent: unknown, query: Query): void {
    const mode = one(query, 'fieldValidation');
    if (mode !== undefined && !['Strict', 'Warn', 'Ignore'].includes(mode)) {
      throw statusError(400, `fieldValidation must be one of Strict, Warn or Ignore, got ${mode}`, 'BadRequest');
    }
    if (mode !== 'Strict' || !this.options.validator) return;
    const unknown = this.options.validator.unknownFields(type, sent);
    if (unknown.length === 0) return;
    throw statusError(
      400,
      `strict decoding error: ${unknown.map((field) => `unknown field "${field}"`).join(', ')}`,
      'BadRequest',
    );
  }

  private validate(type: ResourceType, object: KubeObject): void {
    const validator = this.options.validator;
    if (!validator) return;
    const causes = validator.checkObject(type, object);
    if (causes.length === 0) return;
    const typeErrors = causes.filter((c) => c.reason === 'FieldValueTypeInvalid');
    if (typeErrors.length > 0 && !type.crdSchema) {
      // A built-in object that does not decode is a 400 from the API server, not a field-level 422.
      const first = typeErrors[0]!;
      throw statusError(
        400,
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal into field ${first.field}: ${first.message}`,
        'BadRequest',
      );
    }
    throw invalid(type, object.metadata.name, causes);
  }

  private defaults(type: ResourceType, object: KubeObject): void {
    const spec = object.spec as Record<string, unknown> | undefined;
    if (type.kind === 'Namespace') {
      object.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
      object.status = { phase: 'Active', ...((object.status as object | undefined) ?? {}) };
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name };
    }
    if ((type.kind === 'Deployment' || type.kind === 'StatefulSet' || type.kind === 'ReplicaSet') && spec) {
      spec.replicas ??= 1;
    }
    if (type.kind === 'Service' && spec) {
      spec.type ??= 'ClusterIP';
      if (spec.type !== 'ExternalName') spec.clusterIP ??= `10.96.${randomOctet()}.${randomOctet()}`;
    }
    if (type.kind === 'Pod' && object.status === undefined) object.status = { phase: 'Pending' };
    if (type.kind === 'Secret' && object.stringData !== undefined) {
      // The API server folds stringData into data (base64) and never stores stringData.
      const data = { ...((object.data as Record<string, string> | undefined) ?? {}) };
      for (const [key, value] of Object.entries(object.stringData as Record<string, string>)) {
        data[key] = Buffer.from(String(value)).toString('base64');
      }
      object.data = data;
      delete object.stringData;
      object.type ??= 'Opaque';
    }
  }

  /** Writes (or, with dryRun=All, only returns) the object; simulated controllers react to the write. */
  private persist(type: ResourceType, object: KubeObject, query: Query): KubeObject {
    const dryRun = one(query, 'dryRun');
    if (dryRun !== undefined && dryRun !== 'All') {
      throw statusError(400, `invalid dry run option: ${dryRun}; the only valid value is All`, 'BadRequest');
    }
    if (dryRun !== 'All') {
      if (this.options.controllers) this.react(type, object);
      this.options.react?.(object);
    }
    if (dryRun === 'All') {
      const preview = structuredClone(object);
      preview.metadata.uid ??= '00000000-0000-0000-0000-000000000000';
      preview.metadata.creationTimestamp ??= now();
      preview.metadata.generation ??= 1;
      preview.metadata.resourceVersion ??= this.state.resourceVersion;
      return preview;
    }
    return this.state.put(type, object);
  }

  private react(type: ResourceType, object: KubeObject): void {
    if (type.kind !== 'Deployment' && type.kind !== 'StatefulSet') return;
    const replicas = (object.spec as { replicas?: number }).replicas ?? 1;
    const generation = object.metadata.generation ?? 1;
    const status: Record<string, unknown> = {
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
    };
    if (type.kind === 'Deployment') {
      const time = now();
      status.conditions = [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
          lastUpdateTime: time,
          lastTransitionTime: time,
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${object.metadata.name}" has successfully progressed.`,
          lastUpdateTime: time,
          lastTransitionTime: time,
        },
      ];
    } else {
      status.currentReplicas = replicas;
    }
    object.status = status;
  }

  private managedEntry(
    type: ResourceType,
    manager: string,
    operation: 'Apply' | 'Update',
    paths: string[],
  ): ManagedFieldsEntry {
    return {
      manager,
      operation,
      apiVersion: groupVersion(type),
      time: now(),
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsV1(paths),
    };
  }
}

/** Removes the largest part of `path` (a field or a list item) that no kept path reaches into. */
function removeField(object: KubeObject, path: string, kept: string[]): void {
  const parts = path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? [];
  let depth = parts.length;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('');
    if (!kept.some((k) => k === prefix || (k.startsWith(prefix) && /^[.[]/.test(k.slice(prefix.length))))) {
      depth = i;
      break;
    }
  }
  const parent = valueAt(object, parts.slice(0, depth - 1).join('')) as Record<string, unknown> | unknown[] | undefined;
  const last = parts[depth - 1];
  if (!parent || !last) return;
  if (last.startsWith('.')) {
    if (!Array.isArray(parent)) delete parent[last.slice(1)];
    return;
  }
  if (Array.isArray(parent)) {
    const [k, v] = last.slice(1, -1).split('=') as [string, string];
    const index = parent.findIndex((item) => String((item as Record<string, unknown>)?.[k]) === v);
    if (index >= 0) parent.splice(index, 1);
  }
}

function nameMatchesUrl(object: KubeObject, target: Target): void {
  if (object.metadata.name === target.name) return;
  throw statusError(
    400,
    `the name of the object (${object.metadata.name}) does not match the name on the URL (${target.name})`,
    'BadRequest',
  );
}

function scaleOf(type: ResourceType, object: KubeObject): Record<string, unknown> {
  const spec = object.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = object.status as { replicas?: number } | undefined;
  const selector = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: type.crdSchema ? 'autoscaling/v1' : 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status?.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

/** The fields a user sets (what apply and field ownership look at): no identity, status or bookkeeping. */
function userFields(object: KubeObject): Record<string, unknown> {
  const { status: _status, metadata, apiVersion: _a, kind: _k, ...rest } = object;
  const { labels, annotations } = metadata;
  return {
    ...(labels || annotations
      ? { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } }
      : {}),
    ...rest,
  };
}

function changedPaths(before: KubeObject, after: KubeObject): string[] {
  const previous = new Map(fieldPaths(userFields(before)).map((p) => [p, JSON.stringify(valueAt(before, p))]));
  return fieldPaths(userFields(after)).filter((p) => previous.get(p) !== JSON.stringify(valueAt(after, p)));
}

function withoutMeta(object: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = object;
  return rest;
}

function withoutTypeMeta(object: KubeObject): Omit<KubeObject, 'apiVersion' | 'kind'> {
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

function encodeContinue(resourceVersion: string, start: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: `${start}\u0000` }),
  ).toString('base64');
}

function decodeContinue(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: string; start?: string };
    if (decoded.v === 'meta.k8s.io/v1' && typeof decoded.start === 'string')
      return decoded.start.endsWith('\u0000') ? decoded.start.slice(0, -1) : decoded.start;
  } catch {
    // fall through
  }
  throw statusError(
    400,
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    'BadRequest',
  );
}

function randomOctet(): number {
  return 1 + Math.floor(Math.random() * 253);
}
