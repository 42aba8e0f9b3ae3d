import { isRole, ROLES, type Role } from '../caller.ts';
import { ConfigError } from '../config.ts';
import { isLoopbackHost } from '../transports.ts';

/**
 * Identity settings for Streamable HTTP, read from the environment. With IDP_MCP_OIDC_ISSUER set, every
 * HTTP request needs an access token from that Keycloak realm; without it HTTP serves the local --role on
 * loopback only. This file stays light (no OIDC library): stdio start-up never loads the rest.
 */
export interface OidcConfig {
  /** The realm URL, e.g. https://keycloak.example.com/realms/idp. */
  issuer: URL;
  /** `aud` values accepted besides this server's own resource URL. */
  audiences: string[];
  /** The public URL of this /mcp endpoint (RFC 8707 resource, RFC 9728 `resource`), when set. */
  resourceUrl?: URL;
  /** Scopes every token must carry (403 insufficient_scope otherwise); advertised in the metadata. */
  scopes: string[];
  /** The client whose `resource_access.<client>.roles` count besides the realm roles. */
  rolesClient: string;
  /** Token role or group (a Keycloak group path starts with "/") -> idp-mcp role. */
  roleMap: Map<string, Role>;
  /** JWS algorithms accepted (asymmetric only). */
  algorithms: string[];
}

export const AUTH_ENV_HELP = `Identity over HTTP (environment):
  IDP_MCP_OIDC_ISSUER      Keycloak realm URL (https://host/realms/idp): every HTTP caller needs its token
  IDP_MCP_OIDC_AUDIENCE    accepted token audiences, comma-separated (default idp-mcp); this server's own
                           resource URL is always accepted
  IDP_MCP_RESOURCE_URL     public URL of this /mcp endpoint (required when --host is not loopback)
  IDP_MCP_OIDC_SCOPE       scopes a token must carry, comma-separated (default idp-mcp; "" for none)
  IDP_MCP_OIDC_ROLE_MAP    extra token roles or groups to idp-mcp roles, e.g. /sre=platform-admin,qa=viewer
  IDP_MCP_OIDC_ALGORITHMS  accepted JWS algorithms (default RS256,PS256,ES256)
Without IDP_MCP_OIDC_ISSUER, HTTP binds loopback only and every caller is --role.`;

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;
const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export function oidcConfigFromEnv(env: Record<string, string | undefined>): OidcConfig | undefined {
  const issuerText = env.IDP_MCP_OIDC_ISSUER?.trim();
  if (!issuerText) return undefined;
  const issuer = parseUrl('IDP_MCP_OIDC_ISSUER', issuerText, 'https://keycloak.example.com/realms/idp');
  const resourceText = env.IDP_MCP_RESOURCE_URL?.trim();
  const resourceUrl = resourceText
    ? parseUrl('IDP_MCP_RESOURCE_URL', resourceText, 'https://mcp.example.com/mcp')
    : undefined;
  const audiences = env.IDP_MCP_OIDC_AUDIENCE === undefined ? ['idp-mcp'] : list(env.IDP_MCP_OIDC_AUDIENCE);
  const algorithms = env.IDP_MCP_OIDC_ALGORITHMS ? list(env.IDP_MCP_OIDC_ALGORITHMS) : ['RS256', 'PS256', 'ES256'];
  const symmetric = algorithms.filter((alg) => !ASYMMETRIC.test(alg));
  if (symmetric.length > 0) {
    throw new ConfigError(
      `IDP_MCP_OIDC_ALGORITHMS: ${symmetric.join(', ')} is not an asymmetric JWS algorithm; use RS256, PS256, ES256, EdDSA or their 384/512 forms`,
    );
  }
  return {
    issuer,
    audiences,
    ...(resourceUrl ? { resourceUrl } : {}),
    scopes: env.IDP_MCP_OIDC_SCOPE === undefined ? ['idp-mcp'] : list(env.IDP_MCP_OIDC_SCOPE),
    rolesClient: audiences[0] ?? 'idp-mcp',
    roleMap: parseRoleMap(env.IDP_MCP_OIDC_ROLE_MAP),
    algorithms,
  };
}

function parseRoleMap(text: string | undefined): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const pair of list(text)) {
    const [from, to] = pair.split('=').map((part) => part.trim());
    if (!from || !to || !isRole(to)) {
      throw new ConfigError(
        `IDP_MCP_OIDC_ROLE_MAP: ${JSON.stringify(pair)} must be <token role or /group/path>=<${ROLES.join('|')}>`,
      );
    }
    map.set(from, to);
  }
  return map;
}

function parseUrl(name: string, value: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL such as ${example}; got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(`${name} must use https (plain http only on loopback); got ${url.origin}`);
  }
  if (url.search || url.hash) throw new ConfigError(`${name} must not have a query or fragment; got ${value}`);
  return url;
}
