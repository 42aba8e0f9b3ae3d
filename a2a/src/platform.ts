import {
  type AnyTool,
  type Caller,
  createSandboxWorld,
  invokeTool,
  type Logger,
  loadEnv,
  type PolicyGate,
  type SandboxWorld,
  selectTools,
  type ToolContext,
  ToolError,
  tierAllows,
} from '@idp-mcp/core';
import { platformModule } from '@idp-mcp/platform';

/** What a platform tool call returns: the MCP result runTool builds. */
export type CallResult = Awaited<ReturnType<typeof invokeTool>>;

export interface CallOptions {
  signal: AbortSignal;
  /** Step progress of a long call (apply_plan), as the platform reports it. */
  onProgress?: (progress: number, total: number | undefined, message: string | undefined) => void;
}

/**
 * The platform as the supervisor sees it: its tools, called as a given caller. Every call takes the platform's
 * own path (tier check, argument validation, the gateway's rate limit, metrics and audit, the policy gate in the
 * tools), so the supervisor adds no rights and no logic of its own.
 */
export interface Platform {
  /** The tools the platform exposes (its default toolsets: core and self-service). */
  tools: AnyTool[];
  call(caller: Caller, name: string, args: Record<string, unknown>, options: CallOptions): Promise<CallResult>;
  /** The tools this caller's tier allows. */
  toolsFor(caller: Caller): AnyTool[];
  /** The sandbox's fake upstreams the platform calls (tests make a call slow or fail through them). */
  world: SandboxWorld;
  close(): Promise<void>;
}

/** Starts the platform module in this process, as `idp-mcp platform` would, without serving MCP. */
export async function startPlatform(options: {
  env: Record<string, string | undefined>;
  sandbox: boolean;
  gate: PolicyGate;
  log: Logger;
}): Promise<Platform> {
  const env = loadEnv(platformModule, options.env, { sandbox: options.sandbox });
  const world = createSandboxWorld();
  const instance = await platformModule
    .start({ env, sandbox: options.sandbox, log: options.log, gate: options.gate, exposure: {}, world })
    .catch(async (error) => {
      await world.close();
      throw error;
    });
  const tools = selectTools(platformModule, instance.tools, {});
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return {
    tools,
    world,
    toolsFor: (caller) => tools.filter((tool) => tierAllows(caller.tier, tool.tier)),
    async call(caller, name, args, callOptions) {
      const tool = byName.get(name);
      if (!tool) throw new ToolError('not_found', `the platform has no tool ${name}`);
      const ctx: ToolContext = {
        signal: callOptions.signal,
        caller,
        log: options.log,
        progress: async (progress, total, message) => callOptions.onProgress?.(progress, total, message),
        // The A2A caller approved by a message on the task before apply_plan is called: nothing more to ask.
        confirm: async () => true,
        sample: async () => undefined,
      };
      return invokeTool(tool, args, ctx, {
        ...(instance.mapError ? { mapError: instance.mapError } : {}),
        ...(instance.intercept ? { intercept: instance.intercept } : {}),
      });
    },
    close: () => instance.close().then(() => world.close()),
  };
}
