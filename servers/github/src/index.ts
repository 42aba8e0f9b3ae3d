import type { PolicyGate, ResourceDefinition, ServerModule } from '@idp-mcp/core';
import { createGitHubClient, type GitHub, mapGitHubError } from './github.ts';
import { actionsTools } from './tools/actions.ts';
import { codeSearchTools, contentTools, readFile } from './tools/contents.ts';
import { issueTools } from './tools/issues.ts';
import { pullRequestTools } from './tools/pulls.ts';
import { repositoryTools } from './tools/repos.ts';

export { createGitHubClient, type GitHub, mapGitHubError } from './github.ts';
export { commitFiles, readFile } from './tools/contents.ts';
export { checksFor } from './tools/pulls.ts';

/** Every GitHub tool, bound to one client; file writes pass the gate. */
export function githubTools(github: GitHub, gate: PolicyGate) {
  return [
    ...repositoryTools(github),
    ...contentTools(github, gate),
    ...codeSearchTools(github),
    ...pullRequestTools(github),
    ...issueTools(github),
    ...actionsTools(github),
  ];
}

function githubResources(github: GitHub): ResourceDefinition[] {
  return [
    {
      name: 'readme',
      title: 'Repository README',
      description: "A repository's README on its default branch.",
      uriTemplate: 'github://repos/{owner}/{repo}/readme',
      mimeType: 'text/markdown',
      read: async ({ owner, repo }, signal) => {
        const { data } = await github.rest.repos.getReadme({ owner: owner!, repo: repo!, request: { signal } });
        return Buffer.from(data.content, 'base64').toString('utf8');
      },
    },
    {
      name: 'file',
      title: 'Repository file',
      description: 'A text file on the default branch.',
      uriTemplate: 'github://repos/{owner}/{repo}/contents/{+path}',
      mimeType: 'text/plain',
      read: async ({ owner, repo, path }, signal) =>
        (await readFile(github, { owner: owner!, repo: repo!, path: path! }, signal)).text,
    },
  ];
}

export const githubModule: ServerModule = {
  name: 'github',
  title: 'GitHub',
  description: 'Repositories, files, pull requests with checks, issues and Actions runs (octokit).',
  toolsets: {
    repos: 'list, search, read, create and archive repositories (golden-path templates) and branches',
    contents: 'read files and directories, search code, commit files',
    pull_requests: 'list, read (with CI checks), open, merge and close pull requests',
    issues: 'list, search, read, open and comment on issues',
    actions: 'workflow runs, their jobs and job logs',
  },
  env: {
    GITHUB_TOKEN: {
      description: 'A fine-grained personal access token or GitHub App installation token',
      secret: true,
      required: true,
    },
    GITHUB_API_URL: {
      description: 'REST API base URL; for GitHub Enterprise Server https://HOST/api/v3',
      default: 'https://api.github.com',
      format: 'url',
    },
    GITHUB_TIMEOUT_MS: {
      description: 'Timeout of one GitHub request in milliseconds',
      default: '15000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log, gate, world }) {
    let token = env.GITHUB_TOKEN!;
    let baseUrl = env.GITHUB_API_URL!;
    if (sandbox) {
      const { startGitHubFake, SANDBOX_TOKEN } = await import('@idp-mcp/sandbox/github');
      const fake = await world.shared('github', () => startGitHubFake({ validate: false }));
      token = SANDBOX_TOKEN;
      baseUrl = fake.url;
    }
    const github = createGitHubClient({ token, baseUrl, timeoutMs: Number(env.GITHUB_TIMEOUT_MS), log });
    return {
      tools: githubTools(github, gate),
      resources: githubResources(github),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: baseUrl },
      mapError: mapGitHubError,
      ready: async () => {
        await github.rest.users.getAuthenticated();
        return true;
      },
      close: async () => {},
    };
  },
};
