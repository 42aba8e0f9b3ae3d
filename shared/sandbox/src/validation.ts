// Checks requests and responses of one operation against an OpenAPI 3.0 document with Ajv. Validators are compiled
// lazily per operation and cached per document, so a fake starts at once and each process compiles a schema only once.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { OpenApiDocument } from './spec.ts';

// ajv-formats is CommonJS: Node's ESM loader hands over module.exports, whose `default` is the plugin.
const addFormats = ajvFormats.default;

export interface SpecOperation {
  operationId: string;
  method: string;
  /** Path template as in the spec, e.g. `/repos/{owner}/{repo}`. */
  path: string;
}

export interface RequestToCheck {
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
}

export interface ResponseToCheck {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /**
   * The media types the request's Accept header named. A documented one is validated instead of JSON (GitHub's
   * `application/vnd.github.object`); a response in an accepted type the spec has no schema for (GitHub's
   * `application/vnd.github.raw`) gets its status and headers checked only.
   */
  accept?: string[];
}

/** One problem found, e.g. `{ where: 'request.body', message: '/title must be string' }`. */
export interface Problem {
  where: string;
  message: string;
}

type Parameter = { name: string; in: string; required?: boolean; schema?: unknown };
type OperationObject = {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
};

const SPEC_ID = 'spec';

const checkers = new WeakMap<OpenApiDocument, SpecChecker>();

/** The one checker for a document (validators compiled for it are shared by every fake in the process). */
export function specChecker(doc: OpenApiDocument): SpecChecker {
  let checker = checkers.get(doc);
  if (!checker) {
    checker = new SpecChecker(doc);
    checkers.set(doc, checker);
  }
  return checker;
}

