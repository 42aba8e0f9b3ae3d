// Mechanical rewrites that published specs need before Ajv accepts them. Each upstream's fake names the ones it
// applies (in its `cleanUp` passed to loadSpec) and why; none changes what the spec allows.
import type { OpenApiDocument } from './spec.ts';

/**
 * OpenAPI 3.0's `nullable: true` means "or null" whatever else the schema says; Ajv understands it only beside a
 * `type`, and still applies `enum`. So: a nullable schema without `type` (beside `allOf`, `$ref`, ...) becomes
 * `anyOf: [<schema>, { type: 'null' }]`, and a nullable `enum` gets `null` among its values.
 */
export function rewriteNullableForAjv(doc: OpenApiDocument): number {
  let rewritten = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    for (const value of Object.values(schema)) visit(value);
    if (schema.nullable !== true) return;
    if (schema.type === undefined) {
      const { nullable: _nullable, ...rest } = schema;
      for (const key of Object.keys(schema)) delete schema[key];
      schema.anyOf = [rest, { type: 'null' }];
      rewritten += 1;
    } else if (Array.isArray(schema.enum) && !schema.enum.includes(null)) {
      schema.enum = [...schema.enum, null];
      rewritten += 1;
    }
  };
  visit(doc);
  return rewritten;
}

/**
 * Turns `oneOf` into `anyOf` where a branch is `$ref: <ref>`. For a schema that requires nothing (such as a generic
 * error body), every object that matches a sibling branch matches it too, so `oneOf` could never pass: the spec
 * means "one of these shapes", which `anyOf` says.
 */
export function oneOfToAnyOfWhereBranch(doc: OpenApiDocument, ref: string): number {
  let rewritten = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    for (const value of Object.values(schema)) visit(value);
    const branches = schema.oneOf;
    if (Array.isArray(branches) && branches.some((b) => (b as { $ref?: string })?.$ref === ref)) {
      schema.anyOf = branches;
      delete schema.oneOf;
      rewritten += 1;
    }
  };
  visit(doc);
  return rewritten;
}
