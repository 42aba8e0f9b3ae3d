import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentCard, type Message, type SendMessageRequest, type StreamResponse, Task } from '@a2a-js/sdk';
import { legacyAgentCardRouter } from '@a2a-js/sdk/compat/v0_3/server/express';
import { DefaultRequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';
import {
  AuthenticationError,
  type Caller,
  ConfigError,
  callerFromRoles,
  httpIdentity,
  type Logger,
  oidcConfigFromEnv,
  type PolicyGate,
  type Role,
} from '@idp-mcp/core';
import { type A2aTaskStore, defaultStatePath, openTaskStore } from '@idp-mcp/store';
import { hostHeaderValidation, localhostHostValidation } from '@modelcontextprotocol/node';
import express, { type NextFunction, type Request, type Response } from 'express';
import { agentSettingsFromEnv } from './agent/agent.ts';
import { providerFromEnv } from './agent/providers.ts';
import { agentCard, extendedCard, JSONRPC_PATH, REST_PATH } from './card.ts';
import { CallerUser, callerOf, SupervisorExecutor } from './executor.ts';
import { type Platform, startPlatform } from './platform.ts';
import { DurablePushStore, GuardedPushSender, PushGuard } from './push.ts';
import { DurableTaskStore } from './tasks.ts';

export const AGENT_CARD_PATH = '/.well-known/agent-card.json';

export interface SupervisorOptions {
  /** The environment: identity (IDP_MCP_OIDC_*), the platform's settings and state (DATABASE_URL, IDP_MCP_STATE). */
  env: Record<string, string | undefined>;
  /** Run the platform on its sandbox: no credentials. */
  sandbox: boolean;
  host: string;
  port: number;
  /** The local caller's role when no identity provider is configured (loopback only). */
  role: Role;
  /** Host header names accepted besides loopback ones (required for a non-loopback bind). */
  allowedHosts?: string[];
  allowUnauthenticated?: boolean;
  /** The public base URL the card advertises (A2A_PUBLIC_URL); default http://host:port. */
  publicUrl?: string;
  gate: PolicyGate;
  log: Logger;
}

export interface RunningSupervisor {
  /** The base URL; the card is at `${url}/.well-known/agent-card.json`. */
  url: string;
  card: AgentCard;
  /** The platform it fronts, in this process (for library use and tests). */
  platform: Platform;
  /** Who may call: the local role, or the realm whose tokens are required. */
  identity: string;
  /** The bundled agent's model behind the free-text skill, or undefined when no LLM endpoint is configured. */
  agent: string | undefined;
  close(): Promise<void>;
}

/**
 * A repeated message id answers with the task that message started instead of starting a second one (a client
 * retrying a send it never saw the answer to).
 */
class SupervisorRequestHandler extends DefaultRequestHandler {
  readonly #tasks: DurableTaskStore;
  constructor(tasks: DurableTaskStore, ...args: ConstructorParameters<typeof DefaultRequestHandler>) {
    super(...args);
    this.#tasks = tasks;
  }
  #earlier(params: SendMessageRequest, context: ServerCallContext): Promise<Task | undefined> {
    const message = params.message;
    if (!message?.messageId || message.taskId) return Promise.resolve(undefined);
    return this.#tasks.findByMessageId(message.messageId, context);
  }
  override async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    return (await this.#earlier(params, context)) ?? super.sendMessage(params, context);
  }
  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    const earlier = await this.#earlier(params, context);
    if (earlier) {
      yield { payload: { $case: 'task', value: earlier } };
      return;
    }
    yield* super.sendMessageStream(params, context);
  }
}

