import { parseArgs } from 'node:util';
import { AUTH_ENV_HELP, ConfigError, createLogger, ROLES, type Role, type ServerCommand } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { AGENT_ENV_HELP } from './agent/agent.ts';
import { LLM_ENV_HELP } from './agent/providers.ts';
import { startSupervisor } from './server.ts';

const HELP = `Usage: idp-mcp a2a [--sandbox] [--host 127.0.0.1] [--port 8080] [--role developer]
                  [--allowed-hosts h1,h2] [--dangerously-allow-unauthenticated]

Serves the A2A supervisor (A2A protocol 1.0: JSON-RPC and HTTP+JSON) in front of the platform, started in this
process. The agent card is at /.well-known/agent-card.json.

Flags:
  --sandbox                the platform runs on its sandbox: no credentials needed
  --host ADDRESS           bind address (default 127.0.0.1)
  --port N                 port (default 8080; 0 picks a free one)
  --role ROLE              without an identity provider, every caller's role: ${ROLES.join(' | ')} (default developer)
  --allowed-hosts h1,h2    Host header names accepted (required when --host is not loopback)
  --dangerously-allow-unauthenticated
                           serve a non-loopback address with no identity provider
  --help                   this text

Environment: the platform's (idp-mcp platform --help), A2A_PUBLIC_URL (the base URL the card advertises,
e.g. https://a2a.example.com; default http://host:port), A2A_PUSH_ALLOWED_HOSTS (receiver hosts exempt from the
push guard, which otherwise allows only https URLs on public addresses), the identity variables:

${AUTH_ENV_HELP}

and the bundled agent behind the free-text skill (off when no model is configured):
${LLM_ENV_HELP}
${AGENT_ENV_HELP}`;

/** `idp-mcp a2a`: runs until SIGINT or SIGTERM. */
export const a2aCommand: ServerCommand = {
  description: 'serve the A2A supervisor in front of the platform (idp-mcp a2a --help)',
  async run(args, io) {
    let values: ReturnType<typeof parse>;
    try {
      values = parse(args);
    } catch (error) {
      io.stderr(`idp-mcp a2a: ${(error as Error).message}. Run with --help to see the flags.\n`);
      return 2;
    }
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    try {
      const port = Number(values.port ?? '8080');
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port: must be 0-65535');
      const role = (values.role ?? 'developer') as Role;
      if (!ROLES.includes(role)) throw new ConfigError(`--role: must be one of ${ROLES.join(', ')}`);
      const allowedHosts = values['allowed-hosts']
        ?.split(',')
        .map((host) => host.trim())
        .filter(Boolean);
      const supervisor = await startSupervisor({
        env: process.env,
        sandbox: values.sandbox ?? false,
        host: values.host ?? '127.0.0.1',
        port,
        role,
        ...(allowedHosts?.length ? { allowedHosts } : {}),
        allowUnauthenticated: values['dangerously-allow-unauthenticated'] ?? false,
        ...(process.env.A2A_PUBLIC_URL ? { publicUrl: process.env.A2A_PUBLIC_URL } : {}),
        gate: gateFromEnv(process.env),
        log: createLogger('a2a'),
      });
      io.stderr(
        [
          `idp-mcp a2a: A2A supervisor in front of the platform${values.sandbox ? ' [sandbox]' : ''} (${supervisor.identity})`,
          `Agent card: ${supervisor.url}/.well-known/agent-card.json`,
          `Free text: ${supervisor.agent ? `the bundled agent on ${supervisor.agent}` : 'off (no LLM endpoint configured: AGENT_LLM, see --help)'}`,
          ...supervisor.card.supportedInterfaces.map((entry) => `${entry.protocolBinding.padEnd(10)} ${entry.url}`),
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = () => void supervisor.close().finally(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : `could not start: ${(error as Error).message}`;
      io.stderr(`idp-mcp a2a: ${message}\n`);
      return error instanceof ConfigError ? 2 : 1;
    }
  },
};

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      sandbox: { type: 'boolean' },
      host: { type: 'string' },
      port: { type: 'string' },
      role: { type: 'string' },
      'allowed-hosts': { type: 'string' },
      'dangerously-allow-unauthenticated': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}
