// The GitHub fake: api.github.com's REST API for what idp-mcp calls, checked against GitHub's own OpenAPI description.

import { type FakeOperation, type OpenApiFake, startOpenApiFake } from '../server.ts';
import { loadSpec, type OpenApiDocument } from '../spec.ts';
import { oneOfToAnyOfWhereBranch, rewriteNullableForAjv } from '../spec-cleanups.ts';
import { actionOperations, LOG_DOWNLOAD_ROUTE, logDownload } from './handlers/actions.ts';
import { checkOperations } from './handlers/checks.ts';
import { contentOperations } from './handlers/contents.ts';
import { gitOperations } from './handlers/git.ts';
import { issueOperations } from './handlers/issues.ts';
import { pullOperations } from './handlers/pulls.ts';
import { repoOperations } from './handlers/repos.ts';
import { searchOperations } from './handlers/search.ts';
import { authenticate, errorBody, rateLimiter } from './http.ts';
import { createSampleGitHubState, SANDBOX_TOKEN } from './sample-data.ts';
import { createEmptyGitHubState, type GitHubState } from './state.ts';

export type { Commit, FileChange, GitStore, Person, TreeEntry } from './git.ts';
export { parseSearchQuery } from './handlers/search.ts';
export { createSampleGitHubState, SAMPLE_TOKENS, SANDBOX_TOKEN } from './sample-data.ts';
export {
  type Account,
  type CheckRun,
  type Comment,
  type CommitStatus,
  createEmptyGitHubState,
  GitHubState,
  type Issue,
  type Job,
  type MergeCheck,
  Repo,
  type RepoOptions,
  timestamp,
  type WorkflowRun,
} from './state.ts';
export { readGitHubUrl } from './urls.ts';

export interface GitHubFakeOptions {
  /** The world to serve; default: the sample data (org acme, users alice and bob). */
  state?: GitHubState;
  /** Check traffic against GitHub's OpenAPI description (default true; the sandbox turns it off to start fast). */
  validate?: boolean;
  port?: number;
}

export interface GitHubFake extends OpenApiFake {
  readonly state: GitHubState;
  /** A token the fake accepts: the sandbox token with the sample data, else the first token of the state. */
  readonly token: string;
}

/** Every operation the fake implements, by GitHub's operationId. */
export function githubOperations(state: GitHubState): Record<string, FakeOperation> {
  return {
    ...repoOperations(state),
    ...contentOperations(state),
    ...gitOperations(state),
    ...pullOperations(state),
    ...checkOperations(state),
    ...issueOperations(state),
    ...searchOperations(state),
    ...actionOperations(state),
  };
}

/** GitHub's REST description from @octokit/openapi, trimmed to the implemented operations (cached per process). */
export function githubSpec(): Promise<OpenApiDocument> {
  const operationIds = Object.keys(githubOperations(createEmptyGitHubState()));
  return loadSpec(
    { npm: '@octokit/openapi/generated/api.github.com.json' },
    { operationIds, cleanUp: cleanUpGitHubSpec },
  );
}

/**
 * The clean-ups GitHub's description needs, all of them here:
 * - OpenAPI 3.0 `nullable` that Ajv does not read as "or null": beside `allOf` without `type` (e.g. references to
 *   nullable-simple-user), and on enums that lack null (e.g. an open issue's `state_reason: null`).
 * - `oneOf: [basic-error, repository-rule-violation-error]` (409 of PUT contents and others): basic-error requires
 *   nothing, so every error body matches both branches and `oneOf` fails for all of them; it becomes `anyOf`.
 */
function cleanUpGitHubSpec(doc: OpenApiDocument): void {
  rewriteNullableForAjv(doc);
  oneOfToAnyOfWhereBranch(doc, '#/components/schemas/basic-error');
}

export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  const state = options.state ?? createSampleGitHubState();
  const validate = options.validate ?? true;
  const fake = await startOpenApiFake({
    name: 'github',
    spec: validate ? githubSpec() : undefined,
    operations: githubOperations(state),
    outsideSpec: { [LOG_DOWNLOAD_ROUTE]: logDownload(state) },
    validate,
    authenticate: (request) => authenticate(state, request),
    responseHeaders: rateLimiter(state),
    errorBody,
    errorSchemaRef: '#/components/schemas/basic-error',
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return {
    ...fake,
    state,
    get token() {
      return state.tokens.has(SANDBOX_TOKEN) ? SANDBOX_TOKEN : ([...state.tokens.keys()][0] ?? '');
    },
  };
}
