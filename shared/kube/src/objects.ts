import { age, isSecretKey, REDACTED, ToolError, truncateText } from '@idp-mcp/core';
import { parseAllDocuments } from 'yaml';

/** Helpers over plain Kubernetes objects: noise removal, secrets, summaries, ages, manifests. */

export type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
};

/** client-node hands back class instances with Date fields; tools work on the JSON the API server sent. */
export function plain<T = Obj>(value: unknown): T {
  return JSON.parse(JSON.stringify(value ?? null)) as T;
}

const NOISY_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];
const FIELD_LIMIT = 4000;

/**
 * What a model should see of an object, for display only (never what a check or a write uses): no managedFields, no
 * last-applied copy, no API-server-added service-account token volume; long strings capped; a Secret's values never
 * (only its keys).
 */
export function clean(object: Obj, options: { mask?: boolean } = {}): { object: Obj; secretKeys?: string[] } {
  const copy = plain<Obj>(object);
  const metadata = copy.metadata ?? {};
  delete metadata.managedFields;
  delete metadata.selfLink;
  if (metadata.annotations) {
    for (const key of NOISY_ANNOTATIONS) delete metadata.annotations[key];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
  let secretKeys: string[] | undefined;
  if (copy.kind === 'Secret') {
    secretKeys = [
      ...Object.keys((copy.data as Record<string, unknown>) ?? {}),
      ...Object.keys((copy.stringData as Record<string, unknown>) ?? {}),
    ].sort();
    delete copy.data;
    delete copy.stringData;
  }
  if (options.mask !== false) maskSensitive(copy);
  if (copy.kind === 'Pod' && copy.spec) {
    const spec = copy.spec as { volumes?: unknown[] };
    spec.volumes = spec.volumes?.filter((volume) => !isServiceAccountTokenVolume(volume));
    if (spec.volumes?.length === 0) delete spec.volumes;
  }
  return { object: capStrings(copy) as Obj, ...(secretKeys ? { secretKeys } : {}) };
}

/** Whether `value` is an object whose keys are all among `allowed`. */
function keysIn(value: unknown, allowed: string[]): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && Object.keys(value).every((key) => allowed.includes(key));
}

/**
 * The projected volume the API server adds to every Pod for its service-account token (kube-api-access-*): noise to a
 * reader. Matched on exactly what it mounts (the token, kube-root-ca.crt, the namespace), never on the name alone, so
 * a volume that borrows the name (a hostPath, another projection) is always shown.
 */
function isServiceAccountTokenVolume(volume: unknown): boolean {
  if (!keysIn(volume, ['name', 'projected']) || !String(volume.name).startsWith('kube-api-access-')) return false;
  const projected = volume.projected;
  if (!keysIn(projected, ['sources', 'defaultMode']) || !Array.isArray(projected.sources)) return false;
  if (projected.sources.length !== 3) return false;
  const [token, ca, namespace] = projected.sources as unknown[];
  if (!keysIn(token, ['serviceAccountToken']) || !keysIn(ca, ['configMap']) || !keysIn(namespace, ['downwardAPI'])) {
    return false;
  }
  const sa = token.serviceAccountToken;
  const configMap = ca.configMap;
  const downward = namespace.downwardAPI;
  return (
    keysIn(sa, ['path', 'expirationSeconds']) &&
    sa.path === 'token' &&
    keysIn(configMap, ['name', 'items']) &&
    configMap.name === 'kube-root-ca.crt' &&
    JSON.stringify(configMap.items) === '[{"key":"ca.crt","path":"ca.crt"}]' &&
    keysIn(downward, ['items']) &&
    Array.isArray(downward.items) &&
    downward.items.length === 1 &&
    keysIn(downward.items[0], ['path', 'fieldRef']) &&
    downward.items[0].path === 'namespace' &&
    keysIn(downward.items[0].fieldRef, ['apiVersion', 'fieldPath']) &&
    downward.items[0].fieldRef.fieldPath === 'metadata.namespace'
  );
}

export const HIDDEN = '(hidden: looks like a credential)';

/**
 * Values that are secrets in all but kind: literal env values whose name says password/token/..., and such keys in
 * inline configuration (HelmRelease values). A model never needs them to operate the object; changed in place.
 */
