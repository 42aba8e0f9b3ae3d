import {
  type AnyTool,
  defineTool,
  invokeTool,
  READ,
  type Tier,
  ToolError,
  type ToolInterceptor,
  tierAllows,
  toolErrorOf,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';

/**
 * The full catalog behind a small tools/list: find_tools searches it by intent, call_tool runs any
 * tool in it by name through the same validation, tier check and interceptor as a direct call.
 */
export interface Catalog {
  /** Every tool the platform has, exposed or not. */
  tools(): AnyTool[];
  readOnly: boolean;
  intercept: ToolInterceptor;
}

const WORD = /[a-z0-9]+/g;

/** Crude stemming so "topics" finds "topic" and "deploying" finds "deploy". */
function terms(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((word) => word.replace(/(ing|ies|es|s)$/, '')).filter(Boolean);
}

interface Scored {
  tool: AnyTool;
  score: number;
}

/** Ranks tools for a query: name and toolset matches weigh most, then title, then description. */
export function searchTools(tools: AnyTool[], query: string): AnyTool[] {
  const wanted = new Set(terms(query));
  const scored: Scored[] = tools.map((tool) => {
    const fields: Array<[string, number]> = [
      [tool.name.replace(/_/g, ' '), 3],
      [tool.toolset, 2],
      [tool.title, 2],
      [tool.description, 1],
    ];
    let score = 0;
    for (const [text, weight] of fields) {
      for (const term of new Set(terms(text))) if (wanted.has(term)) score += weight;
    }
    return { tool, score };
  });
  return scored
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.tool.name.localeCompare(b.tool.name))
    .map((entry) => entry.tool);
}

function callable(tool: AnyTool, tier: Tier, readOnly: boolean): boolean {
  return tierAllows(tier, tool.tier) && (!readOnly || tool.tier === 'read');
}

export function discoveryTools(catalog: Catalog) {
  return [
    defineTool({
      name: 'find_tools',
      title: 'Find tools',
      description:
        'Search every platform tool (GitHub, Kubernetes, Argo CD, Kafka, Jira, Slack, ...) by what you want to do; returns names and input schemas to use with call_tool.',
      toolset: 'core',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({
        query: z.string().min(2).describe('What you want to do, e.g. "merge a pull request" or "pod logs".'),
        server: z.string().optional().describe('Only tools of this integration, e.g. github.'),
        limit: z.number().int().min(1).max(20).default(8),
      }),
      output: z.object({
        tools: z.array(
          z.object({
            name: z.string(),
            description: z.string(),
            tier: z.string(),
            input_schema: z.record(z.string(), z.unknown()),
          }),
        ),
      }),
      handler: async (input, ctx) => {
        const candidates = catalog
          .tools()
          .filter((tool) => callable(tool, ctx.caller.tier, catalog.readOnly))
          .filter((tool) => !input.server || tool.toolset === input.server);
        return {
          tools: searchTools(candidates, input.query)
            .slice(0, input.limit)
            .map((tool) => ({
              name: tool.name,
              description: tool.description,
              tier: tool.tier,
              input_schema: z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>,
            })),
        };
      },
    }),
    defineTool({
      name: 'call_tool',
      title: 'Call a tool by name',
      description:
        'Run any platform tool found with find_tools, with its arguments. Same checks, permissions and policy gate as calling it directly; it may change things when the named tool does.',
      toolset: 'core',
      tier: 'read',
      annotations: { ...WRITE, destructiveHint: true },
      input: z.object({
        name: z.string().min(1).describe('Tool name from find_tools, e.g. github_merge_pull_request.'),
        arguments: z.record(z.string(), z.unknown()).default({}).describe("The tool's arguments."),
      }),
      output: z.object({ tool: z.string(), result: z.unknown().describe("The called tool's structured output.") }),
      handler: async (input, ctx) => {
        const target = catalog.tools().find((tool) => tool.name === input.name);
        if (!target || target.name === 'call_tool') {
          const similar = searchTools(catalog.tools(), input.name.replace(/_/g, ' '))
            .slice(0, 3)
            .map((tool) => tool.name);
          throw new ToolError('not_found', `no tool named ${input.name}`, {
            hint: similar.length
              ? `did you mean ${similar.join(', ')}? find_tools searches by intent`
              : 'use find_tools',
            retryable: false,
          });
        }
        if (catalog.readOnly && target.tier !== 'read') {
          throw new ToolError('forbidden', `${target.name} changes things and this platform runs read-only`, {
            retryable: false,
          });
        }
        const result = await invokeTool(target, input.arguments, ctx, { intercept: catalog.intercept });
        const error = toolErrorOf(result);
        if (error) throw error;
        return { tool: target.name, result: result.structuredContent ?? null };
      },
    }),
  ];
}
