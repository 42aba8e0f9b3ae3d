// The Backstage fake: the catalog (/api/catalog) and scaffolder (/api/scaffolder) REST APIs for what idp-mcp calls,
// checked against the OpenAPI documents the two backend plugins publish (spec.ts merges them).

import { type OpenApiFake, startOpenApiFake } from '../server.ts';
import { authenticate, backstageOperations, errorBody } from './handlers.ts';
import { createSampleBackstageState, SANDBOX_TOKEN } from './sample-data.ts';
import { SEARCH_ROUTE, searchQuery, TECHDOCS_INDEX_ROUTE, techdocsIndex } from './search.ts';
import { backstageSpec, ERROR_SCHEMA_REF } from './spec.ts';
import type { BackstageState } from './state.ts';

export {
  createSampleBackstageState,
  READ_ONLY_TOKEN,
  SANDBOX_TOKEN,
  UNREGISTERED_LOCATION,
} from './sample-data.ts';
export { BACKSTAGE_OPERATIONS, backstageSpec, mergeBackstageSpecs, pluginSpec } from './spec.ts';
export { BackstageState, type Entity, entityRef, type Task } from './state.ts';

export interface BackstageFakeOptions {
  state?: BackstageState;
  /** Check traffic against Backstage's OpenAPI documents (default true; the sandbox turns it off to start fast). */
  validate?: boolean;
  /** Reads location URLs the sample data does not hold (the sandbox reads them from its GitHub fake). */
  readUrl?: (url: string) => string | undefined;
}

export interface BackstageFake extends OpenApiFake {
  readonly state: BackstageState;
  /** A token of the sample user alice (may read and write). */
  readonly token: string;
}

export async function startBackstageFake(options: BackstageFakeOptions = {}): Promise<BackstageFake> {
  const state = options.state ?? createSampleBackstageState();
  if (options.readUrl) state.readUrl = options.readUrl;
  const validate = options.validate ?? true;
  const fake = await startOpenApiFake({
    name: 'backstage',
    spec: validate ? backstageSpec() : undefined,
    operations: backstageOperations(state),
    outsideSpec: { [SEARCH_ROUTE]: searchQuery(state), [TECHDOCS_INDEX_ROUTE]: techdocsIndex(state) },
    validate,
    authenticate: (request) => authenticate(state, request),
    errorBody: (status, message) => errorBody(status, message),
    errorSchemaRef: ERROR_SCHEMA_REF,
  });
  return { ...fake, state, token: SANDBOX_TOKEN };
}