/** Starts the platform in-process and serves A2A in front of it: the card, JSON-RPC and HTTP+JSON. */
export async function startSupervisor(options: SupervisorOptions): Promise<RunningSupervisor> {
  const { log } = options;
  const oidc = oidcConfigFromEnv(options.env);
  const identity = await httpIdentity({
    host: options.host,
    localCaller: callerFromRoles('local', [options.role]),
    allowUnauthenticated: options.allowUnauthenticated ?? false,
    env: options.env,
    log,
  });
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(options.host);
  if (!loopback && !options.allowedHosts?.length) {
    throw new ConfigError(
      `--host ${options.host} is not a loopback address: also pass --allowed-hosts with the host names clients use (DNS-rebinding protection)`,
    );
  }
  // The bundled agent behind the free-text skill: bad settings stop start-up; no model at all leaves it off.
  const llm = providerFromEnv(options.env);
  const agent = llm ? { llm, settings: agentSettingsFromEnv(options.env) } : undefined;
  const platform = await startPlatform({ env: options.env, sandbox: options.sandbox, gate: options.gate, log });
  const store = await openTaskStore({
    ...(options.env.DATABASE_URL ? { databaseUrl: options.env.DATABASE_URL } : {}),
    sqlitePath: options.env.IDP_MCP_STATE || defaultStatePath(options.env),
  }).catch(async (error) => {
    await platform.close();
    throw error;
  });
  const tasks = new DurableTaskStore(store);
  const guard = PushGuard.fromEnv(options.env);
  const pushConfigs = new DurablePushStore(store, guard);
  const executor = new SupervisorExecutor(platform, log, agent);

  const callers = new WeakMap<IncomingMessage, Caller>();
  let app: express.Express | undefined;
  const server = createServer((req, res) => app!(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = (
    options.publicUrl ?? `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`
  ).replace(/\/+$/, '');
  const card = agentCard({
    baseUrl: url,
    ...(oidc ? { issuer: oidc.issuer.href.replace(/\/+$/, '') } : {}),
    scope: oidc?.scopes[0] ?? 'idp-mcp',
    tools: platform.tools,
    ...(agent ? { agent: agent.llm.describe } : {}),
  });
  const handler = new SupervisorRequestHandler(
    tasks,
    card,
    tasks,
    executor,
    undefined,
    pushConfigs,
    new GuardedPushSender(pushConfigs, guard, log.child('push')),
    async (context: ServerCallContext) => extendedCard(card, callerOf(context), platform.tools),
  );
  await resumeTasks(store, tasks, executor, log);
  const userBuilder = async (req: Request) => new CallerUser(callers.get(req)!);

  const validateHost = options.allowedHosts?.length
    ? hostHeaderValidation(['127.0.0.1', '::1', 'localhost', ...options.allowedHosts])
    : localhostHostValidation();
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    try {
      callers.set(req, await identity.authenticate(req));
      next();
    } catch (error) {
      if (error instanceof AuthenticationError) {
        res.setHeader('www-authenticate', error.challenge);
        res.status(error.status).json({ error: error.message });
        return;
      }
      log.error('authentication failed unexpectedly', { error: String(error) });
      res.status(500).json({ error: 'authentication failed' });
    }
  };

  const routes = express();
  routes.disable('x-powered-by');
  routes.use((req, res, next) => (validateHost(req, res) ? next() : undefined));
  routes.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  // The card in the protocol's JSON form, as GetExtendedAgentCard sends it (the SDK's handler would send its
  // in-memory form, whose one-of fields such as securitySchemes are not the wire shape).
  // v0.3 clients (no A2A-Version header, or 0.3) get the card translated by the SDK's compatibility layer.
  const cardJson = AgentCard.toJSON(card) as AgentCard;
  routes.use(
    AGENT_CARD_PATH,
    legacyAgentCardRouter({ agentCardProvider: async () => card }),
    agentCardHandler({ agentCardProvider: async () => cardJson }),
  );
  if (identity.protectedResourceMetadata) {
    const metadata = identity.protectedResourceMetadata;
    routes.get(/^\/\.well-known\/oauth-protected-resource(\/.*)?$/, (req, res) => void res.json(metadata(req)));
  }
  const legacyCompat = { enabled: true };
  routes.use(JSONRPC_PATH, authenticate, jsonRpcHandler({ requestHandler: handler, userBuilder, legacyCompat }));
  routes.use(REST_PATH, authenticate, restHandler({ requestHandler: handler, userBuilder, legacyCompat }));
  routes.use((_req, res) => {
    res.status(404).json({ error: `not found: the agent card is ${AGENT_CARD_PATH}` });
  });
  app = routes;

  return {
    url,
    card,
    platform,
    identity: identity.description,
    agent: agent?.llm.describe,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await store.close();
      await platform.close();
    },
  };
}

/**
 * Tasks a stopped process left in progress go on, each as its owner (whoever approved a plan held the write tier
 * the platform requires for it; the audit keeps their subject).
 */
async function resumeTasks(store: A2aTaskStore, tasks: DurableTaskStore, executor: SupervisorExecutor, log: Logger) {
  for (const { scope, task } of await store.inState(['TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING'])) {
    const caller = callerFromRoles(scope.owner, ['developer']);
    const context = new ServerCallContext({
      user: new CallerUser(caller),
      ...(scope.tenant ? { tenant: scope.tenant } : {}),
    });
    await executor.resume(Task.fromJSON(task), context, tasks).catch((error: unknown) => {
      log.error('an interrupted task could not be resumed', { error: String(error) });
    });
  }
}
