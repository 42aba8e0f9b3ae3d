// The borders DESIGN.md draws between packages, checked on the code itself: an integration server stands only on
// shared/, shared/ never reaches up into servers/, and test helpers never load at run time.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

interface Package {
  dir: string;
  name: string;
  dependencies: string[];
  devDependencies: string[];
}

function packagesUnder(folder: string): Package[] {
  return readdirSync(join(root, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(folder, entry.name);
      const json = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      return {
        dir,
        name: json.name,
        dependencies: Object.keys(json.dependencies ?? {}),
        devDependencies: Object.keys(json.devDependencies ?? {}),
      };
    });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const isTestFile = (file: string) =>
  file.endsWith('.test.ts') || /\/test\//.test(file) || /test-support\.ts$/.test(file);

/** Package names a file imports, statically or with import(). */
function importedPackages(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'(@idp-mcp\/[\w-]+)(?:\/[\w/-]*)?'/g)].map((match) => match[1]!);
}

const servers = packagesUnder('servers');
const shared = packagesUnder('shared');
const serverNames = new Set(servers.map((pkg) => pkg.name));
/** The only places that know several servers. */
const composers: Record<string, string[]> = {
  '@idp-mcp/platform': servers
    .map((pkg) => pkg.name)
    .filter((name) => !['@idp-mcp/cli', '@idp-mcp/platform'].includes(name)),
  '@idp-mcp/cli': ['@idp-mcp/platform'],
};

describe('package borders', () => {
  it('finds the packages it checks', () => {
    expect(servers.length).toBeGreaterThanOrEqual(14);
    expect(shared.map((pkg) => pkg.name)).toEqual(
      expect.arrayContaining(['@idp-mcp/core', '@idp-mcp/sandbox', '@idp-mcp/testing']),
    );
  });

  it('no server depends on or imports another server, except where the platform and the CLI compose them', () => {
    const crossings: string[] = [];
    for (const pkg of servers) {
      const allowed = new Set([pkg.name, ...(composers[pkg.name] ?? [])]);
      for (const dep of [...pkg.dependencies, ...pkg.devDependencies]) {
        if (serverNames.has(dep) && !allowed.has(dep)) crossings.push(`${pkg.dir}/package.json -> ${dep}`);
      }
      for (const file of sourceFiles(pkg.dir)) {
        for (const name of importedPackages(file)) {
          if (serverNames.has(name) && !allowed.has(name)) crossings.push(`${file} -> ${name}`);
        }
        const text = readFileSync(join(root, file), 'utf8');
        for (const match of text.matchAll(/from '(\.\.\/[^']+)'/g)) {
          const target = relative(root, resolve(root, file, '..', match[1]!));
          if (!target.startsWith(`${pkg.dir}/`)) crossings.push(`${file} -> ${target}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });

  it('shared/ never imports a server', () => {
    const crossings = shared.flatMap((pkg) =>
      sourceFiles(pkg.dir).flatMap((file) =>
        importedPackages(file)
          .filter((name) => serverNames.has(name))
          .map((name) => `${file} -> ${name}`),
      ),
    );
    expect(crossings).toEqual([]);
  });

  it('test helpers are a development dependency only, never imported by code that runs in production', () => {
    const problems: string[] = [];
    for (const pkg of [...servers, ...shared]) {
      if (pkg.name === '@idp-mcp/testing') continue;
      if (pkg.dependencies.includes('@idp-mcp/testing')) problems.push(`${pkg.dir}/package.json: runtime dependency`);
      for (const file of sourceFiles(pkg.dir).filter((f) => !isTestFile(f))) {
        if (importedPackages(file).includes('@idp-mcp/testing')) problems.push(file);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the sandbox is loaded only when a server starts in sandbox mode (a dynamic import)', () => {
    const eager: string[] = [];
    for (const pkg of servers) {
      for (const file of sourceFiles(pkg.dir).filter((f) => !isTestFile(f))) {
        const text = readFileSync(join(root, file), 'utf8');
        if (/^import (?!type )[^;]*from '@idp-mcp\/sandbox/m.test(text)) eager.push(file);
      }
    }
    expect(eager).toEqual([]);
  });
});