export function maskSensitive(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      const entry = item as { name?: unknown; value?: unknown } | null;
      if (entry && typeof entry.name === 'string' && typeof entry.value === 'string' && isSecretKey(entry.name)) {
        entry.value = HIDDEN;
      }
      maskSensitive(item);
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (typeof child === 'string' && isSecretKey(key)) {
      record[key] = HIDDEN;
    } else {
      maskSensitive(child);
    }
  }
}

function capStrings(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > FIELD_LIMIT
      ? truncateText(value, {
          limit: FIELD_LIMIT,
          hint: 'the field is long; read it with kubectl if you need all of it',
        }).text
      : value;
  }
  if (Array.isArray(value)) return value.map(capStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, capStrings(v)]));
  }
  return value;
}

/** kubectl's age: 45s, 12m, 5h, 3d. */
interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export function conditions(object: Obj): Condition[] {
  return ((object.status?.conditions as Condition[] | undefined) ?? []).filter(Boolean);
}

/** Ready condition as `True`, `False (Reason)` or undefined. */
export function readyCondition(object: Obj): string | undefined {
  const ready = conditions(object).find((c) => c.type === 'Ready');
  if (!ready) return undefined;
  return ready.status === 'True' ? 'True' : `${ready.status}${ready.reason ? ` (${ready.reason})` : ''}`;
}

export interface Summary {
  name: string;
  namespace?: string;
  age: string;
  status?: string;
  ready?: string;
  restarts?: number;
  node?: string;
  info?: string;
}

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

/** A pod's STATUS column as kubectl shows it: a waiting or terminated reason wins over the phase. */
export function podStatus(pod: Obj): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const statuses = (pod.status?.containerStatuses as ContainerStatus[] | undefined) ?? [];
  for (const status of statuses) {
    const reason = status.state?.waiting?.reason ?? status.state?.terminated?.reason;
    if (reason && reason !== 'Completed') return reason;
  }
  return String(pod.status?.phase ?? 'Unknown');
}

