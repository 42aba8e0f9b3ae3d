// Vault's published OpenAPI description (generated from Vault 1.15 by vault-client-go), with the clean-ups it needs to
// describe what Vault actually sends. Every clean-up is here, in `cleanUpVaultSpec`, each with the reason.
import { loadSpec, type OpenApiDocument } from '../spec.ts';

type Operation = {
  operationId?: string;
  parameters?: unknown[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
};

/** Vault's error body: `{ "errors": ["permission denied"] }` (an empty list for a plain 404). */
const VAULT_ERROR = {
  type: 'object',
  required: ['errors'],
  properties: { errors: { type: 'array', items: { type: 'string' } } },
  additionalProperties: false,
};

/**
 * Vault's response wrapper around every JSON answer (`logical.HTTPResponse` in Vault's source). The spec describes only
 * the inner `data`; `data` is null for login answers, which carry `auth` instead.
 */
function wrapper(data: unknown): Record<string, unknown> {
  const nullableObject = { type: ['object', 'null'] };
  return {
    type: 'object',
    required: ['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth'],
    properties: {
      request_id: { type: 'string' },
      lease_id: { type: 'string' },
      renewable: { type: 'boolean' },
      lease_duration: { type: 'integer' },
      data,
      wrap_info: nullableObject,
      warnings: { type: ['array', 'null'], items: { type: 'string' } },
      auth: nullableObject,
      mount_type: { type: 'string' },
    },
    additionalProperties: false,
  };
}

const methods = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * The clean-ups, in one place:
 * 1. The wrapper: the spec gives each 200 answer the schema of the inner `data` (or no body at all, e.g. for
 *    lookup-self, sys/mounts and logins); Vault wraps it. Every 200 is rewritten to the wrapper around that schema
 *    (an undocumented body becomes `data: object | null`).
 * 2. Errors: the spec lists no error answers; every Vault endpoint answers `{ errors: [...] }` (a `default` answer).
 * 3. KV v2 read takes `?version=N` (Vault's docs; the generated spec only mentions it in KvV2WriteRequest).
 * 4. KV v2 lists the root of a mount at `/{mount}/metadata/?list=true`: the spec's `{path}` cannot be empty in a URL
 *    template, so the root listing is added as its own operation, `kv-v2-list-root`, with kv-v2-list's answer.
 * 5. `custom_metadata` is `null` in Vault's answers for a secret that has none; the spec types it as object only.
 * 6. `format: duration` means an ISO 8601 duration in JSON Schema (`P1D`); Vault's durations are Go durations ("0s",
 *    "768h0m0s"), so the format is dropped wherever the spec uses it.
 * (The LIST verb and nested secret paths are handled by the fake's front, see front.ts: they are HTTP routing, which
 * an OpenAPI document cannot express.)
 */
export function cleanUpVaultSpec(doc: OpenApiDocument): void {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, { properties?: Record<string, unknown> }>;
  schemas.VaultErrorResponse = VAULT_ERROR;
  for (const item of Object.values(doc.paths)) {
    for (const method of methods) {
      const operation = item[method] as Operation | undefined;
      if (!operation?.responses) continue;
      const ok = operation.responses['200'];
      if (ok) {
        const schema = ok.content?.['application/json']?.schema;
        ok.content = { 'application/json': { schema: wrapper(schema ?? { type: ['object', 'null'] }) } };
      }
      operation.responses.default = {
        description: 'Vault error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/VaultErrorResponse' } } },
      };
    }
  }
  const read = doc.paths['/{kv_v2_mount_path}/data/{path}']?.get as Operation;
  read.parameters = [
    ...(read.parameters ?? []),
    { name: 'version', in: 'query', description: 'Version to read; latest when omitted', schema: { type: 'integer' } },
  ];
  const listItem = doc.paths['/{kv_v2_mount_path}/metadata/{path}/']!;
  const list = listItem.get as Operation;
  doc.paths['/{kv_v2_mount_path}/metadata/'] = {
    parameters: ((listItem.parameters ?? []) as Array<{ name: string }>).filter((p) => p.name !== 'path'),
    get: { ...list, operationId: 'kv-v2-list-root' },
  };
  dropDurationFormats(doc.components);
  for (const name of ['KvV2ReadMetadataResponse', 'KvV2WriteResponse']) {
    const properties = schemas[name]?.properties;
    if (properties?.custom_metadata) properties.custom_metadata = { type: ['object', 'null'] };
  }
}

function dropDurationFormats(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropDurationFormats(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (record.format === 'duration') delete record.format;
  for (const value of Object.values(record)) dropDurationFormats(value);
}

export const VAULT_OPERATIONS = [
  'kv-v2-read',
  'kv-v2-write',
  'kv-v2-delete',
  'kv-v2-read-metadata',
  'kv-v2-list',
  'kv-v2-list-root',
  'kv-v2-delete-versions',
  'kv-v2-undelete-versions',
  'kv-v2-destroy-versions',
  'policies-list-acl-policies',
  'policies-read-acl-policy',
  'policies-write-acl-policy',
  'mounts-list-secrets-engines',
  'mounts-enable-secrets-engine',
  'token-look-up-self',
  'kubernetes-login',
] as const;

/** Vault's description, cleaned up and trimmed to the implemented operations (cached per process). */
export function vaultSpec(): Promise<OpenApiDocument> {
  return loadSpec({ file: 'vault/vault-openapi.json' }, { cleanUp: cleanUpVaultSpec, operationIds: VAULT_OPERATIONS });
}
