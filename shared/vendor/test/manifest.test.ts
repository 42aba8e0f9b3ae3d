import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVendored, vendorDir } from '../src/index.ts';
import { readManifest } from '../src/manifest.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dataFolders = ['specs', 'opa-compliance'];

describe('vendored upstream data', () => {
  const manifest = readManifest();

  it('lists every file stored, and stores every file listed', () => {
    const stored = dataFolders.flatMap((folder) =>
      readdirSync(join(vendorDir(), folder), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => relative(vendorDir(), join(d.parentPath, d.name))),
    );
    const listed = manifest.map((e) => (e.stored === 'plain' ? e.file : `${e.file}.gz`));
    expect(stored.sort()).toEqual(listed.sort());
  });

  it.each(manifest.map((e) => [e.file, e] as const))('%s is the text its manifest entry hashes', (file, entry) => {
    expect(sha256(readVendored(file))).toBe(entry.sha256);
  });

  it('names a source, commit, path and licence for every file, with the licence text where it needs one', () => {
    for (const entry of manifest) {
      expect(entry.source, entry.file).toMatch(/^github\.com\/[\w.-]+\/[\w.-]+$/);
      expect(entry.commit, entry.file).toMatch(/^[0-9a-f]{7,40}$/);
      expect(entry.path, entry.file).not.toBe('');
      expect(entry.license, entry.file).not.toBe('');
      const needsText = /Apache|MIT|MPL/.test(entry.license);
      expect(needsText ? existsSync(join(vendorDir(), entry.licenseFile ?? 'missing')) : true, entry.file).toBe(true);
    }
  });
});
