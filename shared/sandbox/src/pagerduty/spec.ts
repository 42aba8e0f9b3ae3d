// PagerDuty's published REST v2 description (github.com/PagerDuty/api-schema), with the clean-ups it needs to
// describe what PagerDuty sends and accepts. Every clean-up is here, each with the reason.
import { loadSpec, type OpenApiDocument } from '../spec.ts';

type Parameter = { name?: string; in?: string; schema?: Record<string, unknown> };

/**
 * The clean-ups, in one place:
 * 1. Array query parameters written with `[]` (`statuses[]`, `urgencies[]`, `include[]`) are typed as a single
 *    string with `uniqueItems`, an array keyword: PagerDuty takes them repeated (`statuses[]=triggered&
 *    statuses[]=acknowledged`), as its own docs and clients do. Such a parameter becomes an array of that string.
 * 2. `AcknowledgeLogEntry` narrows `type` to `acknowledgement_log_entry`, while its base `LogEntry` (and PagerDuty's
 *    answers and docs) use `acknowledge_log_entry`: no value satisfies both, so the narrowing takes the real value.
 * 3. `Channel` lists the shapes a log entry's channel may take (Nagios, API, email, ...) as `oneOf`, but none of the
 *    shapes has a required or distinguishing field, so every channel matches all of them and "exactly one" can never
 *    hold: the list becomes `anyOf`.
 * The spec is used whole, not trimmed: its `$ref`s point into the middle of components
 * (`#/components/responses/Conflict/content/application~1json/schema`), which the framework's trimming cannot copy.
 */
export function cleanUpPagerDutySpec(doc: OpenApiDocument): void {
  const parameters = (doc.components?.parameters ?? {}) as Record<string, Parameter>;
  const fix = (parameter: Parameter) => {
    const schema = parameter.schema;
    if (parameter.in !== 'query' || !parameter.name?.endsWith('[]') || !schema || schema.type === 'array') return;
    const { uniqueItems, ...item } = schema;
    parameter.schema = { type: 'array', items: item, ...(uniqueItems ? { uniqueItems } : {}) };
  };
  for (const parameter of Object.values(parameters)) fix(parameter);
  const schemas = (doc.components?.schemas ?? {}) as Record<
    string,
    { allOf?: Array<{ properties?: Record<string, unknown> }> }
  >;
  const acknowledge = schemas.AcknowledgeLogEntry?.allOf?.[1]?.properties;
  if (acknowledge) acknowledge.type = { type: 'string', enum: ['acknowledge_log_entry'] };
  const channel = schemas.Channel as { oneOf?: unknown[]; anyOf?: unknown[] } | undefined;
  if (channel?.oneOf) {
    channel.anyOf = channel.oneOf;
    delete channel.oneOf;
  }
  for (const item of Object.values(doc.paths)) {
    for (const operation of Object.values(item)) {
      for (const parameter of (operation as { parameters?: Parameter[] }).parameters ?? []) fix(parameter);
    }
  }
}

export function pagerDutySpec(): Promise<OpenApiDocument> {
  return loadSpec({ file: 'pagerduty/pagerduty-openapiv3.json' }, { cleanUp: cleanUpPagerDutySpec });
}

/** PagerDuty's error body schema, shared by every error answer in the spec. */
export const ERROR_SCHEMA_REF = '#/components/responses/Conflict/content/application~1json/schema';
