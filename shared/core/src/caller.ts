/**
 * Who is calling and what they may do. Roles come from the Keycloak realm; each maps to the
 * highest permission tier it grants. A caller never sees a tool above its tier.
 */
export type Tier = 'read' | 'write' | 'admin';
export const TIERS: readonly Tier[] = ['read', 'write', 'admin'];

export type Role = 'viewer' | 'developer' | 'platform-admin';
export const ROLES: readonly Role[] = ['viewer', 'developer', 'platform-admin'];

const ROLE_TIER: Record<Role, Tier> = { viewer: 'read', developer: 'write', 'platform-admin': 'admin' };

export interface Caller {
  /** Stable id for audit and rate limits: the OIDC subject, or 'local' on stdio. */
  id: string;
  roles: Role[];
  /** Highest tier any of the roles grants. */
  tier: Tier;
  /** The human-readable name for audit and "requested by" (the token's preferred_username), when known. */
  username?: string;
}

export function callerFromRoles(id: string, roles: readonly string[], username?: string): Caller {
  const known = roles.filter(isRole);
  const tier = known.reduce<Tier | undefined>((best, role) => maxTier(best, ROLE_TIER[role]), undefined);
  return { id, roles: known, tier: tier ?? 'read', ...(username ? { username } : {}) };
}

export function isRole(name: string): name is Role {
  return (ROLES as readonly string[]).includes(name);
}

export function tierAllows(granted: Tier, required: Tier): boolean {
  return TIERS.indexOf(granted) >= TIERS.indexOf(required);
}

function maxTier(a: Tier | undefined, b: Tier): Tier {
  return a !== undefined && tierAllows(a, b) ? a : b;
}
