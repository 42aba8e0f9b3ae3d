import { defineTool, READ, ToolError, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import type { VaultClient } from '../vault.ts';

interface MountInfo {
  type: string;
  description: string;
  options: Record<string, string> | null;
  local: boolean;
  seal_wrap: boolean;
  config?: { default_lease_ttl?: number; max_lease_ttl?: number };
}

const ttl = z
  .string()
  .regex(/^\d+[smhd]?$/, { error: 'must be a duration such as "1h", "30m" or "86400"' })
  .describe('Lease TTL such as "1h".');

export function systemTools(vault: VaultClient) {
  return [
    defineTool({
      name: 'list_secrets_engines',
      title: 'List secrets engines',
      description:
        'List enabled secrets engines: mount path, type (kv, transit, database, ...), KV version and description.',
      toolset: 'system',
      tier: 'read',
      annotations: READ,
      input: z.object({}),
      output: z.object({
        engines: z.array(
          z.object({
            path: z.string(),
            type: z.string(),
            version: z.string().optional(),
            description: z.string(),
            local: z.boolean(),
          }),
        ),
      }),
      handler: async (_input, ctx) => {
        const { data } = (await vault.mounts({ requestOptions: { signal: ctx.signal } })) as {
          data: Record<string, MountInfo>;
        };
        return {
          engines: Object.entries(data)
            .map(([path, mount]) => ({
              path,
              type: mount.type,
              ...(mount.options?.version ? { version: mount.options.version } : {}),
              description: mount.description,
              local: mount.local,
            }))
            .sort((a, b) => a.path.localeCompare(b.path)),
        };
      },
    }),
    defineTool({
      name: 'enable_secrets_engine',
      title: 'Enable secrets engine',
      description:
        'Enable a secrets engine at a path, e.g. type "kv" (version 2 by default) at "team-payments". Fails if the path is in use.',
      toolset: 'system',
      tier: 'admin',
      annotations: WRITE,
      input: z.object({
        path: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*$/, {
            error: 'must be a mount path such as "team-payments" (no leading or trailing slash)',
          })
          .describe('Where to mount it, e.g. "team-payments".'),
        type: z
          .string()
          .regex(/^[a-z][a-z0-9-]*$/, { error: 'must be an engine type such as "kv", "transit", "database" or "pki"' })
          .describe('Engine type: kv, transit, database, pki, aws, ...'),
        description: z.string().max(256).optional(),
        kv_version: z.enum(['1', '2']).default('2').describe('For type kv: KV version (2 keeps versions).'),
        default_lease_ttl: ttl.optional(),
        max_lease_ttl: ttl.optional(),
      }),
      output: z.object({ path: z.string(), type: z.string(), version: z.string().optional() }),
      handler: async (input, ctx) => {
        if (/^(sys|auth|cubbyhole|identity)(\/|$)/.test(input.path)) {
          throw new ToolError('invalid_request', `path: ${input.path} is reserved by Vault`, {
            hint: 'choose another path, e.g. "team-payments"',
            retryable: false,
          });
        }
        const config = {
          ...(input.default_lease_ttl ? { default_lease_ttl: input.default_lease_ttl } : {}),
          ...(input.max_lease_ttl ? { max_lease_ttl: input.max_lease_ttl } : {}),
        };
        try {
          await vault.write(
            `sys/mounts/${input.path}`,
            {
              type: input.type,
              ...(input.description ? { description: input.description } : {}),
              ...(input.type === 'kv' ? { options: { version: input.kv_version } } : {}),
              ...(Object.keys(config).length > 0 ? { config } : {}),
            },
            { signal: ctx.signal },
          );
        } catch (error) {
          if (error instanceof ToolError && error.status === 400 && /already in use/.test(error.message)) {
            throw new ToolError('conflict', `path: a secrets engine is already mounted at ${input.path}/`, {
              status: 400,
              upstream: 'Vault',
              hint: 'list_secrets_engines shows what is mounted; choose another path',
              retryable: false,
            });
          }
          throw error;
        }
        ctx.log.info('vault secrets engine enabled', { path: input.path, type: input.type });
        return {
          path: `${input.path}/`,
          type: input.type,
          ...(input.type === 'kv' ? { version: input.kv_version } : {}),
        };
      },
    }),
    defineTool({
      name: 'token_status',
      title: 'Vault credential status',
      description:
        'Check the Vault credential this server uses: who it is, its policies, time to live and renewability. Never returns the token.',
      toolset: 'system',
      tier: 'read',
      annotations: READ,
      input: z.object({}),
      output: z.object({
        display_name: z.string(),
        policies: z.array(z.string()),
        auth_path: z.string(),
        ttl_seconds: z.number().describe('0 means it never expires.'),
        expire_time: z.string().nullable(),
        renewable: z.boolean(),
        type: z.string().optional(),
        warning: z.string().optional(),
      }),
      handler: async (_input, ctx) => {
        const { data } = (await vault.tokenLookupSelf({ requestOptions: { signal: ctx.signal } })) as {
          data: {
            display_name: string;
            policies: string[];
            path: string;
            ttl: number;
            expire_time: string | null;
            renewable: boolean;
            type?: string;
          };
        };
        const warning =
          data.ttl > 0 && data.ttl < 3600
            ? `the token expires in ${Math.round(data.ttl / 60)} minutes${data.renewable ? '' : ' and is not renewable'}`
            : data.policies.includes('root')
              ? 'this is a root token: use a token with a narrower policy'
              : undefined;
        return {
          display_name: data.display_name,
          policies: data.policies,
          auth_path: data.path,
          ttl_seconds: data.ttl,
          expire_time: data.expire_time,
          renewable: data.renewable,
          ...(data.type ? { type: data.type } : {}),
          ...(warning ? { warning } : {}),
        };
      },
    }),
  ];
}
