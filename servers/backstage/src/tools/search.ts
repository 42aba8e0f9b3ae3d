import { defineTool, READ, ToolError, truncateText } from '@idp-mcp/core';
import * as z from 'zod';
import type { BackstageClient } from '../backstage.ts';
import { entityRefArg, parseEntityRef } from './catalog.ts';

interface SearchResponse {
  results: Array<{ type: string; document: Record<string, unknown>; rank?: number }>;
  nextPageCursor?: string;
  numberOfResults?: number;
}

interface SearchIndex {
  docs: Array<{ location: string; title: string; text: string }>;
}

const SNIPPET = 300;
const PAGE_TEXT = 6000;

/** Knowledge search over Backstage's search backend (TechDocs, catalog and other collators) and TechDocs sites. */
export function searchTools(backstage: BackstageClient) {
  return [
    defineTool({
      name: 'search',
      title: 'Search the platform knowledge',
      description:
        'Search Backstage: TechDocs pages (runbooks, how-tos), catalog entities and other indexed documents, best match first. Each result has its type, title, a short snippet and its location; read a TechDocs page in full with get_techdocs.',
      toolset: 'search',
      tier: 'read',
      annotations: READ,
      input: z.object({
        term: z.string().min(1).max(500).describe('What to look for, e.g. "rotate payments database password".'),
        types: z
          .array(z.string().regex(/^[a-z0-9-]+$/, { error: 'a document type such as techdocs or software-catalog' }))
          .optional()
          .describe('Only these document types, e.g. ["techdocs"] or ["software-catalog"].'),
        limit: z.number().int().min(1).max(25).default(10),
        cursor: z.string().optional().describe('nextCursor of the previous page.'),
      }),
      output: z.object({
        results: z.array(
          z.object({
            type: z.string(),
            title: z.string(),
            snippet: z.string(),
            location: z.string(),
            entity: z.string().optional().describe('For TechDocs and catalog results: the entity ref.'),
          }),
        ),
        total: z.number().optional(),
        nextCursor: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const query: Record<string, string> = {
          term: input.term,
          pageLimit: String(input.limit),
          ...(input.cursor ? { pageCursor: input.cursor } : {}),
        };
        for (const [index, type] of (input.types ?? []).entries()) query[`types[${index}]`] = type;
        const response = await backstage.get<SearchResponse>('/api/search/query', query, ctx.signal);
        return {
          results: response.results.map(({ type, document }) => {
            const text = (key: string) => (typeof document[key] === 'string' ? (document[key] as string) : undefined);
            const kind = text('kind');
            const name = text('name');
            return {
              type,
              title: text('title') ?? '(untitled)',
              snippet: truncateText(text('text') ?? '', { limit: SNIPPET, hint: 'get_techdocs reads the page' }).text,
              location: text('location') ?? '',
              ...(kind && name ? { entity: `${kind.toLowerCase()}:${text('namespace') ?? 'default'}/${name}` } : {}),
            };
          }),
          ...(response.numberOfResults !== undefined ? { total: response.numberOfResults } : {}),
          ...(response.nextPageCursor ? { nextCursor: response.nextPageCursor } : {}),
        };
      },
    }),
    defineTool({
      name: 'get_techdocs',
      title: 'Read TechDocs of an entity',
      description:
        "An entity's TechDocs: without page, the list of its pages (location and title); with page (a location from that list or from search), that page's text, trimmed.",
      toolset: 'search',
      tier: 'read',
      annotations: READ,
      input: z.object({
        entity: entityRefArg.describe(
          'Entity ref, e.g. "component:default/payments-api" (kind defaults to component).',
        ),
        page: z.string().max(300).optional().describe('Page location, e.g. "runbooks/rotate-db-password/".'),
      }),
      output: z.object({
        entity: z.string(),
        pages: z.array(z.object({ location: z.string(), title: z.string() })),
        page: z
          .object({ location: z.string(), title: z.string(), text: z.string(), truncated: z.boolean() })
          .optional(),
      }),
      handler: async (input, ctx) => {
        const ref = parseEntityRef(input.entity, 'component');
        const index = await backstage.get<SearchIndex>(
          `/api/techdocs/static/docs/${ref.namespace}/${ref.kind}/${ref.name}/search/search_index.json`,
          {},
          ctx.signal,
        );
        // MkDocs indexes each section too (location with #anchor): a page is the entry without one.
        const pages = index.docs.filter((doc) => !doc.location.includes('#'));
        const wanted = input.page?.replace(/^\/+/, '').replace(/^(?:docs\/[^/]+\/[^/]+\/[^/]+\/)/, '');
        const page = wanted === undefined ? undefined : pages.find((doc) => doc.location === wanted);
        if (wanted !== undefined && !page) {
          throw new ToolError('not_found', `page: ${ref.ref} has no TechDocs page ${wanted}`, {
            hint: `pages: ${pages.map((doc) => doc.location || '(index)').join(', ')}`,
            retryable: false,
          });
        }
        const trimmed = page
          ? truncateText(page.text, { limit: PAGE_TEXT, hint: 'the rest is on the TechDocs site' })
          : undefined;
        return {
          entity: ref.ref,
          pages: pages.map((doc) => ({ location: doc.location, title: doc.title })),
          ...(page && trimmed
            ? { page: { location: page.location, title: page.title, text: trimmed.text, truncated: trimmed.truncated } }
            : {}),
        };
      },
    }),
  ];
}