/** One line per object, by kind: what `kubectl get` shows, as fields. */
export function summarize(object: Obj, withNamespace: boolean): Summary {
  const summary: Summary = {
    name: object.metadata?.name ?? '',
    ...(withNamespace && object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
    age: age(object.metadata?.creationTimestamp),
  };
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  switch (object.kind) {
    case 'Pod': {
      const statuses = (status.containerStatuses as ContainerStatus[] | undefined) ?? [];
      const total = ((spec.containers as unknown[] | undefined) ?? []).length;
      summary.status = podStatus(object);
      summary.ready = `${statuses.filter((s) => s.ready).length}/${total}`;
      summary.restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
      if (typeof spec.nodeName === 'string') summary.node = spec.nodeName;
      break;
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet': {
      summary.ready = `${Number(status.readyReplicas ?? 0)}/${Number(spec.replicas ?? 0)}`;
      summary.info = `up-to-date ${Number(status.updatedReplicas ?? status.fullyLabeledReplicas ?? 0)}, available ${Number(status.availableReplicas ?? 0)}`;
      break;
    }
    case 'DaemonSet':
      summary.ready = `${Number(status.numberReady ?? 0)}/${Number(status.desiredNumberScheduled ?? 0)}`;
      break;
    case 'Service': {
      const ports = ((spec.ports as Array<{ port?: number; protocol?: string }> | undefined) ?? [])
        .map((p) => `${p.port}/${p.protocol ?? 'TCP'}`)
        .join(',');
      summary.info = `${String(spec.type ?? 'ClusterIP')} ${String(spec.clusterIP ?? '')} ${ports}`.trim();
      break;
    }
    case 'Namespace':
      summary.status = String(status.phase ?? '');
      break;
    case 'Node':
      summary.status = readyCondition(object) === 'True' ? 'Ready' : 'NotReady';
      summary.info = String((status.nodeInfo as { kubeletVersion?: string } | undefined)?.kubeletVersion ?? '');
      break;
    case 'Event':
      summary.status = String(object.type ?? '');
      summary.info = `${String(object.reason ?? '')}: ${String(object.message ?? '').slice(0, 200)}`;
      break;
    case 'Secret':
      summary.info = `${String(object.type ?? 'Opaque')}, ${Object.keys((object.data as object) ?? {}).length} keys`;
      break;
    case 'ConfigMap':
      summary.info = `${Object.keys((object.data as object) ?? {}).length} keys`;
      break;
    default: {
      const ready = readyCondition(object);
      if (ready) summary.status = ready === 'True' ? 'Ready' : `NotReady: ${ready}`;
      if (spec.suspend === true) summary.info = 'suspended';
    }
  }
  return summary;
}

/** Parses multi-document YAML (or JSON) into objects, each with apiVersion, kind and metadata.name. */
export function parseManifests(text: string): Obj[] {
  let documents: unknown[];
  try {
    documents = parseAllDocuments(text).map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors[0]!.message);
      return document.toJS() as unknown;
    });
  } catch (error) {
    throw new ToolError('invalid_request', `manifests: not valid YAML: ${(error as Error).message}`, {
      hint: 'pass Kubernetes manifests as YAML documents separated by ---',
    });
  }
  const objects: Obj[] = [];
  for (const [index, document] of documents.entries()) {
    if (document === null || document === undefined) continue;
    const items = isList(document) ? document.items : [document];
    for (const item of items) {
      const object = item as Obj;
      const where = `manifests: document ${index + 1}`;
      if (typeof object !== 'object' || Array.isArray(object)) {
        throw new ToolError('invalid_request', `${where} is not a Kubernetes object`, {
          hint: 'each document needs apiVersion, kind and metadata.name',
        });
      }
      for (const field of ['apiVersion', 'kind'] as const) {
        if (typeof object[field] !== 'string' || object[field] === '') {
          throw new ToolError('invalid_request', `${where} has no ${field}`, {
            hint: 'each document needs apiVersion, kind and metadata.name, e.g. apiVersion: apps/v1, kind: Deployment',
          });
        }
      }
      if (typeof object.metadata?.name !== 'string' || object.metadata.name === '') {
        throw new ToolError('invalid_request', `${where} (${object.kind}) has no metadata.name`, {
          hint: 'give every object a metadata.name (generateName is not supported by apply)',
        });
      }
      objects.push(object);
    }
  }
  if (objects.length === 0) {
    throw new ToolError('invalid_request', 'manifests: no Kubernetes objects found', {
      hint: 'pass at least one YAML document with apiVersion, kind and metadata.name',
    });
  }
  if (objects.length > 50) {
    throw new ToolError('invalid_request', `manifests: ${objects.length} objects; at most 50 per call`, {
      hint: 'split the manifests into several calls',
    });
  }
  return objects;
}

/**
 * Manifests as the audit log keeps them: each object cleaned as a model sees it (a Secret's values masked, its keys
 * kept; credential-looking values such as a literal DB_PASSWORD hidden). Text that does not parse is withheld whole:
 * it may still hold a secret. Accepts anything, since the audit record is written before the arguments are checked.
 */
export function manifestsForAudit(manifests: unknown): unknown {
  if (typeof manifests !== 'string') return REDACTED;
  try {
    return parseManifests(manifests).map((object) => {
      const { object: cleaned, secretKeys } = clean(object);
      return secretKeys ? { ...cleaned, data: Object.fromEntries(secretKeys.map((key) => [key, REDACTED])) } : cleaned;
    });
  } catch {
    return '(withheld: the manifests did not parse)';
  }
}

function isList(value: unknown): value is { items: unknown[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    (value as { kind: string }).kind.endsWith('List') &&
    Array.isArray((value as { items?: unknown }).items)
  );
}

/** `Deployment/payments/payments-api` for messages and policy resources. */
export function ref(object: Obj): string {
  return [object.kind, object.metadata?.namespace, object.metadata?.name].filter(Boolean).join('/');
}

/** Compares what a user controls (spec-like fields, labels, annotations), ignoring bookkeeping and status. */
export function sameContent(a: Obj, b: Obj): boolean {
  const strip = (o: Obj) => {
    const { status: _s, metadata, ...rest } = clean(o, { mask: false }).object;
    // clean() leaves a Secret's values out; they count here.
    const values = o.kind === 'Secret' ? [o.data ?? {}, o.stringData ?? {}] : [];
    return JSON.stringify({ labels: metadata?.labels ?? {}, annotations: metadata?.annotations ?? {}, rest, values });
  };
  return strip(a) === strip(b);
}
