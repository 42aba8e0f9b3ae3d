// Backstage's search backend (GET /api/search/query) over TechDocs pages and catalog entities, and TechDocs' static
// site per entity (its MkDocs search_index.json). No published API description of either is vendored, so these routes
// are served outside the spec: shaped after @backstage/plugin-search-backend and the TechDocs static files.
import type { Handler } from '../server.ts';
import { FakeHttpError } from '../server.ts';
import type { BackstageState } from './state.ts';

export const SEARCH_ROUTE = 'GET /api/search/query';
export const TECHDOCS_INDEX_ROUTE = 'GET /api/techdocs/static/docs/{namespace}/{kind}/{name}/search/search_index.json';

interface Document {
  type: string;
  document: Record<string, string> & { title: string; text: string; location: string };
}

function documents(state: BackstageState): Document[] {
  const docs: Document[] = state.techdocs.map((page) => {
    const [kind, rest] = page.entity.split(':') as [string, string];
    const [namespace, name] = rest.split('/') as [string, string];
    return {
      type: 'techdocs',
      document: {
        kind,
        namespace,
        name,
        title: page.title,
        text: page.text,
        location: `/docs/${namespace}/${kind}/${name}/${page.location}`,
      },
    };
  });
  for (const entity of state.entities.values()) {
    const namespace = entity.metadata.namespace ?? 'default';
    docs.push({
      type: 'software-catalog',
      document: {
        kind: entity.kind,
        namespace,
        name: entity.metadata.name,
        title: entity.metadata.title ?? entity.metadata.name,
        text: entity.metadata.description ?? '',
        location: `/catalog/${namespace}/${entity.kind.toLowerCase()}/${entity.metadata.name}`,
      },
    });
  }
  return docs;
}

/** Words of a text, lower-cased. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** How well a document matches the term's words: a title word counts more than a body word. */
function score(document: Document['document'], term: string[]): number {
  const title = new Set(words(document.title));
  const body = words(document.text);
  return term.reduce((total, word) => total + (title.has(word) ? 3 : 0) + body.filter((w) => w === word).length, 0);
}

/** `types[0]=techdocs`, `types[]=techdocs` or `types=techdocs`, as the backend's query parser reads them. */
function typesOf(query: Record<string, string | string[]>): string[] {
  return Object.entries(query)
    .filter(([key]) => /^types(\[\d*\])?$/.test(key))
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]));
}

export function searchQuery(state: BackstageState): Handler {
  return ({ request }) => {
    const one = (name: string) => {
      const value = request.query[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const term = words(one('term') ?? '');
    const types = typesOf(request.query);
    const limit = Math.min(Math.max(Number(one('pageLimit') ?? 25) || 25, 1), 100);
    let page = 0;
    const cursor = one('pageCursor');
    if (cursor) {
      try {
        page = (JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { page: number }).page;
      } catch {
        throw new FakeHttpError(400, { error: { name: 'InputError', message: 'Invalid page cursor' } });
      }
    }
    const ranked = documents(state)
      .filter((doc) => types.length === 0 || types.includes(doc.type))
      .map((doc) => ({ doc, score: term.length === 0 ? 1 : score(doc.document, term) }))
      .filter((item) => item.score > 0)
      .sort((a, b) => b.score - a.score);
    const slice = ranked.slice(page * limit, (page + 1) * limit);
    const encode = (p: number) => Buffer.from(JSON.stringify({ page: p })).toString('base64');
    return {
      status: 200,
      body: {
        results: slice.map((item, index) => ({
          type: item.doc.type,
          document: item.doc.document,
          rank: page * limit + index + 1,
        })),
        numberOfResults: ranked.length,
        ...((page + 1) * limit < ranked.length ? { nextPageCursor: encode(page + 1) } : {}),
        ...(page > 0 ? { previousPageCursor: encode(page - 1) } : {}),
      },
    };
  };
}

export function techdocsIndex(state: BackstageState): Handler {
  return ({ request }) => {
    const { namespace, kind, name } = request.params as Record<string, string>;
    const entity = `${kind!.toLowerCase()}:${namespace!.toLowerCase()}/${name}`;
    const pages = state.techdocs.filter((page) => page.entity === entity);
    if (pages.length === 0) {
      throw new FakeHttpError(404, { error: { name: 'NotFoundError', message: `No TechDocs for ${entity}` } });
    }
    return {
      status: 200,
      body: {
        config: { lang: ['en'], separator: '[\\s\\-]+' },
        docs: pages.map((page) => ({ location: page.location, title: page.title, text: page.text })),
      },
    };
  };
}
