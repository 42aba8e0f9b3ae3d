import {
  decodeCursor,
  defineTool,
  encodeCursor,
  listArgs,
  nextCursorField,
  READ,
  ToolError,
  truncateText,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import type { BackstageClient } from '../backstage.ts';

export interface Entity {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    description?: string;
    tags?: string[];
    annotations?: Record<string, string>;
    links?: Array<{ url: string; title?: string }>;
  };
  spec?: Record<string, unknown>;
  relations?: Array<{ type: string; targetRef: string }>;
}

interface QueryResponse {
  items: Entity[];
  totalItems: number;
  pageInfo: { nextCursor?: string };
}

export const entityRefArg = z
  .string()
  .regex(/^(?:[A-Za-z][A-Za-z0-9-]*:)?(?:[A-Za-z0-9][A-Za-z0-9-_.]*\/)?[A-Za-z0-9][A-Za-z0-9-_.]*$/, {
    error:
      'must be an entity ref "kind:namespace/name", e.g. "component:default/payments-api" (kind and namespace optional)',
  });

/** "payments-api" -> component:default/payments-api; the kind defaults to `defaultKind`. */
export function parseEntityRef(ref: string, defaultKind: string) {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref)!;
  const kind = (match[1] ?? defaultKind).toLowerCase();
  const namespace = (match[2] ?? 'default').toLowerCase();
  const name = match[3]!;
  return { kind, namespace, name, ref: `${kind}:${namespace}/${name}` };
}

export function refOf(entity: Pick<Entity, 'kind' | 'metadata'>): string {
  return `${entity.kind.toLowerCase()}:${entity.metadata.namespace ?? 'default'}/${entity.metadata.name}`;
}

/** What every list asks the catalog for: enough for a summary, and always what the Entity schema requires. */
const SUMMARY_FIELDS = [
  'apiVersion',
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.description',
  'metadata.tags',
  'spec.type',
  'spec.owner',
  'spec.lifecycle',
];

export const entitySummary = z.object({
  ref: z.string(),
  kind: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  type: z.string().optional(),
  owner: z.string().optional(),
  lifecycle: z.string().optional(),
  tags: z.array(z.string()).optional(),
  fields: z.record(z.string(), z.unknown()).optional().describe('The extra fields asked for.'),
});

function valueAt(entity: Entity, path: string): unknown {
  let node: unknown = entity;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

export function summarize(entity: Entity, extra: string[] = []): z.input<typeof entitySummary> {
  const spec = entity.spec ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const fields = Object.fromEntries(
    extra.map((path) => [path, valueAt(entity, path)]).filter(([, v]) => v !== undefined),
  );
  return {
    ref: refOf(entity),
    kind: entity.kind,
    ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
    ...(entity.metadata.description ? { description: entity.metadata.description } : {}),
    ...(text(spec.type) ? { type: text(spec.type) } : {}),
    ...(text(spec.owner) ? { owner: text(spec.owner) } : {}),
    ...(text(spec.lifecycle) ? { lifecycle: text(spec.lifecycle) } : {}),
    ...(entity.metadata.tags?.length ? { tags: entity.metadata.tags } : {}),
    ...(Object.keys(fields).length > 0 ? { fields } : {}),
  };
}

/** Long strings in a spec (an API's embedded `definition`, a template's inline content) are cut to 2,000 characters. */
function trimSpec(spec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(spec).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? truncateText(value, { limit: 2000, hint: `spec.${key} is long; read it from the entity's source file` }).text
        : value,
    ]),
  );
}

const filterValue = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^,=]+$/, { error: 'must be a plain value without "," or "="' });

/**
 * The catalog's /entities/by-query with its cursor: the first call sends filter, order and full-text term; later
 * calls send only the catalog's cursor (which carries them), as the catalog requires.
 */
