import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  ConfigError,
  createUpstreamFetch,
  type Logger,
  registerSecret,
  ToolError,
  upstreamHttpError,
} from '@idp-mcp/core';
import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  createConfiguration,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type PromiseHttpLibrary,
  ResponseContext,
  ServerConfiguration,
  setHeaderMiddleware,
  type V1APIResource,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import { fetch as undiciFetch } from 'undici';

/**
 * The only place that talks to the Kubernetes API: kubeconfig loading (file, in-cluster, explicit context), one set of
 * @kubernetes/client-node clients per context, kind resolution through discovery, and error mapping.
 */

export interface KubeOptions {
  /** KUBECONFIG: one or more kubeconfig files separated by the OS path delimiter. */
  kubeconfig?: string | undefined;
  /** A kubeconfig as YAML text (the sandbox passes its fake's). */
  kubeconfigText?: string | undefined;
  /** Use the pod's service account (in-cluster). */
  inCluster?: boolean;
  /** The default context; the kubeconfig's current-context otherwise. */
  context?: string | undefined;
  timeoutMs: number;
  log: Logger;
}

/** A kind the cluster serves, resolved from discovery. */
export interface ResolvedKind {
  apiVersion: string;
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames: string[];
}

export interface ContextClients {
  name: string;
  server: string;
  defaultNamespace: string;
  objects: KubernetesObjectApi;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  apis: ApisApi;
}

/** What the request middleware applies to the calls made inside Kube.call: the signal, and for writes a raw body. */
interface CallScope {
  signal: AbortSignal;
  /** Sent as the request body instead of client-node's serialization (which drops fields its models lack). */
  body?: string;
  query?: Record<string, string>;
  /** The method of the last request sent, so a failure says whether repeating it is safe. */
  method?: string;
}

const scopes = new AsyncLocalStorage<CallScope>();
const DISCOVERY_TTL_MS = 5 * 60_000;

export class Kube {
  private readonly config: KubeConfig;
  private readonly clients = new Map<string, ContextClients>();
  private readonly discovery = new Map<string, { at: number; kinds: Promise<ResolvedKind[]> }>();
  private readonly httpApi;
  private readonly log: Logger;
  readonly defaultContext: string;

  constructor(options: KubeOptions) {
    this.log = options.log;
    this.httpApi = upstreamHttpLibrary(options);
    this.config = loadConfig(options);
    // Credentials inside the kubeconfig are secrets like any token variable: scrubbed from logs, errors and output.
    for (const user of this.config.users) {
      for (const value of [user.token, user.password, user.keyData]) registerSecret(value);
    }
    const context = options.context ?? this.config.getCurrentContext();
    if (!this.config.getContextObject(context)) {
      throw new ConfigError(
        `K8S_CONTEXT: the kubeconfig has no context ${JSON.stringify(context)}; it has ${this.contextNames().join(', ') || 'none'}`,
      );
    }
    this.defaultContext = context;
  }

  contextNames(): string[] {
    return this.config.getContexts().map((c) => c.name);
  }

  /** Contexts without credentials: name, cluster server, default namespace. */
  contexts(): Array<{ name: string; cluster: string; server: string; namespace: string; default: boolean }> {
    return this.config.getContexts().map((c) => ({
      name: c.name,
      cluster: c.cluster,
      server: this.config.getCluster(c.cluster)?.server ?? '',
      namespace: c.namespace ?? 'default',
      default: c.name === this.defaultContext,
    }));
  }

