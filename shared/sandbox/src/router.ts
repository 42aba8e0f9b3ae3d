// Matches a request to a route template such as `GET /repos/{owner}/{repo}/contents/{path}`.

export interface RouteMatch<T> {
  value: T;
  params: Record<string, string>;
}

interface CompiledRoute<T> {
  method: string;
  template: string;
  strict: RegExp;
  /** Matches when the trailing parameter spans slashes (a file path, a ref like `heads/main`) sent unencoded. */
  greedy: RegExp | undefined;
  names: string[];
  literalLength: number;
  value: T;
}

const SEGMENT = '([^/]+)';

export class Router<T> {
  private readonly routes: CompiledRoute<T>[] = [];

  /** `route` is `METHOD /path/{param}`; `trailingSlashes` lets its last parameter contain `/`. */
  add(route: string, value: T, trailingSlashes = false): void {
    const [method, template] = splitRoute(route);
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return SEGMENT;
    });
    // The greedy form also matches the parameter left out entirely: GitHub answers `/contents` (no path) with
    // the repository root, and octokit sends exactly that for path ''.
    const greedy =
      trailingSlashes && source.endsWith(`/${SEGMENT}`)
        ? new RegExp(`^${source.slice(0, -SEGMENT.length - 1)}(?:/(.*))?$`)
        : undefined;
    this.routes.push({
      method,
      template,
      strict: new RegExp(`^${source}$`),
      greedy,
      names,
      literalLength: template.replace(/\{\w+\}/g, '').length,
      value,
    });
    // The more literal a template, the earlier it is tried: `/repos/{owner}/{repo}/readme` before a template that
    // has a parameter where `readme` stands.
    this.routes.sort((a, b) => b.literalLength - a.literalLength);
  }

  match(method: string, path: string): RouteMatch<T> | undefined {
    for (const pass of ['strict', 'greedy'] as const) {
      for (const route of this.routes) {
        if (route.method !== method) continue;
        const found = route[pass]?.exec(path);
        if (!found) continue;
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = safeDecode(found[i + 1] ?? '');
        });
        return { value: route.value, params };
      }
    }
    return undefined;
  }
}

export function splitRoute(route: string): [method: string, template: string] {
  const [method, template] = route.split(' ');
  if (!method || !template) throw new Error(`route must be "METHOD /path", got "${route}"`);
  return [method.toUpperCase(), template];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