export async function queryEntities(
  backstage: BackstageClient,
  tool: string,
  input: { limit: number; cursor?: string | undefined },
  query: { filter?: string[]; term?: string; fields?: string[] },
  signal: AbortSignal,
) {
  const position = decodeCursor<{ c: string }>(tool, input.cursor, { c: 'string' });
  const fields = [...new Set([...SUMMARY_FIELDS, ...(query.fields ?? [])])];
  const response = await backstage.get<QueryResponse>(
    '/api/catalog/entities/by-query',
    {
      limit: String(input.limit),
      fields: fields.join(','),
      ...(position
        ? { cursor: position.c }
        : {
            filter: query.filter,
            orderField: 'metadata.name,asc',
            ...(query.term
              ? {
                  fullTextFilterTerm: query.term,
                  fullTextFilterFields: 'metadata.name,metadata.title,metadata.description',
                }
              : {}),
          }),
    },
    signal,
  );
  return {
    entities: response.items.map((entity) => summarize(entity, query.fields)),
    total: response.totalItems,
    nextCursor: response.pageInfo.nextCursor ? encodeCursor(tool, { c: response.pageInfo.nextCursor }) : undefined,
  };
}

const listOutput = z.object({ entities: z.array(entitySummary), total: z.number(), nextCursor: nextCursorField });

