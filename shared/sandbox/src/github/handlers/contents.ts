// Repository contents: read a file or directory, create or update a file, the README.
import type { FakeResponse } from '../../server.ts';
import { httpError, json, notFound, queryString, validationFailed } from '../http.ts';
import type { Json } from '../render.ts';
import type { GitHubState, Repo } from '../state.ts';
import { type GitHubContext, type Operations, operation, repoOf, requireWrite, stringField } from './context.ts';

export function contentOperations(state: GitHubState): Operations {
  return {
    'repos/get-content': operation(state, 'GET /repos/{owner}/{repo}/contents/{path}', (c) => {
      const repo = repoOf(c);
      const ref = queryString(c.http, 'ref') ?? repo.defaultBranch;
      const commit = repo.commitAt(ref);
      const path = trimSlashes(c.params.path ?? '');
      const entry = commit && repo.git.lookup(commit.tree, path);
      if (!entry) throw notFound();
      const accept = c.http.request.headers.accept ?? '';
      if (entry.type !== 'tree') {
        const raw = rawMediaType(accept);
        if (raw) return rawFile(repo, entry.sha, raw);
        return json(200, fileJson(c, repo, ref, path, entry.sha, true));
      }
      const children = (repo.git.trees.get(entry.sha) ?? []).map((child) => {
        const childPath = path === '' ? child.name : `${path}/${child.name}`;
        return child.type === 'tree'
          ? directoryJson(c, repo, ref, childPath, child.sha)
          : fileJson(c, repo, ref, childPath, child.sha, false);
      });
      // `application/vnd.github.object` asks for a directory as one object with its entries.
      if (accept.includes(OBJECT_MEDIA_TYPE)) {
        const body = { ...directoryJson(c, repo, ref, path, entry.sha), entries: children };
        return json(200, body, { 'x-github-media-type': 'github.v3; param=object; format=json' });
      }
      return json(200, children);
    }),

    'repos/get-readme': operation(state, 'GET /repos/{owner}/{repo}/readme', (c) => {
      const repo = repoOf(c);
      const ref = queryString(c.http, 'ref') ?? repo.defaultBranch;
      const commit = repo.commitAt(ref);
      const readme =
        commit && repo.git.trees.get(commit.tree)?.find((e) => e.type === 'blob' && /^readme(\.|$)/i.test(e.name));
      if (!readme) throw notFound();
      const raw = rawMediaType(c.http.request.headers.accept ?? '');
      if (raw) return rawFile(repo, readme.sha, raw);
      return json(200, fileJson(c, repo, ref, readme.name, readme.sha, true));
    }),

    'repos/create-or-update-file-contents': operation(state, 'PUT /repos/{owner}/{repo}/contents/{path}', (c) => {
      const repo = repoOf(c);
      requireWrite(c, repo);
      const path = trimSlashes(c.params.path ?? '');
      const branch = stringField(c.body, 'branch') ?? repo.defaultBranch;
      const content = Buffer.from(stringField(c.body, 'content') ?? '', 'base64').toString('utf8');
      const head = repo.commitAt(`refs/heads/${branch}`);
      if (!head && repo.branches().length > 0) throw httpError(404, `Branch ${branch} not found`);
      const existing = head && repo.git.lookup(head.tree, path);
      const sha = stringField(c.body, 'sha');
      if (existing?.type === 'tree') throw validationFailed([], `${path} is a directory`);
      if (existing && sha === undefined) throw validationFailed([], `Invalid request.\n\n"sha" wasn't supplied.`);
      if (existing && sha !== existing.sha) throw httpError(409, `${path} does not match ${sha}`);
      if (!existing && sha !== undefined) throw httpError(409, `${path} does not match ${sha}`);
      const commit = repo.commit(branch, { [path]: content }, stringField(c.body, 'message') ?? '', c.login);
      const blob = repo.git.lookup(commit.tree, path)!;
      const { content: _content, encoding: _encoding, ...fileMeta } = fileJson(c, repo, branch, path, blob.sha, false);
      return json(existing ? 200 : 201, { content: fileMeta, commit: c.render.gitCommit(repo, commit) });
    }),
  };
}

const OBJECT_MEDIA_TYPE = 'application/vnd.github.object';

/** GitHub's raw media types (`mediaType: { format: 'raw' }` in Octokit): the file's bytes instead of JSON. */
function rawMediaType(accept: string): string | undefined {
  return /application\/vnd\.github(?:\.v3)?\.raw(?:\+json)?/.exec(accept)?.[0];
}

function rawFile(repo: Repo, sha: string, mediaType: string): FakeResponse {
  return { status: 200, headers: { 'content-type': `${mediaType}; charset=utf-8` }, body: repo.git.text(sha) };
}

function fileJson(c: GitHubContext, repo: Repo, ref: string, path: string, sha: string, withContent: boolean): Json {
  const data = repo.git.blobs.get(sha) ?? Buffer.alloc(0);
  const links = contentLinks(c, repo, ref, path, sha, 'blob');
  return {
    type: 'file',
    ...(withContent ? { encoding: 'base64', content: wrapBase64(data.toString('base64')) } : {}),
    size: data.length,
    name: path.split('/').pop()!,
    path,
    sha,
    ...links,
    download_url: `https://raw.githubusercontent.com/${repo.fullName}/${ref}/${path}`,
  };
}

function directoryJson(c: GitHubContext, repo: Repo, ref: string, path: string, sha: string): Json {
  return {
    type: 'dir',
    size: 0,
    name: path.split('/').pop()!,
    path,
    sha,
    ...contentLinks(c, repo, ref, path, sha, 'tree'),
    download_url: null,
  };
}

function contentLinks(c: GitHubContext, repo: Repo, ref: string, path: string, sha: string, kind: 'blob' | 'tree') {
  const url = `${c.http.baseUrl}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${c.http.baseUrl}/repos/${repo.fullName}/git/${kind}s/${sha}`;
  const htmlUrl = `https://github.com/${repo.fullName}/${kind}/${ref}/${path}`;
  return { url, git_url: gitUrl, html_url: htmlUrl, _links: { self: url, git: gitUrl, html: htmlUrl } };
}

/** GitHub wraps base64 content at 60 characters. */
function wrapBase64(base64: string): string {
  return `${base64.replace(/.{60}/g, '$&\n')}\n`;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
