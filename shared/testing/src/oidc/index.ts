import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import Provider, {
  type AsymmetricSigningAlgorithm,
  type ClientMetadata,
  type Configuration,
  errors,
  type KoaContextWithOIDC,
} from 'oidc-provider';

/**
 * A Keycloak-shaped authorization server for tests, configured from the shipped realm file
 * (deploy/keycloak/realm.json): issuer /realms/<realm>, Keycloak's endpoint paths, the realm's clients
 * (the public PKCE client, the service account's client credentials), anonymous dynamic registration
 * under the realm's trusted-hosts policy, access tokens as JWTs with the audience mapper's `aud`,
 * `realm_access.roles` (composites expanded), `groups` and `preferred_username`. It is oidc-provider
 * underneath; the users are the test's own (a realm export ships none).
 */

interface RealmFile {
  realm: string;
  accessTokenLifespan?: number;
  defaultSignatureAlgorithm?: string;
  roles?: { realm?: Array<{ name: string; composites?: { realm?: string[] } }> };
  groups?: Array<{ name: string; path?: string; realmRoles?: string[] }>;
  clientScopes?: Array<{
    name: string;
    attributes?: Record<string, string>;
    protocolMappers?: Array<{ protocolMapper: string; config?: Record<string, string> }>;
  }>;
  clients?: Array<{
    clientId: string;
    publicClient?: boolean;
    standardFlowEnabled?: boolean;
    serviceAccountsEnabled?: boolean;
    redirectUris?: string[];
  }>;
  users?: Array<{ username: string; serviceAccountClientId?: string; realmRoles?: string[] }>;
  components?: Record<string, Array<{ providerId: string; subType?: string; config?: Record<string, string[]> }>>;
}

export const REALM_FILE = new URL('../../../../deploy/keycloak/realm.json', import.meta.url);

export function loadRealm(): RealmFile {
  return JSON.parse(readFileSync(REALM_FILE, 'utf8')) as RealmFile;
}

export interface TestUser {
  username: string;
  /** Keycloak group paths, e.g. /developers. */
  groups: string[];
}

/** One user per realm group, named after the role the group grants. */
export const TEST_USERS: TestUser[] = [
  { username: 'vera-viewer', groups: ['/viewers'] },
  { username: 'dev-developer', groups: ['/developers'] },
  { username: 'ada-admin', groups: ['/platform-admins'] },
  { username: 'nora-nobody', groups: [] },
];

export interface KeycloakIssuer {
  /** http://127.0.0.1:<port>/realms/<realm> */
  issuer: string;
  realm: RealmFile;
  /** The audience the realm's audience mapper puts into access tokens. */
  audience: string;
  /** The client scope an MCP client requests (the one carrying the audience mapper). */
  scope: string;
  /** The generated secret of a confidential realm client (the realm file ships none). */
  clientSecret(clientId: string): string;
  /** Who the next interactive login signs in as. */
  signInAs(username: string): void;
  /** The claims Keycloak would put into an access token for this user (or service account). */
  claimsFor(username: string, overrides?: JWTPayload): JWTPayload;
  /** Signs a token with the realm's current key, or with a key the realm does not publish. */
  sign(claims: JWTPayload, options?: { key?: 'realm' | 'unknown'; header?: Record<string, unknown> }): Promise<string>;
  /** Keycloak's key rotation: a new signing key joins the published set and signs from now on. */
  rotateKey(): Promise<void>;
  /** How often the published key set (the JWKS) was fetched. */
  jwksFetches(): number;
  /** The realm's public signing key, for forging attacks against it (alg confusion). */
  publicJwk: JWK;
  /** Follows an authorization URL like a browser whose user signs in, up to the client's redirect. */
  authorize(url: URL): Promise<URL>;
  close(): Promise<void>;
}

const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
  registration: '/clients-registrations/openid-connect',
};

