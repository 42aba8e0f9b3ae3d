// The generic fake: a real HTTP server on 127.0.0.1 that routes by operation, checks every request and response
// against the upstream's published spec, records what it received, and lets a test inject faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultQueue, type FaultSpec } from './faults.ts';
import { headersOf, lowerCaseKeys, parseQuery, readBody } from './http-io.ts';
import { Router, splitRoute } from './router.ts';
import type { OpenApiDocument } from './spec.ts';
import type { Problem, SpecChecker } from './validation.ts';

export interface FakeRequest {
  method: string;
  /** The path without the query string, as received (not decoded). */
  path: string;
  /** Path parameters of the matched route, decoded. */
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON, except a string with a `content-type` other than application/json, which is sent as it is. */
  body?: unknown;
}

export interface HandlerContext {
  request: FakeRequest;
  /** The operation the request was routed to (the route for routes outside the spec). */
  operationId: string;
  /** Where this fake listens, e.g. `http://127.0.0.1:41234`: for URLs in bodies and `Link` headers. */
  baseUrl: string;
}

export type Handler = (context: HandlerContext) => FakeResponse | Promise<FakeResponse>;

export interface FakeOperation {
  /** `METHOD /path/{param}` exactly as the spec names the operation's path. */
  route: string;
  handle: Handler;
  /** The route's last parameter may contain unencoded `/` (a file path, a ref), as the upstream accepts. */
  trailingSlashes?: boolean;
}

/** Thrown by a handler to answer an error; the fake turns it into the response. */
export class FakeHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export interface Violation {
  fake: string;
  operationId: string | undefined;
  method: string;
  path: string;
  /** `route`, `request.body`, `request.query`, `response.body`, `response.status`, `handler`, ... */
  where: string;
  message: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-cased, without credentials (authorization, cookie). */
  headers: Record<string, string>;
  body: unknown;
  operationId: string | undefined;
}

