import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
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
  isJsonContentType,
  type McpServer,
  type OAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Caller } from './caller.ts';
import { ConfigError } from './config.ts';
import {
  capBatchResponse,
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  InflightLimiter,
  jsonNestsDeeperThan,
  MAX_JSON_DEPTH,
  Turns,
} from './http-limits.ts';
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
  /** Defaults to DEFAULT_HTTP_LIMITS, field by field. */
  limits?: Partial<HttpLimits>;
  /**
   * Whether callers prove who they are (tokens): per-caller limits then key on the caller's id. Without, every
   * caller is the one local caller, so they key on the remote address instead.
   */
  identifiedCallers?: boolean;
  ready: () => Promise<boolean>;
  log: Logger;
}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

/** /readyz asks the upstream; an upstream that does not answer in time is not ready. */
const READY_TIMEOUT_MS = 2000;

/**
 * Streamable HTTP on one /mcp endpoint for both protocol eras (2026-07-28 stateless, 2025-11-25 via
 * initialize, served statelessly), with /healthz and /readyz beside it. Host and Origin are checked
 * before anything else (DNS-rebinding protection), bodies are capped, and every limit in HttpLimits holds.
 * No request can throw out of the handler: whatever fails is logged and answered 500.
 */
export async function serveHttp(options: HttpServeOptions): Promise<RunningHttpServer> {
  const loopbackBind = isLoopbackHost(options.host);
  if (!loopbackBind && !options.allowedHosts?.length) {
    throw new ConfigError(
      `--host ${options.host} is not a loopback address: also pass --allowed-hosts with the host names clients use (DNS-rebinding protection)`,
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const validateHost = options.allowedHosts?.length
    ? hostHeaderValidation([...LOOPBACK, ...options.allowedHosts])
    : localhostHostValidation();
  const validateOrigin = options.allowedOrigins?.length
    ? originValidation(options.allowedOrigins)
    : localhostOriginValidation();
  const inflight = new InflightLimiter(limits.maxInflightPerCaller);
  const turns = new Turns(limits.maxConcurrentRequests);
  const limitKey = (caller: Caller, req: IncomingMessage) =>
    options.identifiedCallers ? `caller ${caller.id}` : `address ${req.socket.remoteAddress ?? 'unknown'}`;

  const handler = createMcpHandler((context) => {
    const caller = (context.authInfo?.extra as { caller?: Caller } | undefined)?.caller;
    if (!caller) throw new Error('request reached the MCP handler without an authenticated caller');
    return options.factory(caller);
  });
  const mcp = toNodeHandler(handler, { maxRequestBodySize: maxBodyBytes });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestPath(req.url);
    if (path === undefined) {
      return sendJson(res, 400, {
        error: 'the request target must be a path such as /mcp; absolute URLs and * are not served here',
      });
    }
    if (path === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz' && req.method === 'GET') {
      const ready = await withTimeout(options.ready(), READY_TIMEOUT_MS).catch(() => false);
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
    let caller: Caller;
    try {
      caller = await options.authenticate(req);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        res.setHeader('www-authenticate', error.challenge);
        return sendJson(res, error.status, { error: error.message });
      }
      options.log.error('authentication failed unexpectedly', { error: String(error) });
      return sendJson(res, 500, { error: 'authentication failed' });
    }
    (req as IncomingMessage & { auth?: AuthInfo }).auth = {
      token: '',
      clientId: caller.id,
      scopes: caller.roles,
      extra: { caller },
    };
    const release = inflight.acquire(limitKey(caller, req));
    if (!release) {
      res.setHeader('retry-after', '1');
      return sendJson(
        res,
        429,
        jsonRpcError(
          -32000,
          `this caller has ${limits.maxInflightPerCaller} requests in flight already, the limit (--max-inflight-per-caller): retry when one finishes`,
        ),
      );
    }
    let giveBack: (() => void) | undefined;
    try {
      const request =
        req.method === 'POST' && isJsonContentType(req.headers['content-type'] ?? null)
          ? await readJsonBody(req, res, maxBodyBytes, limits)
          : req;
      if (request === NO_BODY) return;
      giveBack = await turns.take();
      await mcp(request, res);
    } finally {
      giveBack?.();
      release();
    }
  }

  const server = createServer(
    {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both timeouts on this interval (30 s by default): keep it well under the timeouts.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        options.log.error('HTTP request failed unexpectedly; answered 500', { error: String(error) });
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, jsonRpcError(-32603, 'internal error: the request failed unexpectedly (logged)'));
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = limits.maxRequestsPerConnection;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;

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

/** The path of an origin-form request target (/mcp?x); undefined for anything else (absolute URLs, *, junk). */
function requestPath(target: string | undefined): string | undefined {
  if (!target?.startsWith('/')) return undefined;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

const NO_BODY = Symbol('answered already');

/**
 * Reads a JSON body under the byte, depth and batch limits; when it breaks one, answers the request (413, or
 * 400 with a JSON-RPC error as the SDK words its own) and returns NO_BODY. Otherwise returns the request again,
 * its body readable once more.
 */
async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  limits: HttpLimits,
): Promise<IncomingMessage | typeof NO_BODY> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        res.setHeader('connection', 'close');
        sendJson(res, 413, { error: `request body over the ${maxBytes}-byte limit` });
        return NO_BODY;
      }
      chunks.push(chunk);
    }
  } catch {
    // The client went away mid-body: nobody to answer.
    res.destroy();
    return NO_BODY;
  }
  const raw = Buffer.concat(chunks);
  const text = raw.toString('utf8');
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    sendJson(res, 400, jsonRpcError(-32700, `Parse error: JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
    return NO_BODY;
  }
  if (text.trimStart().startsWith('[')) {
    let messages = 0;
    try {
      messages = (JSON.parse(text) as unknown[]).length;
    } catch {
      // Not JSON after all: the SDK answers that with its parse error.
    }
    if (messages > limits.maxBatch) {
      sendJson(
        res,
        400,
        jsonRpcError(
          -32600,
          `Invalid Request: a JSON-RPC batch of ${messages} messages; the limit is ${limits.maxBatch} (--max-batch). Only protocol 2025-03-26 has batches: send one message per request`,
        ),
      );
      return NO_BODY;
    }
    capBatchResponse(res, limits.maxBatchResponseBytes);
  }
  // The SDK parses the body itself, as it would the original stream: handing it a parsed value instead would
  // make it serialize that again, which deep (but legitimate) arguments do not survive.
  return Object.assign(Readable.from([raw]), {
    headers: req.headers,
    method: req.method,
    url: req.url,
    auth: (req as IncomingMessage & { auth?: AuthInfo }).auth,
  }) as unknown as IncomingMessage;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function jsonRpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

/** MCP over stdin/stdout for one local caller. Both eras: the opening message picks one. */
export function serveStdioServer(factory: () => McpServer): { close(): Promise<void> } {
  return serveStdio(factory);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
