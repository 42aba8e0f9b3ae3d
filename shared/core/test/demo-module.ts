import * as z from 'zod';
import { ToolError } from '../src/errors.ts';
import type { ServerModule } from '../src/module.ts';
import type { PolicyGate } from '../src/policy.ts';
import { DESTRUCTIVE, defineTool, READ, WRITE } from '../src/tool.ts';

/** The core cannot load the policy library (it stands on the core): its own tests pass a gate that allows all. */
export const noPolicy: PolicyGate = {
  check: async () => ({ allowed: true, violations: [], gate: 'none (core tests)' }),
};

/** A server module with one tool per behaviour the core must handle, for the core's own tests. */
export const demoModule: ServerModule = {
  name: 'demo',
  title: 'Demo',
  description: 'A server for testing the core.',
  toolsets: { basics: 'basic tools', admin: 'admin tools' },
  env: { DEMO_TOKEN: { description: 'Demo API token', secret: true, required: true } },
  async start({ env }) {
    const token = env.DEMO_TOKEN ?? 'sandbox-demo-token';
    return {
      upstream: { mode: env.DEMO_TOKEN ? 'live' : 'sandbox', url: 'http://demo.invalid' },
      close: async () => {},
      resources: [
        {
          name: 'note',
          title: 'Note',
          description: 'A note by id',
          uriTemplate: 'demo://notes/{id}',
          mimeType: 'text/plain',
          read: async ({ id }) => {
            if (id !== 'hello') throw new ToolError('not_found', `note ${id} does not exist`);
            return 'hello world';
          },
        },
      ],
      tools: [
        defineTool({
          name: 'echo',
          title: 'Echo',
          description: 'Echo a message.',
          toolset: 'basics',
          tier: 'read',
          annotations: READ,
          input: z.object({
            message: z.string().min(1).describe('Text to echo.'),
            times: z.number().int().max(3).default(1),
          }),
          output: z.object({ echoed: z.string(), length: z.number() }),
          handler: async ({ message, times }) => ({ echoed: message.repeat(times), length: message.length * times }),
        }),
        defineTool({
          name: 'leak',
          title: 'Leak',
          description: 'Returns the configured token, which must never reach the client.',
          toolset: 'basics',
          tier: 'read',
          annotations: READ,
          input: z.object({}),
          output: z.object({ value: z.string() }),
          handler: async () => ({ value: `token is ${token}` }),
        }),
        defineTool({
          name: 'huge',
          title: 'Huge',
          description: 'Returns more than 1 MiB.',
          toolset: 'basics',
          tier: 'read',
          annotations: READ,
          input: z.object({}),
          output: z.object({ blob: z.string() }),
          handler: async () => ({ blob: 'x'.repeat(1_100_000) }),
        }),
        defineTool({
          name: 'fail',
          title: 'Fail',
          description: 'Fails the way an upstream does, or unexpectedly.',
          toolset: 'basics',
          tier: 'read',
          annotations: READ,
          input: z.object({ how: z.enum(['not_found', 'crash']) }),
          output: z.object({}),
          handler: async ({ how }) => {
            if (how === 'not_found')
              throw new ToolError('not_found', 'Demo answered 404: no such thing', { hint: 'list things first' });
            throw new Error(`internal detail with ${token} and a stack`);
          },
        }),
        defineTool({
          name: 'slow_steps',
          title: 'Slow steps',
          description: 'Reports progress per step.',
          toolset: 'basics',
          tier: 'write',
          annotations: WRITE,
          input: z.object({ steps: z.number().int().min(1).max(5) }),
          output: z.object({ done: z.number() }),
          handler: async ({ steps }, ctx) => {
            for (let step = 1; step <= steps; step++) await ctx.progress(step, steps, `step ${step}`);
            return { done: steps };
          },
        }),
        defineTool({
          name: 'drop_everything',
          title: 'Drop everything',
          description: 'An admin-only tool.',
          toolset: 'admin',
          tier: 'admin',
          annotations: DESTRUCTIVE,
          input: z.object({}),
          output: z.object({ dropped: z.boolean() }),
          handler: async () => ({ dropped: true }),
        }),
      ],
    };
  },
};