export function catalogTools(backstage: BackstageClient) {
  return [
    defineTool({
      name: 'list_entities',
      title: 'List catalog entities',
      description:
        'List software catalog entities (components, APIs, systems, groups, users, resources) by kind, type, owner, lifecycle or tag, sorted by name.',
      toolset: 'catalog',
      tier: 'read',
      annotations: READ,
      input: z.object({
        kind: filterValue
          .optional()
          .describe('Entity kind: component, api, system, domain, resource, group, user, template.'),
        type: filterValue.optional().describe('spec.type, e.g. service, website, library, openapi.'),
        owner: filterValue
          .optional()
          .describe('Owner ref as written in spec.owner, e.g. "payments" or "group:default/payments".'),
        lifecycle: filterValue.optional().describe('e.g. production, experimental, deprecated.'),
        tag: filterValue.optional(),
        filter: z
          .string()
          .max(500)
          .regex(/^[^,=]+(=[^,]*)?(,[^,=]+(=[^,]*)?)*$/, {
            error: 'must be catalog filter conditions "key=value,key2"',
          })
          .optional()
          .describe('Extra catalog filter, e.g. "metadata.annotations.github.com/project-slug=acme/payments-api".'),
        fields: z
          .array(
            z.string().regex(/^[A-Za-z0-9_.\-/]+$/, { error: 'must be a field path such as "metadata.annotations"' }),
          )
          .max(10)
          .optional()
          .describe('Extra field paths to return per entity, e.g. ["spec.system", "metadata.annotations"].'),
        ...listArgs,
      }),
      output: listOutput,
      handler: async (input, ctx) => {
        const conditions = [
          input.kind && `kind=${input.kind}`,
          input.type && `spec.type=${input.type}`,
          input.owner && `spec.owner=${input.owner}`,
          input.lifecycle && `spec.lifecycle=${input.lifecycle}`,
          input.tag && `metadata.tags=${input.tag}`,
          input.filter,
        ].filter((c): c is string => Boolean(c));
        return queryEntities(
          backstage,
          'list_entities',
          input,
          {
            ...(conditions.length > 0 ? { filter: [conditions.join(',')] } : {}),
            ...(input.fields ? { fields: input.fields } : {}),
          },
          ctx.signal,
        );
      },
    }),
    defineTool({
      name: 'search_entities',
      title: 'Search the catalog',
      description:
        "Find entities whose name, title or description contains a text (the catalog's full-text query, not the search plugin).",
      toolset: 'catalog',
      tier: 'read',
      annotations: READ,
      input: z.object({
        text: z.string().min(2).max(100).describe('Text to look for, e.g. "payments".'),
        kind: filterValue.optional().describe('Only this kind, e.g. component.'),
        ...listArgs,
      }),
      output: listOutput,
      handler: async (input, ctx) =>
        queryEntities(
          backstage,
          'search_entities',
          input,
          { term: input.text, ...(input.kind ? { filter: [`kind=${input.kind}`] } : {}) },
          ctx.signal,
        ),
    }),
    defineTool({
      name: 'get_entity',
      title: 'Get catalog entity',
      description:
        'Get one entity by ref with its spec, annotations, links and relations grouped by type (ownedBy, dependsOn, providesApi, hasPart, ...).',
      toolset: 'catalog',
      tier: 'read',
      annotations: READ,
      input: z.object({
        ref: entityRefArg.describe('Entity ref, e.g. "component:default/payments-api" or "payments-api".'),
      }),
      output: entitySummary.extend({
        annotations: z.record(z.string(), z.string()),
        links: z.array(z.object({ url: z.string(), title: z.string().optional() })),
        spec: z.record(z.string(), z.unknown()),
        relations: z.record(z.string(), z.array(z.string())),
      }),
      handler: async (input, ctx) => {
        const { kind, namespace, name } = parseEntityRef(input.ref, 'component');
        const entity = await backstage.get<Entity>(
          `/api/catalog/entities/by-name/${encodeURIComponent(kind)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
          {},
          ctx.signal,
        );
        const relations: Record<string, string[]> = {};
        for (const relation of entity.relations ?? []) {
          relations[relation.type] = [...(relations[relation.type] ?? []), relation.targetRef];
        }
        return {
          ...summarize(entity),
          annotations: entity.metadata.annotations ?? {},
          links: (entity.metadata.links ?? []).map((l) => ({ url: l.url, ...(l.title ? { title: l.title } : {}) })),
          spec: trimSpec(entity.spec ?? {}),
          relations,
        };
      },
    }),
    defineTool({
      name: 'register_location',
      title: 'Register catalog-info.yaml',
      description:
        'Register a catalog-info.yaml URL in the catalog so its entities appear. With dry_run, only shows the entities it would add.',
      toolset: 'catalog',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        url: z
          .url({ protocol: /^https?$/, error: 'must be an http(s) URL of a catalog-info.yaml file' })
          .regex(/\.ya?ml$/, { error: 'must point at a YAML file such as .../blob/main/catalog-info.yaml' })
          .describe('URL of the file, e.g. https://github.com/acme/inventory-api/blob/main/catalog-info.yaml'),
        dry_run: z.boolean().default(false).describe('Only validate and show the entities; register nothing.'),
      }),
      output: z.object({
        dry_run: z.boolean(),
        location_id: z.string().optional(),
        already_registered: z.boolean().optional(),
        entities: z.array(entitySummary),
      }),
      handler: async (input, ctx) => {
        let result: { exists?: boolean; entities: Entity[]; location: { id: string } };
        try {
          result = await backstage.post(
            '/api/catalog/locations',
            { type: 'url', target: input.url },
            ctx.signal,
            input.dry_run ? { dryRun: 'true' } : {},
          );
        } catch (error) {
          if (error instanceof ToolError && error.code === 'conflict') {
            throw new ToolError('conflict', `url: ${input.url} is already registered`, {
              upstream: 'Backstage',
              status: 409,
              hint: 'refresh_entity re-reads it; nothing needs registering',
              retryable: false,
            });
          }
          throw error;
        }
        return {
          dry_run: input.dry_run,
          ...(input.dry_run ? { already_registered: result.exists ?? false } : { location_id: result.location.id }),
          entities: result.entities.map((entity) => summarize(entity)),
        };
      },
    }),
    defineTool({
      name: 'refresh_entity',
      title: 'Refresh catalog entity',
      description: 'Ask the catalog to re-read an entity from its catalog-info.yaml now instead of at the next cycle.',
      toolset: 'catalog',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ ref: entityRefArg.describe('Entity ref, e.g. "component:default/payments-api".') }),
      output: z.object({ ref: z.string(), refresh: z.literal('scheduled') }),
      handler: async (input, ctx) => {
        const { ref } = parseEntityRef(input.ref, 'component');
        await backstage.post('/api/catalog/refresh', { entityRef: ref }, ctx.signal);
        return { ref, refresh: 'scheduled' as const };
      },
    }),
  ];
}
