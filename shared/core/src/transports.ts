import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  hostHeaderValidation,
  localhostHostValidation,
  localhostOriginValidation,
  originValidation,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import {
  type AuthInfo,
  createMcpHandler,
  type McpServer,
  type OAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Caller } from './caller.ts';
import { ConfigError } from './config.ts';
import type { Logger } from './log.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** A bind address or URL host name on this machine only ('[::1]' is how a URL spells ::1). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host === '[::1]';
}

/** Decides who sent an HTTP request; throws AuthenticationError for a missing or bad credential. */
export type Authenticate = (request: IncomingMessage) => Promise<Caller>;

export class AuthenticationError extends Error {
  /** 401 for a missing or bad token, 403 for a valid one that may not use this server. */
  readonly status: number;
  /** The WWW-Authenticate value (RFC 6750 / RFC 9728) sent with the refusal. */
  readonly challenge: string;
  constructor(message: string, options: { status?: number; challenge?: string } = {}) {
    super(message);
    this.name = 'AuthenticationError';
    this.status = options.status ?? 401;
    this.challenge = options.challenge ?? 'Bearer';
  }
}

/**
 * RFC 9728 metadata: the root form, and the form suffixed with the resource's path (/mcp here, or the public
 * path behind an ingress). One server is one resource, so every suffix gets the same document.
 */
const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

export interface HttpServeOptions {
  /** Builds the server one caller sees; called per request. */
  factory: (caller: Caller) => McpServer;
  authenticate: Authenticate;
  /** Served at /.well-known/oauth-protected-resource[/mcp] when callers authenticate with OAuth. */
  protectedResourceMetadata?: (request: IncomingMessage) => OAuthProtectedResourceMetadata;
  host: string;
  port: number;
  /** Host header names accepted besides loopback ones; required when binding a non-loopback address. */
  allowedHosts?: string[];
  /** Browser origins accepted; loopback origins only when absent. */
  allowedOrigins?: string[];
  maxBodyBytes?: number;
  ready: () => Promise<boolean>;
  log: Logger;
}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP on one /mcp endpoint for both protocol eras (2026-07-28 stateless, 2025-11-25 via
 * initialize, served statelessly), with /healthz and /readyz beside it. Host and Origin are checked
 * before anything else (DNS-rebinding protection) and bodies are capped.
 */
export async function serveHttp(options: HttpServeOptions): Promise<RunningHttpServer> {
  const loopbackBind = isLoopbackHost(options.host);
  if (!loopbackBind && !options.allowedHosts?.length) {
    throw new ConfigError(
      `--host ${options.host} is not a loopback address: also pass --allowed-hosts with the host names clients use (DNS-rebinding protection)`,
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const validateHost = options.allowedHosts?.length
    ? hostHeaderValidation([...LOOPBACK, ...options.allowedHosts])
    : localhostHostValidation();
  const validateOrigin = options.allowedOrigins?.length
    ? originValidation(options.allowedOrigins)
    : localhostOriginValidation();

  const handler = createMcpHandler((context) => {
    const caller = (context.authInfo?.extra as { caller?: Caller } | undefined)?.caller;
    if (!caller) throw new Error('request reached the MCP handler without an authenticated caller');
    return options.factory(caller);
  });
  const mcp = toNodeHandler(handler, { maxRequestBodySize: maxBodyBytes });

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz' && req.method === 'GET') {
      const ready = await options.ready().catch(() => false);
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'upstream not ready' });
    }
    const metadataPath = path === PROTECTED_RESOURCE_PATH || path.startsWith(`${PROTECTED_RESOURCE_PATH}/`);
    if (options.protectedResourceMetadata && metadataPath && req.method === 'GET') {
      if (!validateHost(req, res)) return;
      res.setHeader('access-control-allow-origin', '*');
      return sendJson(res, 200, options.protectedResourceMetadata(req));
    }
    if (path !== '/mcp') return sendJson(res, 404, { error: 'not found: the MCP endpoint is /mcp' });
    if (!validateHost(req, res) || !validateOrigin(req, res)) return;
    const declaredLength = Number(req.headers['content-length'] ?? 0);
    if (declaredLength > maxBodyBytes) {
      return sendJson(res, 413, { error: `request body over the ${maxBodyBytes}-byte limit` });
    }
    try {
      const caller = await options.authenticate(req);
      (req as IncomingMessage & { auth?: AuthInfo }).auth = {
        token: '',
        clientId: caller.id,
        scopes: caller.roles,
        extra: { caller },
      };
    } catch (error) {
      if (error instanceof AuthenticationError) {
        res.setHeader('www-authenticate', error.challenge);
        return sendJson(res, error.status, { error: error.message });
      }
      options.log.error('authentication failed unexpectedly', { error: String(error) });
      return sendJson(res, 500, { error: 'authentication failed' });
    }
    await mcp(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}/mcp`,
    close: async () => {
      await handler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

/** MCP over stdin/stdout for one local caller. Both eras: the opening message picks one. */
export function serveStdioServer(factory: () => McpServer): { close(): Promise<void> } {
  return serveStdio(factory);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
