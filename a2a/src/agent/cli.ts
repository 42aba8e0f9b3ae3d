import { parseArgs } from 'node:util';
import { ConfigError, callerFromRoles, createLogger, ROLES, type Role, type ServerCommand } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { startPlatform } from '../platform.ts';
import { AGENT_ENV_HELP, type AgentStatus, agentSettingsFromEnv, runAgent } from './agent.ts';
import { LLM_ENV_HELP, providerFromEnv } from './providers.ts';
import { platformHost, remoteHost, type ToolHost } from './tools.ts';

/** `idp-mcp agent` exit codes: what a cron job or CI step can branch on. */
export const EXIT_CODES: Record<AgentStatus | 'usage' | 'no-llm', number> = {
  done: 0,
  failed: 1,
  usage: 2,
  'needs-approval': 3,
  refused: 4,
  budget: 5,
  'no-llm': 6,
  canceled: 130,
};

const HELP = `Usage: idp-mcp agent [--sandbox] [--platform-url URL] [--role developer] [--json] "<request>"

Runs the bundled headless agent once: a model works through the platform's tools (its default profile, the rest
through find_tools and call_tool) as one caller, and answers on stdout. Each step is printed on stderr. It applies
no plan and makes no other change unless AGENT_AUTO_APPROVE allows that kind; otherwise it stops with the plan
waiting for approval (exit 3).

Flags:
  --sandbox              start the platform in this process on its sandbox (no credentials)
  --platform-url URL     use a platform served elsewhere (its /mcp URL) instead of starting one; the
                         bearer token, if it needs one, is AGENT_PLATFORM_TOKEN
  --role ROLE            the caller's role on an in-process platform: ${ROLES.join(' | ')} (default developer)
  --json                 print the whole outcome (status, answer, steps, held changes, usage) as JSON
  --help                 this text

Exit codes: 0 done, 1 failed, 2 bad usage or settings, 3 needs approval, 4 refused (policy or permission),
5 budget exhausted (steps, tokens or time), 6 no LLM endpoint configured, 130 interrupted.

The model (one of three providers):
${LLM_ENV_HELP}

The run:
${AGENT_ENV_HELP}

Without --platform-url the platform's own environment applies (idp-mcp platform --help).`;

/** `idp-mcp agent "<request>"`: one run, for cron jobs, CI and ChatOps scripts. */
export const agentCommand: ServerCommand = {
  description: 'run the bundled headless agent on one request (idp-mcp agent --help)',
  async run(args, io) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (error) {
      io.stderr(`idp-mcp agent: ${(error as Error).message}. Run with --help to see the flags.\n`);
      return EXIT_CODES.usage;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    const request = positionals.join(' ').trim();
    const env = process.env;
    let host: ToolHost | undefined;
    let close = async () => {};
    try {
      if (!request) throw new ConfigError('give the request as an argument: idp-mcp agent "<request>"');
      const role = (values.role ?? 'developer') as Role;
      if (!ROLES.includes(role)) throw new ConfigError(`--role: must be one of ${ROLES.join(', ')}`);
      const settings = agentSettingsFromEnv(env);
      const llm = providerFromEnv(env);
      if (!llm) {
        io.stderr(
          `idp-mcp agent: no LLM endpoint is configured, so the agent cannot run. Set one of:\n${LLM_ENV_HELP}\n`,
        );
        return EXIT_CODES['no-llm'];
      }
      const log = createLogger('agent');
      const platformUrl = values['platform-url'] ?? env.AGENT_PLATFORM_URL;
      if (platformUrl) {
        host = await remoteHost(platformUrl, env.AGENT_PLATFORM_TOKEN || undefined);
      } else {
        const platform = await startPlatform({ env, sandbox: values.sandbox ?? false, gate: gateFromEnv(env), log });
        close = () => platform.close();
        host = platformHost(platform, callerFromRoles('local', [role]));
      }
      io.stderr(`idp-mcp agent: ${llm.describe} on the ${host.describe}${values.sandbox ? ' [sandbox]' : ''}\n`);
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      const outcome = await runAgent({
        request,
        llm,
        tools: host,
        settings,
        signal: controller.signal,
        onStep: (step) =>
          io.stderr(`  step ${step.index} [${step.status}] ${step.kind === 'answer' ? 'answer' : step.text}\n`),
        onProgress: (message) => io.stderr(`    ${message}\n`),
      }).finally(() => {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      });
      if (values.json) io.stdout(`${JSON.stringify(outcome, null, 2)}\n`);
      else {
        io.stdout(`${outcome.answer}\n`);
        for (const change of outcome.held) {
          io.stdout(
            change.plan_id
              ? `Waiting for approval: apply_plan ${change.plan_id}${change.kind ? ` (${change.kind})` : ''}\n`
              : `Waiting for approval: ${change.tool} ${JSON.stringify(change.arguments)}\n`,
          );
        }
      }
      io.stderr(
        `idp-mcp agent: ${outcome.status} (${outcome.usage.turns} model turns, ${outcome.usage.input + outcome.usage.output} tokens)\n`,
      );
      return EXIT_CODES[outcome.status];
    } catch (error) {
      if (error instanceof ConfigError) {
        io.stderr(`idp-mcp agent: ${error.message}\n`);
        return EXIT_CODES.usage;
      }
      io.stderr(`idp-mcp agent: failed: ${(error as Error).message}\n`);
      return EXIT_CODES.failed;
    } finally {
      await host?.close();
      await close();
    }
  },
};

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      sandbox: { type: 'boolean' },
      'platform-url': { type: 'string' },
      role: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
}
