// The Vault operations the fake implements, by the spec's operationId: KV v2, ACL policies, mounts, token lookup and
// Kubernetes login. Answers are Vault's wrapper around `data`; errors are `{ errors: [...] }` with Vault's messages.
import { randomUUID } from 'node:crypto';
import { FakeHttpError, type FakeOperation, type FakeRequest, type FakeResponse } from '../server.ts';
import { BUILTIN_ENGINE_TYPES, type Secret, timestamp, type VaultState } from './state.ts';

export function vaultError(status: number, ...errors: string[]): FakeHttpError {
  return new FakeHttpError(status, { errors });
}

function ok(data: unknown, extra: { auth?: unknown; mount_type?: string } = {}): FakeResponse {
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data,
      wrap_info: null,
      warnings: null,
      auth: extra.auth ?? null,
      ...(extra.mount_type ? { mount_type: extra.mount_type } : {}),
    },
  };
}

const noContent: FakeResponse = { status: 204 };

export function vaultToken(request: FakeRequest): string | undefined {
  return request.headers['x-vault-token'];
}

/**
 * Vault answers 403 "permission denied" for a missing, unknown or expired token alike, and for a path the token's
 * ACL policies do not grant the capability for. Requests reach the fake in the spec's form (see front.ts), so the
 * Vault path is the request path without its leading slash, with an encoded list segment decoded.
 */
export function authenticate(state: VaultState, request: FakeRequest): FakeResponse | undefined {
  if (/\/login$/.test(request.path)) return undefined;
  const token = vaultToken(request);
  const info = token === undefined ? undefined : state.tokens.get(token);
  if (!info) return { status: 403, body: { errors: ['permission denied'] } };
  const path = decodeURIComponent(request.path.slice(1));
  const capability =
    request.method === 'GET'
      ? request.query.list === 'true'
        ? 'list'
        : 'read'
      : request.method === 'DELETE'
        ? 'delete'
        : 'update';
  if (!allows(state, info.policies, path, capability)) {
    return { status: 403, body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };
  }
  return undefined;
}

/** Vault's ACL check, for the policy forms the fake's policies use: exact paths, a trailing `*`, and `+` segments. */
function allows(state: VaultState, policies: string[], path: string, capability: string): boolean {
  if (policies.includes('root')) return true;
  if (path === 'auth/token/lookup-self') return true; // granted by the built-in default policy
  let best: { length: number; capabilities: string[] } | undefined;
  for (const name of policies) {
    const text = state.policies.get(name) ?? '';
    for (const [, glob, body] of text.matchAll(/path\s+"([^"]+)"\s*\{([^}]*)\}/g)) {
      const pattern = new RegExp(
        `^${glob!
          .replace(/[.?^$()|[\]\\]/g, '\\$&')
          .replace(/\+/g, '[^/]+')
          .replace(/\*$/, '.*')}$`,
      );
      if (!pattern.test(path)) continue;
      const list = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body!)?.[1] ?? '';
      const capabilities = [...list.matchAll(/"([a-z]+)"/g)].map((m) => m[1]!);
      const length = glob!.replace(/\*$/, '').length;
      if (!best || length > best.length) best = { length, capabilities };
    }
  }
  if (!best || best.capabilities.includes('deny')) return false;
  return best.capabilities.includes(capability) || (capability === 'update' && best.capabilities.includes('create'));
}

function kvStore(state: VaultState, mount: string, route: string): Map<string, Secret> {
  const store = state.kv(mount);
  if (!store) throw vaultError(404, `no handler for route "${mount}/${route}". route entry not found.`);
  return store;
}

