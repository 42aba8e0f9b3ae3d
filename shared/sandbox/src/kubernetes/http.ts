// The HTTP side of the fake API server: bearer-token auth, faults, discovery, and the group/version/namespace/resource
// router. Every request and response of a route the Kubernetes OpenAPI document describes is checked with SpecChecker.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { FaultQueue, type FaultSpec } from '../faults.ts';
import { FakeHttpError, type RecordedRequest, type Violation } from '../server.ts';
import type { Problem } from '../validation.ts';
import { type KubernetesApi, type Query, statusBody, statusError, type Target } from './api.ts';
import { openApiV3Document, openApiV3Index } from './openapi.ts';
import { apiGroup, apiGroupList, apiResourceList, findType, type ResourceType } from './resources.ts';
import type { KubernetesValidator } from './schema.ts';

export interface ServeOptions {
  api: KubernetesApi;
  validator: KubernetesValidator | undefined;
  token: string;
  port?: number;
  /** Serve HTTPS with this key and certificate (kubectl sends credentials only over TLS). */
  tls?: { key: string; cert: string };
}

export interface Served {
  url: string;
  requests: RecordedRequest[];
  violations: Violation[];
  failNext(fault: FaultSpec): void;
  reset(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  /** text/plain for logs; JSON otherwise. */
  text?: boolean;
  headers?: Record<string, string>;
}

const HIDDEN_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const STATUS_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:03:19Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export async function serve(options: ServeOptions): Promise<Served> {
  const { api, validator } = options;
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const faults = new FaultQueue();
  let port = 0;

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
    const method = (incoming.method ?? 'GET').toUpperCase();
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    const query = parseQuery(url.searchParams);
    const headers = headersOf(incoming);
    const text = await readBody(incoming);
    const operationId = validator?.operationFor(method, path);
    requests.push({
      method,
      path,
      query,
      headers: Object.fromEntries(Object.entries(headers).filter(([name]) => !HIDDEN_HEADERS.has(name))),
      body: parseBody(text, headers['content-type']),
      operationId,
    });
    const violate = (problems: Problem[]) => {
      for (const p of problems) violations.push({ fake: 'kubernetes', operationId, method, path, ...p });
    };
    const finish = (reply: Reply) => {
      // The document lists 401 without a body; the API server answers it with a Status like every other error.
      if (validator && operationId && reply.status !== 401) {
        const problems = validator.checker.checkResponse(
          operationId,
          { status: reply.status, headers: {}, body: reply.body },
          STATUS_REF,
        );
        if (problems.length > 0) {
          violate(problems);
          reply = { status: 500, body: statusBody(500, `fake bug: response violates the Kubernetes OpenAPI document`) };
        }
      }
      send(outgoing, reply);
    };

    const fault = faults.take(method, path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (outgoing.destroyed) return;
    if (fault?.status !== undefined) {
      const body = fault.body ?? statusBody(fault.status, faultMessage(fault.status, method, path));
      return finish({ status: fault.status, body, headers: fault.headers ?? {} });
    }
    if (headers.authorization !== `Bearer ${options.token}`) {
      return finish({ status: 401, body: statusBody(401, 'Unauthorized') });
    }
    if (validator && operationId) {
      const params = validator.pathParams(method, path);
      // Objects in bodies are judged by the API's own validation (a 422 for the client), not as fake violations.
      // Every request may carry `timeout` (client-go always sends it); the document declares it on no operation.
      const { timeout: _timeout, ...declared } = query;
      const problems = validator.checker
        .checkRequest(operationId, { params, query: declared, headers, body: undefined })
        .filter((p) => p.where !== 'request.body');
      if (problems.length > 0) {
        violate(problems);
        return finish({
          status: 400,
          body: statusBody(
            400,
            `request violates the Kubernetes OpenAPI document: ${problems.map((p) => `${p.where} ${p.message}`).join('; ')}`,
          ),
        });
      }
    }
    try {
      finish(await route(method, path, query, headers, text));
    } catch (error) {
      if (error instanceof FakeHttpError)
        return finish({ status: error.status, body: error.body, headers: error.headers });
      violations.push({
        fake: 'kubernetes',
        operationId,
        method,
        path,
        where: 'handler',
        message: `threw ${error instanceof Error ? error.stack : String(error)}`,
      });
      send(outgoing, { status: 500, body: statusBody(500, `fake bug: ${String(error)}`) });
    }

    async function route(
      method: string,
      path: string,
      query: Query,
      headers: Record<string, string>,
      text: string,
    ): Promise<Reply> {
      if (method === 'GET') {
        if (path === '/openapi/v3') return { status: 200, body: openApiV3Index() };
        if (path.startsWith('/openapi/v3/')) {
          const document = await openApiV3Document(path.slice('/openapi/v3/'.length));
          if (!document) throw notFoundPath();
          return { status: 200, body: document };
        }
        if (path === '/version') return { status: 200, body: VERSION_INFO };
        if (path === '/api') {
          return {
            status: 200,
            body: {
              kind: 'APIVersions',
              versions: ['v1'],
              serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
            },
          };
        }
        if (path === '/apis') return { status: 200, body: apiGroupList() };
        const groupMatch = /^\/apis\/([^/]+)$/.exec(path);
        if (groupMatch) {
          const group = apiGroup(groupMatch[1]!);
          if ((group.versions as unknown[]).length === 0) throw notFoundPath();
          return { status: 200, body: group };
        }
        const versionMatch = /^\/api\/(v1)$|^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
        if (versionMatch) {
          const list = versionMatch[1]
            ? apiResourceList('', 'v1')
            : apiResourceList(versionMatch[2]!, versionMatch[3]!);
          if (!list) throw notFoundPath();
          return { status: 200, body: list };
        }
      }
      const target = parseTarget(path);
      if (!target) {
        if (operationId) {
          violations.push({
            fake: 'kubernetes',
            operationId,
            method,
            path,
            where: 'route',
            message: `fake does not implement ${method} ${path}`,
          });
        }
        throw notFoundPath();
      }
      return dispatch(target, method, query, headers, text);
    }
  }

  function dispatch(
    target: Target,
    method: string,
    query: Query,
    headers: Record<string, string>,
    text: string,
  ): Reply {
    const { type, name, subresource } = target;
    const contentType = headers['content-type'] ?? 'application/json';
    if (subresource === 'log') {
      if (method !== 'GET' || type.kind !== 'Pod') throw methodNotAllowed();
      return { status: 200, body: api.logs(target, query), text: true };
    }
    if (subresource === 'scale') {
      if (!type.subresources.includes('scale')) throw notFoundPath();
      if (method === 'GET') return { status: 200, body: api.getScale(target) };
      if (method === 'PUT')
        return { status: 200, body: api.updateScale(target, decodeBody(text, contentType), undefined, query) };
      if (method === 'PATCH') return { status: 200, body: api.updateScale(target, text, contentType, query) };
      throw methodNotAllowed();
    }
    if (subresource === 'status') {
      if (!type.subresources.includes('status')) throw notFoundPath();
      if (method === 'GET') return { status: 200, body: api.get(target) };
      if (method === 'PUT') return { status: 200, body: api.updateStatus(target, text, undefined, query) };
      if (method === 'PATCH') return { status: 200, body: api.updateStatus(target, text, contentType, query) };
      throw methodNotAllowed();
    }
    if (subresource !== undefined) throw notFoundPath();
    if (name === undefined) {
      if (method === 'GET') {
        if (query.watch === 'true' || query.watch === '1') {
          throw statusError(405, 'watch is not implemented by this fake', 'MethodNotAllowed');
        }
        return { status: 200, body: api.list(target, query) };
      }
      if (method === 'POST') return { status: 201, body: api.create(target, decodeBody(text, contentType), query) };
      throw methodNotAllowed();
    }
    if (method === 'GET') return { status: 200, body: api.get(target) };
    if (method === 'PUT') return { status: 200, body: api.replace(target, decodeBody(text, contentType), query) };
    if (method === 'PATCH') {
      const { object, created } = api.patch(target, text, contentType, query);
      return { status: created ? 201 : 200, body: object };
    }
    if (method === 'DELETE') return { status: 200, body: api.delete(target, query, operationIdOf(method, target)) };
    throw methodNotAllowed();
  }

  function operationIdOf(method: string, target: Target): string | undefined {
    const { type, namespace, name } = target;
    const prefix = type.group ? `/apis/${type.group}/${type.version}` : '/api/v1';
    const path = `${prefix}${type.namespaced ? `/namespaces/${namespace}` : ''}/${type.plural}/${name}`;
    return validator?.operationFor(method, path);
  }

  const listener = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      violations.push({
        fake: 'kubernetes',
        operationId: undefined,
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        where: 'server',
        message: String(error),
      });
      if (!outgoing.headersSent) send(outgoing, { status: 500, body: statusBody(500, 'fake crashed') });
    });
  };
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    violations,
    failNext: (fault) => faults.add(fault),
    reset() {
      requests.length = 0;
      violations.length = 0;
      faults.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `/api/v1/namespaces/{ns}/pods/{name}/log` -> type Pod, namespace, name, subresource log. */
export function parseTarget(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    [group, version, rest] = ['', 'v1', parts.slice(2)];
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
  } else {
    return undefined;
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = findType(group, version, rest[2]!);
    if (type?.namespaced && rest.length <= 5) {
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
  }
  const type: ResourceType | undefined = findType(group, version, rest[0] ?? '');
  if (!type || rest.length > 3) return undefined;
  // A namespaced type listed across namespaces (`/api/v1/pods`) has no name segment.
  if (type.namespaced && rest.length > 1) return undefined;
  return { type, namespace: undefined, name: rest[1], subresource: rest[2] };
}

function notFoundPath(): FakeHttpError {
  return new FakeHttpError(404, statusBody(404, 'the server could not find the requested resource', 'NotFound', {}));
}

function methodNotAllowed(): FakeHttpError {
  return statusError(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed', {});
}

function faultMessage(status: number, method: string, path: string): string {
  if (status === 403) {
    return `forbidden: User "system:serviceaccount:platform:idp-mcp" cannot ${method.toLowerCase()} ${path}`;
  }
  if (status === 429) return 'Too many requests, please try again later.';
  if (status === 500) return 'Internal error occurred: etcdserver: request timed out';
  if (status === 503) return 'the server is currently unable to handle the request';
  return `fault injected: HTTP ${status}`;
}

function decodeBody(text: string, contentType: string): unknown {
  if (text === '') throw statusError(400, 'the request body is empty', 'BadRequest');
  try {
    return /yaml/.test(contentType) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw statusError(400, `error decoding the request body: ${(error as Error).message}`, 'BadRequest');
  }
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  try {
    return contentType && /yaml/.test(contentType) ? parseYaml(text) : JSON.parse(text);
  } catch {
    return text;
  }
}

function parseQuery(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

function headersOf(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(outgoing: ServerResponse, reply: Reply): void {
  if (outgoing.destroyed || outgoing.headersSent) return;
  const headers: Record<string, string> = {
    'cache-control': 'no-cache, private',
    ...Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  let payload: string;
  if (reply.text && typeof reply.body === 'string') {
    headers['content-type'] = 'text/plain';
    payload = reply.body;
  } else {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(reply.body);
  }
  outgoing.writeHead(reply.status, headers);
  outgoing.end(payload);
}
