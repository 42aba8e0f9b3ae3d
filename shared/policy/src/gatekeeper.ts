import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type Policy } from '@idp-mcp/rego';
import YAML from 'yaml';
import type { Finding } from './gate.ts';
import { YAML_1_1 } from './parse.ts';

/**
 * OPA Gatekeeper ConstraintTemplates and Constraints, so a team's existing cluster policies gate changes here too,
 * evaluated as Gatekeeper's constraint framework does: each template's Rego compiled on its own (with its libs),
 * constraints matched by kinds, scope, namespaces, label and namespace selectors and name, `violation[{"msg": msg}]`
 * over input.review and input.parameters with data.inventory, and each constraint's enforcement action at the
 * enforcement point the check runs at.
 */
export interface GatekeeperSet {
  templates: string[];
  constraints: string[];
  /** Templates, constraints and files that could not be loaded (and so are not enforced), or loaded with a warning. */
  problems: string[];
  /** Whether some template reads data.inventory (so a caller with a cluster knows to sync it). */
  readsInventory: boolean;
  /** Kinds to sync into data.inventory, from Gatekeeper Config (spec.sync.syncOnly) and SyncSet (spec.gvks) objects. */
  syncKinds: GroupVersionKind[];
  evaluate(documents: unknown[], review?: GatekeeperReview): Finding[];
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Gatekeeper's enforcement points this gate runs as: the admission webhook, and the shift-left check (gator). */
export type EnforcementPoint = 'validation.gatekeeper.sh' | 'gator.gatekeeper.sh';

/** What a check knows beyond the objects: the request (from the admission webhook, or set in CI) and the cluster. */
export interface GatekeeperReview {
  /** Default gator.gatekeeper.sh (CI and the platform's own checks before a write). */
  enforcementPoint?: EnforcementPoint;
  /** The admission operation; absent unless known, as in gator and audit reviews. */
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** Previous versions of the objects (UPDATE), matched to them by group, kind, namespace and name. */
  oldObjects?: unknown[];
  userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  /** The request's namespace (admission): the namespace of an object that does not carry one. */
  namespace?: string;
  uid?: string;
  dryRun?: boolean;
  /** The cluster's synced objects: Namespaces for namespaceSelector, and data.inventory. */
  cluster?: ClusterObjects;
  /** The whole manifest set checked together (CI): Namespaces and data.inventory come from it without a cluster. */
  objects?: unknown[];
}

/** A snapshot of cluster objects (Namespaces always, plus the synced kinds); replaced, never mutated. */
export interface ClusterObjects {
  namespaces: ReadonlyMap<string, K8sObject>;
  /** { inventory: {cluster: ..., namespace: ...} }, one object per snapshot so the engine converts it once. */
  data: { inventory: Inventory };
}

type Inventory = { cluster: Record<string, unknown>; namespace: Record<string, unknown> };

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

interface Match {
  kinds?: Array<{ apiGroups?: string[]; kinds?: string[] }>;
  scope?: string;
  namespaces?: string[];
  excludedNamespaces?: string[];
  labelSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  name?: string;
}

type Action = 'deny' | 'dryrun' | 'warn';

interface Constraint {
  kind: string;
  name: string;
  /** Actions per enforcement point. */
  actions: Record<EnforcementPoint, Action[]>;
  match: Match;
  parameters: unknown;
}

interface Template {
  kind: string;
  pkg: string;
  policy: Policy;
  inventory: boolean;
}

const ENFORCEMENT_POINTS: EnforcementPoint[] = ['validation.gatekeeper.sh', 'gator.gatekeeper.sh'];
const ACTIONS: Action[] = ['deny', 'dryrun', 'warn'];
const EMPTY_DATA = { inventory: { cluster: {}, namespace: {} } };

export function loadGatekeeper(dirs: string[]): GatekeeperSet {
  const documents: Array<{ file: string; doc: unknown }> = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      documents.push(...readKubernetesYaml(file, problems).map((doc) => ({ file, doc })));
    }
  }
  return gatekeeperSet(documents, problems, problems.length > 0);
}

/**
 * Reads YAML as Kubernetes does (sigs.k8s.io/yaml over YAML 1.1: yes/no are booleans, 0644 is octal, and of
 * duplicate keys the last wins), so a file kubectl applies loads here too. A document that is not YAML at all is
 * reported and skipped: one bad file does not stop the others.
 */