export interface OpenApiFakeOptions {
  /** Names the upstream in violations and errors, e.g. `github`. */
  name: string;
  /** The upstream's published description; required unless `validate` is false. */
  spec?: OpenApiDocument | Promise<OpenApiDocument>;
  /** Handlers by operationId. */
  operations: Record<string, FakeOperation>;
  /** Routes served by another host upstream (e.g. signed download URLs): outside the spec, so not checked. */
  outsideSpec?: Record<string, Handler>;
  /** Check requests and responses against `spec` (default true; tests always validate). */
  validate?: boolean;
  /** Returns the rejection for a request without valid credentials, or undefined to let it through. */
  authenticate?: (request: FakeRequest) => FakeResponse | undefined;
  /** Headers the upstream puts on every API response (rate limits, request ids); not on `outsideSpec` routes. */
  responseHeaders?: (request: FakeRequest, status: number) => Record<string, string>;
  /** The upstream's error body for a status, used for injected faults and the fake's own errors. */
  errorBody?: (status: number, message?: string) => unknown;
  /** Schema (`#/components/schemas/...`) of error bodies for statuses an operation does not list, e.g. 401 or 429. */
  errorSchemaRef?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface OpenApiFake {
  readonly name: string;
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly violations: Violation[];
  /** Makes the next matching request(s) fail or stall. */
  failNext(fault: FaultSpec): void;
  /** Compiles the validators of these operations (all when none is named) now rather than on first use. */
  warmUp(...operationIds: string[]): void;
  /** Clears requests, violations and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

const HIDDEN_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

export async function startOpenApiFake(options: OpenApiFakeOptions): Promise<OpenApiFake> {
  const validate = options.validate ?? true;
  const checker = validate ? await checkerFor(options) : undefined;
  const operations = new Router<{ operationId: string; handle: Handler; inSpec: boolean }>();
  for (const [operationId, operation] of Object.entries(options.operations)) {
    operations.add(operation.route, { operationId, handle: operation.handle, inSpec: true }, operation.trailingSlashes);
  }
  for (const [route, handle] of Object.entries(options.outsideSpec ?? {})) {
    operations.add(route, { operationId: route, handle, inSpec: false });
  }
  const errorBody = options.errorBody ?? ((status: number, message?: string) => ({ message: message ?? `${status}` }));
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const faults = new FaultQueue();
  let baseUrl = '';

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
    const method = (incoming.method ?? 'GET').toUpperCase();
    const request: FakeRequest = {
      method,
      path: url.pathname,
      params: {},
      query: parseQuery(url.searchParams),
      headers: headersOf(incoming),
      body: parseBody(await readBody(incoming)),
    };
    const match = operations.match(method, url.pathname);
    requests.push({
      method,
      path: request.path,
      query: request.query,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HIDDEN_HEADERS.has(name))),
      body: request.body,
      operationId: match?.value.operationId,
    });
    const violate = (problems: Problem[]) => {
      for (const p of problems) {
        violations.push({
          fake: options.name,
          operationId: match?.value.operationId,
          method,
          path: request.path,
          ...p,
        });
      }
    };
    const finish = (response: FakeResponse, checkAgainstSpec: boolean) => {
      const upstreamHeaders = match?.value.inSpec === false ? {} : options.responseHeaders?.(request, response.status);
      const headers = { ...upstreamHeaders, ...response.headers };
      if (checker && checkAgainstSpec && match?.value.inSpec) {
        const { operationId } = match.value;
        const checked = {
          status: response.status,
          headers: lowerCaseKeys(headers),
          body: response.body,
          accept: (request.headers.accept ?? '').split(',').map((type) => type.split(';')[0]!.trim()),
        };
        const problems = checkSafely(() => checker.checkResponse(operationId, checked, options.errorSchemaRef));
        if (problems.length > 0) {
          violate(problems);
          const message = `fake bug: response violates spec ${describe(match.value.operationId, problems)}`;
          return send(outgoing, { status: 500, headers, body: errorBody(500, message) });
        }
      }
      send(outgoing, { ...response, headers });
    };

    const fault = faults.take(method, request.path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (outgoing.destroyed) return;
    if (fault?.status !== undefined) {
      const body = fault.body ?? errorBody(fault.status);
      return finish({ status: fault.status, headers: fault.headers ?? {}, body }, true);
    }
    if (!match) {
      violate([{ where: 'route', message: `fake does not implement ${method} ${request.path}` }]);
      return finish({ status: 404, body: errorBody(404, 'Not Found') }, false);
    }
    request.params = match.params;
    const { operationId, inSpec } = match.value;
    if (inSpec) {
      const rejection = options.authenticate?.(request);
      if (rejection) return finish(rejection, true);
      const problems = checker ? checkSafely(() => checker.checkRequest(operationId, request)) : [];
      if (problems.length > 0) {
        violate(problems);
        const message = `fake: request violates the published spec: ${describe(operationId, problems)}`;
        return finish({ status: 400, body: errorBody(400, message) }, false);
      }
    }
    let response: FakeResponse;
    try {
      response = await match.value.handle({ request, operationId, baseUrl });
    } catch (error) {
      if (!(error instanceof FakeHttpError)) {
        violate([{ where: 'handler', message: `threw ${error instanceof Error ? error.stack : String(error)}` }]);
        return finish({ status: 500, body: errorBody(500, `fake bug: ${String(error)}`) }, false);
      }
      response = { status: error.status, headers: error.headers, body: error.body };
    }
    finish(response, true);
  }

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      violations.push({
        fake: options.name,
        operationId: undefined,
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        where: 'server',
        message: String(error),
      });
      if (!outgoing.headersSent) send(outgoing, { status: 500, body: errorBody(500, 'fake crashed') });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    name: options.name,
    url: baseUrl,
    requests,
    violations,
    failNext: (fault) => faults.add(fault),
    warmUp(...operationIds) {
      for (const operationId of operationIds.length > 0 ? operationIds : Object.keys(options.operations)) {
        checker?.warmUp(operationId);
      }
    },
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

async function checkerFor(options: OpenApiFakeOptions): Promise<SpecChecker> {
  if (!options.spec) throw new Error(`${options.name} fake: a spec is required unless validate is false`);
  // Ajv loads only when a fake validates: the sandbox (validate: false) starts without it.
  const { specChecker } = await import('./validation.ts');
  const checker = specChecker(await options.spec);
  for (const [operationId, operation] of Object.entries(options.operations)) {
    const [method, path] = splitRoute(operation.route);
    const inSpec = checker.operation(operationId);
    if (!inSpec || inSpec.method !== method || inSpec.path !== path) {
      const found = inSpec ? `${inSpec.method} ${inSpec.path}` : 'nothing';
      throw new Error(`${options.name} fake: ${operationId} is "${operation.route}" but the spec has ${found}`);
    }
  }
  return checker;
}

/** A spec the validator cannot use is reported like any other violation, with the operation it concerns. */
function checkSafely(check: () => Problem[]): Problem[] {
  try {
    return check();
  } catch (error) {
    return [{ where: 'spec', message: error instanceof Error ? error.message : String(error) }];
  }
}

function describe(operationId: string, problems: Problem[]): string {
  return `${operationId}: ${problems.map((p) => `${p.where} ${p.message}`).join('; ')}`;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(outgoing: ServerResponse, response: FakeResponse): void {
  if (outgoing.destroyed || outgoing.headersSent) return;
  const headers = lowerCaseKeys(response.headers ?? {});
  const contentType = headers['content-type'];
  let payload: string | undefined;
  if (response.body !== undefined) {
    if (typeof response.body === 'string' && contentType !== undefined && !contentType.startsWith('application/json')) {
      payload = response.body;
    } else {
      payload = JSON.stringify(response.body);
      headers['content-type'] = contentType ?? 'application/json; charset=utf-8';
    }
  }
  outgoing.writeHead(response.status, headers);
  outgoing.end(payload);
}