export async function startKeycloakIssuer(users: TestUser[] = TEST_USERS): Promise<KeycloakIssuer> {
  const realm = loadRealm();
  const prefix = `/realms/${realm.realm}`;
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const issuer = `${origin}${prefix}`;

  const mcpScope = realm.clientScopes?.find((scope) =>
    scope.protocolMappers?.some((mapper) => mapper.protocolMapper === 'oidc-audience-mapper'),
  );
  const audienceMapper = mcpScope?.protocolMappers?.find((mapper) => mapper.protocolMapper === 'oidc-audience-mapper');
  const audience =
    audienceMapper?.config?.['included.custom.audience'] ?? audienceMapper?.config?.['included.client.audience'];
  if (!mcpScope || !audience) throw new Error(`${REALM_FILE.pathname}: no client scope with an audience mapper`);
  const tokenScopes = (realm.clientScopes ?? [])
    .filter((scope) => scope.attributes?.['include.in.token.scope'] !== 'false')
    .map((scope) => scope.name);

  const alg = (realm.defaultSignatureAlgorithm ?? 'RS256') as AsymmetricSigningAlgorithm;
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const unknownKey = await generateKeyPair(alg, { extractable: true });
  // The published key set, which rotation extends; oidc-provider itself keeps signing with the first key.
  const published: JWK[] = [publicJwk];
  let current = { kid, privateKey };
  let jwksFetches = 0;

  const secrets = new Map<string, string>();
  const clients: ClientMetadata[] = [];
  for (const client of realm.clients ?? []) {
    if (client.publicClient) {
      clients.push({
        client_id: client.clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: client.redirectUris ?? [],
      });
    } else if (client.serviceAccountsEnabled) {
      const secret = randomBytes(24).toString('base64url');
      secrets.set(client.clientId, secret);
      clients.push({
        client_id: client.clientId,
        client_secret: secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
    }
  }

  const roleComposites = new Map((realm.roles?.realm ?? []).map((role) => [role.name, role.composites?.realm ?? []]));
  const expand = (roles: string[]): string[] => {
    const seen = new Set<string>();
    const visit = (role: string) => {
      if (seen.has(role)) return;
      seen.add(role);
      for (const inner of roleComposites.get(role) ?? []) visit(inner);
    };
    roles.forEach(visit);
    return [...seen];
  };
  const groupRoles = new Map(
    (realm.groups ?? []).map((group) => [group.path ?? `/${group.name}`, group.realmRoles ?? []]),
  );
  const userIds = new Map<string, string>(users.map((user) => [user.username, randomUUID()]));
  const userById = new Map<string, TestUser>(users.map((user) => [userIds.get(user.username)!, user]));

  const claimsFor = (username: string, overrides: JWTPayload = {}): JWTPayload => {
    const serviceAccount = realm.users?.find((user) => user.username === username && user.serviceAccountClientId);
    const user = users.find((candidate) => candidate.username === username);
    if (!serviceAccount && !user) throw new Error(`no test user or service account ${username}`);
    const now = Math.floor(Date.now() / 1000);
    const roles = serviceAccount
      ? expand(serviceAccount.realmRoles ?? [])
      : expand(user!.groups.flatMap((group) => groupRoles.get(group) ?? []));
    return {
      iss: issuer,
      sub: serviceAccount ? serviceAccount.serviceAccountClientId : userIds.get(username),
      aud: audience,
      iat: now,
      exp: now + (realm.accessTokenLifespan ?? 300),
      jti: randomUUID(),
      typ: 'Bearer',
      azp: serviceAccount?.serviceAccountClientId ?? 'idp-mcp-desktop',
      scope: mcpScope.name,
      realm_access: { roles },
      ...(user ? { groups: user.groups } : {}),
      preferred_username: username,
      ...overrides,
    };
  };

  const trustedHosts = (
    realm.components?.['org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy'] ?? []
  )
    .filter((policy) => policy.providerId === 'trusted-hosts' && policy.subType === 'anonymous')
    .flatMap((policy) => policy.config?.['trusted-hosts'] ?? []);

  const configuration: Configuration = {
    clients,
    jwks: { keys: [privateJwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    routes: KEYCLOAK_ROUTES,
    scopes: ['openid', 'offline_access', ...tokenScopes],
    pkce: { required: () => true },
    ttl: {
      AccessToken: realm.accessTokenLifespan ?? 300,
      ClientCredentials: realm.accessTokenLifespan ?? 300,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    clientDefaults: { id_token_signed_response_alg: alg },
    findAccount: async (_ctx, sub) => {
      const user = userById.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, preferred_username: user.username }) };
    },
    interactions: { url: (_ctx, interaction) => `${prefix}/login-actions/${interaction.uid}` },
    extraTokenClaims: async (_ctx, token) => {
      const scopes = String((token as { scope?: string }).scope ?? '').split(' ');
      if (!scopes.includes(mcpScope.name)) return { typ: 'Bearer' };
      const accountId = (token as { accountId?: string }).accountId;
      const clientId = (token as { clientId?: string }).clientId;
      const user = accountId ? userById.get(accountId) : undefined;
      const serviceAccount = realm.users?.find((candidate) => candidate.serviceAccountClientId === clientId);
      const username = user?.username ?? serviceAccount?.username;
      if (!username) return { typ: 'Bearer', azp: clientId };
      const { realm_access, groups, preferred_username } = claimsFor(username);
      return { typ: 'Bearer', azp: clientId, realm_access, preferred_username, ...(groups ? { groups } : {}) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      registration: {
        enabled: trustedHosts.length > 0,
        idFactory: (ctx: KoaContextWithOIDC) => {
          // Keycloak's anonymous trusted-hosts policy: redirect URIs only on trusted hosts.
          const uris = ((ctx.oidc.body as { redirect_uris?: string[] } | undefined)?.redirect_uris ?? []).map(String);
          const untrusted = uris.filter((uri) => !trustedHosts.includes(safeHost(uri)));
          if (untrusted.length > 0) {
            throw new errors.InvalidRedirectUri(`redirect URI host not trusted: ${untrusted.join(', ')}`);
          }
          return randomUUID();
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? `urn:keycloak:${realm.realm}:${audience}`,
        useGrantedResource: async () => true,
        // Keycloak takes the audience from the mapper, whatever resource the client names.
        getResourceServerInfo: async () => ({
          scope: tokenScopes.join(' '),
          audience,
          accessTokenTTL: realm.accessTokenLifespan ?? 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg } },
        }),
      },
    },
  };
  const provider = new Provider(issuer, configuration);
  // Keycloak's redirect URI rules: a trailing * matches any path; a loopback URI matches any port.
  const exact = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value: string) {
    return exact.call(this, value) || this.redirectUris!.some((pattern) => keycloakRedirectMatch(pattern, value));
  };
  const callback = provider.callback();
  let nextUser = users[0]?.username;

  http.on('request', async (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    if (url.pathname.startsWith(`${prefix}/login-actions/`)) {
      try {
        // The user signs in as nextUser and consents to what the client asked for.
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          const accountId = userIds.get(nextUser ?? '');
          if (!accountId) throw new Error(`no test user ${nextUser}`);
          await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({
          accountId: details.session!.accountId,
          clientId: String(details.params.client_id),
        });
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingResourceScopes?: Record<string, string[]>;
        };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId: await grant.save() } },
          { mergeWithLastSubmission: true },
        );
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      }
      return;
    }
    if (url.pathname === `${prefix}${KEYCLOAK_ROUTES.jwks}`) {
      jwksFetches++;
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }));
      return;
    }
    req.originalUrl = req.url;
    req.url = req.url!.slice(prefix.length) || '/';
    callback(req, res);
  });

  return {
    issuer,
    realm,
    audience,
    scope: mcpScope.name,
    publicJwk,
    clientSecret: (clientId) => {
      const secret = secrets.get(clientId);
      if (!secret) throw new Error(`${clientId} is not a confidential client of the realm`);
      return secret;
    },
    signInAs: (username) => {
      nextUser = username;
    },
    claimsFor,
    sign: async (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({
          alg,
          typ: 'JWT',
          kid: options.key === 'unknown' ? randomUUID() : current.kid,
          ...options.header,
        } as { alg: string })
        .sign(options.key === 'unknown' ? unknownKey.privateKey : current.privateKey),
    rotateKey: async () => {
      const next = await generateKeyPair(alg, { extractable: true });
      const nextKid = randomUUID();
      published.push({ ...(await exportJWK(next.publicKey)), kid: nextKid, alg, use: 'sig' });
      current = { kid: nextKid, privateKey: next.privateKey };
    },
    jwksFetches: () => jwksFetches,
    authorize: (url) => browse(url, origin),
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function safeHost(uri: string): string {
  try {
    return new URL(uri).hostname;
  } catch {
    return '';
  }
}

function keycloakRedirectMatch(pattern: string, value: string): boolean {
  const loopback = (text: string) => text.replace(/^(http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]))(?::\d+)?/, '$1');
  const [wanted, given] = [loopback(pattern), loopback(value)];
  return wanted.endsWith('*') ? given.startsWith(wanted.slice(0, -1)) : wanted === given;
}

