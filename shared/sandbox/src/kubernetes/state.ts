// The fake cluster's objects: one store keyed by resource type, namespace and name, a global resourceVersion counter,
// label and field selectors, the patch formats, and pod logs. Handlers in http.ts turn this into API responses.
import { randomUUID } from 'node:crypto';
import { groupVersion, type ResourceType } from './resources.ts';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  [key: string]: unknown;
};

export interface Metadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** One log line of a container, with the time it was written (for sinceSeconds). */
export interface LogLine {
  time: string;
  text: string;
}

export class KubernetesState {
  private readonly objects = new Map<string, KubeObject>();
  private revision = 1000;
  /** Container logs by `namespace/pod/container`; the instance before the last restart under `.../previous`. */
  readonly logs = new Map<string, LogLine[]>();

  nextResourceVersion(): string {
    this.revision += 1;
    return String(this.revision);
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key(type, namespace, name));
  }

  /** All objects of a type (in a namespace when given), sorted by namespace and name like etcd keys. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const prefix = `${type.group}/${type.plural}/`;
    const items: KubeObject[] = [];
    for (const [k, object] of this.objects) {
      if (!k.startsWith(prefix)) continue;
      if (namespace !== undefined && object.metadata.namespace !== namespace) continue;
      items.push(object);
    }
    return items.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  }

  /** Stores an object as the API server would: uid, creationTimestamp, generation and a new resourceVersion. */
  put(type: ResourceType, object: KubeObject): KubeObject {
    const stored = structuredClone(object);
    stored.apiVersion = groupVersion(type);
    stored.kind = type.kind;
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= now();
    stored.metadata.generation ??= 1;
    stored.metadata.resourceVersion = this.nextResourceVersion();
    this.objects.set(key(type, stored.metadata.namespace, stored.metadata.name), stored);
    return structuredClone(stored);
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(type, namespace, name);
    const object = this.objects.get(k);
    this.objects.delete(k);
    if (object) this.revision += 1;
    return object;
  }

  /** Every stored object, for garbage collection and namespace deletion. */
  all(): Array<{ key: string; object: KubeObject }> {
    return [...this.objects].map(([k, object]) => ({ key: k, object }));
  }

  removeKey(k: string): void {
    this.objects.delete(k);
  }

  /** Appends container log lines (time defaults to now). */
  appendLog(namespace: string, pod: string, container: string, lines: Array<string | LogLine>): void {
    const k = `${namespace}/${pod}/${container}`;
    const existing = this.logs.get(k) ?? [];
    for (const line of lines) existing.push(typeof line === 'string' ? { time: now(), text: line } : line);
    this.logs.set(k, existing);
  }
}

function key(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.group}/${type.plural}/${type.namespaced ? (namespace ?? '') : ''}/${name}`;
}

function sortKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

// ---- selectors ----

export class SelectorError extends Error {}

type Requirement = { key: string; op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists'; values: string[] };

/** Parses a label selector: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
export function parseLabelSelector(selector: string): Requirement[] {
  const requirements: Requirement[] = [];
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw);
    const equality = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(raw);
    const absent = /^!([\w./-]+)$/.exec(raw);
    const present = /^([\w./-]+)$/.exec(raw);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      requirements.push({ key: set[1]!, op: set[2] as 'in' | 'notin', values });
    } else if (equality) {
      requirements.push({ key: equality[1]!, op: equality[2] === '!=' ? 'neq' : 'eq', values: [equality[3]!] });
    } else if (absent) {
      requirements.push({ key: absent[1]!, op: '!exists', values: [] });
    } else if (present) {
      requirements.push({ key: present[1]!, op: 'exists', values: [] });
    } else {
      throw new SelectorError(`unable to parse requirement: ${JSON.stringify(raw)}`);
    }
  }
  return requirements;
}

export function matchesLabels(requirements: Requirement[], labels: Record<string, string> = {}): boolean {
  return requirements.every((r) => {
    const value = labels[r.key];
    switch (r.op) {
      case 'eq':
        return value === r.values[0];
      case 'neq':
        return value !== r.values[0];
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
      case 'exists':
        return value !== undefined;
      case '!exists':
        return value === undefined;
    }
    return false;
  });
}

/** Field selectors the API server supports per kind (every kind: metadata.name and metadata.namespace). */
const FIELD_LABELS: Record<string, string[]> = {
  Pod: ['status.phase', 'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'status.podIP'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
};

type FieldRequirement = { field: string; negate: boolean; value: string };

export function parseFieldSelector(selector: string, kind: string): FieldRequirement[] {
  const supported = new Set(['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[kind] ?? [])]);
  return selector
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((raw) => {
      const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(raw);
      if (!match) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${raw}'`);
      const field = match[1]!;
      if (!supported.has(field)) throw new SelectorError(`field label not supported: ${field}`);
      return { field, negate: match[2] === '!=', value: match[3]! };
    });
}

export function matchesFields(requirements: FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((r) => {
    const actual = r.field === 'source' ? getPath(object, 'source.component') : getPath(object, r.field);
    const equal = String(actual ?? '') === r.value;
    return r.negate ? !equal : equal;
  });
}

