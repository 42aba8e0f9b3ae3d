import type { PolicyContext } from '@idp-mcp/core';
import * as z from 'zod';
import type { Checker, Finding } from './gate.ts';
import type { GatekeeperReview } from './gatekeeper.ts';
import { createLocator } from './locate.ts';
import { groupByDomain, type InputFormat, parseConfig } from './parse.ts';

export const findingSchema = z.object({
  rule: z.string(),
  severity: z.enum(['deny', 'warn']),
  message: z.string(),
  resource: z.string().optional(),
  field: z.string().optional(),
  document: z.number().int().optional().describe('1-based position of the document in the input'),
  file: z.string().optional(),
  line: z.number().int().optional().describe('1-based line of the field (or its nearest parent) in the input'),
  waiver: z
    .object({
      status: z.string(),
      reason: z.string().optional(),
      expires: z.string().optional(),
      problem: z.string().optional(),
    })
    .optional(),
});
export type ReportedFinding = z.output<typeof findingSchema>;

export const validationSchema = {
  allowed: z.boolean().describe('false when any violation has severity deny'),
  domains: z.array(z.string()),
  documents: z.number().int(),
  violations: z.array(findingSchema).describe('deny findings: each must be fixed (or waived)'),
  warnings: z.array(findingSchema),
  waived: z.array(findingSchema).describe('findings covered by a valid waiver'),
};
export type Validation = z.output<z.ZodObject<typeof validationSchema>>;

/** Checks parsed documents, each against its detected domain (a given domain only narrows). */
export function validateDocuments(
  checker: Checker,
  documents: unknown[],
  options: { domain?: string; context?: PolicyContext; file?: string; review?: GatekeeperReview } = {},
): Validation {
  // Gatekeeper's namespaceSelector and data.inventory see the whole set checked together, every domain's objects.
  const review = { objects: documents, ...options.review };
  const groups = groupByDomain(documents, options.domain, options.file);
  const out: Validation = {
    allowed: true,
    domains: [...groups.keys()],
    documents: documents.length,
    violations: [],
    warnings: [],
    waived: [],
  };
  for (const [domain, group] of groups) {
    const verdict = checker.checkDetailed(domain, group.documents, options.context, review);
    const place = (finding: Finding): ReportedFinding => {
      const { document, ...rest } = finding;
      return {
        ...rest,
        ...(document !== undefined ? { document: (group.indexes[document] ?? document) + 1 } : {}),
        ...(options.file ? { file: options.file } : {}),
      };
    };
    for (const finding of verdict.violations) {
      (finding.severity === 'deny' ? out.violations : out.warnings).push(place(finding));
    }
    out.waived.push(...verdict.waived.map(place));
    if (!verdict.allowed) out.allowed = false;
  }
  return out;
}

/** Parses configuration text and checks it. */
export async function validateText(
  checker: Checker,
  text: string,
  options: {
    domain?: string;
    context?: PolicyContext;
    filename?: string;
    format?: InputFormat;
    maxBytes?: number;
    review?: GatekeeperReview;
  } = {},
): Promise<Validation & { format: InputFormat }> {
  const parsed = await parseConfig(text, {
    ...(options.filename ? { filename: options.filename } : {}),
    ...(options.format ? { format: options.format } : {}),
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
  });
  const result = validateDocuments(checker, parsed.documents, {
    ...(options.domain ? { domain: options.domain } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.filename ? { file: options.filename } : {}),
    ...(options.review ? { review: options.review } : {}),
  });
  if (!parsed.expanded) {
    const locate = createLocator(text, parsed.format);
    for (const finding of [...result.violations, ...result.warnings, ...result.waived]) {
      if (finding.document === undefined || finding.field === undefined) continue;
      const line = locate(finding.document - 1, finding.field);
      if (line !== undefined) finding.line = line;
    }
  }
  return { ...result, format: parsed.format };
}

/** One line per finding: `deny K8S-001 Deployment/payments/api spec...: message`. */
export function renderFindings(result: Validation): string {
  const line = (finding: ReportedFinding) =>
    `${finding.severity === 'deny' ? 'DENY' : 'WARN'} ${finding.rule} ${finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''} ` : ''}${finding.resource ?? ''}${finding.field ? ` (${finding.field})` : ''}: ${finding.message}`;
  const lines = [...result.violations.map(line), ...result.warnings.map(line)];
  for (const finding of result.waived) {
    lines.push(
      `WAIVED ${finding.rule} ${finding.resource ?? ''}: ${finding.waiver?.reason ?? ''} (until ${finding.waiver?.expires ?? '?'})`,
    );
  }
  const verdict = result.allowed ? 'allowed' : 'denied';
  lines.push(
    `${verdict}: ${result.violations.length} violation(s), ${result.warnings.length} warning(s), ${result.waived.length} waived, in ${result.documents} document(s) [${result.domains.join(', ')}]`,
  );
  return lines.join('\n');
}
