import type { IncomingMessage } from 'node:http';
import {
  bearerAuthChallengeResponse,
  buildOAuthProtectedResourceMetadata,
  getOAuthProtectedResourceMetadataUrl,
  OAuthError,
  OAuthErrorCode,
  type OAuthMetadata,
  type OAuthProtectedResourceMetadata,
  verifyBearerToken,
} from '@modelcontextprotocol/server';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Caller } from '../caller.ts';
import { ConfigError } from '../config.ts';
import type { Logger } from '../log.ts';
import { AuthenticationError, isLoopbackHost } from '../transports.ts';
import { callerFromClaims } from './claims.ts';
import type { OidcConfig } from './config.ts';

/**
 * This server as an OAuth resource server of one Keycloak realm (MCP authorization, 2025-11-25): the realm
 * is discovered with openid-client, access tokens are verified locally against its JWKS (cached, refetched
 * on an unknown kid at most every 30 s), and the caller's roles come from the token. The token itself
 * goes no further than this file: not to tool handlers, not to upstreams, not to logs.
 */
export interface OidcResourceServer {
  issuer: string;
  authenticate(request: IncomingMessage): Promise<Caller>;
  /** The RFC 9728 document for the resource a request addressed. */
  metadata(request: IncomingMessage): OAuthProtectedResourceMetadata;
}

/** Seconds of clock difference tolerated on exp, nbf and iat. */
const CLOCK_TOLERANCE_S = 30;

export async function createOidcResourceServer(config: OidcConfig, log: Logger): Promise<OidcResourceServer> {
  let discovered: client.Configuration;
  try {
    discovered = await client.discovery(
      config.issuer,
      config.rolesClient,
      undefined,
      undefined,
      isLoopbackHost(config.issuer.hostname) ? { execute: [client.allowInsecureRequests] } : {},
    );
  } catch (error) {
    throw new ConfigError(
      `IDP_MCP_OIDC_ISSUER: could not discover ${config.issuer.href} (${(error as Error).message}); check the realm URL and that Keycloak is reachable`,
    );
  }
  const server = discovered.serverMetadata();
  if (!server.jwks_uri) throw new ConfigError(`IDP_MCP_OIDC_ISSUER: ${server.issuer} publishes no jwks_uri`);
  const jwks = createRemoteJWKSet(new URL(server.jwks_uri), {
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
  });
  const oauthMetadata = server as unknown as OAuthMetadata;
  // Fails fast on an insecure or malformed issuer before any request arrives.
  buildOAuthProtectedResourceMetadata({
    oauthMetadata,
    resourceServerUrl: config.resourceUrl ?? new URL(server.issuer),
  });

  const resourceOf = (request: IncomingMessage) =>
    config.resourceUrl ?? new URL('/mcp', `http://${request.headers.host ?? '127.0.0.1'}`);

  const verify = async (token: string, resource: URL) => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: server.issuer,
        audience: [...config.audiences, resource.href],
        algorithms: config.algorithms,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'sub'],
      });
      // Keycloak marks its ID and refresh tokens with another typ; only an access token is a credential here.
      if (payload.typ !== undefined && payload.typ !== 'Bearer') {
        throw new OAuthError(
          OAuthErrorCode.InvalidToken,
          `token refused: a ${String(payload.typ)} token is not an access token`,
        );
      }
      return payload;
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      if (error instanceof joseErrors.JOSEError && !isFetchProblem(error)) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, `token refused: ${error.message}`);
      }
      log.error('the realm signing keys could not be fetched', { jwks: server.jwks_uri, error: String(error) });
      throw new OAuthError(OAuthErrorCode.ServerError, 'the identity provider could not be reached');
    }
  };

  return {
    issuer: server.issuer,
    metadata: (request) =>
      buildOAuthProtectedResourceMetadata({
        oauthMetadata,
        resourceServerUrl: resourceOf(request),
        scopesSupported: config.scopes,
        resourceName: 'idp-mcp',
      }),
    async authenticate(request) {
      const resource = resourceOf(request);
      const resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
      const challenge = { resourceMetadataUrl, requiredScopes: config.scopes };
      let claims: JWTPayload | undefined;
      try {
        if (new URL(request.url ?? '/', 'http://localhost').searchParams.has('access_token')) {
          throw new OAuthError(
            OAuthErrorCode.InvalidRequest,
            'an access token in the query string is refused: send it as Authorization: Bearer',
          );
        }
        await verifyBearerToken(request.headers.authorization, {
          ...challenge,
          verifier: {
            async verifyAccessToken(token) {
              claims = await verify(token, resource);
              return {
                token: '',
                clientId: String(claims.azp ?? claims.client_id ?? ''),
                scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : [],
                ...(claims.exp === undefined ? {} : { expiresAt: claims.exp }),
                resource,
              };
            },
          },
        });
      } catch (error) {
        throw await refusal(error, challenge);
      }
      const caller = callerFromClaims(claims!, config);
      if (caller.roles.length === 0) {
        throw new AuthenticationError(
          `${caller.username ?? caller.id} has none of the roles viewer, developer, platform-admin in this realm`,
          { status: 403 },
        );
      }
      return caller;
    },
  };
}

/** The SDK's own 401/403 answer (WWW-Authenticate with resource_metadata), carried to the transport. */
async function refusal(
  error: unknown,
  challenge: { resourceMetadataUrl: string; requiredScopes: string[] },
): Promise<AuthenticationError> {
  const response = bearerAuthChallengeResponse(error, challenge);
  const body = (await response.json().catch(() => ({}))) as { error_description?: string };
  return new AuthenticationError(body.error_description ?? 'authentication failed', {
    status: response.status,
    ...(response.headers.get('www-authenticate') ? { challenge: response.headers.get('www-authenticate')! } : {}),
  });
}

function isFetchProblem(error: joseErrors.JOSEError): boolean {
  return error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid;
}
