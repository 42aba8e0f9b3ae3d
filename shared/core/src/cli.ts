import { parseArgs } from 'node:util';
import * as z from 'zod';
import { AUTH_ENV_HELP, httpIdentity } from './auth/index.ts';
import { callerFromRoles, ROLES } from './caller.ts';
import { ConfigError, type Exposure, loadEnv, selectTools } from './config.ts';
import { DEFAULT_HTTP_LIMITS } from './http-limits.ts';
import { createLogger, type Logger } from './log.ts';
import { buildMcpServer, SERVER_VERSION } from './mcp.ts';
import type { ServerInstance, ServerModule } from './module.ts';
import type { PolicyGate } from './policy.ts';
import { createSandboxWorld } from './sandbox.ts';
import { serveHttp, serveStdioServer } from './transports.ts';

/** `idp-mcp <server> [flags]`: one command line for every server. */

const FLAG_SPEC = {
  transport: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'read-only': { type: 'boolean' },
  toolsets: { type: 'string' },
  tools: { type: 'string' },
  sandbox: { type: 'boolean' },
  role: { type: 'string' },
  'allowed-hosts': { type: 'string' },
  'allowed-origins': { type: 'string' },
  'dangerously-allow-unauthenticated': { type: 'boolean' },
  'header-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-requests-per-connection': { type: 'string' },
  'max-batch': { type: 'string' },
  'max-batch-response-bytes': { type: 'string' },
  'max-inflight-per-caller': { type: 'string' },
  'max-concurrent-requests': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const D = DEFAULT_HTTP_LIMITS;
const FLAG_HELP = `Flags:
  --transport stdio|http   stdio (default) for desktop clients; http serves Streamable HTTP on /mcp
  --host ADDRESS           HTTP bind address (default 127.0.0.1)
  --port N                 HTTP port (default 3000; 0 picks a free one)
  --sandbox                run against the built-in fake with sample data; no credentials needed
  --read-only              expose only read tools
  --toolsets a,b|all       expose only these toolsets (default: the server's default set)
  --tools x,y              expose only these tools
  --role ROLE              the local caller's role: viewer | developer (default) | platform-admin
                           (over HTTP with IDP_MCP_OIDC_ISSUER set, roles come from each caller's token)
  --allowed-hosts h1,h2    Host header names accepted (required when --host is not loopback)
  --allowed-origins o1,o2  browser origins accepted (default: loopback origins)
  --dangerously-allow-unauthenticated
                           serve HTTP on a non-loopback address with no identity provider: anyone who
                           reaches the port acts as --role
  --help                   this text

HTTP limits (a client past one is refused or cut off):
  --header-timeout MS      time to send the request headers (default ${D.headersTimeoutMs})
  --request-timeout MS     time to send the whole request, body included (default ${D.requestTimeoutMs})
  --keep-alive-timeout MS  how long an idle keep-alive connection stays open (default ${D.keepAliveTimeoutMs})
  --max-connections N      connections open at once (default ${D.maxConnections})
  --max-requests-per-connection N
                           requests per keep-alive connection (default ${D.maxRequestsPerConnection})
  --max-batch N            messages per JSON-RPC batch, 2025-03-26 clients only (default ${D.maxBatch})
  --max-batch-response-bytes N
                           response bytes per batch; requests past it get an error (default ${D.maxBatchResponseBytes})
  --max-inflight-per-caller N
                           MCP requests in flight per caller: token subject, or remote address without
                           an identity provider (default ${D.maxInflightPerCaller}); more get 429
  --max-concurrent-requests N
                           MCP requests worked on at once, all callers together; more wait their turn
                           (default ${D.maxConcurrentRequests}), so /healthz stays fast under load

${AUTH_ENV_HELP}`;

const list = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .optional();

const limit = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .default(fallback);

const flagsSchema = z.object({
  transport: z.enum(['stdio', 'http'], { error: 'must be stdio or http' }).default('stdio'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(0, { error: 'must be 0-65535' })
    .max(65535, { error: 'must be 0-65535' })
    .default(3000),
  'read-only': z.boolean().default(false),
  toolsets: list,
  tools: list,
  sandbox: z.boolean().default(false),
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }).default('developer'),
  'allowed-hosts': list,
  'allowed-origins': list,
  'dangerously-allow-unauthenticated': z.boolean().default(false),
  'header-timeout': limit(D.headersTimeoutMs),
  'request-timeout': limit(D.requestTimeoutMs),
  'keep-alive-timeout': limit(D.keepAliveTimeoutMs),
  'max-connections': limit(D.maxConnections),
  'max-requests-per-connection': limit(D.maxRequestsPerConnection),
  'max-batch': limit(D.maxBatch),
  'max-batch-response-bytes': limit(D.maxBatchResponseBytes),
  'max-inflight-per-caller': limit(D.maxInflightPerCaller),
  'max-concurrent-requests': limit(D.maxConcurrentRequests),
  help: z.boolean().default(false),
});
export type Flags = z.output<typeof flagsSchema>;

