import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type Policy } from '@idp-mcp/rego';
import YAML from 'yaml';
import type { Finding } from './gate.ts';

/**
 * OPA Gatekeeper ConstraintTemplates and Constraints, so a team's existing cluster policies gate changes
 * here too. Each template's Rego (v0 unless it says v1) is compiled on its own and evaluated the way
 * Gatekeeper does: `violation[{"msg": msg}]` over input.review.object and input.parameters.
 */
export interface GatekeeperSet {
  templates: string[];
  constraints: string[];
  evaluate(documents: unknown[]): Finding[];
}

interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

interface Constraint {
  kind: string;
  name: string;
  severity: 'deny' | 'warn';
  match: {
    kinds?: Array<{ apiGroups?: string[]; kinds?: string[] }>;
    namespaces?: string[];
    excludedNamespaces?: string[];
    labelSelector?: { matchLabels?: Record<string, string> };
  };
  parameters: unknown;
}

interface Template {
  kind: string;
  pkg: string;
  policy: Policy;
}

export function loadGatekeeper(dirs: string[]): GatekeeperSet {
  const documents: Array<{ file: string; doc: unknown }> = [];
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
        if (doc.errors.length) throw new Error(`${file}: invalid YAML: ${doc.errors[0]!.message}`);
        documents.push({ file, doc: doc.toJS() });
      }
    }
  }
  return gatekeeperSet(documents);
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

/** Builds the set from parsed documents: ConstraintTemplates, and Constraints of their kinds; others are ignored. */
export function gatekeeperSet(documents: Array<{ file: string; doc: unknown }>): GatekeeperSet {
  const templates = new Map<string, Template>();
  const constraints: Constraint[] = [];
  for (const { file, doc } of documents) {
    const object = (doc ?? {}) as K8sObject;
    if (object.kind === 'ConstraintTemplate' && object.apiVersion?.startsWith('templates.gatekeeper.sh/')) {
      const template = compileTemplate(file, object);
      templates.set(template.kind, template);
    } else if (object.apiVersion?.startsWith('constraints.gatekeeper.sh/')) {
      const spec = (object.spec ?? {}) as Record<string, unknown>;
      const action = spec.enforcementAction ?? 'deny';
      constraints.push({
        kind: object.kind ?? '',
        name: object.metadata?.name ?? '',
        severity: action === 'deny' ? 'deny' : 'warn',
        match: (spec.match ?? {}) as Constraint['match'],
        parameters: spec.parameters ?? {},
      });
    }
  }
  for (const constraint of constraints) {
    if (!templates.has(constraint.kind)) {
      throw new Error(
        `Gatekeeper constraint ${constraint.kind}/${constraint.name} has no ConstraintTemplate of kind ${constraint.kind} in the policy directories`,
      );
    }
  }
  return {
    templates: [...templates.keys()],
    constraints: constraints.map((c) => `${c.kind}/${c.name}`),
    evaluate: (docs) =>
      docs.flatMap((doc, index) => {
        const object = doc as K8sObject;
        if (!object || typeof object !== 'object' || !object.kind) return [];
        return constraints
          .filter((constraint) => matches(constraint, object))
          .flatMap((constraint) => violationsOf(templates.get(constraint.kind)!, constraint, object, index));
      }),
  };
}

function compileTemplate(file: string, object: K8sObject): Template {
  const spec = object.spec as {
    crd?: { spec?: { names?: { kind?: string } } };
    targets?: Array<{
      rego?: string;
      libs?: string[];
      code?: Array<{ engine?: string; source?: { rego?: string; version?: string } }>;
    }>;
  };
  const kind = spec?.crd?.spec?.names?.kind;
  const target = spec?.targets?.[0];
  const code = target?.code?.find((entry) => entry.engine === 'Rego')?.source;
  const rego = target?.rego ?? code?.rego;
  if (!kind || !rego) {
    throw new Error(
      `${file}: ConstraintTemplate ${object.metadata?.name ?? '?'} needs spec.crd.spec.names.kind and spec.targets[0].rego`,
    );
  }
  const v1 = code?.version === 'v1' || /^\s*import\s+rego\.v1\b/m.test(rego);
  const modules = [rego, ...(target?.libs ?? [])].map((source, i) => ({
    path: `${file}#${kind}${i ? `.lib${i}` : ''}`,
    source,
  }));
  const pkg = /^\s*package\s+([\w.]+)/m.exec(rego)?.[1];
  if (!pkg) throw new Error(`${file}: the Rego of ConstraintTemplate ${kind} has no package`);
  return { kind, pkg, policy: compile(modules, { regoVersion: v1 ? 'v1' : 'v0' }) };
}

function matches(constraint: Constraint, object: K8sObject): boolean {
  const group = object.apiVersion?.includes('/') ? object.apiVersion.split('/')[0]! : '';
  const { kinds, namespaces, excludedNamespaces, labelSelector } = constraint.match;
  if (kinds?.length) {
    const hit = kinds.some(
      (entry) =>
        (entry.apiGroups ?? ['*']).some((g) => g === '*' || g === group) &&
        (entry.kinds ?? ['*']).some((k) => k === '*' || k === object.kind),
    );
    if (!hit) return false;
  }
  const namespace = object.kind === 'Namespace' ? object.metadata?.name : object.metadata?.namespace;
  if (namespaces?.length && !namespaces.includes(namespace ?? '')) return false;
  if (excludedNamespaces?.includes(namespace ?? '')) return false;
  for (const [key, value] of Object.entries(labelSelector?.matchLabels ?? {})) {
    if (object.metadata?.labels?.[key] !== value) return false;
  }
  return true;
}

function violationsOf(template: Template, constraint: Constraint, object: K8sObject, index: number): Finding[] {
  const group = object.apiVersion?.includes('/') ? object.apiVersion.split('/')[0]! : '';
  const version = object.apiVersion?.split('/').at(-1) ?? '';
  const input = {
    review: {
      object,
      kind: { group, version, kind: object.kind },
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      operation: 'CREATE',
    },
    parameters: constraint.parameters,
  };
  const result = template.policy.evalRule(`data.${template.pkg}.violation`, {
    input,
    data: { inventory: { cluster: {}, namespace: {} } },
  });
  const items = Array.isArray(result) ? result : [];
  const resource = [object.kind, object.metadata?.namespace, object.metadata?.name].filter(Boolean).join('/');
  return items.map((item) => ({
    rule: `${constraint.kind}/${constraint.name}`,
    severity: constraint.severity,
    message: String((item as { msg?: unknown }).msg ?? JSON.stringify(item)),
    resource,
    document: index,
  }));
}