export class SpecChecker {
  readonly doc: OpenApiDocument;
  private readonly operations = new Map<string, { op: SpecOperation; pointer: string; object: OperationObject }>();
  private readonly bodies: Ajv;
  private readonly parameters: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(doc: OpenApiDocument) {
    this.doc = doc;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, object] of Object.entries(item)) {
        const operationId = (object as OperationObject).operationId;
        if (method === 'parameters' || typeof operationId !== 'string') continue;
        this.operations.set(operationId, {
          op: { operationId, method: method.toUpperCase(), path },
          pointer: `/paths/${escapePointer(path)}/${method}`,
          object: object as OperationObject,
        });
      }
    }
    this.bodies = newAjv(doc, false);
    // Query and path values arrive as strings; the spec types them (integer, boolean, array).
    this.parameters = newAjv(doc, 'array');
  }

  operation(operationId: string): SpecOperation | undefined {
    return this.operations.get(operationId)?.op;
  }

  /**
   * Compiles an operation's validators now instead of on first use (a large response schema can take a few hundred
   * milliseconds on a busy machine: more than a client timeout some tests set). Runs the checks on dummy data.
   */
  warmUp(operationId: string): void {
    const entry = this.entry(operationId);
    this.checkRequest(operationId, { params: {}, query: {}, headers: {}, body: {} });
    for (const key of Object.keys(entry.object.responses ?? {})) {
      const status = /^\d{3}$/.test(key) ? Number(key) : /^\dXX$/i.test(key) ? Number(key[0]) * 100 + 99 : 599;
      this.checkResponse(operationId, { status, headers: {}, body: {} });
    }
  }

  checkRequest(operationId: string, request: RequestToCheck): Problem[] {
    const entry = this.entry(operationId);
    const problems: Problem[] = [];
    const pathItem = this.doc.paths[entry.op.path] as { parameters?: unknown[] };
    const declared = [...(pathItem.parameters ?? []), ...(entry.object.parameters ?? [])].map(
      (p) => this.resolve(p) as Parameter,
    );
    for (const location of ['path', 'query'] as const) {
      const values = location === 'path' ? request.params : request.query;
      const ofLocation = declared.filter((p) => p.in === location);
      const validate = this.compile(`${operationId}:${location}`, this.parameters, () => ({
        type: 'object',
        properties: Object.fromEntries(ofLocation.map((p) => [p.name, refsToSpec(p.schema ?? {})])),
        required: ofLocation.filter((p) => p.required).map((p) => p.name),
        additionalProperties: false,
      }));
      problems.push(...run(validate, { ...values }, `request.${location}`));
    }
    for (const header of declared.filter((p) => p.in === 'header' && p.required)) {
      if (request.headers[header.name.toLowerCase()] === undefined) {
        problems.push({ where: 'request.headers', message: `missing required header ${header.name}` });
      }
    }
    problems.push(...this.checkRequestBody(entry, request.body));
    return problems;
  }

  checkResponse(operationId: string, response: ResponseToCheck, errorSchemaRef?: string): Problem[] {
    const entry = this.entry(operationId);
    const responses = entry.object.responses ?? {};
    const status = String(response.status);
    const key = [status, `${status[0]}XX`, 'default'].find((k) => k in responses);
    if (key === undefined) {
      if (response.status >= 400 && errorSchemaRef) {
        // Every upstream answers errors (401, 429, 5xx) that its spec lists only for some operations.
        const validate = this.compile(`error:${errorSchemaRef}`, this.bodies, () => ({
          $ref: refToSpec(errorSchemaRef),
        }));
        return run(validate, response.body, 'response.body');
      }
      return [{ where: 'response.status', message: `status ${status} is not documented for this operation` }];
    }
    const responsePointer = this.locate(`${entry.pointer}/responses/${escapePointer(key)}`);
    const responseObject = this.at(responsePointer) as {
      content?: Record<string, unknown>;
      headers?: Record<string, unknown>;
    };
    const problems: Problem[] = [];
    for (const [name, header] of Object.entries(responseObject.headers ?? {})) {
      if ((this.resolve(header) as { required?: boolean }).required && !(name.toLowerCase() in response.headers)) {
        problems.push({ where: 'response.headers', message: `missing required header ${name}` });
      }
    }
    const content = responseObject.content ?? {};
    const accepted = response.accept ?? [];
    const responseType = response.headers['content-type']?.split(';')[0]?.trim();
    const undocumented =
      responseType !== undefined && responseType !== 'application/json' && !(responseType in content);
    if (undocumented && accepted.includes(responseType)) return problems;
    const mediaType = accepted.find((type) => type in content) ?? jsonMediaType(responseObject.content);
    if (mediaType === undefined) {
      if (responseObject.content === undefined && response.body !== undefined && typeof response.body !== 'string') {
        problems.push({ where: 'response.body', message: `status ${status} has no body in the spec` });
      }
      return problems;
    }
    if (response.body === undefined) {
      problems.push({ where: 'response.body', message: `status ${status} must have a ${mediaType} body` });
      return problems;
    }
    const schemaPointer = `${responsePointer}/content/${escapePointer(mediaType)}/schema`;
    if (this.at(schemaPointer) === undefined) return problems;
    const validate = this.compile(schemaPointer, this.bodies, () => ({ $ref: `${SPEC_ID}#${schemaPointer}` }));
    problems.push(...run(validate, response.body, 'response.body'));
    return problems;
  }

  private checkRequestBody(entry: { pointer: string; object: OperationObject }, body: unknown): Problem[] {
    if (entry.object.requestBody === undefined) return [];
    const bodyPointer = this.locate(`${entry.pointer}/requestBody`);
    const requestBody = this.at(bodyPointer) as { required?: boolean; content?: Record<string, unknown> };
    if (body === undefined) {
      return requestBody.required ? [{ where: 'request.body', message: 'a request body is required' }] : [];
    }
    const mediaType = jsonMediaType(requestBody.content);
    if (mediaType === undefined) return [];
    const schemaPointer = `${bodyPointer}/content/${escapePointer(mediaType)}/schema`;
    const validate = this.compile(schemaPointer, this.bodies, () => ({ $ref: `${SPEC_ID}#${schemaPointer}` }));
    return run(validate, body, 'request.body');
  }

  private entry(operationId: string) {
    const entry = this.operations.get(operationId);
    if (!entry) throw new Error(`spec has no operation ${operationId}`);
    return entry;
  }

  private compile(key: string, ajv: Ajv, schema: () => object): ValidateFunction {
    const cacheKey = `${ajv === this.bodies ? 'b' : 'p'}:${key}`;
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      try {
        validate = ajv.compile(schema());
      } catch (error) {
        // A spec Ajv cannot compile needs a clean-up (see spec-cleanups.ts): say where, not just that.
        throw new Error(`cannot build a validator for ${key}: ${error instanceof Error ? error.message : error}`);
      }
      this.compiled.set(cacheKey, validate);
    }
    return validate;
  }

  /** Follows `$ref`s at a JSON pointer until it names a node that is not a reference; returns that pointer. */
  private locate(pointer: string): string {
    let current = pointer;
    for (let hops = 0; hops < 20; hops++) {
      const node = this.at(current) as { $ref?: string } | undefined;
      if (typeof node?.$ref !== 'string') return current;
      current = node.$ref.slice(1);
    }
    throw new Error(`$ref loop at ${pointer}`);
  }

  private resolve(node: unknown): unknown {
    const ref = (node as { $ref?: unknown })?.$ref;
    return typeof ref === 'string' ? this.at(this.locate(ref.slice(1))) : node;
  }

  private at(pointer: string): unknown {
    let node: unknown = this.doc;
    for (const part of pointer.split('/').slice(1)) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[unescapePointer(part)];
    }
    return node;
  }
}

function newAjv(doc: OpenApiDocument, coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, validateSchema: false, logger: false });
  addFormats(ajv);
  ajv.addSchema(doc, SPEC_ID);
  return ajv;
}

function run(validate: ValidateFunction, data: unknown, where: string): Problem[] {
  if (validate(data)) return [];
  return summarize(validate.errors ?? []).map((message) => ({ where, message }));
}

/** Ajv reports every failed `oneOf` branch; the first few errors are what a reader needs. */
function summarize(errors: ErrorObject[]): string[] {
  const messages = errors.map((e) => {
    const at = e.instancePath || '(root)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : e.keyword === 'enum'
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : '';
    return `${at} ${e.message}${extra}`;
  });
  const unique = [...new Set(messages)];
  return unique.length > 6 ? [...unique.slice(0, 6), `... and ${unique.length - 6} more`] : unique;
}

function jsonMediaType(content: Record<string, unknown> | undefined): string | undefined {
  if (!content) return undefined;
  const types = Object.keys(content);
  return types.find((t) => t === 'application/json') ?? types.find((t) => /[/+]json\b/.test(t));
}

function refToSpec(ref: string): string {
  return ref.startsWith('#') ? `${SPEC_ID}${ref}` : ref;
}

/** A schema copied out of the document must point its `#/...` references back into the document. */
function refsToSpec(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(refsToSpec);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? refToSpec(v) : refsToSpec(v)]),
  );
}

function escapePointer(part: string): string {
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescapePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}
