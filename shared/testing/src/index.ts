export type { FaultSpec } from './faults.ts';
export {
  assertNoViolations,
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
  repoRoot,
  type SpecSource,
  specsDir,
  trimSpec,
} from './spec.ts';
export { type Problem, SpecChecker, specChecker } from './validation.ts';
