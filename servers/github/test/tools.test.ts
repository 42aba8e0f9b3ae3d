import { SANDBOX_TOKEN } from '@idp-mcp/sandbox/github';
import { connectClient, connectStdio, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { describe, expect, it } from 'vitest';
import { githubModule } from '../src/index.ts';
import { useGitHub } from './support.ts';

const github = useGitHub();

describe('what a model sees', () => {
  it('matches the reviewed tools/list snapshot', async () => {
    await expect(await toolsSnapshot(github.mcp().client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('marks writes as writes and reads as read-only', async () => {
    const { tools } = await github.mcp().client.listTools();
    const readOnly = tools.filter((tool) => tool.annotations?.readOnlyHint).map((tool) => tool.name);
    expect(readOnly).toContain('get_file_contents');
    expect(readOnly).not.toContain('merge_pull_request');
    expect(readOnly).not.toContain('create_repository');
  });

  it('serves resources by URI template', async () => {
    const readme = await github.mcp().client.readResource({ uri: 'github://repos/acme/payments-api/readme' });
    expect(JSON.stringify(readme.contents)).toContain('payments-api');
    const file = await github
      .mcp()
      .client.readResource({ uri: 'github://repos/acme/service-template/contents/.github/workflows/ci.yml' });
    expect((file.contents[0] as { text: string }).text).toContain('jobs:');
  });
});

describe('exposure', () => {
  it('--read-only leaves only read tools and a viewer sees no write tool', async () => {
    for (const args of [['--read-only'], ['--role', 'viewer']]) {
      const viewer = await connectClient(githubModule, {
        args,
        env: { GITHUB_API_URL: github.fake().url, GITHUB_TOKEN: SANDBOX_TOKEN },
      });
      const names = (await viewer.client.listTools()).tools.map((tool) => tool.name);
      await viewer.close();
      expect(names).toContain('list_repositories');
      expect(names).not.toContain('create_pull_request');
      expect(names).not.toContain('push_files');
    }
  });

  it('stops start-up on an unknown toolset, naming the valid ones', async () => {
    await expect(
      connectClient(githubModule, { args: ['--toolsets', 'repos,wiki'], env: { GITHUB_TOKEN: 'x' } }),
    ).rejects.toThrow(
      '--toolsets: github has no toolset wiki; choose from repos, contents, pull_requests, issues, actions',
    );
  });

  it('needs GITHUB_TOKEN outside the sandbox', async () => {
    await expect(connectClient(githubModule, {})).rejects.toThrow(/GITHUB_TOKEN is not set/);
  });
});

describe('both protocol eras and both transports', () => {
  it('serves a 2025-era client over HTTP', async () => {
    const legacy = await connectClient(githubModule, {
      era: 'legacy',
      env: { GITHUB_API_URL: github.fake().url, GITHUB_TOKEN: SANDBOX_TOKEN },
    });
    expect(legacy.client.getProtocolEra()).toBe('legacy');
    const repo = await legacy.client.callTool({ name: 'get_repository', arguments: { owner: 'acme', repo: 'gitops' } });
    expect(repo.structuredContent).toMatchObject({ full_name: 'acme/gitops' });
    await legacy.close();
  });

  it.each(['legacy', 'modern'] as const)('runs as a stdio process with --sandbox (%s era)', async (era) => {
    const bin = new URL('../src/bin.ts', import.meta.url).pathname;
    const client = await connectStdio(bin, ['--sandbox'], {}, era);
    try {
      expect(client.getProtocolEra()).toBe(era);
      expect((await client.listTools()).tools).toHaveLength(23);
      const result = await client.callTool({ name: 'list_repositories', arguments: { owner: 'acme', limit: 2 } });
      expect(textOf(result)).toContain('acme/');
    } finally {
      await client.close();
    }
  });

  it('answers a plain call with text and structured content together', async () => {
    const result = await github
      .mcp()
      .client.callTool({ name: 'get_repository', arguments: { owner: 'acme', repo: 'payments-api' } });
    expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
  });
});
