import {
  type PolicyGate,
  parseFlags,
  type ServerModule,
  type StartedServer,
  silentLogger,
  startServer,
} from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/**
 * A real MCP client connected to a server module, the way every server's tests drive their tools:
 * over Streamable HTTP on a free loopback port (either protocol era), or over stdio by spawning a bin.
 */
export interface ConnectedClient {
  client: Client;
  server: StartedServer;
  close(): Promise<void>;
}

/** The gate a bin starts with when no POLICY_DIRS or POLICY_CONFIG is set: the shipped policies. */
export const shippedPolicyGate: PolicyGate = gateFromEnv({});

export interface ConnectOptions {
  /** CLI flags besides the transport and port, e.g. ['--role', 'platform-admin']. */
  args?: string[];
  /** The environment the module reads (tokens, upstream URLs). */
  env?: Record<string, string | undefined>;
  era?: 'modern' | 'legacy';
  /** The policy gate writes pass; the shipped policies (as every bin starts with) when absent. */
  gate?: PolicyGate;
}

export async function connectClient(module: ServerModule, options: ConnectOptions = {}): Promise<ConnectedClient> {
  const flags = parseFlags(['--transport', 'http', '--port', '0', ...(options.args ?? [])]);
  const server = await startServer(module, flags, options.env ?? {}, options.gate ?? shippedPolicyGate, silentLogger);
  try {
    const client = await connectUrl(server.url!, options.era ?? 'modern');
    return {
      client,
      server,
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

export async function connectUrl(url: string, era: 'modern' | 'legacy' = 'modern'): Promise<Client> {
  const client = new Client(
    { name: 'idp-mcp-test', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Spawns a server's bin (a .ts file run by this Node) and connects over stdio. */
export async function connectStdio(
  binPath: string,
  args: string[],
  env: Record<string, string> = {},
  era: 'modern' | 'legacy' = 'legacy',
): Promise<Client> {
  const client = new Client(
    { name: 'idp-mcp-test', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [binPath, ...args],
      env: { ...(process.env as Record<string, string>), IDP_MCP_LOG_LEVEL: 'warn', ...env },
      stderr: 'pipe',
    }),
  );
  return client;
}

/** What a model sees of a server: every tool's name, title, description, schemas and annotations, in order. */
export async function toolsSnapshot(client: Client): Promise<string> {
  const { tools } = await client.listTools();
  return `${JSON.stringify(tools, null, 2)}\n`;
}

/** The text of a tool result's first content block. */
export function textOf(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return first?.text ?? '';
}

/** Calls a tool that must succeed and returns its structured output; a tool error fails the test with its text. */
export async function callOk<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${textOf(result)}`);
  return result.structuredContent as T;
}
