import { defineTool, listArgs, nextCursorField, offsetPage, READ, registerSecret, ToolError } from '@idp-mcp/core';
import * as z from 'zod';
import { masked, maskedOutputs, type OutputJson, type StateJson, sensitiveStrings, stateResources } from '../plan.ts';
import { dirArg, type TerraformToolsOptions, workdirOf, workspaceArg } from './shared.ts';

/** Above this many characters a resource's values are cut to their top-level keys' shapes. */
const MAX_VALUES_CHARS = 12_000;

/** State: resources, one resource's attributes, outputs, workspaces. */
export function stateTools(options: TerraformToolsOptions) {
  const { terraform } = options;
  const readState = async (dirName: string, workspace: string | undefined, signal: AbortSignal) => {
    const dir = await workdirOf(options, dirName, signal);
    const state = await terraform.json<StateJson>(dir, ['show', '-json', '-no-color'], { signal, workspace });
    for (const r of stateResources(state)) {
      for (const value of sensitiveStrings(r.values, r.sensitive_values)) registerSecret(value);
    }
    return state;
  };
  return [
    defineTool({
      name: 'list_resources',
      title: 'List resources in state',
      description:
        'Resources in the state of a working directory (and workspace): address, type, mode (managed or data) and provider. Narrow with type or module.',
      toolset: 'state',
      tier: 'read',
      annotations: READ,
      input: z.object({
        dir: dirArg,
        workspace: workspaceArg,
        type: z.string().min(1).optional().describe('Only resources of this type, e.g. aws_s3_bucket.'),
        module: z.string().min(1).optional().describe('Only resources in this module, e.g. module.network.'),
        ...listArgs,
      }),
      output: z.object({
        resources: z.array(z.object({ address: z.string(), type: z.string(), mode: z.string(), provider: z.string() })),
        total: z.number(),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const state = await readState(input.dir, input.workspace, ctx.signal);
        const resources = stateResources(state).filter(
          (r) => (!input.type || r.type === input.type) && (!input.module || r.address.startsWith(`${input.module}.`)),
        );
        const page = offsetPage('list_resources', resources, input, {
          dir: input.dir,
          workspace: input.workspace ?? '',
          type: input.type ?? '',
          module: input.module ?? '',
        });
        return {
          resources: page.items.map((r) => ({
            address: r.address,
            type: r.type,
            mode: r.mode,
            provider: (r.provider_name ?? '').replace(/^registry\.terraform\.io\//, ''),
          })),
          total: page.total,
          nextCursor: page.nextCursor,
        };
      },
    }),
    defineTool({
      name: 'show_state',
      title: 'Show a resource in state',
      description:
        "One resource's attributes as recorded in state (terraform show -json), sensitive values masked. Get addresses from list_resources.",
      toolset: 'state',
      tier: 'read',
      annotations: READ,
      input: z.object({
        dir: dirArg,
        workspace: workspaceArg,
        address: z
          .string()
          .min(1)
          .describe('Resource address, e.g. aws_s3_bucket.logs or module.db.aws_db_instance.main.'),
      }),
      output: z.object({
        address: z.string(),
        type: z.string(),
        provider: z.string(),
        values: z.record(z.string(), z.unknown()),
        truncated: z.boolean().optional(),
      }),
      handler: async (input, ctx) => {
        const state = await readState(input.dir, input.workspace, ctx.signal);
        const resources = stateResources(state);
        const resource = resources.find((r) => r.address === input.address);
        if (!resource) {
          const near = resources.filter((r) => r.address.includes(input.address)).map((r) => r.address);
          throw new ToolError('not_found', `address: ${input.address} is not in the state`, {
            hint: near.length
              ? `did you mean ${near.slice(0, 5).join(', ')}?`
              : 'list_resources lists the addresses in this state',
          });
        }
        const values = masked(resource.values ?? {}, resource.sensitive_values ?? {}) as Record<string, unknown>;
        const big = JSON.stringify(values).length > MAX_VALUES_CHARS;
        return {
          address: resource.address,
          type: resource.type,
          provider: (resource.provider_name ?? '').replace(/^registry\.terraform\.io\//, ''),
          values: big
            ? Object.fromEntries(
                Object.entries(values).map(([key, value]) => [
                  key,
                  JSON.stringify(value).length > 500 ? `[${JSON.stringify(value).length} characters omitted]` : value,
                ]),
              )
            : values,
          ...(big ? { truncated: true } : {}),
        };
      },
    }),
    defineTool({
      name: 'outputs',
      title: 'Read outputs',
      description:
        "A working directory's root module outputs from state; sensitive outputs are masked (their names and types still show).",
      toolset: 'state',
      tier: 'read',
      annotations: READ,
      input: z.object({ dir: dirArg, workspace: workspaceArg }),
      output: z.object({
        outputs: z.array(z.object({ name: z.string(), sensitive: z.boolean(), value: z.unknown() })),
      }),
      handler: async (input, ctx) => {
        const dir = await workdirOf(options, input.dir, ctx.signal);
        const outputs = await terraform.json<Record<string, OutputJson>>(dir, ['output', '-json', '-no-color'], {
          signal: ctx.signal,
          workspace: input.workspace,
        });
        for (const output of Object.values(outputs)) {
          if (output.sensitive) for (const value of sensitiveStrings(output.value, true)) registerSecret(value);
        }
        return { outputs: maskedOutputs(outputs) };
      },
    }),
    defineTool({
      name: 'list_workspaces',
      title: 'List workspaces',
      description: "A working directory's workspaces and which one is selected.",
      toolset: 'state',
      tier: 'read',
      annotations: READ,
      input: z.object({ dir: dirArg }),
      output: z.object({ workspaces: z.array(z.string()), selected: z.string() }),
      handler: async (input, ctx) => {
        const dir = await workdirOf(options, input.dir, ctx.signal);
        const { stdout } = await terraform.run(dir, ['workspace', 'list', '-no-color'], { signal: ctx.signal });
        const lines = stdout.split('\n').filter((line) => line.trim() !== '');
        return {
          workspaces: lines.map((line) => line.replace(/^\*/, '').trim()),
          selected: (lines.find((line) => line.startsWith('*')) ?? '* default').slice(1).trim(),
        };
      },
    }),
  ];
}
