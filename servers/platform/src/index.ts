import { resolve } from 'node:path';
import {
  type AnyTool,
  ConfigError,
  defineTool,
  type EnvVarSpec,
  loadEnv,
  READ,
  type ServerModule,
} from '@idp-mcp/core';
import { defaultStatePath, openStore, type Store } from '@idp-mcp/store';
import * as z from 'zod';
import { discoveryTools } from './discovery.ts';
import { evidenceDocument } from './evidence.ts';
import { Gateway, type RunFields } from './gateway.ts';
import { type MountedServer, mountServers } from './mount.ts';
import { loadIntegrations } from './registry.ts';
import { mountRemote, parseRemoteServers } from './remote.ts';
import { COMPOSITES } from './selfservice/composites.ts';
import type { PlatformSettings } from './selfservice/render.ts';
import { resumeInterruptedRuns, selfServiceTools, sweepOrphanedRuns } from './selfservice/tools.ts';

export { type AuditSink, Gateway } from './gateway.ts';
export { namespaced } from './mount.ts';

/** The integration servers the platform mounts in-process, in tools/list order (the registry's). */
export const INTEGRATIONS: ServerModule[] = await loadIntegrations();

const PLATFORM_ENV: Record<string, EnvVarSpec> = {
  PLATFORM_INTEGRATIONS: {
    description: 'Integrations to mount, comma-separated (default: all)',
    format: 'list',
  },
  PLATFORM_RATE_LIMIT: { description: 'Tool calls one caller may make per minute', default: '120', format: 'integer' },
  PLATFORM_SWEEP_SECONDS: {
    description:
      'How often the platform looks for runs whose owner is gone (lease run out, process dead) and resumes them (read-only: reports them)',
    default: '30',
    format: 'integer',
  },
  PLATFORM_REMOTE_SERVERS: {
    description:
      'Remote MCP servers to mount, as JSON: [{"name":"ghofficial","url":"https://host/mcp","headers":{"Authorization":"Bearer ..."}}]',
    secret: true,
  },
  DATABASE_URL: {
    description: 'PostgreSQL for plans, runs and audit (postgres://...); SQLite when unset',
    secret: true,
  },
  IDP_MCP_STATE: {
    description:
      'SQLite file for plans, runs and audit when DATABASE_URL is unset (default: $XDG_STATE_HOME/idp-mcp/state.db, else ~/.local/state/idp-mcp/state.db)',
  },
  PLATFORM_GITHUB_ORG: { description: 'GitHub organization new services are created in', default: 'acme' },
  PLATFORM_TEMPLATE_REPO: { description: 'Golden-path template repository', default: 'acme/service-template' },
  PLATFORM_GITOPS_REPO: { description: 'GitOps repository Argo CD applies', default: 'acme/gitops' },
  PLATFORM_REGISTRY: { description: 'Container registry of service images', default: 'ghcr.io/acme' },
  PLATFORM_ARGOCD_PROJECT: { description: "Argo CD project of new applications (default: the team's name)" },
  PLATFORM_KAFKA_CLUSTER: { description: 'Strimzi cluster new topics belong to', default: 'main' },
  PLATFORM_KAFKA_NAMESPACE: { description: 'Namespace of KafkaTopic resources', default: 'kafka' },
  PLATFORM_SLACK_CHANNEL: { description: 'Channel self-service announces changes in', default: '#platform' },
  PLATFORM_JIRA_PROJECT: { description: 'Jira project of tracking tickets', default: 'PLAT' },
  PLATFORM_KAFKA_TOPICS: {
    description:
      'Where create_service puts a KafkaTopic: gitops (in the GitOps pull request) or direct (created through the kafka integration)',
    default: 'gitops',
  },
  PLATFORM_VAULT_SECRET_STORE: {
    description:
      "External Secrets ClusterSecretStore over Vault's KV v2 mount secret; provision_database's ExternalSecret reads through it",
    default: 'vault',
  },
  PLATFORM_S3_ACCESS_LOG_BUCKET: {
    description:
      "Bucket provision_bucket's buckets write their access logs to (default: <PLATFORM_GITHUB_ORG>-s3-access-logs)",
  },
  PLATFORM_UNDO_REPOSITORY: {
    description:
      'How a failed apply takes back a repository it created: archive (it stays, read-only) or delete (needs admin rights on it)',
    default: 'archive',
  },
  PLATFORM_ALLOW_MIXED: {
    description:
      'true lets a plan mix live and sandboxed integrations (demos); by default such a plan is refused, naming the variables to set',
    default: 'false',
  },
};

