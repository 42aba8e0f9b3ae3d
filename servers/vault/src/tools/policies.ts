import { defineTool, listArgs, nextCursorField, offsetPage, READ, ToolError, truncateText, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { unlessNotFound, type VaultClient } from '../vault.ts';

const policyName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,127}$/, {
    error: 'must be lower-case letters, digits, "_", "-" or ".", e.g. "payments-api"',
  })
  .describe('ACL policy name, e.g. "payments-api".');

export function policyTools(vault: VaultClient) {
  const exists = async (name: string, signal: AbortSignal) =>
    (await unlessNotFound(vault.read(`sys/policies/acl/${name}`, { signal }))) !== undefined;
  return [
    defineTool({
      name: 'list_policies',
      title: 'List ACL policies',
      description: 'List the names of Vault ACL policies.',
      toolset: 'policies',
      tier: 'read',
      annotations: READ,
      input: z.object({ ...listArgs }),
      output: z.object({ policies: z.array(z.string()), total: z.number(), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const { data } = (await vault.list('sys/policies/acl', { signal: ctx.signal })) as { data: { keys: string[] } };
        const { items: page, nextCursor } = offsetPage('list_policies', data.keys, input);
        return { policies: page, total: data.keys.length, nextCursor };
      },
    }),
    defineTool({
      name: 'read_policy',
      title: 'Read ACL policy',
      description: 'Read an ACL policy’s HCL rules: which paths it grants which capabilities.',
      toolset: 'policies',
      tier: 'read',
      annotations: READ,
      input: z.object({ name: policyName }),
      output: z.object({ name: z.string(), policy: z.string(), truncated: z.boolean() }),
      handler: async (input, ctx) => {
        const { data } = (await vault.read(`sys/policies/acl/${input.name}`, { signal: ctx.signal })) as {
          data: { name: string; policy: string };
        };
        const text = truncateText(data.policy, { hint: 'the policy is long; read it in the Vault UI for the rest' });
        return { name: data.name, policy: text.text, truncated: text.truncated };
      },
      render: (output) => `# policy ${output.name}\n${output.policy}`,
    }),
    defineTool({
      name: 'write_policy',
      title: 'Create or update ACL policy',
      description:
        'Create or replace an ACL policy from HCL, e.g. path "secret/data/payments/*" { capabilities = ["read"] }. Changes access for every token holding it.',
      toolset: 'policies',
      tier: 'admin',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        name: policyName,
        policy: z
          .string()
          .min(1, { error: 'give the policy HCL text' })
          .max(65_536)
          .describe('The complete policy in HCL; replaces the current rules.'),
      }),
      output: z.object({ name: z.string(), created: z.boolean(), paths: z.array(z.string()) }),
      handler: async (input, ctx) => {
        if (input.name === 'root' || input.name === 'default') {
          throw new ToolError(
            'invalid_request',
            `name: the ${input.name} policy is built in and must not be replaced here`,
            {
              hint: 'choose another policy name',
              retryable: false,
            },
          );
        }
        const existed = await exists(input.name, ctx.signal);
        await vault.write(`sys/policies/acl/${input.name}`, { policy: input.policy }, { signal: ctx.signal });
        ctx.log.info('vault policy written', { name: input.name, created: !existed });
        return {
          name: input.name,
          created: !existed,
          paths: [...input.policy.matchAll(/path\s+"([^"]+)"/g)].map((match) => match[1]!),
        };
      },
    }),
  ];
}
