import type { PolicyDomain } from '@idp-mcp/core';
import { ToolError } from '@idp-mcp/core';
import YAML from 'yaml';
import { DOMAINS } from './catalog.ts';

/** Largest configuration text the validate tool accepts (bytes); a model should not send more in one call. */
export const MAX_INPUT_BYTES = 512 * 1024;
/** Largest file the CI gate reads: Terraform plans of big workspaces run to megabytes. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

export type InputFormat = 'yaml' | 'json' | 'hcl';

export interface ParsedInput {
  format: InputFormat;
  documents: unknown[];
  /** A Kubernetes List was expanded into its items: document positions no longer match the text. */
  expanded: boolean;
}

const HCL_START = /^\s*(resource|provider|module|variable|terraform|data|locals|output)\s+("|\{)/m;

/**
 * Parses configuration text: JSON (an object, or an array of documents), HCL (Terraform, converted with
 * hcl2json), or YAML with any number of `---` documents. Kubernetes `List` objects are flattened. Empty text (or
 * YAML of comments only) is an error unless allowEmpty.
 */
export async function parseConfig(
  text: string,
  options: { filename?: string; format?: InputFormat; maxBytes?: number; allowEmpty?: boolean } = {},
): Promise<ParsedInput> {
  const where = options.filename ? `${options.filename}: ` : '';
  const bytes = Buffer.byteLength(text);
  const limit = options.maxBytes ?? MAX_INPUT_BYTES;
  if (bytes > limit) {
    throw new ToolError(
      'invalid_request',
      `${where || 'config: '}${bytes} bytes is over the ${limit}-byte (${limit / 1024} KiB) limit`,
      {
        hint: 'validate the files one at a time, or split the YAML into smaller sets of documents',
      },
    );
  }
  if (text.trim() === '') {
    if (options.allowEmpty) return { format: options.format ?? 'yaml', documents: [], expanded: false };
    throw new ToolError('invalid_request', `${where || 'config: '}empty`, {
      hint: 'pass the YAML, JSON or HCL text to check',
    });
  }
  const format = options.format ?? guessFormat(text, options.filename);
  if (format === 'json') {
    try {
      const value = JSON.parse(text) as unknown;
      return flatten(format, Array.isArray(value) ? value : [value]);
    } catch (error) {
      throw new ToolError('invalid_request', `${where}not valid JSON: ${(error as Error).message}`, {
        hint: 'fix the JSON syntax, or pass YAML or HCL',
      });
    }
  }
  if (format === 'hcl') {
    const { parse } = await import('@cdktf/hcl2json');
    try {
      return { format, documents: [await parse(options.filename ?? 'main.tf', text)], expanded: false };
    } catch (error) {
      throw new ToolError(
        'invalid_request',
        `${where}not valid HCL: ${String((error as Error).message ?? error).trim()}`,
        {
          hint: 'fix the HCL syntax (terraform fmt shows where), or pass the plan as JSON (terraform show -json plan.out)',
        },
      );
    }
  }
  const documents: unknown[] = [];
  let yaml11: YAML.Document[] | undefined;
  const parsed = YAML.parseAllDocuments(text, { prettyErrors: true });
  for (const [index, doc] of parsed.entries()) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      throw new ToolError(
        'invalid_request',
        `${where}YAML document ${index + 1}${line ? ` line ${line.line} column ${line.col}` : ''}: ${error.message.split('\n')[0]}`,
        { hint: 'fix the YAML at that line (indentation, a missing colon or quote), then validate again' },
      );
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    const object = value as { apiVersion?: unknown; kind?: unknown };
    if (typeof object.apiVersion === 'string' && typeof object.kind === 'string') {
      yaml11 ??= YAML.parseAllDocuments(text, YAML_1_1) as YAML.Document[];
      if (!sameAsYaml11(value, yaml11[index])) {
        throw new ToolError(
          'invalid_request',
          `${where}YAML document ${index + 1} (${object.kind}) reads differently in YAML 1.1, as kubectl, Argo CD and Flux read it`,
          {
            hint: 'quote yes/no/on/off/y/n and numbers with a leading 0 or a colon, and write out what << merge keys would merge, so every reader sees the same object',
          },
        );
      }
    }
    documents.push(value);
  }
  if (!documents.length) {
    if (options.allowEmpty) return { format: 'yaml', documents: [], expanded: false };
    throw new ToolError('invalid_request', `${where}no documents in the YAML`, { hint: 'pass at least one manifest' });
  }
  return flatten('yaml', documents);
}

/**
 * How Kubernetes tooling reads YAML (Go's yaml.v2, YAML 1.1): yes/no/on/off are booleans, 0777 is octal, << merges.
 * Its timestamps stay strings when read into a manifest, so they are left out.
 */
export const YAML_1_1 = {
  version: '1.1' as const,
  customTags: (tags: YAML.Tags) =>
    tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
};

/** Whether a manifest checked as YAML 1.2 is the object Kubernetes tooling would read from the same text. */
function sameAsYaml11(value: unknown, document: YAML.Document | undefined): boolean {
  if (!document || document.errors.length > 0) return false;
  try {
    return JSON.stringify(document.toJS({ maxAliasCount: 100 })) === JSON.stringify(value);
  } catch {
    return false;
  }
}

