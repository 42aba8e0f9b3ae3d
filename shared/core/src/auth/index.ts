import type { IncomingMessage } from 'node:http';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/server';
import type { Caller } from '../caller.ts';
import { ConfigError } from '../config.ts';
import type { Logger } from '../log.ts';
import { type Authenticate, isLoopbackHost } from '../transports.ts';
import { oidcConfigFromEnv } from './config.ts';

export { AUTH_ENV_HELP, type OidcConfig, oidcConfigFromEnv } from './config.ts';

/** Who an HTTP server lets in, decided once at start-up. */
export interface HttpIdentity {
  authenticate: Authenticate;
  protectedResourceMetadata?: (request: IncomingMessage) => OAuthProtectedResourceMetadata;
  /** For the start banner: where callers come from. */
  description: string;
}

/**
 * Fails closed: with an issuer configured every request needs a token from it; without one the local
 * caller is served on loopback only, and a network bind refuses to start unless the operator passed the
 * loudly named flag. The OIDC libraries load only when an issuer is set.
 */
export async function httpIdentity(options: {
  host: string;
  localCaller: Caller;
  allowUnauthenticated: boolean;
  env: Record<string, string | undefined>;
  log: Logger;
}): Promise<HttpIdentity> {
  const config = oidcConfigFromEnv(options.env);
  const loopback = isLoopbackHost(options.host);
  if (!config) {
    if (!loopback && !options.allowUnauthenticated) {
      throw new ConfigError(
        `--host ${options.host} is not a loopback address and no identity provider is configured: set IDP_MCP_OIDC_ISSUER to your Keycloak realm (every caller then needs a token), or bind 127.0.0.1. --dangerously-allow-unauthenticated serves everyone on the network as --role ${options.localCaller.roles.join(',')}.`,
      );
    }
    if (!loopback) {
      options.log.warn('serving HTTP on a network address WITHOUT authentication', {
        host: options.host,
        role: options.localCaller.roles,
      });
    }
    const caller = options.localCaller;
    return { authenticate: async () => caller, description: `every caller is role ${caller.roles.join(',')}` };
  }
  if (!loopback && !config.resourceUrl) {
    throw new ConfigError(
      `IDP_MCP_RESOURCE_URL is not set: with --host ${options.host}, name the public URL clients use for this endpoint (e.g. https://mcp.example.com/mcp); tokens are issued for it`,
    );
  }
  const { createOidcResourceServer } = await import('./oidc.ts');
  const server = await createOidcResourceServer(config, options.log);
  return {
    authenticate: server.authenticate,
    protectedResourceMetadata: server.metadata,
    description: `callers need a token from ${server.issuer}`,
  };
}