function readKubernetesYaml(file: string, problems: string[]): unknown[] {
  const out: unknown[] = [];
  const documents = YAML.parseAllDocuments(readFileSync(file, 'utf8'), { ...YAML_1_1, uniqueKeys: false });
  for (const [index, doc] of (Array.isArray(documents) ? documents : [documents]).entries()) {
    const where = `${file} document ${index + 1}`;
    if (doc.errors.length) {
      problems.push(`${where}: skipped, not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      continue;
    }
    for (const duplicate of duplicateKeys(doc.contents)) {
      problems.push(`${where}: key ${duplicate} appears more than once; the last value is used, as kubectl does`);
    }
    out.push(doc.toJS({ maxAliasCount: 100 }));
  }
  return out;
}

function duplicateKeys(node: unknown, path = ''): string[] {
  if (YAML.isMap(node)) {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const pair of node.items) {
      const key = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
      const here = path ? `${path}.${key}` : key;
      if (seen.has(key)) out.push(here);
      seen.add(key);
      out.push(...duplicateKeys(pair.value, here));
    }
    return out;
  }
  if (YAML.isSeq(node)) return node.items.flatMap((item, i) => duplicateKeys(item, `${path}[${i}]`));
  return [];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/**
 * Builds the set from parsed documents: ConstraintTemplates, Constraints of their kinds, Config and SyncSet; others
 * are ignored. A template that does not compile is reported with its constraints and the rest load.
 */
export function gatekeeperSet(
  documents: Array<{ file: string; doc: unknown }>,
  problems: string[] = [],
  someUnreadable = false,
): GatekeeperSet {
  const templates = new Map<string, Template>();
  const failed = new Set<string>();
  const constraints: Constraint[] = [];
  const syncKinds: GroupVersionKind[] = [];
  for (const { file, doc } of documents) {
    const object = (doc ?? {}) as K8sObject;
    const apiVersion = object.apiVersion ?? '';
    if (object.kind === 'ConstraintTemplate' && apiVersion.startsWith('templates.gatekeeper.sh/')) {
      try {
        const template = compileTemplate(file, object);
        templates.set(template.kind, template);
      } catch (error) {
        const kind = (object.spec as { crd?: { spec?: { names?: { kind?: string } } } })?.crd?.spec?.names?.kind;
        if (kind) failed.add(kind);
        problems.push(`${(error as Error).message}; the template is not enforced`);
      }
    } else if (apiVersion.startsWith('constraints.gatekeeper.sh/')) {
      try {
        constraints.push(parseConstraint(file, object));
      } catch (error) {
        problems.push((error as Error).message);
      }
    } else if (apiVersion.startsWith('config.gatekeeper.sh/') && object.kind === 'Config') {
      const sync = (object.spec as { sync?: { syncOnly?: unknown } } | undefined)?.sync?.syncOnly;
      syncKinds.push(...gvks(sync));
    } else if (apiVersion.startsWith('syncset.gatekeeper.sh/') && object.kind === 'SyncSet') {
      syncKinds.push(...gvks(object.spec?.gvks));
    }
  }
  const enforced = constraints.filter((constraint) => {
    if (templates.has(constraint.kind)) return true;
    // a template in a document that could not be read may be the one missing
    if (failed.has(constraint.kind) || someUnreadable) {
      problems.push(
        `Gatekeeper constraint ${constraint.kind}/${constraint.name} is not enforced: its ConstraintTemplate did not load`,
      );
      return false;
    }
    throw new Error(
      `Gatekeeper constraint ${constraint.kind}/${constraint.name} has no ConstraintTemplate of kind ${constraint.kind} in the policy directories`,
    );
  });
  const needsInventory = [...templates.values()].some((template) => template.inventory);
  return {
    templates: [...templates.keys()],
    constraints: enforced.map((c) => `${c.kind}/${c.name}`),
    problems,
    readsInventory: needsInventory,
    syncKinds,
    evaluate: (docs, review = {}) => {
      if (!enforced.length) return [];
      const point = review.enforcementPoint ?? 'gator.gatekeeper.sh';
      const world = worldOf(review, docs, needsInventory);
      const findings: Finding[] = [];
      docs.forEach((doc, index) => {
        const object = doc as K8sObject;
        if (!object || typeof object !== 'object' || !object.kind) return;
        const oldObject = review.oldObjects && findOld(review.oldObjects, object);
        for (const constraint of enforced) {
          const severity = severityAt(constraint.actions[point], point);
          if (!severity) continue;
          const context = { object, oldObject, review, world };
          const matched = matchAny(constraint, context);
          const finding = {
            rule: `${constraint.kind}/${constraint.name}`,
            resource: resourceOf(object),
            document: index,
          };
          if (typeof matched === 'string') {
            findings.push({ ...finding, severity: 'deny', message: matched });
          } else if (matched) {
            for (const message of violations(templates.get(constraint.kind)!, constraint, context)) {
              findings.push({ ...finding, severity, message });
            }
          }
        }
      });
      return findings;
    },
  };
}

function gvks(value: unknown): GroupVersionKind[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: Partial<GroupVersionKind>) =>
    entry && typeof entry.kind === 'string' && typeof entry.version === 'string'
      ? [{ group: entry.group ?? '', version: entry.version, kind: entry.kind }]
      : [],
  );
}

/**
 * The template's Rego as the constraint framework reads it: `targets[0].rego` with `targets[0].libs` (Rego v0, or
 * v1 with `import rego.v1`), otherwise the `code` entry of engine Rego, `source.rego` with `source.libs` in
 * `source.version` (default v0). When both are given, `rego` wins, as in the framework's conversion.
 */
function compileTemplate(file: string, object: K8sObject): Template {
  type Source = { rego?: unknown; libs?: unknown; version?: unknown };
  const spec = object.spec as {
    crd?: { spec?: { names?: { kind?: string } } };
    targets?: Array<{ rego?: string; libs?: unknown; code?: Array<{ engine?: string; source?: Source }> }>;
  };
  const name = `${file}: ConstraintTemplate ${object.metadata?.name ?? '?'}`;
  const kind = spec?.crd?.spec?.names?.kind;
  if (!kind) throw new Error(`${name} needs spec.crd.spec.names.kind`);
  const targets = spec.targets ?? [];
  if (targets.length !== 1) throw new Error(`${name} needs exactly one entry in spec.targets, has ${targets.length}`);
  const target = targets[0]!;
  const code = target.code?.find((entry) => entry.engine === 'Rego')?.source;
  const source: Source = target.rego ? { rego: target.rego, libs: target.libs, version: 'v0' } : (code ?? {});
  if (typeof source.rego !== 'string' || !source.rego.trim()) {
    throw new Error(`${name} has no Rego: set spec.targets[0].rego or a code entry {engine: Rego, source: {rego}}`);
  }
  const libs = source.libs ?? [];
  if (!Array.isArray(libs) || libs.some((lib) => typeof lib !== 'string')) {
    throw new Error(`${name}: libs must be a list of Rego modules (strings)`);
  }
  const pkg = /^\s*package\s+([\w.]+)/m.exec(source.rego)?.[1];
  if (!pkg) throw new Error(`${name}: its Rego has no package`);
  const modules = [source.rego, ...(libs as string[])].map((text, i) => ({
    path: `${file}#${kind}${i ? `.lib${i}` : ''}`,
    source: text,
  }));
  let policy: Policy;
  try {
    policy = compile(modules, { regoVersion: source.version === 'v1' ? 'v1' : 'v0' });
  } catch (error) {
    throw new Error(`${name} does not compile: ${(error as Error).message.split('\n')[0]}`);
  }
  if (policy.evalRule(`data.${pkg}.violation`) === undefined) {
    throw new Error(`${name}: its Rego has no violation rule`);
  }
  return { kind, pkg, policy, inventory: modules.some((m) => m.source.includes('data.inventory')) };
}