function bodyObject(request: FakeRequest): Record<string, unknown> {
  const body = request.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function versionsArg(request: FakeRequest): number[] {
  const versions = bodyObject(request).versions;
  if (!Array.isArray(versions) || versions.length === 0) throw vaultError(400, 'no version number provided');
  return versions as number[];
}

function metadataOf(secret: Secret) {
  return {
    cas_required: secret.cas_required,
    created_time: secret.created_time,
    current_version: secret.current_version,
    custom_metadata: secret.custom_metadata,
    delete_version_after: '0s',
    max_versions: secret.max_versions,
    oldest_version: secret.oldest_version,
    updated_time: secret.updated_time,
    versions: Object.fromEntries(
      [...secret.versions].map(([n, v]) => [
        String(n),
        { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed },
      ]),
    ),
  };
}

function listKeys(store: Map<string, Secret>, prefix: string): string[] {
  const keys = new Set<string>();
  const base = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
  for (const path of store.keys()) {
    if (!path.startsWith(base)) continue;
    const rest = path.slice(base.length);
    const slash = rest.indexOf('/');
    keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...keys].sort();
}

/** A light HCL check: Vault refuses policies it cannot parse, with `failed to parse policy`. */
function checkPolicy(text: string): string | undefined {
  const capabilities = new Set(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny', 'subscribe']);
  let depth = 0;
  for (const char of text) {
    if (char === '{') depth++;
    if (char === '}') depth--;
    if (depth < 0) return 'failed to parse policy: unexpected "}"';
  }
  if (depth !== 0) return 'failed to parse policy: unclosed "{"';
  const blocks = [...text.matchAll(/path\s+"([^"]+)"\s*\{([^}]*)\}/g)];
  if (blocks.length === 0 && text.trim() !== '') return 'failed to parse policy: no path stanza found';
  for (const [, path, body] of blocks) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body ?? '');
    if (!caps) return `failed to parse policy: path "${path}": missing capabilities`;
    for (const cap of caps[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''))) {
      if (cap !== '' && !capabilities.has(cap))
        return `failed to parse policy: path "${path}": invalid capability "${cap}"`;
    }
  }
  return undefined;
}

