import { type GitHubFake, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { type ConnectedClient, connectClient } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { githubModule } from '../src/index.ts';

/** The GitHub server in live mode against a validating GitHub fake, with a real MCP client. */
export async function githubUnderTest(
  options: { args?: string[]; env?: Record<string, string>; era?: 'modern' | 'legacy' } = {},
): Promise<{ fake: GitHubFake; mcp: ConnectedClient; close(): Promise<void> }> {
  const fake = await startGitHubFake();
  const mcp = await connectClient(githubModule, {
    args: options.args ?? [],
    env: { GITHUB_API_URL: fake.url, GITHUB_TOKEN: SANDBOX_TOKEN, ...options.env },
    ...(options.era ? { era: options.era } : {}),
  });
  return {
    fake,
    mcp,
    close: async () => {
      await mcp.close();
      await fake.close();
    },
  };
}

/** structuredContent of a successful call; fails the test with the tool's error text otherwise. */
export async function call<T = Record<string, unknown>>(
  mcp: ConnectedClient,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  const result = await mcp.client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/**
 * Registers a file-wide GitHub server and fake (started once, checked for spec violations after each
 * test) and returns accessors for them.
 */
export function useGitHub(options: { env?: Record<string, string>; checkViolations?: boolean } = {}) {
  let running: Awaited<ReturnType<typeof githubUnderTest>> | undefined;
  beforeAll(async () => {
    running = await githubUnderTest(options.env ? { env: options.env } : {});
  });
  afterAll(() => running?.close());
  afterEach(() => {
    if (options.checkViolations !== false) assertNoViolations(running!.fake);
    running!.fake.reset();
  });
  return { fake: () => running!.fake, mcp: () => running!.mcp };
}