function parseConstraint(file: string, object: K8sObject): Constraint {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const kind = object.kind ?? '';
  const name = object.metadata?.name ?? '';
  const where = `${file}: Gatekeeper constraint ${kind}/${name}`;
  const action = (spec.enforcementAction ?? 'deny') as string;
  const actions = {} as Record<EnforcementPoint, Action[]>;
  if (action === 'scoped') {
    const scoped = spec.scopedEnforcementActions;
    if (!Array.isArray(scoped) || !scoped.length) {
      throw new Error(`${where}: enforcementAction scoped needs spec.scopedEnforcementActions; it is not enforced`);
    }
    for (const point of ENFORCEMENT_POINTS) actions[point] = [];
    for (const entry of scoped as Array<{ action?: string; enforcementPoints?: Array<{ name?: string }> }>) {
      if (!ACTIONS.includes(entry.action as Action)) {
        throw new Error(`${where}: scoped action ${JSON.stringify(entry.action)} is not deny, dryrun or warn`);
      }
      for (const point of ENFORCEMENT_POINTS) {
        if (entry.enforcementPoints?.some((p) => p.name === point || p.name === '*')) {
          actions[point].push(entry.action as Action);
        }
      }
    }
  } else if (ACTIONS.includes(action as Action)) {
    for (const point of ENFORCEMENT_POINTS) actions[point] = [action as Action];
  } else {
    throw new Error(
      `${where}: enforcementAction ${JSON.stringify(action)} is not deny, dryrun, warn or scoped; it is not enforced`,
    );
  }
  return { kind, name, actions, match: (spec.match ?? {}) as Match, parameters: spec.parameters ?? {} };
}