/** A run started and never taken up for this long was left by a process that died before applying it. */
const RUN_GRACE_MS = 30_000;

/** The platform lists every integration's variables too (none required: a missing credential means sandbox). */
function environment(): Record<string, EnvVarSpec> {
  // Several integrations read some variables (KUBECONFIG: Kubernetes, Flux, Kafka): the first one's description
  // stands, named with every integration that reads it.
  const readers = new Map<string, { titles: string[]; spec: EnvVarSpec }>();
  for (const module of INTEGRATIONS) {
    for (const [name, spec] of Object.entries(module.env)) {
      const entry = readers.get(name) ?? { titles: [], spec };
      entry.titles.push(module.title);
      readers.set(name, entry);
    }
  }
  const env = { ...PLATFORM_ENV };
  for (const [name, { titles, spec }] of readers) {
    env[name] = {
      ...spec,
      required: false,
      description: `${titles.join(', ')}: ${spec.description}${spec.required ? ' (unset: the sandbox is used)' : ''}`,
    };
  }
  return env;
}

/** PLATFORM_INTEGRATIONS as modules; an unknown name stops start-up with the valid ones listed. */
function chooseIntegrations(list: string | undefined): ServerModule[] {
  if (!list) return INTEGRATIONS;
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !INTEGRATIONS.some((module) => module.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `PLATFORM_INTEGRATIONS: no integration ${unknown.join(', ')}; choose from ${INTEGRATIONS.map((module) => module.name).join(', ')}`,
    );
  }
  return INTEGRATIONS.filter((module) => names.includes(module.name));
}

/** What makes an integration live: its required variables (kubernetes and flux decide by their own check). */
function liveVariables(module: ServerModule | undefined): string[] {
  if (!module) return [];
  const required = Object.entries(module.env)
    .filter(([, spec]) => spec.required)
    .map(([name]) => name);
  return required.length > 0 || !('KUBECONFIG' in module.env) ? required : ['KUBECONFIG (or K8S_IN_CLUSTER=true)'];
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

function settingsFrom(env: Record<string, string | undefined>): PlatformSettings {
  return {
    org: env.PLATFORM_GITHUB_ORG!,
    templateRepo: env.PLATFORM_TEMPLATE_REPO!,
    gitopsRepo: env.PLATFORM_GITOPS_REPO!,
    registry: env.PLATFORM_REGISTRY!,
    argocdProject: env.PLATFORM_ARGOCD_PROJECT ?? '',
    kafkaCluster: env.PLATFORM_KAFKA_CLUSTER!,
    kafkaNamespace: env.PLATFORM_KAFKA_NAMESPACE!,
    slackChannel: env.PLATFORM_SLACK_CHANNEL!,
    jiraProject: env.PLATFORM_JIRA_PROJECT!,
    kafkaTopics: oneOf('PLATFORM_KAFKA_TOPICS', env.PLATFORM_KAFKA_TOPICS!, ['gitops', 'direct']),
    vaultSecretStore: env.PLATFORM_VAULT_SECRET_STORE!,
    accessLogBucket: env.PLATFORM_S3_ACCESS_LOG_BUCKET || `${env.PLATFORM_GITHUB_ORG}-s3-access-logs`,
    undoRepository: oneOf('PLATFORM_UNDO_REPOSITORY', env.PLATFORM_UNDO_REPOSITORY!, ['archive', 'delete']),
    allowMixed: oneOf('PLATFORM_ALLOW_MIXED', env.PLATFORM_ALLOW_MIXED!, ['true', 'false']) === 'true',
  };
}

/** The store, and where it is as the banner and platform_status say (never the database URL: it holds a password). */
async function openPlatformStore(env: Record<string, string | undefined>): Promise<{ store: Store; location: string }> {
  if (env.DATABASE_URL) {
    return {
      store: await openStore({ env: false, databaseUrl: env.DATABASE_URL }),
      location: 'PostgreSQL (DATABASE_URL)',
    };
  }
  const path = env.IDP_MCP_STATE || defaultStatePath(env);
  const location = path === ':memory:' ? 'SQLite in memory' : `SQLite ${resolve(path)}`;
  return { store: await openStore({ env: false, sqlitePath: path }), location };
}

function statusTool(servers: MountedServer[], gateway: Gateway, store: Store, location: string) {
  return defineTool({
    name: 'platform_status',
    title: 'Platform status',
    description:
      'Which integrations are live, sandboxed or unavailable, how many tools each has, the state store, and per-tool call metrics.',
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
      store: z.string(),
      state: z.string().describe('where plans, runs and the audit log are kept'),
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
      store: store.backend,
      state: location,
      metrics: gateway.metrics(),
    }),
  });
}

