// Search: repositories, issues and pull requests, code. Free-text terms match as case-insensitive substrings; the
// common qualifiers (org:, user:, repo:, is:, label:, language:, in:, ...) filter like GitHub's.
import type { FakeResponse, HandlerContext } from '../../server.ts';
import { json, paginate, queryString, validationFailed } from '../http.ts';
import type { GitHubState, Issue, Repo } from '../state.ts';
import { type GitHubContext, type Operations, operation } from './context.ts';

export interface SearchQuery {
  terms: string[];
  /** Qualifier name to its values, e.g. `label` -> ['bug', 'p1']. Negated ones (`-label:x`) under `-label`. */
  qualifiers: Map<string, string[]>;
}

export function parseSearchQuery(q: string): SearchQuery {
  const terms: string[] = [];
  const qualifiers = new Map<string, string[]>();
  for (const match of q.matchAll(/(-?[\w.-]+):("[^"]*"|\S+)|"([^"]*)"|(\S+)/g)) {
    const [, name, value, quoted, word] = match;
    if (name && value !== undefined) {
      const key = name.toLowerCase();
      qualifiers.set(key, [...(qualifiers.get(key) ?? []), value.replace(/^"|"$/g, '')]);
    } else {
      const term = quoted ?? word;
      if (term && !/^(AND|OR|NOT)$/.test(term)) terms.push(term.toLowerCase());
    }
  }
  return { terms, qualifiers };
}

export function searchOperations(state: GitHubState): Operations {
  return {
    'search/repos': operation(state, 'GET /search/repositories', (c) => {
      const query = parseSearchQuery(queryString(c.http, 'q') ?? '');
      const fields = query.qualifiers.get('in') ?? ['name', 'description', 'topics'];
      const repos = visibleRepos(c, query).filter((repo) => {
        const texts = fields.flatMap((field) =>
          field === 'name'
            ? [repo.name]
            : field === 'description'
              ? [repo.description ?? '']
              : field === 'topics'
                ? repo.topics
                : field === 'readme'
                  ? [repo.file(repo.defaultBranch, 'README.md') ?? '']
                  : [],
        );
        return (
          matchesAll(query.terms, texts) &&
          every(query, 'language', (l) => repo.language?.toLowerCase() === l.toLowerCase()) &&
          every(query, 'topic', (t) => repo.topics.includes(t)) &&
          every(query, 'is', (v) =>
            v === 'public'
              ? !repo.isPrivate
              : v === 'private'
                ? repo.isPrivate
                : v === 'template'
                  ? repo.isTemplate
                  : true,
          ) &&
          every(query, 'template', (v) => repo.isTemplate === (v === 'true')) &&
          every(query, 'archived', (v) => v === 'false')
        );
      });
      return results(
        c.http,
        repos.sort((a, b) => (a.pushedAt < b.pushedAt ? 1 : -1)),
        (repo) => ({
          ...c.render.repo(repo, c.login),
          score: 1,
        }),
      );
    }),

    'search/issues-and-pull-requests': operation(state, 'GET /search/issues', (c) => {
      const query = parseSearchQuery(queryString(c.http, 'q') ?? '');
      const fields = query.qualifiers.get('in') ?? ['title', 'body'];
      const found: { repo: Repo; issue: Issue }[] = [];
      for (const repo of visibleRepos(c, query)) {
        for (const issue of repo.issues) {
          const texts = fields.flatMap((field) =>
            field === 'title'
              ? [issue.title]
              : field === 'body'
                ? [issue.body ?? '']
                : field === 'comments'
                  ? issue.comments.map((x) => x.body)
                  : [],
          );
          if (matchesAll(query.terms, texts) && issueMatches(query, issue)) found.push({ repo, issue });
        }
      }
      found.sort((a, b) =>
        a.issue.createdAt < b.issue.createdAt
          ? 1
          : a.issue.createdAt > b.issue.createdAt
            ? -1
            : b.issue.id - a.issue.id,
      );
      // The fake searches lexically only; semantic and hybrid requests say they fell back, as GitHub does.
      const asked = queryString(c.http, 'search_type');
      const searchType = asked
        ? { search_type: 'lexical', lexical_fallback_reason: ['service_unavailable'] }
        : { search_type: 'lexical' };
      return results(c.http, found, ({ repo, issue }) => ({ ...c.render.issue(repo, issue), score: 1 }), searchType);
    }),

    'search/code': operation(state, 'GET /search/code', (c) => {
      const query = parseSearchQuery(queryString(c.http, 'q') ?? '');
      if (query.terms.length === 0) {
        throw validationFailed([
          { resource: 'Search', field: 'q', code: 'invalid', message: 'Must include at least one search term.' },
        ]);
      }
      const inPath = (query.qualifiers.get('in') ?? []).includes('path');
      const wantsTextMatches = (c.http.request.headers.accept ?? '').includes('text-match');
      const found: { repo: Repo; path: string; sha: string }[] = [];
      for (const repo of visibleRepos(c, query)) {
        const commit = repo.commitAt(repo.defaultBranch);
        if (!commit) continue;
        for (const [path, file] of repo.git.flatten(commit.tree)) {
          const name = path.split('/').pop()!;
          const text = inPath ? path : repo.git.text(file.sha);
          if (
            matchesAll(query.terms, [text]) &&
            every(query, 'language', (l) => languageOf(path)?.toLowerCase() === l.toLowerCase()) &&
            every(query, 'path', (p) => path.startsWith(p.replace(/^\//, '')) || path.includes(p)) &&
            every(query, 'filename', (f) => name === f) &&
            every(query, 'extension', (e) => name.endsWith(`.${e}`))
          ) {
            found.push({ repo, path, sha: file.sha });
          }
        }
      }
      return results(c.http, found, ({ repo, path, sha }) => {
        const url = `${c.http.baseUrl}/repos/${repo.fullName}/contents/${path}?ref=${repo.branch(repo.defaultBranch)}`;
        return {
          name: path.split('/').pop(),
          path,
          sha,
          url,
          git_url: `${c.http.baseUrl}/repos/${repo.fullName}/git/blobs/${sha}`,
          html_url: `https://github.com/${repo.fullName}/blob/${repo.branch(repo.defaultBranch)}/${path}`,
          repository: c.render.repo(repo),
          score: 1,
          file_size: repo.git.blobs.get(sha)?.length ?? 0,
          language: languageOf(path) ?? null,
          ...(wantsTextMatches
            ? {
                text_matches: textMatches(
                  url,
                  inPath ? path : repo.git.text(sha),
                  query.terms,
                  inPath ? 'path' : 'content',
                ),
              }
            : {}),
        };
      });
    }),
  };
}

function results<T>(
  http: HandlerContext,
  items: T[],
  render: (item: T) => unknown,
  extra: Record<string, unknown> = {},
): FakeResponse {
  // GitHub serves at most the first 1000 results of a search.
  const page = paginate(http, items.slice(0, 1000));
  return json(
    200,
    { total_count: items.length, incomplete_results: false, items: page.items.map(render), ...extra },
    page.headers,
  );
}

/** Repositories the caller may see, narrowed by `org:`, `user:` and `repo:`. */
function visibleRepos(c: GitHubContext, query: SearchQuery): Repo[] {
  return [...c.state.repos.values()].filter(
    (repo) =>
      repo.visibleTo(c.login) &&
      every(query, 'org', (o) => repo.owner.login.toLowerCase() === o.toLowerCase()) &&
      every(query, 'user', (u) => repo.owner.login.toLowerCase() === u.toLowerCase()) &&
      (!query.qualifiers.has('repo') ||
        query.qualifiers.get('repo')!.some((r) => repo.fullName.toLowerCase() === r.toLowerCase())),
  );
}

function issueMatches(query: SearchQuery, issue: Issue): boolean {
  const is = (value: string): boolean => {
    switch (value) {
      case 'open':
      case 'closed':
        return issue.state === value;
      case 'pr':
      case 'pull-request':
        return issue.pull !== undefined;
      case 'issue':
        return issue.pull === undefined;
      case 'merged':
        return issue.pull?.merged === true;
      case 'unmerged':
        return issue.pull !== undefined && !issue.pull.merged;
      case 'draft':
        return issue.pull?.draft === true;
      default:
        return true;
    }
  };
  return (
    every(query, 'is', is) &&
    every(query, 'type', is) &&
    every(query, 'state', is) &&
    every(query, 'label', (l) => issue.labels.includes(l)) &&
    every(query, '-label', (l) => !issue.labels.includes(l)) &&
    every(query, 'author', (a) => issue.user === a) &&
    every(query, 'assignee', (a) => issue.assignees.includes(a)) &&
    every(query, 'no', (n) =>
      n === 'label' ? issue.labels.length === 0 : n === 'assignee' ? issue.assignees.length === 0 : true,
    )
  );
}

/**
 * GitHub's `text_matches` (asked for with `Accept: application/vnd.github.text-match+json`): the line around the
 * first match of each term, and where in that fragment the term stands.
 */
function textMatches(objectUrl: string, text: string, terms: string[], property: string) {
  const lower = text.toLowerCase();
  return terms.flatMap((term) => {
    const at = lower.indexOf(term);
    if (at < 0) return [];
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at + term.length);
    const fragment = text.slice(start, end < 0 ? undefined : end);
    const offset = at - start;
    return [
      {
        object_url: objectUrl,
        object_type: 'FileContent',
        property,
        fragment,
        matches: [{ text: text.slice(at, at + term.length), indices: [offset, offset + term.length] }],
      },
    ];
  });
}

function every(query: SearchQuery, qualifier: string, test: (value: string) => boolean): boolean {
  return (query.qualifiers.get(qualifier) ?? []).every(test);
}

function matchesAll(terms: string[], texts: string[]): boolean {
  const haystack = texts.join('\n').toLowerCase();
  return terms.every((term) => haystack.includes(term));
}

const LANGUAGES: Record<string, string> = {
  ts: 'TypeScript',
  js: 'JavaScript',
  go: 'Go',
  py: 'Python',
  yaml: 'YAML',
  yml: 'YAML',
  json: 'JSON',
  md: 'Markdown',
  tf: 'HCL',
  rego: 'Open Policy Agent',
  sh: 'Shell',
};

function languageOf(path: string): string | undefined {
  const name = path.split('/').pop()!;
  if (name === 'Dockerfile') return 'Dockerfile';
  return LANGUAGES[name.split('.').pop()!.toLowerCase()];
}
