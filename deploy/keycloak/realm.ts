import { writeFileSync } from 'node:fs';
import type RealmRepresentation from '@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js';
import { stringify } from 'yaml';

/**
 * The Keycloak realm idp-mcp's servers trust, as Keycloak's own import format. This file is the source:
 * `node deploy/keycloak/realm.ts` writes realm.json beside it (what `kc.sh import` reads) and a test
 * keeps the two equal. The test issuer (`@idp-mcp/testing/oidc`) is configured from realm.json.
 */

/** The audience every idp-mcp server accepts (IDP_MCP_OIDC_AUDIENCE's default). */
export const AUDIENCE = 'idp-mcp';
/** The client scope an MCP client requests; it carries the audience and role mappers. */
export const MCP_SCOPE = 'idp-mcp';

const accessTokenOnly = {
  'access.token.claim': 'true',
  'introspection.token.claim': 'true',
  'id.token.claim': 'false',
  'userinfo.token.claim': 'false',
};

const typed = {
  realm: 'idp',
  displayName: 'Internal developer platform',
  enabled: true,
  sslRequired: 'external',
  registrationAllowed: false,
  loginWithEmailAllowed: true,
  bruteForceProtected: true,
  // Short-lived access tokens (roles change take effect within 5 minutes), a working day of SSO.
  accessTokenLifespan: 300,
  accessCodeLifespan: 60,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  offlineSessionIdleTimeout: 2592000,
  revokeRefreshToken: true,
  refreshTokenMaxReuse: 0,
  defaultSignatureAlgorithm: 'RS256',
  roles: {
    realm: [
      { name: 'viewer', description: 'Read tools only' },
      {
        name: 'developer',
        description: 'Read and write tools (policy-gated self-service)',
        composite: true,
        composites: { realm: ['viewer'] },
      },
      {
        name: 'platform-admin',
        description: 'Every tool, including deletes, reveal and the audit log',
        composite: true,
        composites: { realm: ['developer'] },
      },
    ],
  },
  groups: [
    { name: 'viewers', path: '/viewers', realmRoles: ['viewer'] },
    { name: 'developers', path: '/developers', realmRoles: ['developer'] },
    { name: 'platform-admins', path: '/platform-admins', realmRoles: ['platform-admin'] },
  ],
  clientScopes: [
    {
      // Keycloak 25+ puts `sub` into access tokens through this scope; a realm import that lists its own
      // scopes must list it too.
      name: 'basic',
      description: 'OpenID Connect scope for the subject of every token',
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
      protocolMappers: [
        { name: 'sub', protocol: 'openid-connect', protocolMapper: 'oidc-sub-mapper', config: accessTokenOnly },
      ],
    },
    {
      name: MCP_SCOPE,
      description: 'Use the internal developer platform through MCP clients',
      protocol: 'openid-connect',
      attributes: {
        'include.in.token.scope': 'true',
        'display.on.consent.screen': 'true',
        'consent.screen.text': 'Use the internal developer platform with your roles',
      },
      protocolMappers: [
        {
          // Tokens carrying this scope are issued for the idp-mcp servers (RFC 8707 audience).
          name: 'idp-mcp audience',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-audience-mapper',
          config: { 'included.custom.audience': AUDIENCE, ...accessTokenOnly },
        },
        {
          name: 'realm roles',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-usermodel-realm-role-mapper',
          config: {
            'claim.name': 'realm_access.roles',
            'jsonType.label': 'String',
            multivalued: 'true',
            ...accessTokenOnly,
          },
        },
        {
          name: 'client roles',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-usermodel-client-role-mapper',
          config: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Keycloak's own placeholder, not JavaScript's
            'claim.name': 'resource_access.${client_id}.roles',
            'jsonType.label': 'String',
            multivalued: 'true',
            ...accessTokenOnly,
          },
        },
        {
          name: 'groups',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-group-membership-mapper',
          config: { 'claim.name': 'groups', 'full.path': 'true', ...accessTokenOnly },
        },
        {
          name: 'username',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-usermodel-attribute-mapper',
          config: {
            'user.attribute': 'username',
            'claim.name': 'preferred_username',
            'jsonType.label': 'String',
            ...accessTokenOnly,
          },
        },
      ],
    },
  ],
  defaultDefaultClientScopes: ['basic'],
  defaultOptionalClientScopes: [MCP_SCOPE],
  clients: [
    {
      // Claude Desktop, VS Code, MCP Inspector and other desktop or IDE clients: public, code + PKCE,
      // loopback redirects (RFC 8252, any port) and the hosted callbacks of Claude and VS Code.
      clientId: 'idp-mcp-desktop',
      name: 'idp-mcp desktop and IDE clients',
      protocol: 'openid-connect',
      enabled: true,
      publicClient: true,
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
      implicitFlowEnabled: false,
      serviceAccountsEnabled: false,
      redirectUris: [
        'http://127.0.0.1/*',
        'http://localhost/*',
        'https://claude.ai/api/mcp/auth_callback',
        'https://vscode.dev/redirect',
      ],
      webOrigins: ['+'],
      attributes: { 'pkce.code.challenge.method': 'S256', 'post.logout.redirect.uris': '+' },
      defaultClientScopes: ['basic'],
      optionalClientScopes: [MCP_SCOPE],
    },
    {
      // The A2A supervisor's own identity: client credentials, no user (its secret is set at deploy time).
      clientId: 'idp-a2a-supervisor',
      name: 'idp-mcp A2A supervisor',
      protocol: 'openid-connect',
      enabled: true,
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
      implicitFlowEnabled: false,
      serviceAccountsEnabled: true,
      attributes: { 'client.secret.creation.time': '0' },
      defaultClientScopes: ['basic', MCP_SCOPE],
      optionalClientScopes: [],
    },
  ],
  users: [
    {
      // Keycloak's form for a service account's role mappings in a realm export.
      username: 'service-account-idp-a2a-supervisor',
      enabled: true,
      serviceAccountClientId: 'idp-a2a-supervisor',
      realmRoles: ['developer'],
    },
  ],
} satisfies RealmRepresentation;