/**
 * What a violation is at an enforcement point: the webhook denies on deny and warns on warn (dryrun is for audit
 * only); gator reports every violation and fails only on deny.
 */
function severityAt(actions: Action[], point: EnforcementPoint): Finding['severity'] | undefined {
  if (actions.includes('deny')) return 'deny';
  if (actions.includes('warn')) return 'warn';
  if (actions.includes('dryrun') && point === 'gator.gatekeeper.sh') return 'warn';
  return undefined;
}

interface World {
  namespaces: ReadonlyMap<string, K8sObject>;
  data: { inventory: Inventory };
}

/** Namespaces and data.inventory: from the cluster when there is one, else from the manifest set (as gator). */
function worldOf(review: GatekeeperReview, documents: unknown[], needsInventory: boolean): World {
  if (review.cluster) return review.cluster;
  const objects = (review.objects ?? documents) as K8sObject[];
  const namespaces = new Map<string, K8sObject>();
  for (const object of objects) {
    if (isNamespace(object) && object.metadata?.name) namespaces.set(object.metadata.name, object);
  }
  return { namespaces, data: needsInventory ? { inventory: inventoryOf(objects) } : EMPTY_DATA };
}

/** data.inventory's layout: cluster[groupVersion][kind][name] and namespace[ns][groupVersion][kind][name]. */
export function inventoryOf(objects: Iterable<K8sObject>): Inventory {
  const inventory: Inventory = { cluster: {}, namespace: {} };
  const put = (root: Record<string, unknown>, keys: string[], value: unknown) => {
    let node = root;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
  };
  for (const object of objects) {
    const name = object?.metadata?.name;
    if (!object || typeof object !== 'object' || !object.apiVersion || !object.kind || !name) continue;
    const namespace = object.metadata?.namespace;
    if (namespace) put(inventory.namespace, [namespace, object.apiVersion, object.kind, name], object);
    else put(inventory.cluster, [object.apiVersion, object.kind, name], object);
  }
  return inventory;
}

interface ReviewContext {
  object: K8sObject;
  oldObject: K8sObject | undefined;
  review: GatekeeperReview;
  world: World;
}

function groupOf(object: K8sObject): string {
  return object.apiVersion?.includes('/') ? object.apiVersion.split('/')[0]! : '';
}

function isNamespace(object: K8sObject): boolean {
  return object?.kind === 'Namespace' && groupOf(object) === '';
}

function findOld(oldObjects: unknown[], object: K8sObject): K8sObject | undefined {
  const key = (o: K8sObject) => [groupOf(o), o.kind, o.metadata?.namespace ?? '', o.metadata?.name].join('/');
  const wanted = key(object);
  return (oldObjects as K8sObject[]).find((old) => old && typeof old === 'object' && key(old) === wanted);
}

/** The object or its old version matches (Gatekeeper's matchAny); a string is a match error, reported as a deny. */
function matchAny(constraint: Constraint, context: ReviewContext): boolean | string {
  const result = matches(constraint, context.object, context);
  if (result !== false || !context.oldObject) return result;
  return matches(constraint, context.oldObject, context);
}