  /** The clients of a context (the default one when omitted). */
  context(name?: string): ContextClients {
    const contextName = name ?? this.defaultContext;
    const cached = this.clients.get(contextName);
    if (cached) return cached;
    const context = this.config.getContextObject(contextName);
    if (!context) {
      throw new ToolError('invalid_request', `context: no context ${JSON.stringify(contextName)} in the kubeconfig`, {
        hint: `use one of ${this.contextNames().join(', ')} (list_contexts shows them), or omit context for ${this.defaultContext}`,
      });
    }
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: this.config.clusters,
      users: this.config.users,
      contexts: this.config.contexts,
      currentContext: contextName,
    });
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ConfigError(`context ${contextName} names no cluster in the kubeconfig`);
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      httpApi: this.httpApi,
      authMethods: { default: kc },
      middleware: [setHeaderMiddleware('User-Agent', 'idp-mcp-kubernetes')],
      promiseMiddleware: [
        {
          pre: async (request) => {
            const scope = scopes.getStore();
            if (scope) {
              request.setSignal(scope.signal);
              // Only the write itself: client-node may first GET discovery documents inside the same call.
              if (scope.body !== undefined && request.getHttpMethod() !== 'GET') {
                request.setBody(scope.body);
                for (const [key, value] of Object.entries(scope.query ?? {})) request.setQueryParam(key, value);
              }
            }
            return request;
          },
          post: async (response) => response,
        },
      ],
    });
    const clients: ContextClients = {
      name: contextName,
      server: cluster.server,
      defaultNamespace: context.namespace ?? 'default',
      objects: new KubernetesObjectApi(configuration),
      core: new CoreV1Api(configuration),
      apps: new AppsV1Api(configuration),
      custom: new CustomObjectsApi(configuration),
      apis: new ApisApi(configuration),
    };
    this.clients.set(contextName, clients);
    return clients;
  }

  /**
   * Runs upstream calls with the caller's signal and the per-call timeout. `write` sends a body exactly as given
   * (with query parameters client-node does not offer, e.g. fieldValidation) on the single request `work` makes.
   */
  async call<T>(
    signal: AbortSignal,
    context: string | undefined,
    work: (clients: ContextClients) => Promise<T>,
    write?: { body: string; query?: Record<string, string> },
  ): Promise<T> {
    const clients = this.context(context);
    const scope: CallScope = { signal, ...(write ?? {}) };
    try {
      return await scopes.run(scope, () => work(clients));
    } catch (error) {
      // Mapped here, where the method is known: a failed write is not safe to repeat blindly.
      if (error instanceof ApiException) throw mapKubeError(error, scope.method) ?? error;
      throw error;
    }
  }

  /**
   * One page of a list. Core kinds go through KubernetesObjectApi; other groups through CustomObjectsApi, because
   * client-node deserializes a custom resource list's metadata as ObjectMeta and so loses its `continue` token.
   */
  list(
    signal: AbortSignal,
    context: string | undefined,
    kind: ResolvedKind,
    options: {
      namespace?: string | undefined;
      labelSelector?: string | undefined;
      fieldSelector?: string | undefined;
      limit: number;
      continue?: string | undefined;
    },
  ): Promise<{ items: Array<Record<string, unknown>>; continue?: string; remaining?: number }> {
    const namespace = kind.namespaced ? options.namespace : undefined;
    return this.call(signal, context, async (clients) => {
      const page = {
        ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
        ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
        limit: options.limit,
        ...(options.continue ? { _continue: options.continue } : {}),
      };
      const where = { group: kind.group, version: kind.version, plural: kind.plural };
      const raw: unknown =
        kind.group === ''
          ? await clients.objects.list(
              kind.apiVersion,
              kind.kind,
              namespace,
              undefined,
              undefined,
              undefined,
              options.fieldSelector,
              options.labelSelector,
              options.limit,
              options.continue,
            )
          : namespace
            ? await clients.custom.listNamespacedCustomObject({ ...where, namespace, ...page })
            : await clients.custom.listClusterCustomObject({ ...where, ...page });
      const list = JSON.parse(JSON.stringify(raw)) as {
        items?: Array<Record<string, unknown>>;
        metadata?: { continue?: string; _continue?: string; remainingItemCount?: number };
      };
      const token = list.metadata?.continue ?? list.metadata?._continue;
      return {
        items: (list.items ?? []).map((item) => ({ ...item, apiVersion: kind.apiVersion, kind: kind.kind })),
        ...(token ? { continue: token } : {}),
        ...(list.metadata?.remainingItemCount !== undefined ? { remaining: list.metadata.remainingItemCount } : {}),
      };
    });
  }

  /** Every kind the context's cluster serves (preferred versions), from discovery; cached for five minutes. */
  kinds(signal: AbortSignal, context?: string): Promise<ResolvedKind[]> {
    const name = context ?? this.defaultContext;
    const cached = this.discovery.get(name);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.kinds;
    const kinds = this.call(signal, name, async (clients) => {
      const [core, groups] = await Promise.all([clients.core.getAPIResources(), clients.apis.getAPIVersions()]);
      // An aggregated API that is down (metrics.k8s.io answering 503) or a group the credential may not discover
      // must not take every other kind with it: such groups are left out and logged.
      const lists = await Promise.allSettled(
        groups.groups.map(async (group) => {
          const version = group.preferredVersion?.version ?? group.versions[0]?.version;
          if (!version) return [];
          const list = await clients.custom.getAPIResources({ group: group.name, version });
          return list.resources.map((r) => toKind(r, group.name, version));
        }),
      );
      const served = lists.flatMap((result, index) => {
        if (result.status === 'fulfilled') return result.value;
        this.log.warn('discovery of an API group failed; its kinds are left out', {
          group: groups.groups[index]?.name,
          error: result.reason instanceof Error ? result.reason.message.split('\n')[0] : String(result.reason),
        });
        return [];
      });
      return [...core.resources.map((r) => toKind(r, '', 'v1')), ...served].filter(
        (k): k is ResolvedKind => k !== undefined,
      );
    });
    this.discovery.set(name, { at: Date.now(), kinds });
    kinds.catch(() => this.discovery.delete(name));
    return kinds;
  }

  /** Resolves what a model calls a kind: `Deployment`, `deployments`, `deploy`, `deployments.apps`, `HelmRelease`. */
  async resolve(
    signal: AbortSignal,
    context: string | undefined,
    kind: string,
    apiVersion?: string,
  ): Promise<ResolvedKind> {
    const kinds = await this.kinds(signal, context);
    const wanted = kind.trim().toLowerCase();
    const [base, ...groupParts] = wanted.split('.');
    const group = groupParts.join('.');
    const matches = kinds.filter((k) => {
      if (apiVersion && k.apiVersion !== apiVersion) return false;
      if (group && k.group !== group) return false;
      const name = group ? base : wanted;
      return k.kind.toLowerCase() === name || k.plural === name || k.shortNames.includes(name ?? '');
    });
    if (matches.length === 0 && apiVersion) {
      // A version the cluster serves but does not prefer: resolve the kind and keep the requested version.
      const any = await this.resolve(signal, context, kind).catch(() => undefined);
      if (any && apiVersion.startsWith(any.group ? `${any.group}/` : 'v')) {
        const version = apiVersion.split('/').at(-1)!;
        return { ...any, apiVersion, version };
      }
    }
    const [first] = matches;
    if (!first) {
      const close = kinds
        .filter((k) => k.kind.toLowerCase().includes(base ?? '') || (base ?? '').includes(k.kind.toLowerCase()))
        .slice(0, 5)
        .map((k) => k.kind);
      throw new ToolError('invalid_request', `kind: the cluster serves no kind ${JSON.stringify(kind)}`, {
        hint: `${close.length ? `did you mean ${close.join(', ')}? ` : ''}list_api_resources shows every kind the cluster serves`,
      });
    }
    // Core and the well-known groups win over a CRD that reuses a kind name.
    return matches.find((k) => k.group === '') ?? first;
  }
}

