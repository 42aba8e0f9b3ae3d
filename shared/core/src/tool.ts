import type * as z from 'zod';
import type { Caller, Tier } from './caller.ts';
import type { Logger } from './log.ts';

/** MCP behaviour hints. Clients use them to decide what needs confirmation. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolContext {
  /** Aborted when the client cancels the call or disconnects: pass it to every upstream call. */
  signal: AbortSignal;
  /** Reports progress to the client when it asked for it; a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  caller: Caller;
  log: Logger;
  /**
   * Asks the person at the client to confirm (MCP elicitation). False when they decline, undefined when
   * the client cannot ask (no elicitation support, or a stateless or 2026-era exchange).
   */
  confirm(message: string): Promise<boolean | undefined>;
  /**
   * Asks the client's model for text (MCP sampling). Undefined when the client cannot (no sampling support,
   * or a stateless or 2026-era exchange): tools then describe instead of proposing.
   */
  sample(
    request: { system: string; prompt: string; maxTokens: number },
    signal: AbortSignal,
  ): Promise<string | undefined>;
}

type ZodShape = z.ZodRawShape;

export interface ToolDefinition<
  I extends ZodShape = ZodShape,
  O extends ZodShape = ZodShape,
  N extends string = string,
> {
  /**
   * snake_case, unique within its server; the aggregator prefixes the server name. Kept as its literal type
   * (N), so that the platform's composites can name a server's tool and get its input and output types.
   */
  name: N;
  title: string;
  /** Written for a model: what it does, when to use it, what it returns. Short and exact. */
  description: string;
  /** The toolset this tool belongs to (switched on with --toolsets). */
  toolset: string;
  tier: Tier;
  annotations: ToolAnnotations;
  input: z.ZodObject<I>;
  output: z.ZodObject<O>;
  handler(input: z.output<z.ZodObject<I>>, ctx: ToolContext): Promise<z.input<z.ZodObject<O>>>;
  /**
   * True when a call can return secret values (Vault's read_secret with reveal). The platform audits every call of
   * such a tool, whatever its tier, so that each reveal leaves a record; its output is not redacted by key.
   */
  reveals?: boolean;
  /**
   * What the audit log keeps of the arguments, for secrets the common redaction cannot see (a Vault value under a
   * key like `dsn`, a Secret inside manifest text). Gets the arguments as sent, before validation, so it must accept
   * anything; what it returns is still redacted like every audit record (secret-looking keys, registered values).
   */
  auditArgs?(args: Record<string, unknown>): unknown;
  /** Text shown next to structuredContent. Defaults to compact JSON of the output. */
  render?(output: z.output<z.ZodObject<O>>): string;
}

/** A tool of any shape, as registries hold them. */
// biome-ignore lint/suspicious/noExplicitAny: registries hold tools of every input and output shape
export type AnyTool = ToolDefinition<any, any>;

/** Annotation presets for the three usual kinds of tool; spread and override where a tool differs. */
export const READ: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};
export const WRITE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};
export const DESTRUCTIVE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: true,
};

/** The one way to define a tool. Checks the definition's own consistency at start-up. */
export function defineTool<I extends ZodShape, O extends ZodShape, N extends string>(
  tool: ToolDefinition<I, O, N>,
): ToolDefinition<I, O, N> {
  if (!/^[a-z][a-z0-9_]{1,63}$/.test(tool.name)) {
    throw new Error(`tool name ${JSON.stringify(tool.name)} must be snake_case, 2-64 characters`);
  }
  // Tier says who may call a tool, readOnlyHint whether it changes anything: an admin-only read (the audit
  // log, a revealed secret) is read-only, and a read-tier dispatcher (call_tool) may be annotated more
  // cautiously. A write-tier tool claiming to be read-only would be auto-approved by clients: refuse it.
  if (tool.tier === 'write' && tool.annotations.readOnlyHint) {
    throw new Error(`tool ${tool.name}: a write-tier tool cannot be annotated readOnlyHint`);
  }
  return tool;
}
