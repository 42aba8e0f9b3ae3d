import type { PolicyContext, PolicyDomain, PolicyGate, PolicyVerdict, PolicyViolation } from '@idp-mcp/core';
import { compile, type Policy, type RegoModule } from '@idp-mcp/rego';
import { BUILTIN_POLICY_DIR, packageOf, readRegoDir } from './bundle.ts';
import { DOMAINS } from './catalog.ts';
import { type GatekeeperReview, type GatekeeperSet, loadGatekeeper } from './gatekeeper.ts';

export interface PolicyGateOptions {
  /** Directories of .rego files added to the built-in policies (env POLICY_DIRS); YAML files in them are read as Gatekeeper ConstraintTemplates and Constraints. */
  policyDirs?: string[];
  /** Leave out the policies shipped in policies/ (only policyDirs apply). */
  builtin?: boolean;
  /** data.config: per-domain settings, e.g. { kubernetes: { allowed_registries: ['ghcr.io/acme/'] } }. */
  config?: Record<string, unknown>;
  /** The clock waivers expire by; default now. */
  now?: () => Date;
}

/** A reported finding: the core's violation plus which input document it is in and its waiver, if any. */
export interface Finding extends PolicyViolation {
  document?: number;
  waiver?: { status: string; reason?: string; expires?: string; problem?: string };
}

export interface DetailedVerdict extends PolicyVerdict {
  violations: Finding[];
  /** Findings a valid waiver covers: reported, not enforced. */
  waived: Finding[];
}

/** The compiled policies: built-in and user Rego, and Gatekeeper constraints. */
export interface PolicyBundle {
  /** The policies without their tests: what checks evaluate. */
  policy: Policy;
  /** Every module, tests included. */
  modules: RegoModule[];
  /** The policies with their tests, compiled on first use (test_policies, `idp-mcp policy test`). */
  withTests(): Policy;
  /** Packages whose `violations` apply to each domain: the domain and its sub-packages (kubernetes.acme). */
  packages: Record<PolicyDomain, string[]>;
  gatekeeper: GatekeeperSet;
}

export function loadBundle(options: Pick<PolicyGateOptions, 'policyDirs' | 'builtin'> = {}): PolicyBundle {
  const modules: RegoModule[] = [];
  if (options.builtin !== false) modules.push(...readRegoDir(BUILTIN_POLICY_DIR));
  for (const dir of options.policyDirs ?? []) {
    modules.push(...readRegoDir(dir).map((module) => ({ ...module, path: `${dir}/${module.path}` })));
  }
  const policies = modules.filter((m) => !m.path.endsWith('_test.rego'));
  const policy = compile(policies);
  let withTests: Policy | undefined;
  const declared = new Set(policies.map((m) => packageOf(m.source) ?? ''));
  const packages = Object.fromEntries(
    DOMAINS.map((domain) => [domain, [...declared].filter((p) => p === domain || p.startsWith(`${domain}.`)).sort()]),
  ) as Record<PolicyDomain, string[]>;
  return {
    policy,
    modules,
    withTests: () => {
      if (!withTests) withTests = compile(modules);
      return withTests;
    },
    packages,
    gatekeeper: loadGatekeeper(options.policyDirs ?? []),
  };
}

/** Evaluates one domain's policies over a set of documents. */
export function evaluate(
  bundle: PolicyBundle,
  domain: PolicyDomain,
  documents: unknown[],
  options: {
    context?: PolicyContext;
    data?: { config: Record<string, unknown> };
    now?: Date;
    /** The admission request and cluster (or manifest set) Gatekeeper constraints see. */
    review?: GatekeeperReview;
  } = {},
): DetailedVerdict {
  const input = { documents, context: options.context ?? {} };
  const evalOptions = { input, data: options.data ?? { config: {} }, now: options.now ?? new Date() };
  const violations: Finding[] = [];
  const waived: Finding[] = [];
  for (const pkg of bundle.packages[domain]) {
    violations.push(...asFindings(bundle.policy.evalRule(`data.${pkg}.violations`, evalOptions)));
    waived.push(...asFindings(bundle.policy.evalRule(`data.${pkg}.waived`, evalOptions)));
  }
  // Gatekeeper constraints match Kubernetes objects of any kind: Deployments, KafkaTopics, Applications.
  if (domain !== 'terraform' && domain !== 'cicd')
    violations.push(...bundle.gatekeeper.evaluate(documents, options.review));
  const order = (a: Finding, b: Finding) =>
    (a.document ?? 0) - (b.document ?? 0) ||
    a.rule.localeCompare(b.rule) ||
    (a.field ?? '').localeCompare(b.field ?? '');
  violations.sort(order);
  waived.sort(order);
  return {
    allowed: !violations.some((violation) => violation.severity === 'deny'),
    violations,
    waived,
    gate: 'idp-mcp policy (embedded Rego)',
  };
}

/** Rego results (a set of objects, as a sorted array) to findings; anything malformed is a policy bug, named. */
function asFindings(value: unknown): Finding[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`policy result is not a set of violations: ${JSON.stringify(value)}`);
  return value.map((item) => {
    const raw = item as Record<string, unknown>;
    if (typeof raw.id !== 'string' || typeof raw.msg !== 'string') {
      throw new Error(`policy violation without id or msg: ${JSON.stringify(item)}`);
    }
    const finding: Finding = {
      rule: raw.id,
      severity: raw.severity === 'warn' ? 'warn' : 'deny',
      message: raw.msg,
    };
    if (typeof raw.resource === 'string') finding.resource = raw.resource;
    if (typeof raw.field === 'string') finding.field = raw.field;
    if (typeof raw.document === 'number') finding.document = raw.document;
    if (raw.waiver && typeof raw.waiver === 'object') finding.waiver = raw.waiver as Finding['waiver'];
    return finding;
  });
}

/** What the checking side needs: the gate's detailed check. */
export interface Checker {
  checkDetailed(
    domain: PolicyDomain,
    documents: unknown[],
    context?: PolicyContext,
    review?: GatekeeperReview,
  ): DetailedVerdict;
}

/**
 * The library mode: the core's PolicyGate over the built-in policies (plus policyDirs). Compiles once;
 * each check evaluates the domain's `violations` and allows unless one has severity deny.
 */
export function createPolicyGate(options: PolicyGateOptions = {}): PolicyGate & Checker & { bundle: PolicyBundle } {
  const bundle = loadBundle(options);
  // One data object for every check: the engine converts it once and caches it by identity.
  const data = { config: options.config ?? {} };
  const checkDetailed = (
    domain: PolicyDomain,
    documents: unknown[],
    context?: PolicyContext,
    review?: GatekeeperReview,
  ) => {
    if (!DOMAINS.includes(domain)) {
      throw new Error(`unknown policy domain ${JSON.stringify(domain)}; choose from ${DOMAINS.join(', ')}`);
    }
    return evaluate(bundle, domain, documents, {
      ...(context ? { context } : {}),
      ...(review ? { review } : {}),
      data,
      now: options.now?.() ?? new Date(),
    });
  };
  return {
    bundle,
    checkDetailed,
    check: async (domain, documents, context) => checkDetailed(domain, documents, context),
  };
}
