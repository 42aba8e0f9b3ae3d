// Shared set-up for the GitHub fake's own tests: one fake per test file, the real Octokit over HTTP.
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { assertNoViolations } from '../server.ts';
import { type GitHubFake, type GitHubFakeOptions, SAMPLE_TOKENS, startGitHubFake } from './index.ts';

export interface GitHubFakeHarness {
  fake: GitHubFake;
  /** Authenticated as alice. */
  octokit: Octokit;
  as(token: string): Octokit;
}

/** Starts a fake for the file's tests and asserts after each test that its traffic matched GitHub's spec. */
export function useGitHubFake(options: GitHubFakeOptions = {}): GitHubFakeHarness {
  const harness = {} as GitHubFakeHarness;
  beforeAll(async () => {
    harness.fake = await startGitHubFake(options);
    harness.as = (token) => new Octokit({ auth: token, baseUrl: harness.fake.url, log: silent });
    harness.octokit = harness.as(SAMPLE_TOKENS.alice);
  });
  afterEach(() => {
    try {
      assertNoViolations(harness.fake);
    } finally {
      harness.fake.reset();
    }
  });
  afterAll(() => harness.fake.close());
  return harness;
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

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
