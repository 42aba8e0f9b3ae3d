import { readFile } from 'node:fs/promises';
import {
  createJsonClient,
  type Logger,
  parseRetryAfter,
  registerSecret,
  ToolError,
  upstreamHttpError,
} from '@idp-mcp/core';
import nodeVault from 'node-vault';

/**
 * The only place that talks to Vault. node-vault (0.12) builds every request (paths, verbs such as LIST, the
 * X-Vault-Token and X-Vault-Namespace headers) and hands it to a `request-promise`-style function; we give it one
 * that sends through the core's upstream fetch, so Vault calls get our timeout, retries for idempotent calls,
 * Retry-After and cancellation instead of node-vault's default axios instance. node-vault's own `debug` output
 * (which prints request bodies, i.e. secret values) is switched off.
 */

export type VaultClient = nodeVault.client;

export interface VaultClientOptions {
  endpoint: string;
  token?: string;
  namespace?: string;
  timeoutMs?: number;
  log: Logger;
  fetch?: typeof fetch;
}

/** What node-vault passes to its request function: its own fields plus our per-call `requestOptions`. */
interface NodeVaultRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal;
}

const VAULT = 'Vault';

export function createVaultClient(options: VaultClientOptions): VaultClient {
  // node-vault hands over whole URIs (endpoint included), so the JSON client has no base of its own.
  const vault = createJsonClient({
    upstream: VAULT,
    log: options.log,
    baseUrl: '',
    headers: {},
    failure: (answer) => vaultHttpError(answer.method, answer.path, answer.status, answer.body, answer.retryAfter),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const request = async (req: NodeVaultRequest) => {
    const path = new URL(req.uri).pathname;
    options.log.debug('vault request', { method: req.method, path });
    const { status, body } = await vault.send(req.method, req.uri, {
      ...(req.headers ? { headers: req.headers } : {}),
      ...(req.json !== undefined && typeof req.json === 'object' ? { body: req.json } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
    return { statusCode: status, body, request: { path } };
  };
  // node-vault calls `defaults(rpDefaults)` on the request-promise module it is given and uses what it returns.
  const requestPromise = { defaults: () => request };
  return nodeVault({
    endpoint: options.endpoint,
    apiVersion: 'v1',
    ...(options.token ? { token: options.token } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    'request-promise': requestPromise,
    debug: () => {},
  });
}

/** A Vault HTTP error as a ToolError. Vault's `errors` are messages like "permission denied"; never values. */
export function vaultHttpError(
  method: string,
  path: string,
  status: number,
  body: unknown,
  retryAfter: string | undefined,
): ToolError {
  const errors = (body as { errors?: unknown })?.errors;
  const messages = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  const where = `${method} ${path.replace(/^\/v1/, '')}`;
  const message = messages.length > 0 ? `${where}: ${messages.join('; ')}` : `${where}: no such path or secret`;
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  const hint =
    status === 403
      ? 'the Vault token was rejected, or its policies do not allow this path: check VAULT_TOKEN / VAULT_K8S_ROLE, or read the policy with read_policy'
      : status === 503 && messages.some((m) => /sealed/i.test(m))
        ? 'Vault is sealed: an operator must unseal it'
        : undefined;
  return upstreamHttpError(VAULT, status, message, {
    method: method === 'LIST' ? 'GET' : method,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(hint ? { hint } : {}),
  });
}

/**
 * node-vault's own errors: argument checks (tv4) and ApiResponseError (only if a request bypasses our request
 * function). Vault errors from our request function are already ToolErrors and pass through unchanged.
 */
export function mapVaultError(error: unknown): ToolError | undefined {
  const response = (error as { response?: { statusCode?: number; body?: unknown } })?.response;
  if (typeof response?.statusCode === 'number') {
    return vaultHttpError('GET', '', response.statusCode, response.body, undefined);
  }
  return undefined;
}

/** Kubernetes auth: exchanges the pod's service-account token for a Vault token (node-vault keeps it). */
export async function kubernetesLogin(
  vault: VaultClient,
  options: { role: string; tokenPath: string; mountPath: string },
): Promise<void> {
  let jwt: string;
  try {
    jwt = (await readFile(options.tokenPath, 'utf8')).trim();
  } catch (error) {
    throw new ToolError(
      'unauthorized',
      `VAULT_K8S_TOKEN_PATH: cannot read the service-account token at ${options.tokenPath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { hint: 'run in a pod with a mounted service-account token, or set VAULT_TOKEN instead', retryable: false },
    );
  }
  registerSecret(jwt);
  const result = (await vault.kubernetesLogin({ role: options.role, jwt, mount_point: options.mountPath })) as {
    auth?: { client_token?: string };
  };
  registerSecret(result.auth?.client_token);
  if (!result.auth?.client_token) {
    throw new ToolError('unauthorized', `Vault Kubernetes login for role ${options.role} returned no token`, {
      retryable: false,
    });
  }
}

/** The result of a Vault call, or undefined when Vault answers 404 (Vault's way of saying "nothing there"). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ToolError && error.code === 'not_found') return undefined;
    throw error;
  }
}