function getPath(object: unknown, path: string): unknown {
  let node = object;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

// ---- patches ----

export class PatchError extends Error {}

type Json = unknown;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

/**
 * Lists whose items merge by a key under strategic merge patch and server-side apply (the document's
 * x-kubernetes-patch-merge-key / x-kubernetes-list-map-keys for the fields this fake's users touch).
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
};

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    const first = items.find(isObject);
    if (first && 'containerPort' in first) return 'containerPort';
    if (first && 'port' in first) return 'port';
    return undefined;
  }
  return MERGE_KEYS[field];
}

/**
 * Strategic merge patch: a merge patch whose known lists merge by key, honouring the directives kubectl sends
 * (`$patch: delete|replace`, `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`).
 */
export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const list = k.slice('$deleteFromPrimitiveList/'.length);
      const current = Array.isArray(result[list]) ? (result[list] as unknown[]) : [];
      result[list] = current.filter((item) => !(v as unknown[]).includes(item));
      continue;
    }
    if (v === null) {
      delete result[k];
      continue;
    }
    if (Array.isArray(v)) {
      result[k] = mergeList(result[k], v, k);
      continue;
    }
    const merged = strategicMergePatch(result[k], v, k);
    if (merged === undefined) delete result[k];
    else result[k] = merged;
  }
  if (retain) for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  void field;
  return result;
}

function mergeList(current: unknown, patch: unknown[], field: string): unknown[] {
  const mergeKey = mergeKeyFor(field, patch);
  if (!mergeKey || !Array.isArray(current) || !patch.every((item) => isObject(item) && mergeKey in item)) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'delete')).map((item) => structuredClone(item));
  }
  const result = current.map((item) => structuredClone(item));
  for (const item of patch as Record<string, unknown>[]) {
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = strategicMergePatch(result[index], item, field);
    else result.push(strategicMergePatch(undefined, item, field));
  }
  return result;
}

/** RFC 6902 JSON patch (add, remove, replace, test, copy, move). */
export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw new PatchError('json patch must be an array of operations');
  let document = structuredClone(target);
  for (const raw of operations) {
    const op = raw as { op?: string; path?: string; value?: unknown; from?: string };
    if (typeof op.path !== 'string') throw new PatchError('json patch operation is missing path');
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    switch (op.op) {
      case 'add':
      case 'replace':
        document = setAt(document, parts, structuredClone(op.value), op.op);
        break;
      case 'remove':
        document = setAt(document, parts, undefined, 'remove');
        break;
      case 'test':
        if (JSON.stringify(readAt(document, parts)) !== JSON.stringify(op.value)) {
          throw new PatchError(`testing value ${op.path} failed`);
        }
        break;
      default:
        throw new PatchError(`unsupported json patch operation ${JSON.stringify(op.op)}`);
    }
  }
  return document;
}

function readAt(document: Json, parts: string[]): Json {
  let node = document;
  for (const part of parts) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isObject(node)) node = node[part];
    else return undefined;
  }
  return node;
}

function setAt(document: Json, parts: string[], value: Json, op: 'add' | 'replace' | 'remove'): Json {
  if (parts.length === 0) return value;
  const parent = readAt(document, parts.slice(0, -1));
  const last = parts.at(-1)!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (op === 'add') parent.splice(index, 0, value);
    else if (op === 'replace') parent[index] = value;
    else parent.splice(index, 1);
  } else if (isObject(parent)) {
    if (op !== 'add' && !(last in parent)) {
      throw new PatchError(`jsonpatch ${op} operation does not apply: doc is missing key: /${parts.join('/')}`);
    }
    if (op === 'remove') delete parent[last];
    else parent[last] = value;
  } else {
    throw new PatchError(`doc is missing path: /${parts.join('/')}`);
  }
  return document;
}

// ---- server-side apply field ownership ----

/** Leaf paths a manifest sets, as `.spec.replicas` / `.spec.template.spec.containers[name=api].image`. */
export function fieldPaths(value: Json, prefix = '', field = ''): string[] {
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return prefix ? [prefix] : [];
    return entries.flatMap(([k, v]) => fieldPaths(v, `${prefix}.${k}`, k));
  }
  if (Array.isArray(value)) {
    const mergeKey = mergeKeyFor(field, value);
    if (mergeKey && value.every((item) => isObject(item) && mergeKey in item)) {
      return value.flatMap((item) =>
        fieldPaths(item, `${prefix}[${mergeKey}=${String((item as Record<string, unknown>)[mergeKey])}]`),
      );
    }
  }
  return [prefix];
}

/** The value at a path produced by fieldPaths. */
export function valueAt(object: Json, path: string): Json {
  let node = object;
  const parts = path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? [];
  for (const part of parts) {
    if (part.startsWith('.')) {
      node = isObject(node) ? node[part.slice(1)] : undefined;
    } else {
      const [k, v] = part.slice(1, -1).split('=') as [string, string];
      node = Array.isArray(node) ? node.find((item) => isObject(item) && String(item[k]) === v) : undefined;
    }
  }
  return node;
}

/** managedFields' fieldsV1 for a set of paths (`f:spec`: { `f:replicas`: {} }). */
export function fieldsV1(paths: string[]): Record<string, unknown> {
  const root: Record<string, Record<string, unknown>> = {};
  for (const path of paths) {
    let node: Record<string, unknown> = root;
    for (const part of path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? []) {
      const name = part.startsWith('.')
        ? `f:${part.slice(1)}`
        : `k:${JSON.stringify(Object.fromEntries([part.slice(1, -1).split('=') as [string, string]]))}`;
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
    }
  }
  return root;
}

/** The inverse of fieldsV1, to find which manager owns which leaf. */
export function pathsOf(fields: Record<string, unknown>, prefix = ''): string[] {
  const entries = Object.entries(fields).filter(([k]) => k !== '.');
  if (entries.length === 0) return prefix ? [prefix] : [];
  return entries.flatMap(([k, v]) => {
    const part = k.startsWith('f:')
      ? `.${k.slice(2)}`
      : `[${Object.entries(JSON.parse(k.slice(2)) as Record<string, unknown>)
          .map(([a, b]) => `${a}=${String(b)}`)
          .join(',')}]`;
    return pathsOf(v as Record<string, unknown>, `${prefix}${part}`);
  });
}
