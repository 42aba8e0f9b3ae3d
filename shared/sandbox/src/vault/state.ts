// The Vault fake's world: mounts, KV v2 secrets with versions, ACL policies, tokens and Kubernetes auth roles.
import { randomUUID } from 'node:crypto';

export interface SecretVersion {
  data: Record<string, unknown> | null;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

export interface Secret {
  versions: Map<number, SecretVersion>;
  current_version: number;
  oldest_version: number;
  max_versions: number;
  cas_required: boolean;
  custom_metadata: Record<string, string> | null;
  created_time: string;
  updated_time: string;
}

export interface Mount {
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  options: Record<string, string> | null;
  config: Record<string, unknown>;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access: boolean;
}

export interface TokenInfo {
  display_name: string;
  policies: string[];
  accessor: string;
  /** Seconds left; 0 for a root token that never expires. */
  ttl: number;
  renewable: boolean;
  path: string;
  meta: Record<string, string> | null;
  creation_time: number;
  entity_id: string;
}

export interface KubernetesRole {
  /** Service-account JWTs this role accepts (the fake does not verify signatures: it knows the tokens it issued). */
  jwts: Set<string>;
  policies: string[];
  ttl: number;
}

/** Secret engine types Vault ships (`vault plugin list secret`); enabling another type fails as in Vault. */
export const BUILTIN_ENGINE_TYPES = new Set([
  'kv',
  'transit',
  'pki',
  'database',
  'aws',
  'azure',
  'gcp',
  'ssh',
  'totp',
  'rabbitmq',
  'consul',
  'nomad',
  'kubernetes',
  'ldap',
  'cubbyhole',
]);

export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '.000000Z');
}

export class VaultState {
  readonly mounts = new Map<string, Mount>();
  /** `mount` -> secret path -> secret. */
  readonly secrets = new Map<string, Map<string, Secret>>();
  readonly policies = new Map<string, string>();
  readonly tokens = new Map<string, TokenInfo>();
  readonly kubernetesRoles = new Map<string, KubernetesRole>();
  /** Paths of enabled Kubernetes auth methods (`auth/<path>`), e.g. `kubernetes`. */
  readonly authMounts = new Set<string>();
  /** The clock for created/updated times; tests may move it. */
  now: () => Date = () => new Date();

  mount(path: string, type: string, description = '', options: Record<string, string> | null = null): Mount {
    const mount: Mount = {
      type,
      description,
      accessor: `${type}_${randomUUID().slice(0, 8)}`,
      uuid: randomUUID(),
      options,
      config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
      local: false,
      seal_wrap: false,
      external_entropy_access: false,
    };
    this.mounts.set(path.replace(/\/+$/, ''), mount);
    if (type === 'kv' && options?.version === '2') this.secrets.set(path.replace(/\/+$/, ''), new Map());
    return mount;
  }

  /** The KV v2 store of a mount, or undefined when the mount is not KV v2. */
  kv(mount: string): Map<string, Secret> | undefined {
    return this.secrets.get(mount);
  }

  /** Writes a new version; returns it. */
  put(mount: string, path: string, data: Record<string, unknown>, customMetadata?: Record<string, string>): number {
    const store = this.kv(mount);
    if (!store) throw new Error(`${mount} is not a KV v2 mount`);
    const now = timestamp(this.now());
    let secret = store.get(path);
    if (!secret) {
      secret = {
        versions: new Map(),
        current_version: 0,
        oldest_version: 0,
        max_versions: 0,
        cas_required: false,
        custom_metadata: null,
        created_time: now,
        updated_time: now,
      };
      store.set(path, secret);
    }
    if (customMetadata) secret.custom_metadata = customMetadata;
    const version = secret.current_version + 1;
    secret.versions.set(version, { data, created_time: now, deletion_time: '', destroyed: false });
    secret.current_version = version;
    if (secret.oldest_version === 0) secret.oldest_version = version;
    secret.updated_time = now;
    return version;
  }

  addToken(token: string, info: Partial<TokenInfo> & { display_name: string; policies: string[] }): void {
    this.tokens.set(token, {
      accessor: randomUUID().replaceAll('-', '').slice(0, 24),
      ttl: 0,
      renewable: false,
      path: 'auth/token/create',
      meta: null,
      creation_time: Math.floor(this.now().getTime() / 1000),
      entity_id: '',
      ...info,
    });
  }
}
