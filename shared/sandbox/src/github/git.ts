// A repository's git objects, hashed the way git hashes them, so SHAs behave like GitHub's (same content, same SHA).
import { createHash } from 'node:crypto';

export type EntryMode = '100644' | '100755' | '040000' | '160000' | '120000';

export interface TreeEntry {
  /** One path segment. */
  name: string;
  mode: EntryMode;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface Person {
  name: string;
  email: string;
  date: string;
}

export interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: Person;
  committer: Person;
}

/** A file in a flattened tree, keyed by its full path. */
export interface FileEntry {
  mode: EntryMode;
  sha: string;
}

export interface FileChange {
  path: string;
  status: 'added' | 'modified' | 'removed';
  before: string | undefined;
  after: string | undefined;
}

export class GitStore {
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, TreeEntry[]>();
  readonly commits = new Map<string, Commit>();

  writeBlob(content: Buffer | string): string {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sha = gitHash('blob', data);
    this.blobs.set(sha, data);
    return sha;
  }

  writeTree(entries: TreeEntry[]): string {
    // git sorts entries by name, comparing trees as if their names ended in '/'.
    const key = (e: TreeEntry) => (e.type === 'tree' ? `${e.name}/` : e.name);
    const sorted = [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const body = Buffer.concat(
      sorted.map((e) =>
        Buffer.concat([
          Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`),
          Buffer.from(e.sha, 'hex'),
        ]),
      ),
    );
    const sha = gitHash('tree', body);
    this.trees.set(sha, sorted);
    return sha;
  }

  writeCommit(commit: Omit<Commit, 'sha'>): Commit {
    const lines = [`tree ${commit.tree}`, ...commit.parents.map((p) => `parent ${p}`)];
    lines.push(`author ${signature(commit.author)}`, `committer ${signature(commit.committer)}`, '', commit.message);
    const sha = gitHash('commit', Buffer.from(lines.join('\n')));
    const stored = { ...commit, sha };
    this.commits.set(sha, stored);
    return stored;
  }

  /** Every file below a tree, by full path. */
  flatten(treeSha: string, prefix = ''): Map<string, FileEntry> {
    const files = new Map<string, FileEntry>();
    for (const entry of this.trees.get(treeSha) ?? []) {
      const path = prefix + entry.name;
      if (entry.type === 'tree') {
        for (const [sub, file] of this.flatten(entry.sha, `${path}/`)) files.set(sub, file);
      } else {
        files.set(path, { mode: entry.mode, sha: entry.sha });
      }
    }
    return files;
  }

  /** Builds the nested trees for a flat file map; returns the root tree's SHA. */
  buildTree(files: Map<string, FileEntry>): string {
    const children = new Map<string, Map<string, FileEntry>>();
    const entries: TreeEntry[] = [];
    for (const [path, file] of files) {
      const slash = path.indexOf('/');
      if (slash < 0) {
        entries.push({ name: path, mode: file.mode, type: file.mode === '160000' ? 'commit' : 'blob', sha: file.sha });
        continue;
      }
      const dir = path.slice(0, slash);
      if (!children.has(dir)) children.set(dir, new Map());
      children.get(dir)!.set(path.slice(slash + 1), file);
    }
    for (const [dir, below] of children) {
      entries.push({ name: dir, mode: '040000', type: 'tree', sha: this.buildTree(below) });
    }
    return this.writeTree(entries);
  }

  /** The entry at a path of a tree: a file, a directory (tree) or nothing. */
  lookup(treeSha: string, path: string): TreeEntry | undefined {
    const parts = path.split('/').filter((p) => p !== '');
    if (parts.length === 0) return { name: '', mode: '040000', type: 'tree', sha: treeSha };
    let entries = this.trees.get(treeSha) ?? [];
    for (const [i, part] of parts.entries()) {
      const entry = entries.find((e) => e.name === part);
      if (!entry) return undefined;
      if (i === parts.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      entries = this.trees.get(entry.sha) ?? [];
    }
    return undefined;
  }

  /** Whether `ancestor` is reachable from `descendant` (or equal to it). */
  isAncestor(ancestor: string, descendant: string): boolean {
    return this.ancestors(descendant).has(ancestor);
  }

  /** The nearest commit reachable from both, or undefined for unrelated histories. */
  mergeBase(a: string, b: string): string | undefined {
    const ofA = this.ancestors(a);
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const sha = queue.shift()!;
      if (ofA.has(sha)) return sha;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return undefined;
  }

  /** File changes from one tree to another. */
  diff(fromTree: string | undefined, toTree: string): FileChange[] {
    const before = fromTree ? this.flatten(fromTree) : new Map<string, FileEntry>();
    const after = this.flatten(toTree);
    const changes: FileChange[] = [];
    for (const [path, file] of after) {
      const old = before.get(path);
      if (!old) changes.push({ path, status: 'added', before: undefined, after: file.sha });
      else if (old.sha !== file.sha) changes.push({ path, status: 'modified', before: old.sha, after: file.sha });
    }
    for (const [path, file] of before) {
      if (!after.has(path)) changes.push({ path, status: 'removed', before: file.sha, after: undefined });
    }
    return changes.sort((x, y) => x.path.localeCompare(y.path));
  }

  text(blobSha: string | undefined): string {
    return blobSha ? (this.blobs.get(blobSha)?.toString('utf8') ?? '') : '';
  }

  private ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      stack.push(...(this.commits.get(current)?.parents ?? []));
    }
    return seen;
  }
}

function gitHash(type: string, body: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest('hex');
}

function signature(person: Person): string {
  return `${person.name} <${person.email}> ${Math.floor(Date.parse(person.date) / 1000)} +0000`;
}
