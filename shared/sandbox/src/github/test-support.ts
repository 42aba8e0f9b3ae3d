// Shared set-up for the GitHub fake's own tests: one fake per test file, the real Octokit over HTTP.

import { useFake } from '@idp-mcp/testing/vitest';
import { Octokit } from '@octokit/rest';
import { type GitHubFake, type GitHubFakeOptions, SAMPLE_TOKENS, startGitHubFake } from './index.ts';

export interface GitHubFakeHarness {
  readonly fake: GitHubFake;
  /** Authenticated as alice. */
  readonly octokit: Octokit;
  as(token: string): Octokit;
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A fake for the file's tests; after each test its traffic must have matched GitHub's spec. */
export function useGitHubFake(options: GitHubFakeOptions = {}): GitHubFakeHarness {
  const used = useFake(() => startGitHubFake(options));
  const as = (token: string) => new Octokit({ auth: token, baseUrl: used.fake.url, log: silent });
  return {
    get fake() {
      return used.fake;
    },
    get octokit() {
      return as(SAMPLE_TOKENS.alice);
    },
    as,
  };
}

/** The status and body of a call expected to fail (Octokit throws a RequestError carrying both). */
export async function failure(
  call: Promise<unknown>,
): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const { status, response } = error as {
      status?: number;
      response?: { data: unknown; headers: Record<string, unknown> };
    };
    if (typeof status === 'number') return { status, data: response?.data, headers: response?.headers ?? {} };
    throw error;
  }
  throw new Error('expected the call to fail');
}
