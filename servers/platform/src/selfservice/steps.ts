import {
  type AnyTool,
  type Caller,
  invokeTool,
  type Logger,
  ToolError,
  type ToolInterceptor,
  toolErrorOf,
} from '@idp-mcp/core';
import type { StepDefinition } from '@idp-mcp/store';

/**
 * A step of a plan, as data: the tool to call and its arguments, and how to undo it. Plans store their
 * steps this way so that applying, re-applying and resuming after a crash all rebuild the same steps.
 */
export interface StepSpec {
  name: string;
  description: string;
  call: { tool: string; args: Record<string, unknown> };
  undo?: { tool: string; args: Record<string, unknown> };
  /** An error message that means a retried step had already succeeded (e.g. "already exists"). */
  doneWhen?: string;
}

/** Calls a catalog tool by name as one caller, through the gateway: every inner write is audited too. */
export type Invoker = (tool: string, args: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>;

export function createInvoker(options: {
  tools: () => AnyTool[];
  intercept: ToolInterceptor;
  caller: Caller;
  log: Logger;
}): Invoker {
  return async (name, args, signal) => {
    const tool = options.tools().find((candidate) => candidate.name === name);
    if (!tool) {
      throw new ToolError('upstream_unavailable', `${name} is not available: its integration is not mounted`, {
        retryable: false,
      });
    }
    const result = await invokeTool(
      tool,
      args,
      {
        signal,
        caller: options.caller,
        log: options.log,
        progress: async () => {},
        confirm: async () => undefined,
        sample: async () => undefined,
      },
      { intercept: options.intercept },
    );
    const error = toolErrorOf(result);
    if (error) throw error;
    return result.structuredContent ?? {};
  };
}

/** The store's step definitions for a plan's step specs. */
export function stepDefinitions(specs: StepSpec[], invoke: Invoker, undoAs: Invoker): StepDefinition[] {
  return specs.map((spec) => ({
    name: spec.name,
    description: spec.description,
    do: async (ctx) => {
      try {
        return await invoke(spec.call.tool, spec.call.args, ctx.signal);
      } catch (error) {
        if (spec.doneWhen && error instanceof ToolError && error.message.includes(spec.doneWhen)) {
          return { already_done: true };
        }
        throw error;
      }
    },
    ...(spec.undo
      ? {
          undo: async (ctx) => {
            await undoAs(spec.undo!.tool, spec.undo!.args, ctx.signal);
          },
        }
      : {}),
  }));
}
