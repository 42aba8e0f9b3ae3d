import { describe, expect, it } from 'vitest';
import { GitStore } from './git.ts';

// Expected values from real git (git init; git add; git commit with these names and dates).
describe('GitStore hashes objects as git does', () => {
  it('blobs, nested trees and commits', () => {
    const git = new GitStore();
    const files = new Map([
      ['README.md', { mode: '100644' as const, sha: git.writeBlob('hello\n') }],
      ['k8s/service.yaml', { mode: '100644' as const, sha: git.writeBlob('kind: Service\n') }],
    ]);
    expect(files.get('README.md')?.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const tree = git.buildTree(files);
    expect(tree).toBe('3ee05dfaa98d3f15dfec6feb1bdf296360e0b357');
    const person = { name: 'Alice Chen', email: 'alice@acme.example', date: '2025-03-01T09:00:00Z' };
    const commit = git.writeCommit({
      tree,
      parents: [],
      message: 'Initial commit\n',
      author: person,
      committer: person,
    });
    expect(commit.sha).toBe('4960bd513d9dec37beb93b9e31bab82d1349c61c');
    expect(git.writeTree([])).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
  });

  it('flattens, diffs and finds merge bases', () => {
    const git = new GitStore();
    const person = { name: 'a', email: 'a@x', date: '2025-03-01T09:00:00Z' };
    const file = (text: string) => ({ mode: '100644' as const, sha: git.writeBlob(text) });
    const base = git.writeCommit({
      tree: git.buildTree(new Map([['a.txt', file('1')]])),
      parents: [],
      message: 'base',
      author: person,
      committer: person,
    });
    const left = git.writeCommit({
      tree: git.buildTree(
        new Map([
          ['a.txt', file('2')],
          ['dir/b.txt', file('b')],
        ]),
      ),
      parents: [base.sha],
      message: 'left',
      author: person,
      committer: person,
    });
    expect([...git.flatten(left.tree).keys()]).toEqual(['a.txt', 'dir/b.txt']);
    expect(git.diff(base.tree, left.tree).map((c) => [c.path, c.status])).toEqual([
      ['a.txt', 'modified'],
      ['dir/b.txt', 'added'],
    ]);
    expect(git.mergeBase(left.sha, base.sha)).toBe(base.sha);
    expect(git.isAncestor(base.sha, left.sha)).toBe(true);
    expect(git.lookup(left.tree, 'dir')?.type).toBe('tree');
  });
});
