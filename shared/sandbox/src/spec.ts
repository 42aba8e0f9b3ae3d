// Loading the upstreams' published API descriptions: files vendored in shared/vendor/specs (see its MANIFEST.json)
// and documents shipped in npm packages. Swagger 2.0 is converted to OpenAPI 3; clean-ups a validator needs are
// applied in code by the caller's `cleanUp` hook, never by editing a spec. Everything is cached per process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readVendored } from '@idp-mcp/vendor';

/** An OpenAPI 3.x document. Kept loose on purpose: published specs stretch every typed model of OpenAPI. */
export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

export type SpecSource =
  /** A file below shared/vendor/specs, e.g. `argocd/argocd-swagger.json`. */
  | { file: string }
  /** A JSON document inside an installed npm package, e.g. `@octokit/openapi/generated/api.github.com.json`. */
  | { npm: string };

export interface LoadSpecOptions {
  /** Mechanical fixes a validator needs for this published spec; mutates the converted document. */
  cleanUp?: (doc: OpenApiDocument) => void;
  /** Keep only these operations (and the components they reference): large specs then build validators fast. */
  operationIds?: readonly string[];
}

const here = dirname(fileURLToPath(import.meta.url));
/** shared/sandbox/src -> the repository root. */
export const repoRoot = resolve(here, '../../..');

/** The text of a vendored upstream description, e.g. `argocd/application-crd.yaml`. */
export function readSpecText(file: string): string {
  return readVendored(`specs/${file}`);
}

const requireFromHere = createRequire(import.meta.url);
const rawCache = new Map<string, Promise<OpenApiDocument>>();
const trimmedCache = new Map<string, Promise<OpenApiDocument>>();

/** Loads, converts and cleans a spec once per process; returns the cached document afterwards. Do not mutate it. */
export function loadSpec(source: SpecSource, options: LoadSpecOptions = {}): Promise<OpenApiDocument> {
  const key = 'file' in source ? `file:${source.file}` : `npm:${source.npm}`;
  let raw = rawCache.get(key);
  if (!raw) {
    raw = readAndConvert(source).then((doc) => {
      options.cleanUp?.(doc);
      return doc;
    });
    rawCache.set(key, raw);
  }
  const { operationIds } = options;
  if (!operationIds) return raw;
  const trimmedKey = `${key}#${[...operationIds].sort().join(',')}`;
  let trimmed = trimmedCache.get(trimmedKey);
  if (!trimmed) {
    trimmed = raw.then((doc) => trimSpec(doc, operationIds));
    trimmedCache.set(trimmedKey, trimmed);
  }
  return trimmed;
}

async function readAndConvert(source: SpecSource): Promise<OpenApiDocument> {
  const path = 'file' in source ? `shared/vendor/specs/${source.file}` : requireFromHere.resolve(source.npm);
  const text = 'file' in source ? readSpecText(source.file) : readFileSync(path, 'utf8');
  const doc = JSON.parse(text) as Record<string, unknown>;
  if (doc.swagger === '2.0') {
    // Loaded on demand: fakes that never convert (or never validate, like the sandbox) start without it.
    const { default: swagger2openapi } = await import('swagger2openapi');
    const converted = await swagger2openapi.convertObj(doc as never, { patch: true, warnOnly: true } as never);
    return converted.openapi as unknown as OpenApiDocument;
  }
  if (typeof doc.openapi !== 'string') throw new Error(`${path} is neither Swagger 2.0 nor OpenAPI 3`);
  return doc as OpenApiDocument;
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/** A copy of `doc` with only the named operations and the components they reach through `$ref`. */
export function trimSpec(doc: OpenApiDocument, operationIds: readonly string[]): OpenApiDocument {
  const wanted = new Set(operationIds);
  const paths: OpenApiDocument['paths'] = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!httpMethods.has(method)) continue;
      const id = (operation as { operationId?: string }).operationId;
      if (id === undefined || !wanted.has(id)) continue;
      paths[path] ??= item.parameters ? { parameters: item.parameters } : {};
      paths[path][method] = operation;
      wanted.delete(id);
    }
  }
  if (wanted.size > 0) throw new Error(`spec has no operation ${[...wanted].join(', ')}`);
  const components: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') copyComponent(value);
      else visit(value);
    }
  };
  const copyComponent = (ref: string): void => {
    if (seen.has(ref)) return;
    seen.add(ref);
    const match = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
    if (!match) throw new Error(`unsupported $ref ${ref}`);
    const [, section, name] = match as unknown as [string, string, string];
    const value = doc.components?.[section]?.[name];
    if (value === undefined) throw new Error(`dangling $ref ${ref}`);
    components[section] ??= {};
    components[section][name] = value;
    visit(value);
  };
  visit(paths);
  return { ...doc, paths, components };
}
