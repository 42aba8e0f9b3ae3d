// Backstage's published OpenAPI documents: the catalog's and the scaffolder's, as they ship in
// @backstage/plugin-catalog-backend and @backstage/plugin-scaffolder-backend. The packages embed each document as a
// JavaScript object literal in dist/schema/openapi/generated/router.cjs.js (the file also builds an Express router,
// so it is read as text, not required). Both are merged into one document for the one fake, in one documented place:
// - Backstage serves each plugin under /api/<plugin>, so catalog paths get /api/catalog, scaffolder paths
//   /api/scaffolder (each document's `servers` is "/", relative to that base);
// - components are prefixed with the plugin name (`catalog_Entity`, `scaffolder_SerializedTask`) and every $ref
//   rewritten, because both documents use the same component names for different schemas.
// One schema is corrected (cleanUpBackstageSpec, below); nothing else is changed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { type OpenApiDocument, trimSpec } from '../spec.ts';

const require = createRequire(import.meta.url);

const PLUGINS = [
  { name: 'catalog', pkg: '@backstage/plugin-catalog-backend' },
  { name: 'scaffolder', pkg: '@backstage/plugin-scaffolder-backend' },
] as const;

/** The document a plugin package embeds. */
export function pluginSpec(pkg: string): OpenApiDocument {
  const dir = dirname(require.resolve(`${pkg}/package.json`));
  const text = readFileSync(join(dir, 'dist/schema/openapi/generated/router.cjs.js'), 'utf8');
  const marker = 'const spec = ';
  const start = text.indexOf(marker);
  const end = text.indexOf('\n};\n', start);
  if (start < 0 || end < 0) throw new Error(`${pkg}: no embedded OpenAPI document found`);
  // A plain object literal (no calls, no references): evaluated in an empty context.
  return vm.runInNewContext(`(${text.slice(start + marker.length, end + 2)})`) as OpenApiDocument;
}

function prefixRefs(node: unknown, prefix: string): unknown {
  if (Array.isArray(node)) return node.map((item) => prefixRefs(item, prefix));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === '$ref' && typeof value === 'string') {
        return [key, value.replace(/^#\/components\/([^/]+)\/(.+)$/, `#/components/$1/${prefix}_$2`)];
      }
      return [key, prefixRefs(value, prefix)];
    }),
  );
}

export function mergeBackstageSpecs(): OpenApiDocument {
  const merged: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'Backstage catalog and scaffolder', version: '1' },
    paths: {},
    components: {},
  };
  for (const plugin of PLUGINS) {
    const doc = prefixRefs(pluginSpec(plugin.pkg), plugin.name) as OpenApiDocument;
    for (const [path, item] of Object.entries(doc.paths)) merged.paths[`/api/${plugin.name}${path}`] = item;
    for (const [section, entries] of Object.entries(doc.components ?? {})) {
      merged.components![section] ??= {};
      for (const [name, value] of Object.entries(entries))
        merged.components![section]![`${plugin.name}_${name}`] = value;
    }
  }
  return merged;
}

/**
 * The scaffolder's `ValidationError` is the error object of the `jsonschema` library the scaffolder validates template
 * values with, but the document types `instance` as an object and `argument` as a scalar or object. jsonschema sets
 * `instance` to the value that failed (a string for a failed `pattern` on a property) and `argument` to the keyword's
 * argument (the allowed values, an array, for `enum`). The two properties get those types; the rest stays.
 */
export function cleanUpBackstageSpec(doc: OpenApiDocument): void {
  const schemas = doc.components?.schemas as Record<string, { properties?: Record<string, unknown> }> | undefined;
  const properties = schemas?.scaffolder_ValidationError?.properties;
  if (!properties) throw new Error('scaffolder ValidationError schema not found: check the clean-up');
  properties.instance = { description: 'The value that failed validation (any JSON value).' };
  properties.argument = {
    oneOf: [{ type: 'boolean' }, { type: 'number' }, { type: 'object' }, { type: 'string' }, { type: 'array' }],
  };
}

export const BACKSTAGE_OPERATIONS = [
  'GetEntitiesByQuery',
  'GetEntityByName',
  'CreateLocation',
  'RefreshEntity',
  'GetTemplateParameterSchema',
  'Scaffold',
  'ListTasks',
  'GetTask',
  'StreamLogsPolling',
  'CancelTask',
] as const;

let cached: Promise<OpenApiDocument> | undefined;

/** Both documents merged and trimmed to the implemented operations (once per process). */
export function backstageSpec(): Promise<OpenApiDocument> {
  cached ??= Promise.resolve().then(() => {
    const doc = mergeBackstageSpecs();
    cleanUpBackstageSpec(doc);
    return trimSpec(doc, BACKSTAGE_OPERATIONS);
  });
  return cached;
}

export const ERROR_SCHEMA_REF = '#/components/schemas/catalog_Error';
