import type { ServerCommand, ServerModule } from '@idp-mcp/core';
import { INTEGRATION_LOADERS } from '@idp-mcp/platform/registry';

/** Every server the idp-mcp command can start, in --help order: the platform, then the integrations it mounts. */
export const SERVER_LOADERS: Record<string, () => Promise<ServerModule>> = {
  platform: async () => (await import('@idp-mcp/platform')).platformModule,
  ...INTEGRATION_LOADERS,
};

/** Commands that are not MCP servers: the A2A supervisor in front of the platform, and the headless agent. */
export const COMMAND_LOADERS: Record<string, () => Promise<ServerCommand>> = {
  a2a: async () => (await import('@idp-mcp/a2a/cli')).a2aCommand,
  agent: async () => (await import('@idp-mcp/a2a/agent')).agentCommand,
};

/** Every server module, for --help and for tools that go over all of them (the benchmarks). */
export async function loadServers(): Promise<ServerModule[]> {
  return Promise.all(Object.values(SERVER_LOADERS).map((load) => load()));
}
