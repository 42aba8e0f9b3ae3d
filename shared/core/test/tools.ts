import * as z from 'zod';
import type { Tier } from '../src/caller.ts';
import { DESTRUCTIVE, defineTool, READ, WRITE } from '../src/tool.ts';

/** A minimal tool of a given tier, for tests of exposure and tiers. */
export function fakeTool(name: string, tier: Tier, toolset: string) {
  return defineTool({
    name,
    title: name,
    description: `${name} for tests`,
    toolset,
    tier,
    annotations: tier === 'read' ? READ : tier === 'write' ? WRITE : DESTRUCTIVE,
    input: z.object({}),
    output: z.object({ ok: z.boolean() }),
    handler: async () => ({ ok: true }),
  });
}
