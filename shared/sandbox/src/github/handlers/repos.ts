// Users, repositories (list, get, create, from a template) and branches.
import { created, httpError, json, notFound, pageOf, queryString, sortBy, validationFailed } from '../http.ts';
import type { GitHubState, Repo } from '../state.ts';
import { type GitHubContext, type Operations, operation, repoOf, stringField } from './context.ts';

export function repoOperations(state: GitHubState): Operations {
  return {
    'users/get-authenticated': operation(state, 'GET /user', (c) =>
      json(200, c.render.authenticatedUser(c.state.account(c.login)!)),
    ),

    'repos/list-for-authenticated-user': operation(state, 'GET /user/repos', (c) => {
      const repos = [...c.state.repos.values()].filter((r) => r.writableBy(c.login));
      return listRepos(c, filterByVisibility(c, repos), 'full_name');
    }),

    'repos/list-for-org': operation(state, 'GET /orgs/{org}/repos', (c) => {
      const org = c.state.account(c.params.org!);
      if (org?.type !== 'Organization') throw notFound();
      return listRepos(c, filterByVisibility(c, c.state.reposOf(org.login)), 'created');
    }),

    'repos/list-for-user': operation(state, 'GET /users/{username}/repos', (c) => {
      const account = c.state.account(c.params.username!);
      if (!account) throw notFound();
      const visible = c.state.reposOf(account.login).filter((r) => r.visibleTo(c.login));
      return listRepos(c, visible, 'full_name');
    }),

    'repos/get': operation(state, 'GET /repos/{owner}/{repo}', (c) => json(200, c.render.fullRepo(repoOf(c), c.login))),

    'repos/update': operation(state, 'PATCH /repos/{owner}/{repo}', (c) => {
      const repo = repoOf(c);
      if (!repo.writableBy(c.login)) throw httpError(403, 'Resource not accessible by personal access token');
      const archived = c.body.archived;
      // An archived repository takes nothing but unarchiving, as on GitHub.
      if (repo.archived && archived !== false) throw httpError(403, 'Repository was archived so is read-only.');
      if (typeof archived === 'boolean') repo.archived = archived;
      const description = c.body.description;
      if (typeof description === 'string' || description === null) repo.description = description;
      repo.updatedAt = c.state.now();
      return json(200, c.render.fullRepo(repo, c.login));
    }),

    'repos/delete': operation(state, 'DELETE /repos/{owner}/{repo}', (c) => {
      const repo = repoOf(c);
      if (!repo.writableBy(c.login)) throw httpError(403, 'Must have admin rights to Repository.');
      c.state.deleteRepo(repo);
      return { status: 204 };
    }),

    'repos/create-in-org': operation(state, 'POST /orgs/{org}/repos', (c) => {
      const org = c.state.account(c.params.org!);
      if (org?.type !== 'Organization') throw notFound();
      return created(c.render.fullRepo(createRepo(c, org.login), c.login));
    }),

    'repos/create-for-authenticated-user': operation(state, 'POST /user/repos', (c) =>
      created(c.render.fullRepo(createRepo(c, c.login), c.login)),
    ),

    'repos/create-using-template': operation(state, 'POST /repos/{template_owner}/{template_repo}/generate', (c) => {
      const template = repoOf(c, 'template_owner', 'template_repo');
      if (!template.isTemplate) {
        throw validationFailed([], `${template.fullName} is not a template repository`);
      }
      const ownerLogin = stringField(c.body, 'owner') ?? c.login;
      if (!c.state.account(ownerLogin)) throw notFound();
      const repo = createRepo(c, ownerLogin);
      const files = Object.fromEntries(
        template.files(template.defaultBranch).map((path) => [path, template.file(template.defaultBranch, path)!]),
      );
      repo.defaultBranch = template.defaultBranch;
      repo.language = template.language;
      repo.templateRepository = template;
      repo.commit(repo.defaultBranch, files, 'Initial commit', c.login);
      return created(c.render.fullRepo(repo, c.login));
    }),

    'repos/list-branches': operation(state, 'GET /repos/{owner}/{repo}/branches', (c) => {
      const repo = repoOf(c);
      const onlyProtected = queryString(c.http, 'protected');
      const branches = repo
        .branches()
        .filter((b) => onlyProtected === undefined || repo.requiredChecks.has(b.name) === (onlyProtected === 'true'));
      return pageOf(c.http, branches, (b) => ({
        name: b.name,
        commit: { sha: b.sha, url: `${c.http.baseUrl}/repos/${repo.fullName}/commits/${b.sha}` },
        protected: repo.requiredChecks.has(b.name),
      }));
    }),

    'repos/get-branch': operation(state, 'GET /repos/{owner}/{repo}/branches/{branch}', (c) => {
      const repo = repoOf(c);
      const name = c.params.branch!;
      const sha = repo.branch(name);
      if (!sha) throw httpError(404, 'Branch not found');
      const checks = repo.requiredChecks.get(name);
      const url = `${c.http.baseUrl}/repos/${repo.fullName}/branches/${name}`;
      return json(200, {
        name,
        commit: c.render.commit(repo, repo.git.commits.get(sha)!),
        _links: { self: url, html: `https://github.com/${repo.fullName}/tree/${name}` },
        protected: checks !== undefined,
        protection: {
          enabled: checks !== undefined,
          required_status_checks: {
            enforcement_level: checks ? 'non_admins' : 'off',
            contexts: checks ?? [],
            checks: (checks ?? []).map((context) => ({ context, app_id: null })),
          },
        },
        protection_url: `${url}/protection`,
      });
    }),
  };
}