function auditTool(store: Store) {
  return defineTool({
    name: 'query_audit',
    title: 'Query the audit log',
    description:
      'Recorded writes and secret reveals, newest first: who called which tool with which (redacted) arguments, plan id, verdict, result. Export everything as JSON lines with `idp-mcp platform audit-export`.',
    toolset: 'core',
    tier: 'admin',
    annotations: { ...READ, openWorldHint: false },
    input: z.object({
      caller: z.string().optional(),
      tool: z.string().optional().describe('Full platform tool name, e.g. github_create_issue.'),
      since: z.iso.datetime({ error: 'must be an ISO 8601 time, e.g. 2026-11-22T07:00:00Z' }).optional(),
      limit: z.number().int().min(1).max(200).default(50),
      cursor: z.string().optional(),
    }),
    output: z.object({
      entries: z.array(
        z.object({
          at: z.string(),
          caller: z.string(),
          tool: z.string(),
          args: z.unknown(),
          result: z
            .enum(['started', 'ok', 'error'])
            .describe('started: recorded before the call ran, no outcome since'),
          error: z.string().nullable(),
          plan_id: z.string().nullable(),
          run_id: z.string().nullable().describe('the self-service run a step write belongs to'),
          verdict: z.unknown(),
        }),
      ),
      nextCursor: z.string().optional(),
    }),
    handler: async (input) => {
      const page = await store.queryAudit(input);
      return {
        entries: page.items.map((entry) => ({
          at: entry.at,
          caller: entry.caller,
          tool: entry.tool,
          args: entry.args,
          result: entry.result,
          error: entry.error,
          plan_id: entry.planId,
          run_id: entry.runId,
          verdict: entry.verdict,
        })),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    },
  });
}

function evidenceTool(store: Store) {
  return defineTool({
    name: 'export_evidence',
    title: 'Export policy evidence (OSCAL)',
    description:
      "Every policy decision in the audit log for a period as an OSCAL 1.0.6 assessment-results document: one observation per evaluated artefact, one finding per violation or waiver (rule id, severity, waiver reason and expiry). The CLI's `idp-mcp platform evidence-export` writes the same.",
    toolset: 'core',
    tier: 'admin',
    annotations: { ...READ, openWorldHint: false },
    input: z.object({
      from: z.iso
        .datetime({ error: 'must be an ISO 8601 time, e.g. 2026-10-01T00:00:00Z' })
        .describe('Start (inclusive).'),
      to: z.iso.datetime({ error: 'must be an ISO 8601 time, e.g. 2027-01-01T00:00:00Z' }).describe('End (exclusive).'),
      environment: z.string().min(1).optional().describe('Only decisions of calls that named this environment.'),
    }),
    output: z.object({ 'assessment-results': z.record(z.string(), z.unknown()) }),
    handler: async (input) => evidenceDocument(store, input),
  });
}

const EVIDENCE_EXPORT_USAGE = `usage: idp-mcp platform evidence-export --from ISO-TIME --to ISO-TIME [--environment NAME]

Writes the audit log's policy decisions from --from (inclusive) to --to (exclusive) as an OSCAL 1.0.6
assessment-results JSON document to stdout, from the state store (DATABASE_URL, else IDP_MCP_STATE, else the
per-user default).`;

/** --name value pairs of a command; an unknown or valueless flag is an error naming it. */
function commandFlags(args: string[], names: string[]): Record<string, string> | string {
  const flags: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 2) {
    const name = args[index]!.replace(/^--/, '');
    if (!args[index]!.startsWith('--') || !names.includes(name)) return `unknown argument ${args[index]}`;
    const value = args[index + 1];
    if (value === undefined || value.startsWith('--')) return `--${name} needs a value`;
    flags[name] = value;
  }
  return flags;
}

