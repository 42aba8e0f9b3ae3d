// Reads files vendored below shared/vendor (listed with their provenance in MANIFEST.json). Large JSON documents
// are stored gzip-compressed as `<name>.gz`; callers name the original (`specs/jira/jira-platform-v3.json`) and get
// its text either way.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The folder holding MANIFEST.json; IDP_MCP_VENDOR_DIR points elsewhere (a newer copy being tried out). */
export function vendorDir(): string {
  return process.env.IDP_MCP_VENDOR_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

/** The text of a vendored file, by its original name relative to the vendor folder. */
export function readVendored(file: string): string {
  const path = join(vendorDir(), file);
  if (existsSync(`${path}.gz`)) return gunzipSync(readFileSync(`${path}.gz`)).toString('utf8');
  if (existsSync(path)) return readFileSync(path, 'utf8');
  throw new Error(`vendored file ${file} is missing from ${vendorDir()} (see its MANIFEST.json)`);
}

/**
 * A bundle of many small files stored as one gzip-compressed JSON object, `{ "<path>": "<original text>" }`
 * (OPA's compliance cases: two files instead of two thousand). Keys come back sorted.
 */
export function readVendoredBundle(file: string): Map<string, string> {
  const files = JSON.parse(readVendored(file)) as Record<string, string>;
  return new Map(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
