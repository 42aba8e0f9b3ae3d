import { randomUUID } from 'node:crypto';
import { type PolicyVerdict, SERVER_VERSION, ToolError } from '@idp-mcp/core';
import type { AuditEntry, Store } from '@idp-mcp/store';

/**
 * The audit trail's policy decisions as an OSCAL 1.0.6 assessment-results document, for auditors: one result for the
 * period, one observation per evaluated artefact (a call whose record carries a verdict, or a self-service plan's),
 * and one finding per violation or waiver with the rule id, severity and the waiver's reason and expiry. Checked
 * against NIST's schema (shared/vendor/specs/oscal) in the tests.
 */

const NS = 'https://idp-mcp.dev/ns/oscal';
const OSCAL_VERSION = '1.0.6';

export interface EvidenceQuery {
  /** Inclusive, ISO 8601. */
  from: string;
  /** Exclusive, ISO 8601. */
  to: string;
  /** Only decisions whose call named this environment. */
  environment?: string;
}

interface Finding {
  rule: string;
  severity: string;
  message: string;
  resource?: string;
  field?: string;
  reason?: string;
  expires?: string;
  waiver?: { reason?: string; expires?: string };
}

interface Decision {
  entry: AuditEntry;
  allowed: boolean;
  gate: string;
  environment: string | undefined;
  violations: Finding[];
  waived: Finding[];
}

type Prop = { name: string; value: string; ns: string };
const prop = (name: string, value: unknown): Prop[] =>
  value === undefined || value === null || String(value) === '' ? [] : [{ name, value: String(value), ns: NS }];

/** An ISO time as OSCAL's date-time-with-timezone wants it; names the argument when it is not one. */
export function isoTime(name: string, value: string | undefined): string {
  const time = value ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ToolError('invalid_request', `${name}: must be an ISO 8601 time, e.g. 2026-10-01T00:00:00Z`);
  }
  return new Date(time).toISOString();
}

const environmentOf = (value: unknown): string | undefined => {
  const env = value && typeof value === 'object' ? (value as Record<string, unknown>).environment : undefined;
  return typeof env === 'string' ? env : undefined;
};

/** The policy decisions among audit entries: a verdict on record, a plan with one, or a policy_denied refusal. */
async function decisions(store: Store, query: EvidenceQuery): Promise<Decision[]> {
  const out: Decision[] = [];
  for await (const line of store.exportAudit({ since: query.from, until: query.to })) {
    const entry = JSON.parse(line) as AuditEntry;
    let verdict = entry.verdict as (PolicyVerdict & { waived?: Finding[] }) | null;
    let environment = environmentOf(entry.args);
    if (!verdict && entry.planId?.startsWith('plan_')) {
      const plan = await store.getPlan(entry.planId);
      verdict = plan?.verdict ?? null;
      environment ??= environmentOf(plan?.args);
    }
    const refused = entry.error?.startsWith('policy_denied') ?? false;
    if (!verdict && !refused) continue;
    if (query.environment && environment !== query.environment) continue;
    out.push({
      entry,
      allowed: verdict ? verdict.allowed && !refused : false,
      gate: verdict?.gate ?? 'idp-mcp policy',
      environment,
      violations: (verdict?.violations ?? []) as Finding[],
      waived: verdict?.waived ?? [],
    });
  }
  return out;
}

export async function evidenceDocument(store: Store, query: EvidenceQuery, now = new Date()) {
  const from = isoTime('from', query.from);
  const to = isoTime('to', query.to);
  if (from >= to) throw new ToolError('invalid_request', 'to: must be later than from');
  const found = await decisions(store, { ...query, from, to });
  const observations: unknown[] = [];
  const findings: unknown[] = [];
  for (const decision of found) {
    const { entry } = decision;
    const observation = randomUUID();
    const artefact = entry.planId ?? `${entry.tool} #${entry.seq}`;
    observations.push({
      uuid: observation,
      title: `${entry.tool}: ${decision.allowed ? 'allowed' : 'denied'}`,
      description: `The policy gate (${decision.gate}) evaluated ${artefact} for ${entry.caller}: ${
        decision.allowed ? 'allowed' : 'denied'
      }, ${decision.violations.length} violation(s), ${decision.waived.length} waived finding(s).${
        entry.error ? ` The call ended: ${entry.error.split('\n')[0]}` : ''
      }`,
      props: [
        ...prop('decision', decision.allowed ? 'allowed' : 'denied'),
        ...prop('tool', entry.tool),
        ...prop('caller', entry.caller),
        ...prop('audit-seq', entry.seq),
        ...prop('plan-id', entry.planId),
        ...prop('run-id', entry.runId),
        ...prop('environment', decision.environment),
      ],
      methods: ['TEST'],
      types: ['finding'],
      collected: new Date(entry.at).toISOString(),
    });
    const finding = (f: Finding, waived: boolean) => {
      const reason = f.reason ?? f.waiver?.reason;
      const expires = f.expires ?? f.waiver?.expires;
      findings.push({
        uuid: randomUUID(),
        title: `${f.rule}${f.resource ? ` on ${f.resource}` : ''}${waived ? ' (waived)' : ''}`,
        description: f.message,
        props: [
          ...prop('rule-id', f.rule),
          ...prop('severity', f.severity),
          ...prop('resource', f.resource),
          ...prop('field', f.field),
          ...prop('waived', waived),
          ...prop('waiver-reason', reason),
          ...prop('waiver-expires', expires),
        ],
        target: {
          type: 'objective-id',
          'target-id': f.rule,
          status: { state: 'not-satisfied', ...(waived ? { reason: 'waived' } : {}) },
          ...(waived
            ? { remarks: `Waived until ${expires ?? 'an unknown date'}: ${reason ?? 'no reason recorded'}` }
            : {}),
        },
        'related-observations': [{ 'observation-uuid': observation }],
      });
    };
    for (const violation of decision.violations) finding(violation, false);
    for (const waived of decision.waived) finding(waived, true);
  }
  const scope = query.environment ? ` in ${query.environment}` : '';
  return {
    'assessment-results': {
      uuid: randomUUID(),
      metadata: {
        title: `idp-mcp policy decisions${scope}, ${from} to ${to}`,
        'last-modified': now.toISOString(),
        version: SERVER_VERSION,
        'oscal-version': OSCAL_VERSION,
      },
      'import-ap': {
        href: 'policies/',
        remarks: 'The assessment plan is the policy set in policies/ (rule ids TF-, K8S-, ...); see docs/policies.md.',
      },
      results: [
        {
          uuid: randomUUID(),
          title: `Policy gate decisions${scope}`,
          description: `Every policy decision the audit log recorded from ${from} to ${to}${scope}: ${found.length} decision(s), ${found.filter((d) => !d.allowed).length} denied.`,
          start: from,
          end: to,
          'reviewed-controls': {
            'control-selections': [{ 'include-all': {} }],
          },
          ...(observations.length > 0 ? { observations } : {}),
          ...(findings.length > 0 ? { findings } : {}),
        },
      ],
    },
  };
}
