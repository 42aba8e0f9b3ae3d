import { type AnyTool, defineTool, type EnvVarSpec, READ, type ServerModule } from '@idp-mcp/core';
import { githubModule } from '@idp-mcp/github';
import * as z from 'zod';
import { discoveryTools } from './discovery.ts';
import { type AuditSink, Gateway, MemoryAuditSink } from './gateway.ts';
import { type MountedServer, mountServers } from './mount.ts';
import { mountRemote, parseRemoteServers } from './remote.ts';

export { type AuditEntry, type AuditSink, Gateway, MemoryAuditSink } from './gateway.ts';
export { namespaced } from './mount.ts';

/** The integration servers the platform mounts in-process, in tools/list order. */
export const INTEGRATIONS: ServerModule[] = [githubModule];

const PLATFORM_ENV: Record<string, EnvVarSpec> = {
  PLATFORM_RATE_LIMIT: { description: 'Tool calls one caller may make per minute', default: '120', format: 'integer' },
  PLATFORM_REMOTE_SERVERS: {
    description:
      'Remote MCP servers to mount, as JSON: [{"name":"ghofficial","url":"https://host/mcp","headers":{"Authorization":"Bearer ..."}}]',
    secret: true,
  },
};

/** The platform lists every integration's variables too (none required: a missing credential means sandbox). */
function environment(): Record<string, EnvVarSpec> {
  const env = { ...PLATFORM_ENV };
  for (const module of INTEGRATIONS) {
    for (const [name, spec] of Object.entries(module.env)) {
      env[name] = {
        ...spec,
        required: false,
        description: `${module.title}: ${spec.description}${spec.required ? ' (unset: the sandbox is used)' : ''}`,
      };
    }
  }
  return env;
}

function statusTool(servers: MountedServer[], gateway: Gateway) {
  return defineTool({
    name: 'platform_status',
    title: 'Platform status',
    description:
      'Which integrations are live, sandboxed or unavailable, how many tools each has, and per-tool call metrics.',
    toolset: 'core',
    tier: 'read',
    annotations: { ...READ, openWorldHint: false },
    input: z.object({}),
    output: z.object({
      integrations: z.array(
        z.object({
          name: z.string(),
          mode: z.string(),
          url: z.string(),
          tools: z.number(),
          problem: z.string().optional(),
        }),
      ),
      metrics: z.record(
        z.string(),
        z.object({
          calls: z.number(),
          errors: z.number(),
          rateLimited: z.number(),
          totalMs: z.number(),
          maxMs: z.number(),
        }),
      ),
    }),
    handler: async () => ({
      integrations: servers.map((server) => ({
        name: server.name,
        mode: server.mode,
        url: server.url,
        tools: server.tools.length,
        ...(server.problem ? { problem: server.problem } : {}),
      })),
      metrics: gateway.metrics(),
    }),
  });
}

function auditTool(audit: AuditSink) {
  return defineTool({
    name: 'query_audit',
    title: 'Query the audit log',
    description:
      'Recorded writes, newest first: who called which tool with which (redacted) arguments, plan id, verdict, result.',
    toolset: 'core',
    tier: 'admin',
    annotations: { ...READ, openWorldHint: false },
    input: z.object({
      caller: z.string().optional(),
      tool: z.string().optional().describe('Full platform tool name, e.g. github_create_issue.'),
      since: z.iso.datetime({ error: 'must be an ISO 8601 time, e.g. 2026-11-22T07:00:00Z' }).optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    output: z.object({
      entries: z.array(
        z.object({
          at: z.string(),
          caller: z.string(),
          tool: z.string(),
          tier: z.string(),
          args: z.unknown(),
          result: z.enum(['ok', 'error']),
          code: z.string().optional(),
          planId: z.string().optional(),
          verdict: z.unknown().optional(),
          durationMs: z.number(),
        }),
      ),
    }),
    handler: async (input) => ({ entries: await audit.query(input) }),
  });
}

export const platformModule: ServerModule = {
  name: 'platform',
  title: 'Internal developer platform',
  description: 'Every integration behind one endpoint, with find_tools/call_tool and policy-gated self-service.',
  toolsets: {
    core: 'find_tools and call_tool (reach every tool), platform status, audit',
    remote: 'tools of the remote MCP servers in PLATFORM_REMOTE_SERVERS',
    selfservice: 'golden-path composite tools: plan, approve, apply',
    ...Object.fromEntries(INTEGRATIONS.map((module) => [module.name, `${module.title}: ${module.description}`])),
  },
  defaultToolsets: ['core', 'selfservice'],
  env: environment(),
  async start({ env, sandbox, log, gate, exposure }) {
    const remotes = parseRemoteServers(env.PLATFORM_REMOTE_SERVERS);
    const servers = [
      ...(await mountServers(INTEGRATIONS, { environment: env, forceSandbox: sandbox, log, gate, exposure })),
      ...(await Promise.all(remotes.map((remote) => mountRemote(remote, log.child('remote'))))),
    ];
    const audit = new MemoryAuditSink();
    const gateway = new Gateway({ callsPerMinute: Number(env.PLATFORM_RATE_LIMIT), audit, log: log.child('gateway') });
    const integrationTools = servers.flatMap((server) => server.tools);
    let tools: AnyTool[] = [];
    const catalog = { tools: () => tools, readOnly: exposure.readOnly ?? false, intercept: gateway.intercept };
    tools = [...discoveryTools(catalog), statusTool(servers, gateway), auditTool(audit), ...integrationTools];
    const live = servers.filter((server) => server.mode === 'live').length;
    const mode = live === servers.length ? 'live' : live === 0 ? 'sandbox' : 'mixed';
    return {
      tools,
      resources: servers.flatMap((server) => server.resources),
      upstream: { mode, url: `${servers.length} integration${servers.length === 1 ? '' : 's'}, mounted in-process:` },
      banner: servers.map(
        (server) =>
          `  ${server.name.padEnd(12)} ${server.mode.padEnd(11)} ${server.mode === 'unavailable' ? server.problem : `${server.tools.length} tools -> ${server.url}`}`,
      ),
      intercept: gateway.intercept,
      ready: async () => servers.every((server) => server.mode !== 'unavailable'),
      close: async () => {
        await Promise.all(servers.map((server) => server.close?.()));
      },
    };
  },
};
