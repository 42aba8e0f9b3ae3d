// The GitHub fake's in-memory world: accounts, tokens and repositories. Tests seed and inspect it through the same
// methods the handlers use; `createSampleGitHubState()` (sample-data.ts) is the world a new user meets.
import type { Person } from './git.ts';
import type { Account, RepoOptions } from './model.ts';
import { timestamp } from './model.ts';
import { Repo } from './repo.ts';

export type * from './model.ts';
export { timestamp } from './model.ts';
export { Repo } from './repo.ts';

export class GitHubState {
  readonly accounts = new Map<string, Account>();
  readonly repos = new Map<string, Repo>();
  /** Token to login. */
  readonly tokens = new Map<string, string>();
  /** Override for deterministic timestamps. */
  clock: () => Date = () => new Date();
  private lastId = 1_000;

  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  now(): string {
    return timestamp(this.clock());
  }

  addUser(
    login: string,
    details: { name?: string; email?: string; company?: string; createdAt?: string } = {},
  ): Account {
    return this.addAccount(login, 'User', details);
  }

  addOrg(login: string, details: { name?: string; createdAt?: string } = {}): Account {
    return this.addAccount(login, 'Organization', details);
  }

  /** Accepts `token` as the credentials of `login`. */
  addToken(token: string, login: string): void {
    if (!this.accounts.has(login)) throw new Error(`no account ${login}`);
    this.tokens.set(token, login);
  }

  account(login: string): Account | undefined {
    return this.accounts.get(login.toLowerCase());
  }

  /** Creates a repository; with `files`, an initial commit on the default branch. */
  createRepo(fullName: string, options: RepoOptions = {}): Repo {
    const [ownerLogin, name] = fullName.split('/');
    const owner = ownerLogin && this.account(ownerLogin);
    if (!owner || !name) throw new Error(`no account for ${fullName}`);
    const repo = new Repo(this, owner, name, options);
    this.repos.set(fullName.toLowerCase(), repo);
    if (options.files) {
      repo.commit(repo.defaultBranch, options.files, 'Initial commit', options.author ?? owner.login);
      repo.pushedAt = repo.createdAt;
      repo.updatedAt = repo.createdAt;
    }
    return repo;
  }

  /** `state.repo('acme/gitops')`; throws when it does not exist (tests want to know). */
  repo(fullName: string): Repo {
    const repo = this.findRepo(fullName);
    if (!repo) throw new Error(`no repository ${fullName}`);
    return repo;
  }

  findRepo(fullName: string): Repo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  deleteRepo(repo: Repo): void {
    this.repos.delete(repo.fullName.toLowerCase());
  }

  reposOf(login: string): Repo[] {
    return [...this.repos.values()].filter((r) => r.owner.login.toLowerCase() === login.toLowerCase());
  }

  /** Author and committer for a commit made by a login. */
  people(login?: string): { author: Person; committer: Person } {
    const account = login ? this.account(login) : undefined;
    const person = {
      name: account?.name ?? login ?? 'GitHub',
      email: account?.email ?? `${login ?? 'noreply'}@users.noreply.github.com`,
      date: this.now(),
    };
    return { author: person, committer: { ...person } };
  }

  private addAccount(
    login: string,
    type: Account['type'],
    details: { name?: string; email?: string; company?: string; createdAt?: string },
  ) {
    const account: Account = {
      id: this.nextId(),
      login,
      type,
      name: details.name ?? null,
      email: details.email ?? null,
      company: details.company ?? null,
      createdAt: details.createdAt ?? this.now(),
    };
    this.accounts.set(login.toLowerCase(), account);
    return account;
  }
}

/** Creates an empty world: no accounts, repositories or tokens. */
export function createEmptyGitHubState(): GitHubState {
  return new GitHubState();
}
