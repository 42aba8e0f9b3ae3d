// MANIFEST.json: where every vendored file came from. Read by the refresh script and by the test that holds the
// folder and the manifest to each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vendorDir } from './index.ts';

export interface ManifestEntry {
  /** The original's name relative to the vendor folder; stored as is (`plain`), as `<file>.gz` or as a bundle. */
  file: string;
  stored: 'plain' | 'gzip' | 'bundle';
  /** The repository it was taken from. */
  source: string;
  commit: string;
  /** Its path in that repository. */
  path: string;
  license: string;
  /** The licence text kept beside the data, where the licence asks for it. */
  licenseFile?: string;
  /** Of the original text (for a bundle: of the bundle's JSON text). */
  sha256: string;
  note?: string;
}

export const manifestPath = () => join(vendorDir(), 'MANIFEST.json');

export function readManifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(manifestPath(), 'utf8')) as ManifestEntry[];
}

/** The one way a bundle is written, so its hash can be checked. */
export function bundleText(files: Record<string, string>): string {
  const sorted = Object.keys(files).sort();
  return JSON.stringify(Object.fromEntries(sorted.map((f) => [f, files[f]])));
}
