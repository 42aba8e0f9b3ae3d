// Mechanical rewrites that published specs need before Ajv accepts them. Each upstream's fake names the ones it
// applies (in its `cleanUp` passed to loadSpec) and why; none changes what the spec allows.
import type { OpenApiDocument } from './spec.ts';

/**
 * OpenAPI 3.0's `nullable: true` means "or null" whatever else the schema says; Ajv understands it only beside a
 * `type`, and still applies `enum`. So: a nullable schema without `type` (beside `allOf`, `$ref`, ...) becomes
 * `anyOf: [<schema>, { type: 'null' }]`, and a nullable `enum` gets `null` among its values.
 */
export function rewriteNullableForAjv(doc: OpenApiDocument): number {
  return rewriteObjects(doc, (schema) => {
    if (schema.nullable !== true) return false;
    if (schema.type === undefined) {
      const { nullable: _nullable, ...rest } = schema;
      for (const key of Object.keys(schema)) delete schema[key];
      schema.anyOf = [rest, { type: 'null' }];
      return true;
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) {
      schema.enum = [...schema.enum, null];
      return true;
    }
    return false;
  });
}

/**
 * Turns `oneOf` into `anyOf` where a branch is `$ref: <ref>`. For a schema that requires nothing (such as a generic
 * error body), every object that matches a sibling branch matches it too, so `oneOf` could never pass: the spec
 * means "one of these shapes", which `anyOf` says.
 */
export function oneOfToAnyOfWhereBranch(doc: OpenApiDocument, ref: string): number {
  return rewriteObjects(doc, (schema) => {
    const branches = schema.oneOf;
    if (!Array.isArray(branches) || !branches.some((b) => (b as { $ref?: string })?.$ref === ref)) return false;
    schema.anyOf = branches;
    delete schema.oneOf;
    return true;
  });
}

/** Applies `rewrite` to every object in the document, innermost first; returns how many it changed. */
export function rewriteObjects(doc: OpenApiDocument, rewrite: (node: Record<string, unknown>) => boolean): number {
  let rewritten = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    for (const value of Object.values(object)) visit(value);
    if (rewrite(object)) rewritten += 1;
  };
  visit(doc);
  return rewritten;
}
