// What every GitHub handler needs: the state, the renderer for this request, the caller and the addressed repo.
import type { FakeOperation, HandlerContext } from '../../server.ts';
import { caller, httpError, notFound } from '../http.ts';
import { Renderer } from '../render.ts';
import type { GitHubState, Issue, Repo } from '../state.ts';

export type Operations = Record<string, FakeOperation>;

export interface GitHubContext {
  http: HandlerContext;
  state: GitHubState;
  render: Renderer;
  /** The authenticated login. */
  login: string;
  params: Record<string, string>;
  /** The JSON body as an object (empty when there is none). */
  body: Record<string, unknown>;
}

export type GitHubHandler = (context: GitHubContext) => ReturnType<FakeOperation['handle']>;

/** Wraps a handler with the GitHub context; `route` is `METHOD /path` as in the spec. */
export function operation(state: GitHubState, route: string, handle: GitHubHandler): FakeOperation {
  return {
    route,
    // GitHub takes file paths and refs with unencoded slashes (`contents/src/a.ts`, `git/ref/heads/main`).
    trailingSlashes: /\/(contents\/\{path\}|git\/refs?\/\{ref\})$/.test(route),
    handle: (http) =>
      handle({
        http,
        state,
        render: new Renderer(state, http.baseUrl),
        login: caller(state, http),
        params: http.request.params,
        body: isObject(http.request.body) ? http.request.body : {},
      }),
  };
}

/** The repository of `{owner}/{repo}`; private ones are invisible to callers who may not see them, as on GitHub. */
export function repoOf(context: GitHubContext, owner = 'owner', name = 'repo'): Repo {
  const repo = context.state.findRepo(`${context.params[owner]}/${context.params[name]}`);
  if (!repo?.visibleTo(context.login)) throw notFound();
  return repo;
}

export function issueOf(context: GitHubContext, repo: Repo, param = 'issue_number'): Issue {
  const issue = repo.issue(Number(context.params[param]));
  if (!issue) throw notFound();
  return issue;
}

export function pullOf(context: GitHubContext, repo: Repo): Issue {
  const issue = repo.issue(Number(context.params.pull_number));
  if (!issue?.pull) throw notFound();
  return issue;
}

/** Writes need push access; GitHub hides what a caller cannot see and refuses what it cannot change. */
export function requireWrite(context: GitHubContext, repo: Repo): void {
  if (!repo.writableBy(context.login)) throw httpError(403, 'Resource not accessible by personal access token');
  if (repo.archived) throw httpError(403, 'Repository was archived so is read-only.');
}

export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
