// Holds the fake honest: built-in kinds against the Kubernetes OpenAPI document (Swagger 2.0, converted; definitions
// found by x-kubernetes-group-version-kind), CRD kinds against their openAPIV3Schema. Requests and responses of routes
// the document describes also go through the framework's SpecChecker (query parameters, bodies, statuses).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { Router } from '../router.ts';
import { loadSpec, type OpenApiDocument } from '../spec.ts';
import { type Problem, type SpecChecker, specChecker } from '../validation.ts';
import type { ResourceType } from './resources.ts';

const addFormats = ajvFormats.default;

export const KUBERNETES_SPEC = { file: 'kubernetes/kubernetes-swagger.json' } as const;

/** The Kubernetes OpenAPI document, converted to OpenAPI 3 with the clean-ups a JSON Schema validator needs. */
export function kubernetesSpec(): Promise<OpenApiDocument> {
  return loadSpec(KUBERNETES_SPEC, { cleanUp });
}

function cleanUp(doc: OpenApiDocument): void {
  const schemas = doc.components?.schemas ?? {};
  // IntOrString is declared `type: string, format: int-or-string`; the API server takes either (targetPort: 8080).
  schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = {
    description: 'IntOrString: an int32 or a string.',
    anyOf: [{ type: 'integer' }, { type: 'string' }],
  };
  // Quantity is declared `type: string`; the API server also decodes JSON numbers (cpu: 1).
  schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'] = {
    description: 'Quantity: a string such as 500m or 1Gi, or a number.',
    anyOf: [{ type: 'string' }, { type: 'number' }],
  };
}

/** A field-level problem as the API server reports it in Status.details.causes. */
export interface Cause {
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid';
  message: string;
  field: string;
}

export class KubernetesValidator {
  readonly doc: OpenApiDocument;
  readonly checker: SpecChecker;
  private readonly routes = new Router<string>();
  private readonly objects: Ajv;
  private readonly definitionByGvk = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly strict = new Map<string, ValidateFunction>();
  private strictObjects: Ajv | undefined;

  constructor(doc: OpenApiDocument) {
    this.doc = doc;
    this.checker = specChecker(doc);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const id = (operation as { operationId?: string }).operationId;
        if (typeof id === 'string') this.routes.add(`${method.toUpperCase()} ${path}`, id);
      }
    }
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      const gvks = (schema as { 'x-kubernetes-group-version-kind'?: Array<Record<string, string>> })[
        'x-kubernetes-group-version-kind'
      ];
      for (const gvk of gvks ?? []) this.definitionByGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
    }
    this.objects = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats(this.objects);
    this.objects.addSchema(doc, 'k8s');
  }

  /** The documented operation for a request, e.g. `createAppsV1NamespacedDeployment`; undefined for CRD routes. */
  operationFor(method: string, path: string): string | undefined {
    return (this.routes.match(method, path) ?? this.routes.match(method, `${path}/`))?.value;
  }

  /** Path parameters of the documented route a request matches. */
  pathParams(method: string, path: string): Record<string, string> {
    return (this.routes.match(method, path) ?? this.routes.match(method, `${path}/`))?.params ?? {};
  }

  /** The schema ref of an operation's 200 response, to answer what the document says (a Status or the object). */
  responseRef(operationId: string, status: number): string | undefined {
    const op = this.checker.operation(operationId);
    if (!op) return undefined;
    const responses = (this.doc.paths[op.path]?.[op.method.toLowerCase()] as { responses?: Record<string, unknown> })
      ?.responses;
    const content = (responses?.[String(status)] as { content?: Record<string, { schema?: { $ref?: string } }> })
      ?.content;
    return content?.['application/json']?.schema?.$ref;
  }

  /** Checks a whole object against its kind's schema. */
  checkObject(type: ResourceType, object: unknown): Cause[] {
    const validate = this.validatorFor(type);
    if (!validate || validate(object)) return [];
    return causes(validate.errors ?? []);
  }

  /**
   * Fields the schema does not declare, as the API server's strict decoding names them (`spec.replica`): what
   * `fieldValidation=Strict` refuses. Schemas marked x-kubernetes-preserve-unknown-fields keep any field.
   */
  unknownFields(type: ResourceType, object: unknown): string[] {
    const key = `${type.group}/${type.version}/${type.kind}`;
    let validate = this.strict.get(key);
    if (!validate) {
      if (type.crdSchema) {
        validate = this.strictAjv().compile(closeObjects(crdToJsonSchema(type.crdSchema)));
      } else {
        const definition = this.definitionByGvk.get(key);
        if (!definition) return [];
        validate = this.strictAjv().compile({ $ref: `strict#/components/schemas/${definition}` });
      }
      this.strict.set(key, validate);
    }
    if (validate(object)) return [];
    const fields = (validate.errors ?? [])
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => {
        const parent = toFieldPath(e.instancePath);
        const field = (e.params as { additionalProperty: string }).additionalProperty;
        return parent ? `${parent}.${field}` : field;
      });
    return [...new Set(fields)];
  }

  private strictAjv(): Ajv {
    if (!this.strictObjects) {
      this.strictObjects = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
      addFormats(this.strictObjects);
      this.strictObjects.addSchema(closeObjects(this.doc), 'strict');
    }
    return this.strictObjects;
  }

  private validatorFor(type: ResourceType): ValidateFunction | undefined {
    const key = `${type.group}/${type.version}/${type.kind}`;
    let validate = this.compiled.get(key);
    if (validate) return validate;
    if (type.crdSchema) {
      validate = this.objects.compile(crdToJsonSchema(type.crdSchema));
    } else {
      const definition = this.definitionByGvk.get(key);
      if (!definition) return undefined;
      validate = this.objects.compile({ $ref: `k8s#/components/schemas/${definition}` });
    }
    this.compiled.set(key, validate);
    return validate;
  }
}

