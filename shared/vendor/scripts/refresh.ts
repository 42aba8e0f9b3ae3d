/**
 * Rebuilds the vendored files from a source folder laid out as `specs/<upstream>/...` and `opa-compliance/v0|v1/...`,
 * as MANIFEST.json lists them: single files must match their recorded sha256 (a changed upstream file is a new
 * manifest entry, reviewed), bundles get their sha256 rewritten.
 *   sh scripts/with-node.sh node shared/vendor/scripts/refresh.ts <source-folder>
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { vendorDir } from '../src/index.ts';
import { bundleText, type ManifestEntry, manifestPath, readManifest } from '../src/manifest.ts';

const source = process.argv[2];
if (!source) {
  console.error('usage: refresh.ts <source-folder>  (the folder holding specs/ and opa-compliance/)');
  process.exit(2);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)));
}

function write(entry: ManifestEntry, text: string): void {
  const target = join(vendorDir(), entry.stored === 'plain' ? entry.file : `${entry.file}.gz`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, entry.stored === 'plain' ? text : gzipSync(text, { level: 9 }));
}

const manifest = readManifest();
for (const entry of manifest) {
  if (entry.stored === 'bundle') {
    const dir = join(source, entry.file.replace(/\.json$/, ''));
    const files = Object.fromEntries(filesBelow(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const text = bundleText(files);
    entry.sha256 = sha256(text);
    write(entry, text);
    console.log(`${entry.file}: ${Object.keys(files).length} files`);
    continue;
  }
  const text = readFileSync(join(source, entry.file), 'utf8');
  if (sha256(text) !== entry.sha256) {
    console.error(`${entry.file}: sha256 differs from MANIFEST.json; record the new upstream commit and hash first`);
    process.exit(1);
  }
  write(entry, text);
  console.log(entry.file);
}
writeFileSync(manifestPath(), `${JSON.stringify(manifest, null, 2)}\n`);
