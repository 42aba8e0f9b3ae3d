import { type Caller, callerFromRoles, isRole, type Role } from '../caller.ts';
import type { OidcConfig } from './config.ts';

/**
 * Keycloak's access token claims -> the caller: the subject is the id (audit, rate limits), the realm roles
 * and this client's roles that are idp-mcp roles count as they are, and IDP_MCP_OIDC_ROLE_MAP turns other
 * roles or groups (full paths such as /platform-team) into idp-mcp roles.
 */
export function callerFromClaims(
  claims: Record<string, unknown>,
  config: Pick<OidcConfig, 'rolesClient' | 'roleMap'>,
): Caller {
  const realmRoles = strings((claims.realm_access as { roles?: unknown } | undefined)?.roles);
  const resourceAccess = claims.resource_access as Record<string, { roles?: unknown }> | undefined;
  const clientRoles = strings(resourceAccess?.[config.rolesClient]?.roles);
  const names = [...realmRoles, ...clientRoles, ...strings(claims.groups)];
  const roles = new Set<Role>();
  for (const name of names) {
    if (isRole(name)) roles.add(name);
    const mapped = config.roleMap.get(name);
    if (mapped) roles.add(mapped);
  }
  const username = typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
  return callerFromRoles(String(claims.sub), [...roles], username);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
