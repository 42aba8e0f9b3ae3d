export { BUILTIN_POLICY_DIR, discoverTests, packageOf, readRegoDir, runTests, type TestResult } from './bundle.ts';
export { DOMAINS, type RuleInfo, ruleCatalog, ruleExample, ruleSource, ruleTests } from './catalog.ts';
export { documentsOfFile, enforceDocuments, type GatedDocument } from './enforce.ts';
export { gateOptionsFromEnv, policyGateFromEnv, readConfigFile } from './env.ts';
export {
  type Checker,
  createPolicyGate,
  type DetailedVerdict,
  evaluate,
  type Finding,
  loadBundle,
  type PolicyBundle,
  type PolicyGateOptions,
} from './gate.ts';
export {
  type ClusterObjects,
  type EnforcementPoint,
  type GatekeeperReview,
  type GatekeeperSet,
  type GroupVersionKind,
  gatekeeperSet,
  inventoryOf,
  type K8sObject,
  loadGatekeeper,
} from './gatekeeper.ts';
export { gateFromEnv } from './lazy.ts';
export { createLocator, fieldSegments } from './locate.ts';
export {
  detectDomain,
  domainOf,
  groupByDomain,
  type InputFormat,
  MAX_FILE_BYTES,
  MAX_INPUT_BYTES,
  type ParsedInput,
  parseConfig,
  shapesOf,
} from './parse.ts';
export {
  findingSchema,
  type ReportedFinding,
  renderFindings,
  type Validation,
  validateDocuments,
  validateText,
  validationSchema,
} from './validate.ts';
