import type { Caller } from '@idp-mcp/core';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import * as z from 'zod';
import type { CallResult, Platform } from '../platform.ts';

/** A platform tool as the agent sees it: what the model is shown, and what the agent's own rules need. */
export interface HostTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** The tool changes nothing (MCP readOnlyHint). */
  readOnly: boolean;
  /** A self-service tool that makes a plan (changes nothing until apply_plan). */
  planner: boolean;
}

export interface HostResult {
  isError: boolean;
  /** The platform's error code (policy_denied, forbidden, invalid_request, ...), when it failed. */
  code?: string;
  text: string;
  structured?: Record<string, unknown>;
}

/**
 * The platform's MCP surface the agent works through, as one caller: the tools that caller may call (the
 * platform's default profile) and calls through the platform's own call path (tier, validation, rate limit,
 * audit, policy gate). In-process or over Streamable HTTP.
 */
export interface ToolHost {
  /** Where the tools come from, for banners: `in-process platform` or the URL. */
  describe: string;
  list(): Promise<HostTool[]>;
  call(
    name: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; onProgress?: (message: string) => void },
  ): Promise<HostResult>;
  close(): Promise<void>;
}

type Schema = Record<string, unknown>;
const withoutDialect = ({ $schema: _dialect, ...rest }: Schema): Schema => rest;

/** A plan maker's output has a plan id and steps, and no run (apply_plan's has both). */
function isPlanner(output: Schema | undefined): boolean {
  const properties = (output?.properties ?? {}) as Schema;
  return 'plan_id' in properties && 'steps' in properties && !('run_id' in properties);
}

function hostResult(result: CallResult): HostResult {
  const text = result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
  const code = (result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code;
  return {
    isError: result.isError === true,
    ...(code ? { code } : {}),
    text,
    ...(result.structuredContent ? { structured: result.structuredContent as Record<string, unknown> } : {}),
  };
}

/** The platform started in this process, called as `caller` (the supervisor's callers, or the CLI's role). */
export function platformHost(platform: Platform, caller: Caller): ToolHost {
  return {
    describe: 'in-process platform',
    async list() {
      return platform.toolsFor(caller).map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: withoutDialect(z.toJSONSchema(tool.input, { io: 'input' }) as Schema),
        readOnly: tool.annotations.readOnlyHint === true,
        planner: isPlanner(z.toJSONSchema(tool.output) as Schema),
      }));
    },
    async call(name, args, options) {
      return hostResult(
        await platform.call(caller, name, args, {
          signal: options.signal,
          onProgress: (_progress, _total, message) => message && options.onProgress?.(message),
        }),
      );
    },
    close: async () => undefined,
  };
}

/** A platform served elsewhere (`idp-mcp platform --transport http`), with the caller's bearer token if any. */
export async function remoteHost(url: string, token?: string): Promise<ToolHost> {
  const client = new Client({ name: 'idp-mcp-agent', version: '0.1.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      ...(token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
    }),
  );
  return {
    describe: new URL(url).origin + new URL(url).pathname,
    async list() {
      const { tools } = await client.listTools();
      return tools.map((tool) => ({
        name: tool.name,
        description: tool.description ?? '',
        inputSchema: tool.inputSchema as Schema,
        readOnly: tool.annotations?.readOnlyHint === true,
        planner: isPlanner(tool.outputSchema as Schema | undefined),
      }));
    },
    async call(name, args, options) {
      const result = await client.callTool(
        { name, arguments: args },
        {
          signal: options.signal,
          timeout: 10 * 60_000,
          resetTimeoutOnProgress: true,
          onprogress: (progress) => progress.message && options.onProgress?.(progress.message),
        },
      );
      return hostResult(result as CallResult);
    },
    close: () => client.close(),
  };
}