const validators = new Map<OpenApiDocument, KubernetesValidator>();

export async function kubernetesValidator(): Promise<KubernetesValidator> {
  const doc = await kubernetesSpec();
  let validator = validators.get(doc);
  if (!validator) {
    validator = new KubernetesValidator(doc);
    validators.set(doc, validator);
  }
  return validator;
}

/** A copy of a schema (or a whole document) in which every object with declared properties allows no others. */
function closeObjects<T>(schema: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) copy[key] = key === 'example' ? value : walk(value);
    if (
      copy.properties !== undefined &&
      typeof copy.properties === 'object' &&
      copy.additionalProperties === undefined &&
      copy['x-kubernetes-preserve-unknown-fields'] !== true
    ) {
      copy.additionalProperties = false;
    }
    return copy;
  };
  return walk(schema) as T;
}

/** CRD structural schemas are JSON Schema with x-kubernetes-* extensions; int-or-string needs spelling out. */
function crdToJsonSchema(schema: unknown): Record<string, unknown> {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) copy[key] = walk(value);
    if (copy['x-kubernetes-int-or-string'] === true && copy.anyOf === undefined) {
      delete copy.type;
      copy.anyOf = [{ type: 'integer' }, { type: 'string' }];
    }
    return copy;
  };
  return walk(schema) as Record<string, unknown>;
}

/** Ajv errors as the API server's causes: `spec.template.spec.containers[0].image: Required value`. */
function causes(errors: ErrorObject[]): Cause[] {
  const seen = new Set<string>();
  const result: Cause[] = [];
  // anyOf branches report every failed alternative; the anyOf error itself is enough.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && anyOfPaths.has(error.instancePath)) continue;
    let field = toFieldPath(error.instancePath);
    let cause: Cause;
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      field = field ? `${field}.${missing}` : missing;
      cause = { reason: 'FieldValueRequired', field, message: 'Required value' };
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      cause = { reason: 'FieldValueNotSupported', field, message: `Unsupported value: supported values: ${allowed}` };
    } else if (error.keyword === 'type') {
      const expected = (error.params as { type: string }).type;
      cause = { reason: 'FieldValueTypeInvalid', field, message: `Invalid value: must be of type ${expected}` };
    } else {
      cause = { reason: 'FieldValueInvalid', field, message: `Invalid value: ${error.message ?? 'invalid'}` };
    }
    const key = `${cause.field}|${cause.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(cause);
  }
  return result.slice(0, 10);
}

function toFieldPath(pointer: string): string {
  let path = '';
  for (const part of pointer.split('/').slice(1)) {
    const name = part.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(name) ? `[${name}]` : path ? `.${name}` : name;
  }
  return path;
}

export type { Problem };