/**
 * `--port -1`: Node's parser reads a value that starts with '-' as another flag and says so in its own words; a
 * negative number after a flag that takes a value is that flag's value, which the schema then judges.
 */
function joinNegativeValues(args: string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const spec = arg.startsWith('--') ? FLAG_SPEC[arg.slice(2) as keyof typeof FLAG_SPEC] : undefined;
    const next = args[index + 1];
    if (spec?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

export function parseFlags(args: string[]): Flags {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: joinNegativeValues(args),
      options: FLAG_SPEC,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help to see the flags.`);
  }
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export interface StartedServer {
  module: ServerModule;
  instance: ServerInstance;
  /** The Streamable HTTP URL, when serving HTTP. */
  url?: string;
  /** Over HTTP: who may call (the local role, or the realm whose tokens are required). */
  identity?: string;
  close(): Promise<void>;
}

/** Starts one server from flags and an environment; used by the CLI, the tests and the benchmarks. */
export async function startServer(
  module: ServerModule,
  flags: Flags,
  environment: Record<string, string | undefined>,
  /** Every configuration-carrying write passes it: required, so no server can start ungated. */
  gate: PolicyGate,
  log: Logger = createLogger(module.name),
): Promise<StartedServer> {
  const env = loadEnv(module, environment, { sandbox: flags.sandbox });
  const exposure: Exposure = { readOnly: flags['read-only'], role: flags.role };
  if (flags.toolsets) exposure.toolsets = flags.toolsets;
  if (flags.tools) exposure.tools = flags.tools;
  const world = createSandboxWorld();
  const instance = await module
    .start({ env, sandbox: flags.sandbox, log, gate, exposure, world })
    .catch(async (error) => {
      await world.close();
      throw error;
    });
  const closeAll = () => instance.close().then(() => world.close());
  try {
    const tools = selectTools(module, instance.tools, exposure);
    const factory = (caller: ReturnType<typeof callerFromRoles>) =>
      buildMcpServer({
        canAskClient: flags.transport === 'stdio',
        name: module.name,
        version: SERVER_VERSION,
        tools,
        resources: instance.resources ?? [],
        caller,
        log,
        ...(instance.mapError ? { mapError: instance.mapError } : {}),
        ...(instance.intercept ? { intercept: instance.intercept } : {}),
      });
    const localCaller = callerFromRoles('local', [flags.role]);
    if (flags.transport === 'stdio') {
      const stdio = serveStdioServer(() => factory(localCaller));
      return { module, instance, close: () => stdio.close().then(closeAll) };
    }
    const identity = await httpIdentity({
      host: flags.host,
      localCaller,
      allowUnauthenticated: flags['dangerously-allow-unauthenticated'],
      env: environment,
      log,
    });
    const http = await serveHttp({
      factory,
      authenticate: identity.authenticate,
      ...(identity.protectedResourceMetadata ? { protectedResourceMetadata: identity.protectedResourceMetadata } : {}),
      host: flags.host,
      port: flags.port,
      ...(flags['allowed-hosts'] ? { allowedHosts: flags['allowed-hosts'] } : {}),
      ...(flags['allowed-origins'] ? { allowedOrigins: flags['allowed-origins'] } : {}),
      limits: {
        headersTimeoutMs: flags['header-timeout'],
        requestTimeoutMs: flags['request-timeout'],
        keepAliveTimeoutMs: flags['keep-alive-timeout'],
        maxConnections: flags['max-connections'],
        maxRequestsPerConnection: flags['max-requests-per-connection'],
        maxBatch: flags['max-batch'],
        maxBatchResponseBytes: flags['max-batch-response-bytes'],
        maxInflightPerCaller: flags['max-inflight-per-caller'],
        maxConcurrentRequests: flags['max-concurrent-requests'],
      },
      identifiedCallers: identity.protectedResourceMetadata !== undefined,
      ready: instance.ready ?? (async () => true),
      log,
    });
    return {
      module,
      instance,
      url: http.url,
      identity: identity.description,
      close: () => http.close().then(closeAll),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

export function usage(modules: ServerModule[]): string {
  const width = Math.max(...modules.map((module) => module.name.length));
  return `Usage: idp-mcp <server> [flags]

MCP servers for an internal developer platform.

Servers:
${modules.map((module) => `  ${module.name.padEnd(width)}  ${module.description}`).join('\n')}

${FLAG_HELP}

Run idp-mcp <server> --help for a server's toolsets and environment variables.`;
}

export function serverUsage(module: ServerModule): string {
  const toolsets = Object.entries(module.toolsets).map(([name, text]) => `  ${name}: ${text}`);
  const env = Object.entries(module.env).map(([name, spec]) => {
    const notes = [
      spec.required ? 'required unless --sandbox' : undefined,
      spec.default ? `default ${spec.default}` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    return `  ${name}${spec.secret ? ' (secret)' : ''}: ${spec.description}${notes ? ` [${notes}]` : ''}`;
  });
  const commands = Object.entries(module.commands ?? {}).map(([name, command]) => `  ${name}: ${command.description}`);
  return `Usage: idp-mcp ${module.name} [flags]

${module.title}: ${module.description}

Toolsets:
${toolsets.join('\n')}

Environment:
${env.join('\n')}
${commands.length ? `\nCommands (idp-mcp ${module.name} <command> --help):\n${commands.join('\n')}\n` : ''}
${FLAG_HELP}`;
}

/** The CLI entry: help, start, banner, clean shutdown; errors as one clear line, never a stack trace. */
export async function runCli(
  modules: ServerModule[],
  args: string[],
  fixedServer: string | undefined,
  options: { gate: PolicyGate },
): Promise<void> {
  const [first, ...rest] = fixedServer ? [fixedServer, ...args] : args;
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${usage(modules)}\n`);
    return;
  }
  const module = modules.find((candidate) => candidate.name === first);
  try {
    if (!module) {
      throw new ConfigError(
        `unknown server ${JSON.stringify(first)}; choose from ${modules.map((m) => m.name).join(', ')}`,
      );
    }
    const command = rest[0] ? module.commands?.[rest[0]] : undefined;
    if (command) {
      process.exitCode = await command.run(rest.slice(1), {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
      });
      return;
    }
    const flags = parseFlags(rest);
    if (flags.help) {
      process.stdout.write(`${serverUsage(module)}\n`);
      return;
    }
    const log = createLogger(module.name);
    const started = await startServer(module, flags, process.env, options.gate, log);
    keepServingOnUncaughtErrors(log);
    process.stderr.write(`${banner(started, flags)}\n`);
    const stop = () => {
      started.close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `could not start: ${(error as Error).message}`;
    process.stderr.write(`idp-mcp: ${message}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}

/**
 * The last resort of a serving process: an error no request handler caught is logged and the process keeps
 * serving its other callers, instead of one bad request taking every caller down with it.
 */
export function keepServingOnUncaughtErrors(log: Pick<Logger, 'error'>): void {
  const report = (error: unknown) => log.error('uncaught error, still serving', { error: String(error) });
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}

function banner(started: StartedServer, flags: Flags): string {
  const { upstream } = started.instance;
  const lines = [
    `idp-mcp ${started.module.name}: ${started.module.title} -> ${upstream.url} [${upstream.mode}] (${started.identity ?? `role ${flags.role}`})`,
    ...(started.instance.banner ?? []),
  ];
  if (started.url) {
    lines.push(
      `Streamable HTTP: ${started.url}`,
      `Try it:   npx @modelcontextprotocol/inspector --cli ${started.url} --transport http --method tools/list`,
      `Connect:  claude mcp add --transport http idp-${started.module.name} ${started.url}`,
    );
  } else {
    lines.push('Serving MCP on stdio.');
  }
  return lines.join('\n');
}