function filterByVisibility(c: GitHubContext, repos: Repo[]): Repo[] {
  const visibility = queryString(c.http, 'visibility') ?? queryString(c.http, 'type');
  if (visibility === 'public') return repos.filter((r) => !r.isPrivate);
  if (visibility === 'private') return repos.filter((r) => r.isPrivate);
  return repos.filter((r) => r.visibleTo(c.login));
}

function listRepos(c: GitHubContext, repos: Repo[], defaultSort: string) {
  const sort = queryString(c.http, 'sort') ?? defaultSort;
  const keys: Record<string, (r: Repo) => string> = {
    created: (r) => r.createdAt,
    updated: (r) => r.updatedAt,
    pushed: (r) => r.pushedAt,
    full_name: (r) => r.fullName.toLowerCase(),
  };
  const direction = queryString(c.http, 'direction') ?? (sort === 'full_name' ? 'asc' : 'desc');
  const sorted = sortBy(repos, keys[sort] ?? keys.full_name!, direction);
  return pageOf(c.http, sorted, (r) => c.render.repo(r, c.login));
}

function createRepo(c: GitHubContext, ownerLogin: string): Repo {
  const name = stringField(c.body, 'name') ?? '';
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
    throw validationFailed(
      [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name is invalid' }],
      'Repository creation failed.',
    );
  }
  if (c.state.findRepo(`${ownerLogin}/${name}`)) {
    throw validationFailed(
      [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }],
      'Repository creation failed.',
    );
  }
  const visibility = stringField(c.body, 'visibility');
  const repo = c.state.createRepo(`${ownerLogin}/${name}`, {
    description: stringField(c.body, 'description') ?? null,
    homepage: stringField(c.body, 'homepage') ?? null,
    private: c.body.private === true || visibility === 'private' || visibility === 'internal',
    isTemplate: c.body.is_template === true,
  });
  if (c.body.auto_init === true) {
    const description = repo.description ? `\n${repo.description}\n` : '';
    repo.commit(repo.defaultBranch, { 'README.md': `# ${name}\n${description}` }, 'Initial commit', c.login);
  }
  return repo;
}
