import { describe, expect, it } from 'vitest';
import { callerFromClaims } from './claims.ts';
import { oidcConfigFromEnv } from './config.ts';

const config = oidcConfigFromEnv({
  IDP_MCP_OIDC_ISSUER: 'https://keycloak.example.com/realms/idp',
  IDP_MCP_OIDC_ROLE_MAP: '/okta/sre=platform-admin, qa-lead=developer',
})!;

describe('roles from Keycloak claims', () => {
  it('takes idp-mcp roles from the realm and from this client, and nothing from other clients', () => {
    const caller = callerFromClaims(
      {
        sub: 'f1e2',
        preferred_username: 'dev',
        realm_access: { roles: ['offline_access', 'viewer'] },
        resource_access: { 'idp-mcp': { roles: ['developer'] }, 'other-app': { roles: ['platform-admin'] } },
      },
      config,
    );
    expect(caller).toEqual({ id: 'f1e2', roles: ['viewer', 'developer'], tier: 'write', username: 'dev' });
  });

  it('maps groups and other roles through IDP_MCP_OIDC_ROLE_MAP', () => {
    expect(callerFromClaims({ sub: 'a', groups: ['/okta/sre'] }, config).tier).toBe('admin');
    expect(callerFromClaims({ sub: 'b', realm_access: { roles: ['qa-lead'] } }, config).roles).toEqual(['developer']);
    expect(
      callerFromClaims({ sub: 'c', groups: ['/viewers'], realm_access: { roles: 'viewer' } }, config).roles,
    ).toEqual([]);
  });
});