export function vaultOperations(state: VaultState): Record<string, FakeOperation> {
  return {
    'kv-v2-read': {
      route: 'GET /{kv_v2_mount_path}/data/{path}',
      trailingSlashes: true,
      handle: ({ request }) => {
        const { kv_v2_mount_path: mount, path } = request.params as { kv_v2_mount_path: string; path: string };
        const secret = kvStore(state, mount, `data/${path}`).get(path);
        const wanted = request.query.version === undefined ? secret?.current_version : Number(request.query.version);
        const version = wanted === 0 ? secret?.current_version : wanted;
        const entry = version === undefined ? undefined : secret?.versions.get(version);
        if (!secret || !entry || entry.destroyed || entry.deletion_time !== '' || entry.data === null) {
          throw vaultError(404);
        }
        return ok(
          {
            data: entry.data,
            metadata: {
              created_time: entry.created_time,
              custom_metadata: secret.custom_metadata,
              deletion_time: '',
              destroyed: false,
              version,
            },
          },
          { mount_type: 'kv' },
        );
      },
    },
    'kv-v2-write': {
      route: 'POST /{kv_v2_mount_path}/data/{path}',
      trailingSlashes: true,
      handle: ({ request }) => {
        const { kv_v2_mount_path: mount, path } = request.params as { kv_v2_mount_path: string; path: string };
        const store = kvStore(state, mount, `data/${path}`);
        const body = bodyObject(request);
        const data = body.data;
        if (data === null || typeof data !== 'object' || Array.isArray(data)) {
          throw vaultError(400, 'no data provided');
        }
        const existing = store.get(path);
        const cas = (body.options as { cas?: unknown } | undefined)?.cas;
        if (existing?.cas_required && cas === undefined) {
          throw vaultError(400, 'check-and-set parameter required for this call');
        }
        if (cas !== undefined && Number(cas) !== (existing?.current_version ?? 0)) {
          throw vaultError(400, 'check-and-set parameter did not match the current version');
        }
        const version = state.put(mount, path, data as Record<string, unknown>);
        const secret = store.get(path)!;
        return ok(
          {
            created_time: secret.versions.get(version)!.created_time,
            custom_metadata: secret.custom_metadata,
            deletion_time: '',
            destroyed: false,
            version,
          },
          { mount_type: 'kv' },
        );
      },
    },
    'kv-v2-delete': {
      route: 'DELETE /{kv_v2_mount_path}/data/{path}',
      trailingSlashes: true,
      handle: ({ request }) => {
        const { kv_v2_mount_path: mount, path } = request.params as { kv_v2_mount_path: string; path: string };
        const secret = kvStore(state, mount, `data/${path}`).get(path);
        const latest = secret?.versions.get(secret.current_version);
        if (latest && latest.deletion_time === '') latest.deletion_time = timestamp(state.now());
        return noContent;
      },
    },
    'kv-v2-read-metadata': {
      route: 'GET /{kv_v2_mount_path}/metadata/{path}',
      trailingSlashes: true,
      handle: ({ request }) => {
        const { kv_v2_mount_path: mount, path } = request.params as { kv_v2_mount_path: string; path: string };
        const secret = kvStore(state, mount, `metadata/${path}`).get(path);
        if (!secret) throw vaultError(404);
        return ok(metadataOf(secret), { mount_type: 'kv' });
      },
    },
    'kv-v2-list': {
      route: 'GET /{kv_v2_mount_path}/metadata/{path}/',
      handle: ({ request }) => {
        const { kv_v2_mount_path: mount, path } = request.params as { kv_v2_mount_path: string; path: string };
        const keys = listKeys(kvStore(state, mount, `metadata/${path}/`), path);
        if (keys.length === 0) throw vaultError(404);
        return ok({ keys }, { mount_type: 'kv' });
      },
    },
    'kv-v2-list-root': {
      route: 'GET /{kv_v2_mount_path}/metadata/',
      handle: ({ request }) => {
        const mount = request.params.kv_v2_mount_path!;
        const keys = listKeys(kvStore(state, mount, 'metadata/'), '');
        if (keys.length === 0) throw vaultError(404);
        return ok({ keys }, { mount_type: 'kv' });
      },
    },
    'kv-v2-delete-versions': versionsOperation(state, 'delete', (version) => {
      if (version.deletion_time === '' && !version.destroyed) version.deletion_time = timestamp(state.now());
    }),
    'kv-v2-undelete-versions': versionsOperation(state, 'undelete', (version) => {
      if (!version.destroyed) version.deletion_time = '';
    }),
    'kv-v2-destroy-versions': versionsOperation(state, 'destroy', (version) => {
      version.destroyed = true;
      version.data = null;
    }),
    'policies-list-acl-policies': {
      route: 'GET /sys/policies/acl/',
      handle: () => ok({ keys: [...state.policies.keys()].sort() }),
    },
    'policies-read-acl-policy': {
      route: 'GET /sys/policies/acl/{name}',
      handle: ({ request }) => {
        const name = request.params.name!.toLowerCase();
        const policy = state.policies.get(name);
        if (policy === undefined) throw vaultError(404);
        return ok({ name, policy });
      },
    },
    'policies-write-acl-policy': {
      route: 'POST /sys/policies/acl/{name}',
      handle: ({ request }) => {
        const name = request.params.name!.toLowerCase();
        if (name === 'root') throw vaultError(400, 'cannot update "root" policy');
        const policy = bodyObject(request).policy;
        if (typeof policy !== 'string' || policy.trim() === '')
          throw vaultError(400, "'policy' parameter not supplied or empty");
        const problem = checkPolicy(policy);
        if (problem) throw vaultError(400, problem);
        state.policies.set(name, policy);
        return noContent;
      },
    },
    'mounts-list-secrets-engines': {
      route: 'GET /sys/mounts',
      handle: () =>
        ok(
          Object.fromEntries(
            [...state.mounts].map(([path, mount]) => [
              `${path}/`,
              { ...mount, plugin_version: '', running_plugin_version: `v1.15.0+builtin.vault`, running_sha256: '' },
            ]),
          ),
        ),
    },
    'mounts-enable-secrets-engine': {
      route: 'POST /sys/mounts/{path}',
      handle: ({ request }) => {
        const path = request.params.path!.replace(/\/+$/, '');
        const body = bodyObject(request);
        const type = body.type;
        if (typeof type !== 'string' || type === '')
          throw vaultError(400, 'backend type must be specified as a string');
        if (!BUILTIN_ENGINE_TYPES.has(type)) throw vaultError(400, `plugin not found in the catalog: ${type}`);
        if (state.mounts.has(path)) throw vaultError(400, `path is already in use at ${path}/`);
        const options = (body.options as Record<string, string> | undefined) ?? null;
        state.mount(path, type, typeof body.description === 'string' ? body.description : '', options);
        return noContent;
      },
    },
    'token-look-up-self': {
      route: 'GET /auth/token/lookup-self',
      handle: ({ request }) => {
        const id = vaultToken(request)!;
        const info = state.tokens.get(id)!;
        const now = Math.floor(state.now().getTime() / 1000);
        return ok({
          accessor: info.accessor,
          creation_time: info.creation_time,
          creation_ttl: info.ttl,
          display_name: info.display_name,
          entity_id: info.entity_id,
          expire_time: info.ttl > 0 ? new Date((info.creation_time + info.ttl) * 1000).toISOString() : null,
          explicit_max_ttl: 0,
          id,
          issue_time: new Date(info.creation_time * 1000).toISOString(),
          meta: info.meta,
          num_uses: 0,
          orphan: true,
          path: info.path,
          policies: info.policies,
          renewable: info.renewable,
          ttl: info.ttl > 0 ? Math.max(0, info.creation_time + info.ttl - now) : 0,
          type: 'service',
        });
      },
    },
    'kubernetes-login': {
      route: 'POST /auth/{kubernetes_mount_path}/login',
      handle: ({ request }) => {
        const mountPath = request.params.kubernetes_mount_path!;
        if (!state.authMounts.has(mountPath)) {
          throw vaultError(404, `no handler for route "auth/${mountPath}/login". route entry not found.`);
        }
        const { role, jwt } = bodyObject(request) as { role?: string; jwt?: string };
        if (!role) throw vaultError(400, 'missing role');
        if (!jwt) throw vaultError(400, 'missing jwt');
        const entry = state.kubernetesRoles.get(role);
        if (!entry) throw vaultError(400, `invalid role name "${role}"`);
        if (!entry.jwts.has(jwt)) throw vaultError(403, 'permission denied');
        const clientToken = `hvs.${randomUUID().replaceAll('-', '')}`;
        state.addToken(clientToken, {
          display_name: `kubernetes-${role}`,
          policies: ['default', ...entry.policies],
          ttl: entry.ttl,
          renewable: true,
          path: `auth/${mountPath}/login`,
          meta: { role },
        });
        const info = state.tokens.get(clientToken)!;
        return ok(null, {
          auth: {
            client_token: clientToken,
            accessor: info.accessor,
            policies: info.policies,
            token_policies: info.policies,
            metadata: { role },
            lease_duration: entry.ttl,
            renewable: true,
            entity_id: '',
            token_type: 'service',
            orphan: true,
          },
        });
      },
    },
  };
}

function versionsOperation(
  state: VaultState,
  action: 'delete' | 'undelete' | 'destroy',
  apply: (version: NonNullable<ReturnType<Secret['versions']['get']>>) => void,
): FakeOperation {
  return {
    route: `POST /{kv_v2_mount_path}/${action}/{path}`,
    trailingSlashes: true,
    handle: ({ request }) => {
      const { kv_v2_mount_path: mount, path } = request.params as { kv_v2_mount_path: string; path: string };
      const secret = kvStore(state, mount, `${action}/${path}`).get(path);
      for (const number of versionsArg(request)) {
        const version = secret?.versions.get(number);
        if (version) apply(version);
      }
      return noContent;
    },
  };
}