function guessFormat(text: string, filename?: string): InputFormat {
  if (filename && /\.tf$/.test(filename)) return 'hcl';
  if (filename && /\.json$/.test(filename)) return 'json';
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') return 'json';
  if (HCL_START.test(text) && !/^\s*[\w.-]+:\s/m.test(text)) return 'hcl';
  return 'yaml';
}

/** A Kubernetes List (kind: List, or *List with items) becomes its items. */
function flatten(format: InputFormat, documents: unknown[]): ParsedInput {
  let expanded = false;
  const flat = documents.flatMap((doc) => {
    const object = doc as { kind?: unknown; items?: unknown };
    if (typeof object?.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
      expanded = true;
      return object.items;
    }
    return [doc];
  });
  return { format, documents: flat, expanded };
}

const isObject = (value: unknown) => !!value && typeof value === 'object' && !Array.isArray(value);

/** Top-level blocks of Terraform HCL (as hcl2json converts it, or written as .tf.json). */
const TERRAFORM_BLOCKS = new Set([
  'terraform',
  'provider',
  'resource',
  'data',
  'module',
  'variable',
  'output',
  'locals',
  'moved',
  'import',
  'removed',
  'check',
  '//',
]);

/**
 * Every domain whose shape the document has: Kubernetes objects by apiVersion (Strimzi -> kafka, Argo CD and Flux ->
 * gitops, any other -> kubernetes), GitHub workflows (on + jobs), Terraform plan JSON and HCL.
 */
export function shapesOf(doc: unknown): PolicyDomain[] {
  if (!isObject(doc)) return [];
  const object = doc as Record<string, unknown>;
  const found: PolicyDomain[] = [];
  const keys = Object.keys(object);
  const { apiVersion, kind } = object;
  if (typeof apiVersion === 'string' && apiVersion !== '' && typeof kind === 'string' && kind !== '') {
    if (apiVersion.startsWith('kafka.strimzi.io/')) found.push('kafka');
    else if (apiVersion.startsWith('argoproj.io/') || /^[a-z]+\.toolkit\.fluxcd\.io\//.test(apiVersion)) {
      found.push('gitops');
    } else found.push('kubernetes');
  }
  if (isObject(object.jobs) && ('on' in object || 'true' in object)) found.push('cicd');
  const plan = 'resource_changes' in object || 'planned_values' in object || 'terraform_version' in object;
  const hcl = keys.length > 0 && keys.every((key) => TERRAFORM_BLOCKS.has(key));
  if (plan || hcl) found.push('terraform');
  return found;
}

/** The domain of one document, from its content; undefined when it is none of them, or looks like several. */
export function detectDomain(doc: unknown): PolicyDomain | undefined {
  const found = shapesOf(doc);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * The domain a document is checked in: its detected domain, which an expected domain (--domain, a workflow path)
 * may only confirm. A document no domain recognises, that looks like several, or that is not the expected domain
 * is an error naming it (`where`), never a pass.
 */
export function domainOf(doc: unknown, expected: string | undefined, where: string): PolicyDomain {
  const found = shapesOf(doc);
  const object = (isObject(doc) ? doc : {}) as Record<string, unknown>;
  const what =
    typeof object.kind === 'string'
      ? `${String(object.apiVersion ?? '')} ${object.kind}`.trim()
      : `top-level keys: ${(isObject(doc) ? Object.keys(object).slice(0, 5).join(', ') : typeof doc) || 'none'}`;
  if (found.length === 0) {
    throw new ToolError('invalid_request', `${where}: cannot tell its policy domain (${what})`, {
      hint: 'Kubernetes objects need apiVersion and kind, workflows need on and jobs, Terraform needs a plan (resource_changes) or HCL',
    });
  }
  if (found.length > 1) {
    throw new ToolError('invalid_request', `${where}: looks like ${found.join(' and ')} at once (${what})`, {
      hint: 'check each configuration as its own document; a document must have the shape of one domain only',
    });
  }
  const domain = found[0]!;
  if (expected !== undefined && expected !== domain) {
    throw new ToolError(
      'invalid_request',
      `${where}: is ${domain} configuration (${what}), not ${expected}; it is checked only in its own domain`,
      { hint: `check it as ${domain} (or leave the domain out: each document is checked in its own domain)` },
    );
  }
  return domain;
}

/**
 * Groups documents by their detected domain; `domain` only narrows (each document must be of it). A document no
 * domain recognises, or of another domain, is an error naming it.
 */
export function groupByDomain(
  documents: unknown[],
  domain?: string,
  file?: string,
): Map<PolicyDomain, { documents: unknown[]; indexes: number[] }> {
  if (domain !== undefined && !DOMAINS.includes(domain as PolicyDomain)) {
    throw new ToolError('invalid_request', `domain: unknown domain ${JSON.stringify(domain)}`, {
      hint: `use one of ${DOMAINS.join(', ')}, or leave it out to detect it from the content`,
    });
  }
  const groups = new Map<PolicyDomain, { documents: unknown[]; indexes: number[] }>();
  documents.forEach((doc, index) => {
    const found = domainOf(doc, domain, `${file ? `${file}: ` : ''}document ${index + 1}`);
    const group = groups.get(found) ?? { documents: [], indexes: [] };
    group.documents.push(doc);
    group.indexes.push(index);
    groups.set(found, group);
  });
  return groups;
}