function toKind(resource: V1APIResource, group: string, version: string): ResolvedKind | undefined {
  if (resource.name.includes('/')) return undefined;
  return {
    apiVersion: group ? `${group}/${version}` : version,
    group,
    version,
    kind: resource.kind,
    plural: resource.name,
    namespaced: resource.namespaced,
    shortNames: resource.shortNames ?? [],
  };
}

/**
 * client-node's transport, with the core's upstream fetch in the middle: per-attempt timeout, retries with backoff
 * for idempotent calls, Retry-After, cancellation. client-node's own undici carries its TLS settings (dispatcher).
 */
function upstreamHttpLibrary(options: KubeOptions) {
  const upstreamFetch = createUpstreamFetch({
    upstream: 'Kubernetes',
    log: options.log,
    timeoutMs: options.timeoutMs,
    fetch: undiciFetch as unknown as typeof fetch,
  });
  const library: PromiseHttpLibrary = {
    async send(request) {
      const method = request.getHttpMethod().toString();
      const scope = scopes.getStore();
      if (scope) scope.method = method;
      const response = await upstreamFetch(request.getUrl(), {
        method,
        body: request.getBody() as string | undefined,
        headers: request.getHeaders(),
        signal: request.getSignal() ?? null,
        dispatcher: request.getDispatcher(),
      } as RequestInit);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return new ResponseContext(response.status, headers, {
        text: () => response.text(),
        binary: async () => Buffer.from(await response.arrayBuffer()),
        stream: () => response.body,
      });
    },
  };
  return wrapHttpLibrary(library);
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function loadConfig(options: KubeOptions): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfigText) {
    kc.loadFromString(options.kubeconfigText);
    return kc;
  }
  if (options.inCluster) {
    if (!existsSync(SERVICE_ACCOUNT_TOKEN)) {
      throw new ConfigError(
        `K8S_IN_CLUSTER is true but ${SERVICE_ACCOUNT_TOKEN} does not exist: run in a pod or set KUBECONFIG`,
      );
    }
    kc.loadFromCluster();
    return kc;
  }
  const files = (options.kubeconfig ?? '').split(delimiter).filter(Boolean);
  if (files.length === 0) {
    const fallback = join(homedir(), '.kube', 'config');
    if (existsSync(fallback)) files.push(fallback);
    else if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
      kc.loadFromCluster();
      return kc;
    }
  }
  if (files.length === 0) {
    throw new ConfigError(
      'kubernetes: no cluster configured: set KUBECONFIG to a kubeconfig file, set K8S_IN_CLUSTER=true in a pod, or run with --sandbox',
    );
  }
  for (const [index, file] of files.entries()) {
    if (!existsSync(file)) throw new ConfigError(`KUBECONFIG: ${file} does not exist`);
    try {
      if (index === 0) kc.loadFromFile(file);
      else {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
        // As kubectl: the first file that sets a current-context decides it.
        if (!kc.currentContext && more.currentContext) kc.setCurrentContext(more.currentContext);
      }
    } catch (error) {
      throw new ConfigError(`KUBECONFIG: ${file} is not a valid kubeconfig: ${(error as Error).message}`);
    }
  }
  return kc;
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ reason?: string; message?: string; field?: string }>; retryAfterSeconds?: number };
}

