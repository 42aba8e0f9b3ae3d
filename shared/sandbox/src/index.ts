export type { FaultSpec } from './faults.ts';
export { headersOf, lowerCaseKeys, parseQuery, readBody } from './http-io.ts';
export { Router } from './router.ts';
export {
  FakeHttpError,
  type FakeOperation,
  type FakeRequest,
  type FakeResponse,
  type Handler,
  type HandlerContext,
  type OpenApiFake,
  type OpenApiFakeOptions,
  type RecordedRequest,
  startOpenApiFake,
  type Violation,
} from './server.ts';
export {
  type LoadSpecOptions,
  loadSpec,
  type OpenApiDocument,
  readSpecText,
  repoRoot,
  type SpecSource,
  trimSpec,
} from './spec.ts';
export { oneOfToAnyOfWhereBranch, rewriteNullableForAjv, rewriteObjects } from './spec-cleanups.ts';
export {
  type Problem,
  type RequestToCheck,
  type ResponseToCheck,
  SpecChecker,
  type SpecOperation,
  specChecker,
} from './validation.ts';
