import {
  type PolicyContext,
  type PolicyDomain,
  type PolicyGate,
  type PolicyVerdict,
  type PolicyViolation,
  refuseDenied,
  ToolError,
} from '@idp-mcp/core';
import { domainOf, type InputFormat, MAX_FILE_BYTES, parseConfig, shapesOf } from './parse.ts';

// The gate every configuration-carrying writer calls. A light entry point (@idp-mcp/policy/enforce): the policy
// engine stays behind the gate it is given.

export interface GatedDocument {
  /** Exactly what is about to be written or sent. */
  document: unknown;
  /** The domain the caller expects (a workflow path, --domain): it narrows, a document of another domain is refused. */
  domain?: PolicyDomain;
  /** Where it comes from, e.g. a file path: names it in errors and findings. */
  source?: string;
}

/**
 * Checks each document in its own detected domain (one gate check per domain) and throws policy_denied on any
 * deny, or invalid_request for a document no domain recognises or of another domain than expected: nothing is
 * written in either case. Returns the merged verdict, warnings included.
 */
export async function enforceDocuments(
  gate: PolicyGate,
  items: GatedDocument[],
  context: PolicyContext = {},
): Promise<PolicyVerdict> {
  const groups = new Map<PolicyDomain, GatedDocument[]>();
  items.forEach((item, index) => {
    const domain = domainOf(item.document, item.domain, item.source ?? `document ${index + 1}`);
    groups.set(domain, [...(groups.get(domain) ?? []), item]);
  });
  const verdicts = await Promise.all(
    [...groups].map(async ([domain, group]) => {
      const sources = group.some((item) => item.source) ? { files: group.map((item) => item.source ?? '') } : {};
      const verdict = await gate.check(
        domain,
        group.map((item) => item.document),
        { ...context, ...sources },
      );
      // A finding's document index counts within its domain's group: name the source instead.
      const violations = verdict.violations.map((violation) => {
        const { document, ...rest } = violation as PolicyViolation & { document?: number };
        const source = document === undefined ? undefined : group[document]?.source;
        return { ...rest, ...(source ? { file: source } : {}) } as PolicyViolation;
      });
      return { ...verdict, violations };
    }),
  );
  return refuseDenied(
    {
      allowed: verdicts.every((verdict) => verdict.allowed),
      violations: verdicts.flatMap((verdict) => verdict.violations),
      gate: [...new Set(verdicts.map((verdict) => verdict.gate))].join(', ') || 'none (nothing to check)',
    },
    [...groups.keys()],
  );
}

const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/i;
/** A manifest whose text failed to parse as YAML or JSON, recognised by its keys. */
const LOOKS_LIKE_MANIFEST = /^\s*-?\s*["']?apiVersion["']?\s*:/m;

/**
 * The documents of a file about to be committed that the policies check, by path and content: a GitHub workflow
 * (.github/workflows/*.yml|yaml) is cicd, *.tf is Terraform HCL and *.tf.json Terraform JSON; in other YAML and
 * JSON files each Kubernetes, Argo CD, Flux or Strimzi object, workflow or Terraform plan is checked in its
 * domain. Anything else (a README, a compose file, code) is not configuration the policies cover: no documents.
 * A file that must be checked but cannot be parsed is an error.
 */
export async function documentsOfFile(file: { path: string; content: string }): Promise<GatedDocument[]> {
  // As Git stores it: no empty or "." segments ("./.github//workflows/x.yml" is a workflow).
  const path = file.path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
  const lower = path.toLowerCase();
  let format: InputFormat;
  let domain: PolicyDomain | undefined;
  if (WORKFLOW.test(path)) [format, domain] = ['yaml', 'cicd'];
  else if (lower.endsWith('.tf')) [format, domain] = ['hcl', 'terraform'];
  else if (lower.endsWith('.tf.json')) [format, domain] = ['json', 'terraform'];
  else if (/\.ya?ml$/.test(lower)) format = 'yaml';
  else if (lower.endsWith('.json')) format = 'json';
  else return [];
  let documents: unknown[];
  try {
    ({ documents } = await parseConfig(file.content, {
      filename: path,
      format,
      maxBytes: MAX_FILE_BYTES,
      allowEmpty: true,
    }));
  } catch (error) {
    // YAML and JSON that is not configuration may be anything (a Helm template, JSON with comments); a file that
    // must be checked is refused, so what cannot be checked is never written.
    if (domain || LOOKS_LIKE_MANIFEST.test(file.content)) {
      const reason = error instanceof ToolError ? error.message : String(error);
      const fix = (error instanceof ToolError && error.hint) || 'fix the syntax and call again';
      throw new ToolError(
        'invalid_request',
        `files: ${reason}; the policy gate cannot check it, so it is not written`,
        {
          hint: `${fix} (a Helm template cannot be checked: commit the rendered manifests)`,
        },
      );
    }
    return [];
  }
  return documents.flatMap((document, index) => {
    // An HCL file of comments only configures nothing.
    if (format === 'hcl' && Object.keys(document as object).length === 0) return [];
    const source = documents.length > 1 ? `${path} (document ${index + 1})` : path;
    // Plain YAML and JSON (a compose file, package.json) is checked only where it has a policy domain's shape.
    if (!domain && shapesOf(document).length === 0) return [];
    return [{ document, source, ...(domain ? { domain } : {}) }];
  });
}
