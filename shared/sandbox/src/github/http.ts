// GitHub's HTTP conventions: error bodies, authentication, rate-limit headers and Link-header pagination.
import { FakeHttpError, type FakeRequest, type FakeResponse, type HandlerContext } from '../server.ts';
import type { GitHubState } from './state.ts';

const DOCS = 'https://docs.github.com/rest';

const MESSAGES: Record<number, string> = {
  400: 'Problems parsing JSON',
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  500: 'Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
};

/** GitHub's error body: `{ message, documentation_url, status }`. */
export function errorBody(status: number, message?: string): Record<string, unknown> {
  return { message: message ?? MESSAGES[status] ?? 'Error', documentation_url: DOCS, status: String(status) };
}

export function httpError(status: number, message?: string): FakeHttpError {
  return new FakeHttpError(status, errorBody(status, message));
}

export function notFound(): FakeHttpError {
  return httpError(404);
}

/** 422 with GitHub's `errors` array, e.g. `{ resource: 'Repository', code: 'custom', field: 'name', message }`. */
export function validationFailed(
  errors: { resource: string; code: string; field?: string; message?: string }[],
  message = 'Validation Failed',
): FakeHttpError {
  return new FakeHttpError(422, { ...errorBody(422, message), errors });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, body, headers };
}

/** 201 with `Location` naming the new resource's API URL, as GitHub answers a create. */
export function created(body: { url?: unknown } & Record<string, unknown>): FakeResponse {
  return json(201, body, typeof body.url === 'string' ? { location: body.url } : {});
}

/** The login a request's token belongs to, or undefined. Accepts `token X` and `Bearer X` like GitHub. */
export function tokenLogin(state: GitHubState, request: FakeRequest): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match ? state.tokens.get(match[1]!) : undefined;
}

/** GitHub answers anonymous callers on public data, but every idp-mcp caller authenticates: the fake requires it. */
export function authenticate(state: GitHubState, request: FakeRequest): FakeResponse | undefined {
  if (request.headers.authorization === undefined) return json(401, errorBody(401, 'Requires authentication'));
  if (tokenLogin(state, request) === undefined) return json(401, errorBody(401, 'Bad credentials'));
  return undefined;
}

/** The authenticated login (the authenticate hook has already let only known tokens through). */
export function caller(state: GitHubState, context: HandlerContext): string {
  const login = tokenLogin(state, context.request);
  if (!login) throw httpError(401, 'Bad credentials');
  return login;
}

/** `x-ratelimit-*` headers, counted per caller and resource like GitHub (core: 5000/h, search: 30/min). */
export function rateLimiter(state: GitHubState): (request: FakeRequest) => Record<string, string> {
  const used = new Map<string, number>();
  const resetAt = Math.floor(Date.now() / 1000) + 3600;
  return (request) => {
    const resource = request.path.startsWith('/search/') ? 'search' : 'core';
    const login = tokenLogin(state, request);
    // Unauthenticated callers get GitHub's anonymous budget (60/h core, 10/min search).
    const limit = resource === 'search' ? (login ? 30 : 10) : login ? 5000 : 60;
    const key = `${login ?? 'anonymous'}:${resource}`;
    const count = (used.get(key) ?? 0) + 1;
    used.set(key, count);
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - count)),
      'x-ratelimit-reset': String(resetAt),
      'x-ratelimit-used': String(count),
      'x-ratelimit-resource': resource,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `FAKE:${count.toString(16).toUpperCase()}:${resource.toUpperCase()}`,
    };
  };
}

export function queryString(context: HandlerContext, name: string): string | undefined {
  const value = context.request.query[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

export function queryNumber(context: HandlerContext, name: string, fallback: number): number {
  const value = Number(queryString(context, name));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
  total: number;
}

/** Slices `items` by `per_page` (default 30, at most 100) and `page`, with GitHub's `Link` header. */
export function paginate<T>(context: HandlerContext, items: T[]): Page<T> {
  const perPage = Math.min(queryNumber(context, 'per_page', 30), 100);
  const page = queryNumber(context, 'page', 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (target: number, rel: string) => {
    const url = new URL(context.request.path, context.baseUrl);
    for (const [name, value] of Object.entries(context.request.query)) {
      url.searchParams.set(name, Array.isArray(value) ? value.join(',') : value);
    }
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(target));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
    total: items.length,
  };
}

/** A paginated JSON array response. */
export function pageOf<T, R>(context: HandlerContext, items: T[], render: (item: T) => R): FakeResponse {
  const page = paginate(context, items);
  return json(200, page.items.map(render), page.headers);
}

/** A paginated `{ total_count, <key>: [...] }` response, the shape of GitHub's counted lists (runs, jobs, checks). */
export function countedPageOf<T, R>(
  context: HandlerContext,
  key: string,
  items: T[],
  render: (item: T) => R,
): FakeResponse {
  const page = paginate(context, items);
  return json(200, { total_count: page.total, [key]: page.items.map(render) }, page.headers);
}

/** Sorts by a date-like or numeric key, `direction` asc/desc (GitHub's default is desc for most lists). */
export function sortBy<T>(items: T[], key: (item: T) => string | number, direction: string | undefined): T[] {
  const sorted = [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return direction === 'asc' ? sorted : sorted.reverse();
}