/** A browser with a cookie jar: follows redirects while they stay on the issuer, returns the first one that leaves it. */
async function browse(start: URL, issuerOrigin: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!.trim(), value.join('='));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the authorization server answered ${response.status}: ${await response.text()}`);
    url = new URL(location, url);
    if (url.origin !== issuerOrigin) return url;
  }
  throw new Error('too many redirects at the authorization server');
}

/**
 * An MCP client's OAuth side as a desktop app has it: dynamic registration with a loopback redirect,
 * code + PKCE, tokens in memory. `browser` plays the user in the browser.
 */
export class TestOAuthClientProvider implements OAuthClientProvider {
  readonly redirectUrl = 'http://127.0.0.1:8976/callback';
  readonly clientMetadata: OAuthClientMetadata = {
    client_name: 'idp-mcp test client',
    redirect_uris: [this.redirectUrl],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
  };
  callback?: URL;
  registered?: OAuthClientInformationMixed;
  private stored?: OAuthTokens;
  private verifier?: string;
  private discovery?: OAuthDiscoveryState;
  private readonly browser: (url: URL) => Promise<URL>;

  constructor(browser: (url: URL) => Promise<URL>, preRegistered?: OAuthClientInformationMixed) {
    this.browser = browser;
    if (preRegistered) this.registered = preRegistered;
  }
  clientInformation() {
    return this.registered;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.registered = info;
  }
  tokens() {
    return this.stored;
  }
  saveTokens(tokens: OAuthTokens) {
    this.stored = tokens;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
  async redirectToAuthorization(url: URL) {
    this.callback = await this.browser(url);
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error('no PKCE code verifier saved');
    return this.verifier;
  }
}

/** Connects the way a desktop client does: 401 -> discovery -> registration -> browser -> code -> tokens. */
export async function connectWithOAuth(
  url: string,
  issuer: KeycloakIssuer,
  username: string,
): Promise<{ client: Client; provider: TestOAuthClientProvider }> {
  issuer.signInAs(username);
  const provider = new TestOAuthClientProvider((authorizationUrl) => issuer.authorize(authorizationUrl));
  const client = new Client({ name: 'idp-mcp-oauth-test', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
    return { client, provider };
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  if (!provider.callback) throw new Error('the client was refused but never sent to the authorization server');
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  await transport.finishAuth(provider.callback.searchParams);
  const reconnected = new Client({ name: 'idp-mcp-oauth-test', version: '1.0.0' });
  await reconnected.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  return { client: reconnected, provider };
}

/** Connects with a bearer token obtained elsewhere (a token the test minted, or a service account's). */
export async function connectWithToken(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'idp-mcp-token-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: { token: async () => token } }));
  return client;
}

/** fetch that sends a bearer token with every request, for clients that take a fetch (the A2A SDK's transports). */
export function bearerFetch(token: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}
