import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { ToolError } from '@idp-mcp/core';
import {
  type Checker,
  type ClusterObjects,
  detectDomain,
  type GatekeeperReview,
  validateDocuments,
  validateText,
} from '@idp-mcp/policy';

/** Largest AdmissionReview accepted (the API server's own request limit is about 3 MiB). */
export const MAX_REVIEW_BYTES = 3 * 1024 * 1024;
/** The API server may truncate longer warnings. */
const MAX_WARNING_CHARS = 256;

interface AdmissionRequest {
  uid: string;
  operation?: GatekeeperReview['operation'];
  namespace?: string;
  object?: unknown;
  oldObject?: unknown;
  userInfo?: GatekeeperReview['userInfo'];
  dryRun?: boolean;
}

/**
 * The admission webhook: `admission.k8s.io/v1` AdmissionReview in, the same with a response out. Deny
 * violations refuse the object (403 with every message); warnings go back as AdmissionReview warnings.
 */
export function admissionResponse(
  checker: Checker,
  review: unknown,
  cluster?: () => ClusterObjects | undefined,
): unknown {
  const request = parseReview(review);
  const response = (fields: Record<string, unknown>) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: request.uid, ...fields },
  });
  const object = request.object;
  if (request.operation === 'DELETE' || object === null || object === undefined) return response({ allowed: true });
  // Pods and ReplicaSets a controller creates were checked as part of their Deployment, Job, ...
  if (controlledBy(object)) return response({ allowed: true });
  // An object being deleted only loses finalizers: refusing that update would block its deletion.
  if ((object as { metadata?: { deletionTimestamp?: unknown } }).metadata?.deletionTimestamp) {
    return response({ allowed: true });
  }
  const domain = detectDomain(object) ?? 'kubernetes';
  const result = validateDocuments(checker, [object], {
    domain,
    ...(request.namespace ? { context: { namespace: request.namespace, tool: 'admission-webhook' } } : {}),
    review: gatekeeperReview(request, cluster?.()),
  });
  const warnings = result.warnings.map((w) => clip(`[${w.rule}] ${w.message}`));
  for (const w of result.waived)
    warnings.push(clip(`[${w.rule}] waived until ${w.waiver?.expires}: ${w.waiver?.reason}`));
  if (result.allowed) return response({ allowed: true, ...(warnings.length ? { warnings } : {}) });
  const lines = result.violations.map((v) => `[${v.rule}] ${v.field ? `${v.field}: ` : ''}${v.message}`);
  return response({
    allowed: false,
    status: {
      code: 403,
      reason: 'Forbidden',
      message: `denied by the ${domain} policies (${lines.length} violation(s)):\n${lines.join('\n')}`,
    },
    ...(warnings.length ? { warnings } : {}),
  });
}

