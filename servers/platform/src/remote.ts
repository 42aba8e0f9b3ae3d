import {
  type AnyTool,
  ConfigError,
  ERROR_CODES,
  type Logger,
  registerSecret,
  type Tier,
  ToolError,
} from '@idp-mcp/core';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import * as z from 'zod';
import { type MountedServer, namespaced } from './mount.ts';

/**
 * MCP servers mounted over Streamable HTTP: ours deployed elsewhere or third-party ones. Their tools are
 * namespaced like in-process ones and validated here with the schemas they advertise. A remote that is
 * down at start is reported unavailable; one that goes down later fails its own calls and nothing else.
 */
const remoteConfig = z.array(
  z.object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,30}$/, { error: 'must be lower-case letters and digits, e.g. ghofficial' }),
    url: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the MCP endpoint' }),
    headers: z.record(z.string(), z.string()).optional(),
  }),
);
export type RemoteServerConfig = z.output<typeof remoteConfig>[number];

/** Parses PLATFORM_REMOTE_SERVERS, naming the entry and field at fault. */
export function parseRemoteServers(json: string | undefined): RemoteServerConfig[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError(
      'PLATFORM_REMOTE_SERVERS must be JSON, e.g. [{"name":"ghofficial","url":"https://host/mcp","headers":{"Authorization":"Bearer ..."}}]',
    );
  }
  const parsed = remoteConfig.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`PLATFORM_REMOTE_SERVERS[${issue.path.join('].')}: ${issue.message}`);
  }
  for (const server of parsed.data) for (const value of Object.values(server.headers ?? {})) registerSecret(value);
  return parsed.data;
}

const CONNECT_TIMEOUT_MS = 10_000;

export async function mountRemote(config: RemoteServerConfig, log: Logger): Promise<MountedServer> {
  const client = new Client({ name: 'idp-mcp-platform', version: '0.1.0' }, { versionNegotiation: { mode: 'auto' } });
  const transport = new StreamableHTTPClientTransport(new URL(config.url), {
    requestInit: { headers: config.headers ?? {} },
  });
  try {
    await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
    const tools: AnyTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: CONNECT_TIMEOUT_MS });
      for (const tool of page.tools) tools.push(remoteTool(config.name, tool, client));
      cursor = page.nextCursor;
    } while (cursor);
    return {
      name: config.name,
      title: config.name,
      mode: 'live',
      url: new URL(config.url).origin,
      tools,
      resources: [],
      close: () => client.close(),
    };
  } catch (error) {
    log.error('remote MCP server unavailable; its tools are left out', { remote: config.name, error: String(error) });
    await client.close().catch(() => {});
    return {
      name: config.name,
      title: config.name,
      mode: 'unavailable',
      url: new URL(config.url).origin,
      tools: [],
      resources: [],
      problem: `not reachable at start: ${(error as Error).message}`,
    };
  }
}

interface RemoteToolDescription {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: {
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
}

/** A remote tool's tier from its own annotations: read-only -> read, destructive -> admin, else write. */
function tierOf(annotations: RemoteToolDescription['annotations']): Tier {
  if (annotations?.readOnlyHint) return 'read';
  return annotations?.destructiveHint ? 'admin' : 'write';
}

function remoteTool(server: string, tool: RemoteToolDescription, client: Client): AnyTool {
  const tier = tierOf(tool.annotations);
  const input = z.fromJSONSchema(tool.inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
  return {
    name: namespaced(server, tool.name),
    title: tool.title ?? tool.name,
    description: tool.description ?? '',
    toolset: 'remote',
    tier,
    annotations: {
      readOnlyHint: tier === 'read',
      destructiveHint: tool.annotations?.destructiveHint ?? tier !== 'read',
      idempotentHint: tool.annotations?.idempotentHint ?? false,
      openWorldHint: true,
    },
    input: (input instanceof z.ZodObject ? input : z.object({}).catchall(z.unknown())) as z.ZodObject,
    output: z.object({ text: z.string().optional() }).catchall(z.unknown()),
    handler: async (args, ctx) => {
      let result: Awaited<ReturnType<Client['callTool']>>;
      try {
        result = await client.callTool({ name: tool.name, arguments: args }, { signal: ctx.signal });
      } catch (error) {
        throw new ToolError(
          'upstream_unavailable',
          `remote MCP server ${server} did not answer: ${(error as Error).message}`,
          {
            upstream: server,
            retryable: tier === 'read',
          },
        );
      }
      const text = (result.content as Array<{ type: string; text?: string }> | undefined)
        ?.filter((block) => block.type === 'text')
        .map((block) => block.text)
        .join('\n');
      if (result.isError) {
        // An idp-mcp remote says its error code in _meta and puts it before the message; others don't.
        const meta = result._meta?.['idp-mcp/error'] as { code?: string; retryable?: boolean } | undefined;
        const code = ERROR_CODES.find((known) => known === meta?.code);
        const firstLine = (text ?? '').split('\n')[0] ?? '';
        const message =
          code && firstLine.startsWith(`${code}: `) ? firstLine.slice(code.length + 2) : text || 'no message';
        throw new ToolError(code ?? 'invalid_request', `${server} refused ${tool.name}: ${message}`, {
          upstream: server,
          retryable: meta?.retryable ?? false,
        });
      }
      return (result.structuredContent as Record<string, unknown> | undefined) ?? { text: text ?? '' };
    },
  };
}