const AUDIT_EXPORT_USAGE = `usage: idp-mcp platform audit-export [--since ISO-TIME]

Writes the audit log (every write and reveal) as JSON lines to stdout, oldest first, from the state store
(DATABASE_URL, else IDP_MCP_STATE, else the per-user default).`;

export const platformModule: ServerModule = {
  name: 'platform',
  title: 'Internal developer platform',
  description: 'Every integration behind one endpoint, with find_tools/call_tool and policy-gated self-service.',
  toolsets: {
    core: 'find_tools and call_tool (reach every tool), platform status, audit',
    selfservice:
      'golden-path composites (create_service, create_repo, create_kafka_topic, onboard_team, provision_database, provision_bucket): plan, apply_plan, runs',
    remote: 'tools of the remote MCP servers in PLATFORM_REMOTE_SERVERS',
    ...Object.fromEntries(INTEGRATIONS.map((module) => [module.name, `${module.title}: ${module.description}`])),
  },
  defaultToolsets: ['core', 'selfservice'],
  env: environment(),
  commands: {
    'audit-export': {
      description: 'write the audit log as JSON lines to stdout (--since ISO-TIME to start later)',
      async run(args, io) {
        if (args.includes('--help') || args.includes('-h')) {
          io.stdout(`${AUDIT_EXPORT_USAGE}\n`);
          return 0;
        }
        const sinceIndex = args.indexOf('--since');
        const since = sinceIndex >= 0 ? args[sinceIndex + 1] : undefined;
        const unknown =
          sinceIndex >= 0 ? args.filter((_, index) => index < sinceIndex || index > sinceIndex + 1) : args;
        if ((sinceIndex >= 0 && !since) || unknown.length > 0) {
          io.stderr(
            `audit-export: ${unknown.length > 0 ? `unknown argument ${unknown[0]}` : '--since needs an ISO time'}\n${AUDIT_EXPORT_USAGE}\n`,
          );
          return 2;
        }
        const env = loadEnv(platformModule, process.env, { sandbox: true });
        const { store } = await openPlatformStore(env);
        try {
          for await (const line of store.exportAudit(since ? { since } : {})) io.stdout(line);
        } finally {
          await store.close();
        }
        return 0;
      },
    },
    'evidence-export': {
      description: "write the audit log's policy decisions of a period as an OSCAL assessment-results document",
      async run(args, io) {
        if (args.includes('--help') || args.includes('-h')) {
          io.stdout(`${EVIDENCE_EXPORT_USAGE}\n`);
          return 0;
        }
        const flags = commandFlags(args, ['from', 'to', 'environment']);
        if (typeof flags === 'string' || !flags.from || !flags.to) {
          io.stderr(
            `evidence-export: ${typeof flags === 'string' ? flags : '--from and --to are required'}\n${EVIDENCE_EXPORT_USAGE}\n`,
          );
          return 2;
        }
        const env = loadEnv(platformModule, process.env, { sandbox: true });
        const { store } = await openPlatformStore(env);
        try {
          const document = await evidenceDocument(store, {
            from: flags.from,
            to: flags.to,
            ...(flags.environment ? { environment: flags.environment } : {}),
          });
          io.stdout(`${JSON.stringify(document, null, 2)}\n`);
          return 0;
        } catch (error) {
          io.stderr(`evidence-export: ${error instanceof Error ? error.message : String(error)}\n`);
          return 2;
        } finally {
          await store.close();
        }
      },
    },
  },
  async start({ env, sandbox, log, gate, exposure, world }) {
    const remotes = parseRemoteServers(env.PLATFORM_REMOTE_SERVERS);
    const integrations = chooseIntegrations(env.PLATFORM_INTEGRATIONS);
    const { store, location } = await openPlatformStore(env);
    const servers = [
      ...(await mountServers(integrations, { environment: env, forceSandbox: sandbox, log, gate, exposure, world })),
      ...(await Promise.all(remotes.map((remote) => mountRemote(remote, log.child('remote'))))),
    ];
    const gateway = new Gateway({
      callsPerMinute: Number(env.PLATFORM_RATE_LIMIT),
      audit: store,
      log: log.child('gateway'),
    });
    let tools: AnyTool[] = [];
    const catalog = { tools: () => tools, readOnly: exposure.readOnly ?? false, intercept: gateway.intercept };
    const selfService = {
      store,
      composites: COMPOSITES,
      settings: settingsFrom(env),
      gate,
      tools: () => tools,
      intercept: gateway.internal,
      interceptRun: (fields: RunFields) => gateway.forRun(fields),
      log: log.child('selfservice'),
      integrations: servers.map((server) => ({
        name: server.name,
        mode: server.mode,
        variables: liveVariables(integrations.find((module) => module.name === server.name)),
      })),
    };
    tools = [
      ...discoveryTools(catalog),
      statusTool(servers, gateway, store, location),
      auditTool(store),
      evidenceTool(store),
      ...selfServiceTools(selfService),
      ...servers.flatMap((server) => server.tools),
    ];
    // In the background: start-up (and /healthz) never waits behind a run.
    const rights = { readOnly: exposure.readOnly ?? false, role: exposure.role ?? 'developer' };
    const interrupted = await resumeInterruptedRuns(selfService, rights);
    // While it lives: runs another process left behind (it died, its lease ran out) are resumed or reported.
    const sweep = sweepOrphanedRuns(selfService, rights, {
      everyMs: Math.max(1, Number(env.PLATFORM_SWEEP_SECONDS)) * 1000,
      graceMs: RUN_GRACE_MS,
    });
    // The policy engine runs here either way: an integration with no sandbox does not make the platform mixed.
    const switchable = servers.filter((server) => {
      const module = integrations.find((candidate) => candidate.name === server.name);
      return !module || module.isConfigured !== undefined || Object.values(module.env).some((spec) => spec.required);
    });
    const live = switchable.filter((server) => server.mode === 'live').length;
    const mode = live === switchable.length ? 'live' : live === 0 ? 'sandbox' : 'mixed';
    return {
      tools,
      resources: servers.flatMap((server) => server.resources),
      upstream: { mode, url: `${servers.length} integration${servers.length === 1 ? '' : 's'}, mounted in-process:` },
      banner: [
        ...servers.map(
          (server) =>
            `  ${server.name.padEnd(12)} ${server.mode.padEnd(11)} ${server.mode === 'unavailable' ? server.problem : `${server.tools.length} tools -> ${server.url}`}`,
        ),
        `  state        ${location}${
          interrupted.count === 0
            ? ''
            : interrupted.refused
              ? `, ${interrupted.count} interrupted run(s) not resumed: ${interrupted.refused}`
              : `, resuming ${interrupted.count} interrupted run(s) in the background`
        }`,
      ],
      intercept: gateway.intercept,
      ready: async () => servers.every((server) => server.mode !== 'unavailable'),
      close: async () => {
        await sweep.stop();
        await Promise.all(servers.map((server) => server.close?.()));
        await store.close();
      },
    };
  },
};
