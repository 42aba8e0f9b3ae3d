// The Backstage fake's world: catalog entities (with relations derived from their specs, as the catalog's
// processors do), registered locations, catalog-info.yaml files reachable by URL, and scaffolder tasks.
import { randomUUID } from 'node:crypto';
import { parseAllDocuments } from 'yaml';

export interface Entity {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    description?: string;
    uid?: string;
    etag?: string;
    tags?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    links?: Array<{ url: string; title?: string; icon?: string; type?: string }>;
  };
  spec?: Record<string, unknown>;
  relations?: Array<{ type: string; targetRef: string }>;
}

export interface Location {
  id: string;
  type: string;
  target: string;
}

export interface TaskEvent {
  id: number;
  type: 'log' | 'completion' | 'cancelled' | 'recovered';
  body: { message: string; stepId?: string; status?: string; [key: string]: unknown };
  createdAt: string;
}

export interface Task {
  id: string;
  templateRef: string;
  values: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
  status: 'open' | 'processing' | 'completed' | 'failed' | 'cancelled';
  /** Events the task will emit, released one step per poll (`released` of them are visible). */
  script: TaskEvent[];
  released: number;
  /** Applied when the task completes (e.g. registering the new component). */
  onComplete?: () => void;
  lastHeartbeatAt?: string;
}

export function entityRef(entity: Pick<Entity, 'kind' | 'metadata'>): string {
  return `${entity.kind.toLowerCase()}:${entity.metadata.namespace ?? 'default'}/${entity.metadata.name}`;
}

/** Parses "kind:namespace/name", "kind:name" (namespace default) or "namespace/name" with a default kind. */
export function parseRef(ref: string, defaultKind?: string): { kind: string; namespace: string; name: string } {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref);
  const kind = match?.[1] ?? defaultKind;
  if (!match || !kind) throw new Error(`not an entity ref: ${ref}`);
  return { kind: kind.toLowerCase(), namespace: (match[2] ?? 'default').toLowerCase(), name: match[3]!.toLowerCase() };
}

const RELATION_PAIRS: Array<{
  field: string;
  kinds?: string[];
  forward: string;
  reverse: string;
  defaultKind: string;
}> = [
  { field: 'owner', forward: 'ownedBy', reverse: 'ownerOf', defaultKind: 'group' },
  { field: 'system', forward: 'partOf', reverse: 'hasPart', defaultKind: 'system' },
  { field: 'domain', forward: 'partOf', reverse: 'hasPart', defaultKind: 'domain' },
  { field: 'providesApis', forward: 'providesApi', reverse: 'apiProvidedBy', defaultKind: 'api' },
  { field: 'consumesApis', forward: 'consumesApi', reverse: 'apiConsumedBy', defaultKind: 'api' },
  { field: 'dependsOn', forward: 'dependsOn', reverse: 'dependencyOf', defaultKind: 'component' },
  { field: 'memberOf', forward: 'memberOf', reverse: 'hasMember', defaultKind: 'group' },
  { field: 'parent', forward: 'childOf', reverse: 'parentOf', defaultKind: 'group' },
];

export class BackstageState {
  /** By entity ref. */
  readonly entities = new Map<string, Entity>();
  readonly locations = new Map<string, Location>();
  /** What a catalog-info.yaml URL holds (already parsed), for registering locations. */
  readonly remoteFiles = new Map<string, Entity[]>();
  /** Reads the text at a location URL the map above does not hold, e.g. from the sandbox's GitHub fake. */
  readUrl: ((url: string) => string | undefined) | undefined;

  /** The entities of a location: sample files first, then readUrl's text as catalog YAML documents. */
  entitiesAt(url: string): Entity[] | undefined {
    const known = this.remoteFiles.get(url);
    if (known) return known;
    const text = this.readUrl?.(url);
    if (text === undefined) return undefined;
    return parseAllDocuments(text)
      .map((document) => document.toJS() as Entity | null)
      .filter((entity): entity is Entity => Boolean(entity?.kind && entity.metadata?.name));
  }
  /** TechDocs pages: the entity ref they document, the page's location in its site, its title and text. */
  readonly techdocs: Array<{ entity: string; location: string; title: string; text: string }> = [];
  readonly tasks = new Map<string, Task>();
  /** Bearer tokens -> the user ref they act as, and whether they may write. */
  readonly tokens = new Map<string, { user: string; write: boolean }>();
  now: () => Date = () => new Date();

  add(entity: Entity, location = 'url:https://github.com/acme/backstage-catalog/blob/main/all.yaml'): Entity {
    const stored: Entity = {
      ...entity,
      metadata: {
        namespace: 'default',
        ...entity.metadata,
        uid: entity.metadata.uid ?? randomUUID(),
        etag: randomUUID().replaceAll('-', '').slice(0, 16),
        annotations: {
          'backstage.io/managed-by-location': location,
          'backstage.io/managed-by-origin-location': location,
          ...entity.metadata.annotations,
        },
      },
    };
    this.entities.set(entityRef(stored), stored);
    return stored;
  }

  get(ref: string): Entity | undefined {
    return this.entities.get(ref.toLowerCase());
  }

  /** The entity with the relations the catalog derives from every entity's spec. */
  withRelations(entity: Entity): Entity {
    const self = entityRef(entity);
    const relations: Array<{ type: string; targetRef: string }> = [];
    const targets = (value: unknown): string[] =>
      (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
        (v): v is string => typeof v === 'string',
      );
    for (const pair of RELATION_PAIRS) {
      for (const target of targets(entity.spec?.[pair.field])) {
        const { kind, namespace, name } = parseRef(target, pair.defaultKind);
        relations.push({ type: pair.forward, targetRef: `${kind}:${namespace}/${name}` });
      }
    }
    for (const other of this.entities.values()) {
      for (const pair of RELATION_PAIRS) {
        for (const target of targets(other.spec?.[pair.field])) {
          const { kind, namespace, name } = parseRef(target, pair.defaultKind);
          if (`${kind}:${namespace}/${name}` === self)
            relations.push({ type: pair.reverse, targetRef: entityRef(other) });
        }
      }
    }
    return { ...entity, relations };
  }

  timestamp(): string {
    return this.now().toISOString();
  }
}
