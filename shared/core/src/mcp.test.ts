import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { callerFromRoles } from './caller.ts';
import { silentLogger } from './log.ts';
import { invokeTool, runTool } from './mcp.ts';
import { defineTool, READ, type ToolContext } from './tool.ts';

const add = defineTool({
  name: 'add',
  title: 'Add',
  description: 'Adds two numbers.',
  toolset: 'math',
  tier: 'read',
  annotations: READ,
  input: z.object({ a: z.number(), b: z.number().default(1) }),
  output: z.object({ sum: z.number() }),
  handler: async ({ a, b }) => ({ sum: a + b }),
});

const ctx: ToolContext = {
  signal: new AbortController().signal,
  progress: async () => {},
  confirm: async () => undefined,
  sample: async () => undefined,
  caller: callerFromRoles('test', ['viewer']),
  log: silentLogger,
};

describe('runTool', () => {
  it('validates and defaults arguments itself, so calls that bypass the SDK get the same checks', async () => {
    expect((await runTool(add, { a: 2 }, ctx)).structuredContent).toEqual({ sum: 3 });
    const bad = await runTool(add, { a: 'two', b: 5 }, ctx);
    expect(bad.isError).toBe(true);
    expect(bad.content).toEqual([
      {
        type: 'text',
        text: "invalid_request: invalid arguments for add: a: Invalid input: expected number, received string\nFix: correct the named arguments; the tool's input schema lists each one\nRetry: not safe to repeat unchanged.",
      },
    ]);
  });
});

describe('invokeTool', () => {
  it('passes every call through the interceptor, which may refuse it', async () => {
    const seen: string[] = [];
    const result = await invokeTool(add, { a: 1, b: 1 }, ctx, {
      intercept: async ({ tool, args }, next) => {
        seen.push(`${tool.name}:${JSON.stringify(args)}`);
        return next();
      },
    });
    expect(result.structuredContent).toEqual({ sum: 2 });
    expect(seen).toEqual(['add:{"a":1,"b":1}']);
    const refused = await invokeTool(add, { a: 1 }, ctx, {
      intercept: async () => ({ isError: true, content: [{ type: 'text', text: 'rate_limited: slow down' }] }),
    });
    expect(refused.isError).toBe(true);
  });
});