/** What Gatekeeper templates see of the request: operation, the old object of an UPDATE, the user, the namespace. */
function gatekeeperReview(request: AdmissionRequest, cluster: ClusterObjects | undefined): GatekeeperReview {
  return {
    enforcementPoint: 'validation.gatekeeper.sh',
    uid: request.uid,
    ...(request.operation ? { operation: request.operation } : {}),
    ...(request.oldObject ? { oldObjects: [request.oldObject] } : {}),
    ...(request.userInfo ? { userInfo: request.userInfo } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(request.dryRun !== undefined ? { dryRun: request.dryRun } : {}),
    ...(cluster ? { cluster } : {}),
  };
}

function controlledBy(object: unknown): boolean {
  const owners = (object as { metadata?: { ownerReferences?: Array<{ controller?: boolean }> } }).metadata
    ?.ownerReferences;
  return Array.isArray(owners) && owners.some((owner) => owner.controller === true);
}

function clip(text: string): string {
  return text.length > MAX_WARNING_CHARS ? `${text.slice(0, MAX_WARNING_CHARS - 1)}…` : text;
}

function parseReview(review: unknown): AdmissionRequest {
  const body = review as { apiVersion?: unknown; kind?: unknown; request?: Partial<AdmissionRequest> } | null;
  if (!body || typeof body !== 'object' || body.kind !== 'AdmissionReview') {
    throw new ToolError('invalid_request', 'body: not an AdmissionReview (kind must be AdmissionReview)', {
      hint: 'send admission.k8s.io/v1 AdmissionReview JSON, as the API server does',
    });
  }
  if (body.apiVersion !== 'admission.k8s.io/v1') {
    throw new ToolError('invalid_request', `apiVersion: ${JSON.stringify(body.apiVersion)} is not supported`, {
      hint: 'set admissionReviewVersions: ["v1"] in the ValidatingWebhookConfiguration',
    });
  }
  if (!body.request || typeof body.request.uid !== 'string' || body.request.uid === '') {
    throw new ToolError('invalid_request', 'request.uid: missing', { hint: 'an AdmissionReview request needs a uid' });
  }
  return body.request as AdmissionRequest;
}

export interface WebhookOptions {
  cert: string | Buffer;
  key: string | Buffer;
  log?: (line: string) => void;
}

/** The HTTPS server: POST /validate (and /webhook/validate) for AdmissionReviews, POST /v1/validate for plain config, GET /healthz. */
export function createWebhookServer(checker: Checker, options: WebhookOptions): Server {
  return createServer({ cert: options.cert, key: options.key }, (req, res) => {
    handle(checker, req, res).catch((error: unknown) => {
      options.log?.(`webhook error: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, 500, { error: 'internal error; the webhook log has the details' });
    });
  });
}

const ROUTES = ['/validate', '/webhook/validate', '/v1/validate'];

async function handle(checker: Checker, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'https://webhook').pathname;
  if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return send(res, 200, { ok: true });
  if (!ROUTES.includes(path)) return send(res, 404, { error: `no route ${path}; POST ${ROUTES.join(' or ')}` });
  if (req.method !== 'POST') return send(res, 405, { error: `POST ${path} with a JSON body` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REVIEW_BYTES) return send(res, 413, { error: `body over ${MAX_REVIEW_BYTES} bytes` });
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    return send(res, 400, { error: `body: not JSON (${(error as Error).message})` });
  }
  try {
    if (path === '/v1/validate') return send(res, 200, await validateRequest(checker, body));
    return send(res, 200, admissionResponse(checker, body));
  } catch (error) {
    if (error instanceof ToolError) return send(res, 400, { error: error.message, hint: error.hint });
    throw error;
  }
}

/**
 * POST /v1/validate, for callers that are not the API server (a Backstage scaffolder step checking the
 * generated files before it commits them): {config, domain?, filename?, environment?} -> the validation.
 */
async function validateRequest(checker: Checker, body: unknown) {
  const request = (body ?? {}) as Record<string, unknown>;
  if (typeof request.config !== 'string' || request.config === '') {
    throw new ToolError('invalid_request', 'config: missing; send {"config": "<YAML, JSON or HCL text>"}', {
      hint: 'optional fields: domain, filename, environment',
    });
  }
  const { format: _format, ...result } = await validateText(checker, request.config, {
    ...(typeof request.domain === 'string' ? { domain: request.domain } : {}),
    ...(typeof request.filename === 'string' ? { filename: request.filename } : {}),
    ...(typeof request.environment === 'string' ? { context: { environment: request.environment } } : {}),
  });
  return result;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Serves renewed certificates without a restart: cert-manager rewrites the Secret volume before the old
 * certificate expires; the server picks the new pair up within `intervalMs`. A pair that does not load is
 * logged and the current one kept. Returns the function that stops watching.
 */
export function reloadCertificates(
  server: Server,
  files: { cert: string; key: string },
  intervalMs: number,
  log: (line: string) => void,
): () => void {
  const reload = () => {
    try {
      server.setSecureContext({ cert: readFileSync(files.cert), key: readFileSync(files.key) });
      log(`webhook: reloaded the TLS certificate from ${files.cert}`);
    } catch (error) {
      log(`webhook: kept the current TLS certificate; ${files.cert} did not load: ${(error as Error).message}`);
    }
  };
  watchFile(files.cert, { interval: intervalMs }, reload);
  return () => unwatchFile(files.cert, reload);
}
