// Git data: refs, commits, blobs and trees (what a multi-file commit is built from).
import type { EntryMode, FileEntry } from '../git.ts';
import { created, httpError, json, notFound, queryString, validationFailed } from '../http.ts';
import type { GitHubState, Repo } from '../state.ts';
import { type GitHubContext, type Operations, operation, repoOf, requireWrite, stringField } from './context.ts';

interface TreeInput {
  path?: string;
  mode?: EntryMode;
  type?: 'blob' | 'tree' | 'commit';
  sha?: string | null;
  content?: string;
}

export function gitOperations(state: GitHubState): Operations {
  return {
    'git/get-ref': operation(state, 'GET /repos/{owner}/{repo}/git/ref/{ref}', (c) => {
      const repo = repoOf(c);
      const ref = `refs/${c.params.ref}`;
      const sha = repo.refs.get(ref);
      if (!sha) throw notFound();
      return json(200, c.render.ref(repo, ref, sha));
    }),

    'git/create-ref': operation(state, 'POST /repos/{owner}/{repo}/git/refs', (c) => {
      const repo = writableRepo(c);
      const ref = stringField(c.body, 'ref') ?? '';
      const sha = stringField(c.body, 'sha') ?? '';
      if (!/^refs\/.+\/.+/.test(ref))
        throw validationFailed([], "Reference name must start with 'refs/' and have at least two slashes.");
      if (repo.refs.has(ref)) throw validationFailed([], 'Reference already exists');
      if (!repo.git.commits.has(sha)) throw validationFailed([], 'Object does not exist');
      repo.setRef(ref, sha);
      return created(c.render.ref(repo, ref, sha));
    }),

    'git/update-ref': operation(state, 'PATCH /repos/{owner}/{repo}/git/refs/{ref}', (c) => {
      const repo = writableRepo(c);
      const ref = `refs/${c.params.ref}`;
      const current = repo.refs.get(ref);
      const sha = stringField(c.body, 'sha') ?? '';
      if (!current) throw validationFailed([], 'Reference does not exist');
      if (!repo.git.commits.has(sha)) throw validationFailed([], 'Object does not exist');
      if (c.body.force !== true && !repo.git.isAncestor(current, sha)) {
        throw validationFailed([], 'Update is not a fast forward');
      }
      repo.setRef(ref, sha);
      return json(200, c.render.ref(repo, ref, sha));
    }),

    'git/delete-ref': operation(state, 'DELETE /repos/{owner}/{repo}/git/refs/{ref}', (c) => {
      const repo = repoOf(c);
      requireWrite(c, repo);
      const ref = `refs/${c.params.ref}`;
      if (!repo.refs.has(ref)) throw validationFailed([], 'Reference does not exist');
      repo.refs.delete(ref);
      return { status: 204 };
    }),

    'git/get-commit': operation(state, 'GET /repos/{owner}/{repo}/git/commits/{commit_sha}', (c) => {
      const repo = repoOf(c);
      const commit = repo.git.commits.get(c.params.commit_sha!);
      if (!commit) throw notFound();
      return json(200, c.render.gitCommit(repo, commit));
    }),

    'git/create-blob': operation(state, 'POST /repos/{owner}/{repo}/git/blobs', (c) => {
      const repo = writableRepo(c);
      const encoding = stringField(c.body, 'encoding') ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'base64') {
        throw validationFailed([{ resource: 'Blob', code: 'invalid', field: 'encoding' }]);
      }
      const content = stringField(c.body, 'content') ?? '';
      const sha = repo.git.writeBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
      return created({ sha, url: `${c.http.baseUrl}/repos/${repo.fullName}/git/blobs/${sha}` });
    }),

    'git/create-tree': operation(state, 'POST /repos/{owner}/{repo}/git/trees', (c) => {
      const repo = writableRepo(c);
      const baseTree = stringField(c.body, 'base_tree');
      if (baseTree !== undefined && !repo.git.trees.has(baseTree))
        throw validationFailed([], 'base_tree is not a valid tree oid');
      const files = baseTree ? repo.git.flatten(baseTree) : new Map<string, FileEntry>();
      for (const entry of (c.body.tree ?? []) as TreeInput[]) applyTreeEntry(repo, files, entry);
      const sha = repo.git.buildTree(files);
      return created(treeJson(c, repo, sha, false));
    }),

    'git/create-commit': operation(state, 'POST /repos/{owner}/{repo}/git/commits', (c) => {
      const repo = writableRepo(c);
      const tree = stringField(c.body, 'tree') ?? '';
      const parents = (c.body.parents ?? []) as string[];
      if (!repo.git.trees.has(tree)) throw validationFailed([], 'Tree SHA does not exist');
      if (parents.some((p) => !repo.git.commits.has(p)))
        throw validationFailed([], 'Parent SHA does not exist or is not a commit object');
      const people = c.state.people(c.login);
      const author = { ...people.author, ...(c.body.author as object | undefined) };
      const committer = { ...author, ...(c.body.committer as object | undefined) };
      const commit = repo.git.writeCommit({
        tree,
        parents,
        message: stringField(c.body, 'message') ?? '',
        author,
        committer,
      });
      return created(c.render.gitCommit(repo, commit));
    }),

    'git/get-tree': operation(state, 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}', (c) => {
      const repo = repoOf(c);
      // Like GitHub, a tree SHA or anything that names a commit (branch, commit SHA) is accepted.
      const sha = repo.git.trees.has(c.params.tree_sha!) ? c.params.tree_sha! : repo.commitAt(c.params.tree_sha!)?.tree;
      if (!sha) throw notFound();
      const recursive = queryString(c.http, 'recursive');
      return json(200, treeJson(c, repo, sha, recursive !== undefined && recursive !== '0' && recursive !== 'false'));
    }),
  };
}

