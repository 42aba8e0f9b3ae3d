// Beyond the spec's required fields: the fake's answers carry every field real GitHub sent in the responses
// @octokit/fixtures recorded, so clients that read optional fields meet them here too.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { failure, useGitHubFake } from './test-support.ts';

const gh = useGitHubFake();
const require = createRequire(import.meta.url);

interface Recorded {
  method: string;
  path: string;
  status: number;
  response: unknown;
}

function recorded(scenario: string, index: number): Record<string, unknown> {
  const exchanges = require(
    `@octokit/fixtures/scenarios/api.github.com/${scenario}/normalized-fixture.json`,
  ) as Recorded[];
  return exchanges[index]!.response as Record<string, unknown>;
}

/** The fields real GitHub sent that the fake's answer lacks. */
function missingFields(real: unknown, ours: unknown): string[] {
  return Object.keys(real as object).filter((key) => !(key in (ours as object)));
}

describe('field coverage against recorded GitHub responses', () => {
  it('repository', async () => {
    const real = recorded('get-repository', 0);
    const { data } = await gh.octokit.rest.repos.get({ owner: 'acme', repo: 'payments-api' });
    expect(missingFields(real, data)).toEqual([]);
    expect(missingFields(real.owner, data.owner)).toEqual([]);
  });

  it('directory entry and file written', async () => {
    const [realEntry] = recorded('get-content', 0) as unknown as unknown[];
    const { data } = await gh.octokit.rest.repos.getContent({ owner: 'acme', repo: 'gitops', path: '' });
    expect(missingFields(realEntry, (data as unknown[])[0])).toEqual([]);
    const realWrite = recorded('create-file', 0);
    const written = await gh.octokit.rest.repos.createOrUpdateFileContents({
      owner: 'acme',
      repo: 'gitops',
      path: 'notes/fixture.txt',
      message: 'fixture',
      content: Buffer.from('Hello, world').toString('base64'),
    });
    expect(missingFields(realWrite.content, written.data.content)).toEqual([]);
    expect(missingFields(realWrite.commit, written.data.commit)).toEqual([]);
  });

  it('ref', async () => {
    const real = recorded('git-refs', 1);
    const sha = gh.fake.state.repo('acme/gitops').branch('main')!;
    const { data } = await gh.octokit.rest.git.createRef({
      owner: 'acme',
      repo: 'gitops',
      ref: 'refs/heads/fixture',
      sha,
    });
    expect(missingFields(real, data)).toEqual([]);
    expect(missingFields(real.object, data.object)).toEqual([]);
  });

  it('issue in a list and in search results', async () => {
    const [realIssue] = recorded('paginate-issues', 0) as unknown as unknown[];
    const { data } = await gh.octokit.rest.issues.listForRepo({ owner: 'acme', repo: 'payments-api' });
    expect(missingFields(realIssue, data[0])).toEqual([]);
    const realSearch = recorded('search-issues', 0) as { items: unknown[] };
    const found = await gh.octokit.rest.search.issuesAndPullRequests({ q: 'refund repo:acme/payments-api' });
    expect(missingFields(realSearch, found.data)).toEqual([]);
    expect(missingFields(realSearch.items[0], found.data.items[0])).toEqual([]);
  });

  it('validation error', async () => {
    const real = recorded('errors', 0);
    const refused = await failure(gh.octokit.rest.issues.create({ owner: 'acme', repo: 'gitops', title: '' }));
    expect(refused.status).toBe(422);
    expect(missingFields(real, refused.data)).toEqual([]);
    expect(missingFields((real.errors as unknown[])[0], (refused.data as { errors: unknown[] }).errors[0])).toEqual([]);
  });
});
