import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { type StreamResponse, type Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import {
  type PushNotificationSender,
  type PushNotificationStore,
  resolveUserScope,
  type ServerCallContext,
  type StoredPushNotificationConfig,
  V1PushNotificationSerializer,
} from '@a2a-js/sdk/server';
import { type Logger, redactText } from '@idp-mcp/core';
import type { A2aTaskStore, Json, TaskScope } from '@idp-mcp/store';

/**
 * Push notifications go only to public addresses: a caller must not make the supervisor, which sits inside the
 * platform's network, POST to the cluster, the cloud's metadata endpoint or itself (SSRF). The URL is checked when
 * a config is registered and again when each notification is sent, on the address actually connected to (a name
 * that resolves elsewhere later is caught). Hosts in A2A_PUSH_ALLOWED_HOSTS (an operator's own receivers) are
 * exempt and may use plain http.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
  const family = isIP(bare);
  if (family === 0) return true;
  return INTERNAL.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

export class PushGuard {
  readonly #allowed: Set<string>;
  constructor(allowedHosts: readonly string[] = []) {
    this.#allowed = new Set(allowedHosts.map((host) => host.toLowerCase()));
  }

  static fromEnv(env: Record<string, string | undefined>): PushGuard {
    return new PushGuard(
      (env.A2A_PUSH_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((host) => host.trim())
        .filter(Boolean),
    );
  }

  #exempt(url: URL): boolean {
    return this.#allowed.has(url.hostname.replace(/^\[|\]$/g, '').toLowerCase());
  }

  /** The URL, or a clear refusal naming the field and the fix. */
  async check(text: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new RequestMalformedError(`url: ${JSON.stringify(text)} is not a URL; give the https URL of your receiver`);
    }
    if (url.username || url.password) {
      throw new RequestMalformedError('url: must not carry credentials; put them in authentication');
    }
    if (this.#exempt(url)) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new RequestMalformedError('url: must be http or https');
      }
      return url;
    }
    if (url.protocol !== 'https:') throw new RequestMalformedError('url: must use https');
    const addresses = await resolveAll(url.hostname);
    const internal = addresses.find(isInternalAddress);
    if (addresses.length === 0 || internal !== undefined) {
      throw new RequestMalformedError(
        `url: ${url.hostname} ${addresses.length === 0 ? 'does not resolve' : `is an internal address (${internal})`}; push notifications go only to public receivers (an operator can allow a host with A2A_PUSH_ALLOWED_HOSTS)`,
      );
    }
    return url;
  }

  /** Resolves as dns.lookup does, refusing internal addresses unless the host is exempt. */
  lookupFor(url: URL): LookupFunction {
    const exempt = this.#exempt(url);
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const bad = exempt ? undefined : addresses.find((entry) => isInternalAddress(entry.address));
        if (bad || addresses.length === 0) {
          return callback(new Error(`${hostname} resolves to an internal address; not sent`), '', 0);
        }
        if ((options as { all?: boolean }).all)
          return (callback as never as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
  }
}

function resolveAll(hostname: string): Promise<string[]> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return Promise.resolve([bare]);
  return new Promise((resolve) =>
    dnsLookup(bare, { all: true }, (error, addresses) => resolve(error ? [] : addresses.map((entry) => entry.address))),
  );
}

const scopeOf = (context: ServerCallContext): TaskScope => ({
  tenant: context.tenant ?? '',
  owner: resolveUserScope(context),
});

/** Push configs in the platform's database, per caller; every URL passes the guard before it is kept. */
export class DurablePushStore implements PushNotificationStore {
  readonly #store: A2aTaskStore;
  readonly #guard: PushGuard;
  constructor(store: A2aTaskStore, guard: PushGuard) {
    this.#store = store;
    this.#guard = guard;
  }

  async save(taskId: string, context: ServerCallContext, config: TaskPushNotificationConfig): Promise<void> {
    await this.#guard.check(config.url);
    if (!config.id) config.id = randomUUID();
    await this.#store.savePushConfig(scopeOf(context), taskId, config.id, {
      config: TaskPushNotificationConfig.toJSON({ ...config, taskId }) as Json,
      wireVersion: '1.0',
    });
  }

  async load(taskId: string, context: ServerCallContext): Promise<TaskPushNotificationConfig[]> {
    return (await this.loadWithMetadata(taskId, context)).map((stored) => stored.config);
  }

  async loadWithMetadata(taskId: string, context: ServerCallContext): Promise<StoredPushNotificationConfig[]> {
    return (await this.#store.loadPushConfigs(scopeOf(context), taskId)).map((stored) => ({
      config: TaskPushNotificationConfig.fromJSON(stored.config),
      wireVersion: stored.wireVersion,
    }));
  }

  async delete(taskId: string, context: ServerCallContext, configId?: string): Promise<void> {
    await this.#store.deletePushConfig(scopeOf(context), taskId, configId);
  }
}

/**
 * Sends each task event to the task's receivers, in order per task, authenticated as the receiver asked
 * (`authentication`: an Authorization header; the legacy `token`: X-A2A-Notification-Token), each to a checked
 * address. A failed delivery is logged (without credentials) and does not hold the task up.
 */
export class GuardedPushSender implements PushNotificationSender {
  readonly #store: DurablePushStore;
  readonly #guard: PushGuard;
  readonly #log: Logger;
  readonly #serializer = new V1PushNotificationSerializer();
  readonly #chains = new Map<string, Promise<void>>();

  constructor(store: DurablePushStore, guard: PushGuard, log: Logger) {
    this.#store = store;
    this.#guard = guard;
    this.#log = log;
  }

  async send(event: StreamResponse, context: ServerCallContext, task?: Task): Promise<void> {
    const payload = event.payload;
    const taskId = payload?.$case === 'task' ? payload.value.id : (payload?.value.taskId ?? '');
    if (!taskId) return;
    const configs = await this.#store.load(taskId, context);
    if (configs.length === 0) return;
    const { body, contentType } = this.#serializer.serialize(event, task);
    const previous = this.#chains.get(taskId) ?? Promise.resolve();
    const next = previous.then(() =>
      Promise.all(configs.map((config) => this.#deliver(config, body, contentType, taskId))).then(() => undefined),
    );
    this.#chains.set(taskId, next);
    await next;
    if (this.#chains.get(taskId) === next) this.#chains.delete(taskId);
  }

  async #deliver(config: TaskPushNotificationConfig, body: string, contentType: string, taskId: string) {
    try {
      const url = await this.#guard.check(config.url);
      const headers: Record<string, string> = {
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(body)),
      };
      if (config.authentication?.scheme) {
        headers.authorization = `${config.authentication.scheme} ${config.authentication.credentials}`;
      } else if (config.token) {
        headers['x-a2a-notification-token'] = config.token;
      }
      const status = await post(url, headers, body, this.#guard.lookupFor(url));
      if (status >= 300)
        this.#log.warn('push notification refused by its receiver', { task: taskId, status, host: url.host });
    } catch (error) {
      this.#log.warn('push notification not delivered', { task: taskId, error: redactText((error as Error).message) });
    }
  }
}

function post(url: URL, headers: Record<string, string>, body: string, lookup: LookupFunction): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'POST', headers, lookup, timeout: 5_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error('timed out after 5 s')));
    request.on('error', reject);
    request.end(body);
  });
}