function statusOf(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return (body ?? {}) as StatusBody;
}

/** client-node's ApiException (a Status body) and network failures as ToolErrors. */
export function mapKubeError(error: unknown, method = 'GET'): ToolError | undefined {
  if (error instanceof ToolError) return error;
  if (error instanceof ApiException) {
    const status = statusOf(error.body);
    const code = error.code;
    const message = status.message ?? `HTTP ${code}`;
    const causes = status.details?.causes ?? [];
    const retryAfter = error.headers?.['retry-after'];
    const base = upstreamHttpError('Kubernetes', code, message, {
      method,
      ...(retryAfter && /^\d+$/.test(retryAfter) ? { retryAfterSeconds: Number(retryAfter) } : {}),
      ...(code === 409 && causes.some((c) => c.reason === 'FieldManagerConflict')
        ? {
            hint: 'another field manager owns these fields: set force_conflicts to take them over, or leave them out of the manifest',
          }
        : code === 422 || code === 400
          ? { hint: 'fix the fields named in the message and call again' }
          : {}),
    });
    if (causes.length === 0) return base;
    return new ToolError(base.code, base.message, {
      retryable: base.retryable,
      ...(base.hint ? { hint: base.hint } : {}),
      ...(base.retryAfterSeconds !== undefined ? { retryAfterSeconds: base.retryAfterSeconds } : {}),
      upstream: 'Kubernetes',
      status: code,
      details: { reason: status.reason, causes },
    });
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') {
      return new ToolError('timeout', 'the Kubernetes API call was cancelled or timed out', {
        upstream: 'Kubernetes',
        retryable: true,
      });
    }
    if (error.message === 'fetch failed' || cause?.code) {
      return new ToolError(
        'upstream_unavailable',
        `the Kubernetes API could not be reached: ${cause?.code ?? cause?.message ?? error.message}`,
        {
          upstream: 'Kubernetes',
          retryable: true,
          hint: 'check the cluster address in the kubeconfig and the network',
        },
      );
    }
  }
  return undefined;
}

export type { KubernetesObject };