/** Every top-level matcher must match; an absent one matches everything (pkg/mutation/match in Gatekeeper). */
function matches(constraint: Constraint, object: K8sObject, context: ReviewContext): boolean | string {
  const match = constraint.match;
  const group = groupOf(object);
  if (match.kinds?.length) {
    const hit = match.kinds.some(
      (entry) =>
        (!entry.kinds?.length || entry.kinds.includes('*') || entry.kinds.includes(object.kind!)) &&
        (!entry.apiGroups?.length || entry.apiGroups.includes('*') || entry.apiGroups.includes(group)),
    );
    if (!hit) return false;
  }
  const own = object.metadata?.namespace || (isNamespace(object) ? '' : (context.review.namespace ?? ''));
  const namespaceObject = own ? context.world.namespaces.get(own) : undefined;
  const hasNamespace = own !== '';
  const namespaceName = isNamespace(object) ? (object.metadata?.name ?? '') : own;
  if (match.scope === 'Cluster' && !(isNamespace(object) || !hasNamespace)) return false;
  if (match.scope === 'Namespaced' && !(!isNamespace(object) && hasNamespace)) return false;
  // namespaces and excludedNamespaces cannot disqualify an object without a namespace (cluster-scoped)
  if (match.namespaces?.length && namespaceName && !match.namespaces.some((w) => wildcard(w, namespaceName))) {
    return false;
  }
  if (match.excludedNamespaces?.some((w) => namespaceName && wildcard(w, namespaceName))) return false;
  if (match.labelSelector) {
    const selected = selects(match.labelSelector, object.metadata?.labels);
    if (selected !== true) return selected;
  }
  if (match.namespaceSelector) {
    if (isNamespace(object)) {
      const selected = selects(match.namespaceSelector, object.metadata?.labels);
      if (selected !== true) return selected;
    } else if (hasNamespace) {
      if (!namespaceObject) {
        return `${constraint.kind}/${constraint.name} selects namespaces by label, and the Namespace ${own} of ${resourceOf(object)} is neither in the checked manifests nor in the cluster: add its Namespace manifest to the files checked together`;
      }
      const selected = selects(match.namespaceSelector, namespaceObject.metadata?.labels);
      if (selected !== true) return selected;
    }
  }
  if (match.name) {
    const name = object.metadata?.name ?? '';
    const generated = object.metadata?.generateName ?? '';
    if (!wildcard(match.name, name) && !generateNameMatches(match.name, generated)) return false;
  }
  return true;
}

/** Gatekeeper's wildcard: a prefix glob `kube-*`, a suffix glob `*-system`, both `*x*`, or an exact name. */
function wildcard(pattern: string, candidate: string): boolean {
  const starts = pattern.startsWith('*');
  const ends = pattern.endsWith('*') && pattern.length > 1;
  if (pattern === '*') return true;
  if (starts && ends) return candidate.includes(pattern.slice(1, -1));
  if (starts) return candidate.endsWith(pattern.slice(1));
  if (ends) return candidate.startsWith(pattern.slice(0, -1));
  return pattern === candidate;
}

function generateNameMatches(pattern: string, generateName: string): boolean {
  if (!generateName) return false;
  if (pattern.startsWith('*') && pattern.endsWith('*') && pattern.length > 1) {
    return generateName.includes(pattern.slice(1, -1));
  }
  return !pattern.startsWith('*') && pattern.endsWith('*') && generateName.startsWith(pattern.slice(0, -1));
}

/** A Kubernetes label selector (matchLabels and matchExpressions, ANDed); an invalid operator is an error string. */
function selects(selector: LabelSelector, labels: Record<string, string> = {}): boolean | string {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case 'In':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return `label selector operator ${JSON.stringify(operator)} is not In, NotIn, Exists or DoesNotExist`;
    }
  }
  return true;
}

function resourceOf(object: K8sObject): string {
  return [object.kind, object.metadata?.namespace, object.metadata?.name].filter(Boolean).join('/');
}

/** input.review as Gatekeeper builds it from the admission request (gator and audit leave the request fields out). */
function violations(template: Template, constraint: Constraint, context: ReviewContext): string[] {
  const { object, oldObject, review, world } = context;
  const namespace = object.metadata?.namespace || (isNamespace(object) ? '' : (review.namespace ?? ''));
  const input = {
    review: {
      kind: { group: groupOf(object), version: object.apiVersion?.split('/').at(-1) ?? '', kind: object.kind },
      ...(object.metadata?.name ? { name: object.metadata.name } : {}),
      ...(namespace ? { namespace } : {}),
      ...(namespace && world.namespaces.has(namespace) ? { namespaceObject: world.namespaces.get(namespace) } : {}),
      object,
      ...(oldObject ? { oldObject } : {}),
      ...(review.operation ? { operation: review.operation } : {}),
      ...(review.userInfo ? { userInfo: review.userInfo } : {}),
      ...(review.uid ? { uid: review.uid } : {}),
      ...(review.dryRun !== undefined ? { dryRun: review.dryRun } : {}),
    },
    parameters: constraint.parameters,
  };
  const result = template.policy.evalRule(`data.${template.pkg}.violation`, {
    input,
    data: template.inventory ? world.data : EMPTY_DATA,
  });
  const items = Array.isArray(result) ? result : [];
  return items.map((item) => String((item as { msg?: unknown }).msg ?? JSON.stringify(item)));
}
