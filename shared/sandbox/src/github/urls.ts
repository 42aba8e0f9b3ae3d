import type { GitHubState } from './state.ts';

/**
 * A file's text by its github.com URL (`https://github.com/OWNER/REPO/blob/REF/PATH`), read from the
 * fake's state: how other fakes in one sandbox (Backstage reading a catalog-info.yaml) see GitHub.
 */
export function readGitHubUrl(state: GitHubState, url: string): string | undefined {
  const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/blob\/([^/]+)\/(.+)$/.exec(url);
  if (!match) return undefined;
  const [, owner, repo, ref, path] = match as unknown as [string, string, string, string, string];
  return state.findRepo(`${owner}/${repo}`)?.file(ref, decodeURIComponent(path));
}
