import { describe, expect, it } from 'vitest';
import { realm } from '../../../deploy/keycloak/realm.ts';
import { loadRealm } from '../src/oidc/index.ts';

describe('the shipped Keycloak realm', () => {
  it('realm.json is what the type-checked realm.ts says (regenerate: node deploy/keycloak/realm.ts)', () => {
    expect(loadRealm()).toEqual(JSON.parse(JSON.stringify(realm)));
  });

  it('grants each group one idp-mcp role and the supervisor developer, not admin', () => {
    expect(realm.groups.map((group) => [group.path, group.realmRoles])).toEqual([
      ['/viewers', ['viewer']],
      ['/developers', ['developer']],
      ['/platform-admins', ['platform-admin']],
    ]);
    expect(realm.users.find((user) => user.serviceAccountClientId === 'idp-a2a-supervisor')?.realmRoles).toEqual([
      'developer',
    ]);
  });
});
