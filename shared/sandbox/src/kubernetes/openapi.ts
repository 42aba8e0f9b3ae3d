// /openapi/v3 as the API server publishes it: an index of group-versions and one OpenAPI 3 document per group-version.
// Built-in group-versions are cut from the Kubernetes document (trimSpec); CRD group-versions are built the way the
// API server builds them, from the CRD schema. kubectl downloads these to validate and to learn fieldValidation.
import { createHash } from 'node:crypto';
import { type OpenApiDocument, trimSpec } from '../spec.ts';
import { type ResourceType, resourceTypes } from './resources.ts';
import { kubernetesSpec } from './schema.ts';

function gvPath(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `apis/${type.group}/${type.version}` : 'api/v1';
}

const documents = new Map<string, Promise<OpenApiDocument | undefined>>();

export function openApiV3Index(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const type of resourceTypes()) {
    const path = gvPath(type);
    const hash = createHash('sha256').update(path).digest('hex').slice(0, 32).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

/** The OpenAPI 3 document of one group-version path (`api/v1`, `apis/apps/v1`), or undefined when not served. */
export function openApiV3Document(path: string): Promise<OpenApiDocument | undefined> {
  let document = documents.get(path);
  if (!document) {
    document = build(path);
    documents.set(path, document);
  }
  return document;
}

async function build(path: string): Promise<OpenApiDocument | undefined> {
  const types = resourceTypes().filter((t) => gvPath(t) === path);
  if (types.length === 0) return undefined;
  if (types.every((t) => t.crdSchema === undefined)) {
    const doc = await kubernetesSpec();
    const prefix = `/${path}/`;
    const operationIds: string[] = [];
    for (const [route, item] of Object.entries(doc.paths)) {
      if (!route.startsWith(prefix) && route !== `/${path}/`) continue;
      for (const operation of Object.values(item)) {
        const id = (operation as { operationId?: string }).operationId;
        if (typeof id === 'string') operationIds.push(id);
      }
    }
    return trimSpec(doc, operationIds);
  }
  return crdDocument(types);
}

const WRITE_PARAMETERS = [
  { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
  { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
];

function crdDocument(types: ResourceType[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const schemas: Record<string, unknown> = {};
  for (const type of types) {
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    const reversed = type.group.split('.').reverse().join('.');
    const schemaName = `${reversed}.${type.version}.${type.kind}`;
    const ref = { $ref: `#/components/schemas/${schemaName}` };
    const body = { content: { 'application/json': { schema: ref } }, required: true };
    const ok = { description: 'OK', content: { 'application/json': { schema: ref } } };
    const base = `/${gvPath(type)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
    const nsParam = type.namespaced
      ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }]
      : [];
    paths[base] = {
      parameters: nsParam,
      post: {
        operationId: `create${type.kind}`,
        parameters: WRITE_PARAMETERS,
        requestBody: body,
        responses: { '200': ok, '201': ok },
        'x-kubernetes-action': 'post',
        'x-kubernetes-group-version-kind': gvk,
      },
    };
    paths[`${base}/{name}`] = {
      parameters: [...nsParam, { name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      put: {
        operationId: `replace${type.kind}`,
        parameters: WRITE_PARAMETERS,
        requestBody: body,
        responses: { '200': ok },
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': gvk,
      },
      patch: {
        operationId: `patch${type.kind}`,
        parameters: [...WRITE_PARAMETERS, { name: 'force', in: 'query', schema: { type: 'boolean' } }],
        requestBody: {
          content: {
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
            'application/apply-patch+yaml': { schema: { type: 'object' } },
          },
          required: true,
        },
        responses: { '200': ok, '201': ok },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
      },
    };
    const schema = structuredClone(type.crdSchema ?? {}) as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, unknown>;
    properties.metadata = { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };
    schema.properties = properties;
    schema['x-kubernetes-group-version-kind'] = [gvk];
    schemas[schemaName] = schema;
  }
  schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] = {
    type: 'object',
    description: 'ObjectMeta is metadata that all persisted resources must have.',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    components: { schemas },
  } as OpenApiDocument;
}