function writableRepo(c: GitHubContext): Repo {
  const repo = repoOf(c);
  requireWrite(c, repo);
  if (repo.branches().length === 0) throw httpError(409, 'Git Repository is empty.');
  return repo;
}

function applyTreeEntry(repo: Repo, files: Map<string, FileEntry>, entry: TreeInput): void {
  const path = entry.path ?? '';
  if (entry.sha === null) {
    // A null sha deletes the path: a file, or everything below a directory.
    for (const existing of [...files.keys()]) {
      if (existing === path || existing.startsWith(`${path}/`)) files.delete(existing);
    }
    return;
  }
  const mode = entry.mode ?? '100644';
  if (entry.type === 'tree' && entry.sha) {
    for (const [sub, file] of repo.git.flatten(entry.sha)) files.set(`${path}/${sub}`, file);
    return;
  }
  const sha = entry.content !== undefined ? repo.git.writeBlob(entry.content) : entry.sha;
  if (!sha || (!repo.git.blobs.has(sha) && entry.type !== 'commit')) {
    throw validationFailed([], `GitRPC::BadObjectState: tree.sha ${sha ?? '(none)'} is not a valid blob`);
  }
  files.set(path, { mode, sha });
}

function treeJson(c: GitHubContext, repo: Repo, sha: string, recursive: boolean) {
  const url = (kind: string, entrySha: string) => `${c.http.baseUrl}/repos/${repo.fullName}/git/${kind}s/${entrySha}`;
  const entries: Record<string, unknown>[] = [];
  const walk = (treeSha: string, prefix: string) => {
    for (const entry of repo.git.trees.get(treeSha) ?? []) {
      const path = prefix + entry.name;
      const size = entry.type === 'blob' ? { size: repo.git.blobs.get(entry.sha)?.length ?? 0 } : {};
      entries.push({
        path,
        mode: entry.mode,
        type: entry.type,
        sha: entry.sha,
        ...size,
        url: url(entry.type, entry.sha),
      });
      if (recursive && entry.type === 'tree') walk(entry.sha, `${path}/`);
    }
  };
  walk(sha, '');
  return { sha, url: url('tree', sha), tree: entries, truncated: false };
}