/**
 * Anonymous dynamic client registration (RFC 7591), which MCP clients use when they have no client id:
 * redirect URIs on loopback or the two hosted desktop callbacks, only the idp-mcp scope, consent shown, at
 * most 200 clients (no "Full Scope Disabled" policy: it would drop the realm roles from their tokens).
 * Outside the type check on purpose: Keycloak exports components as lists with list-valued config (a
 * MultivaluedHashMap), which the admin client's ComponentExportRepresentation types as single values.
 */
const components = {
  'org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy': [
    {
      name: 'Trusted Hosts',
      providerId: 'trusted-hosts',
      subType: 'anonymous',
      config: {
        'host-sending-registration-request-must-match': ['false'],
        'client-uris-must-match': ['true'],
        'trusted-hosts': ['127.0.0.1', 'localhost', 'claude.ai', 'vscode.dev'],
      },
    },
    {
      name: 'Allowed Client Scopes',
      providerId: 'allowed-client-templates',
      subType: 'anonymous',
      config: { 'allow-default-scopes': ['true'], 'allowed-client-scopes': [MCP_SCOPE] },
    },
    { name: 'Consent Required', providerId: 'consent-required', subType: 'anonymous', config: {} },
    { name: 'Max Clients Limit', providerId: 'max-clients', subType: 'anonymous', config: { 'max-clients': ['200'] } },
  ],
};

export const realm = { ...typed, components };

/**
 * The same realm for the Keycloak operator (KeycloakRealmImport, k8s.keycloak.org/v2alpha1): the supervisor's
 * client secret is the operator's placeholder, filled from the Secret that External Secrets Operator writes from
 * AWS Secrets Manager, so no secret is ever in Git.
 */
export const realmImport = {
  apiVersion: 'k8s.keycloak.org/v2alpha1',
  kind: 'KeycloakRealmImport',
  metadata: { name: 'idp', labels: { 'app.kubernetes.io/name': 'keycloak-realm-idp' } },
  spec: {
    keycloakCRName: 'keycloak',
    placeholders: { A2A_CLIENT_SECRET: { secret: { name: 'idp-realm-secrets', key: 'a2a-client-secret' } } },
    realm: {
      ...realm,
      clients: realm.clients.map((client) =>
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the operator's placeholder, not JavaScript's
        client.clientId === 'idp-a2a-supervisor' ? { ...client, secret: '${A2A_CLIENT_SECRET}' } : client,
      ),
    },
  },
};

if (import.meta.main) {
  writeFileSync(new URL('./realm.json', import.meta.url), `${JSON.stringify(realm, null, 2)}\n`);
  const header = '# Written by `node deploy/keycloak/realm.ts` from realm.ts: edit that, not this file.\n';
  writeFileSync(new URL('./realm-import.yaml', import.meta.url), header + stringify(realmImport, { lineWidth: 0 }));
}
