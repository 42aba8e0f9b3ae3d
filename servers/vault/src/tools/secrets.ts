import {
  DESTRUCTIVE,
  defineTool,
  listArgs,
  nextCursorField,
  offsetPage,
  READ,
  REDACTED,
  ToolError,
  tierAllows,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import { unlessNotFound, type VaultClient } from '../vault.ts';
import { mount, secretPath, versions } from './args.ts';

/**
 * KV v2 secrets. Values never leave these tools unless the caller holds the admin tier and asks with reveal: true;
 * every other answer carries key names, versions and metadata only. Nothing here logs a value.
 */

interface KvRead {
  data: {
    data: Record<string, unknown>;
    metadata: { version: number; created_time: string; custom_metadata: unknown };
  };
}
interface KvMetadata {
  data: {
    current_version: number;
    oldest_version: number;
    max_versions: number;
    cas_required: boolean;
    created_time: string;
    updated_time: string;
    custom_metadata: Record<string, string> | null;
    versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
  };
}
interface KvWrite {
  data: { version: number; created_time: string };
}

const customMetadata = z.record(z.string(), z.string()).nullable();
const secretKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, { error: 'keys are letters, digits, "_", "-" and "."' });

/** An object with every value masked and its keys kept; anything else masked whole. */
function keysOnly(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return REDACTED;
  return Object.fromEntries(Object.keys(value).map((key) => [key, REDACTED]));
}

export function secretTools(vault: VaultClient, defaultMount: string) {
  const where = (input: { mount?: string | undefined }) => input.mount ?? defaultMount;
  const readLatest = (m: string, path: string, signal: AbortSignal) =>
    unlessNotFound(vault.read(`${m}/data/${path}`, { signal }) as Promise<KvRead>);
  return [
    defineTool({
      name: 'list_secrets',
      title: 'List secrets',
      description:
        'List secret names under a path of a KV v2 mount (the mount root when path is omitted). Names ending in "/" are folders. Never returns values.',
      toolset: 'secrets',
      tier: 'read',
      annotations: READ,
      input: z.object({
        mount: mount.optional(),
        path: secretPath.optional().describe('Folder to list, e.g. "payments"; the mount root when omitted.'),
        ...listArgs,
      }),
      output: z.object({
        mount: z.string(),
        path: z.string(),
        keys: z.array(z.object({ name: z.string(), folder: z.boolean(), path: z.string() })),
        total: z.number(),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const m = where(input);
        const folder = input.path ?? '';
        let keys: string[];
        try {
          const result = (await vault.list(`${m}/metadata/${folder}`, { signal: ctx.signal })) as {
            data: { keys: string[] };
          };
          keys = result.data.keys;
        } catch (error) {
          if (error instanceof ToolError && error.code === 'not_found') {
            throw new ToolError('not_found', `path: nothing is stored under ${m}/${folder}`, {
              status: 404,
              upstream: 'Vault',
              hint: 'list a parent folder (omit path for the mount root) to see what exists',
              retryable: false,
            });
          }
          throw error;
        }
        const { items: page, nextCursor } = offsetPage('list_secrets', keys, input, { mount: m, path: folder });
        return {
          mount: m,
          path: folder,
          keys: page.map((name) => ({
            name,
            folder: name.endsWith('/'),
            path: `${folder === '' ? '' : `${folder}/`}${name.replace(/\/$/, '')}`,
          })),
          total: keys.length,
          nextCursor,
        };
      },
    }),
    defineTool({
      name: 'read_secret',
      title: 'Read secret',
      description:
        'Read a KV v2 secret: its key names, version and metadata. Values stay masked unless reveal is true, which needs the admin tier.',
      toolset: 'secrets',
      tier: 'read',
      annotations: READ,
      reveals: true,
      input: z.object({
        mount: mount.optional(),
        path: secretPath,
        version: z.number().int().min(1).optional().describe('Version to read; the latest when omitted.'),
        reveal: z
          .boolean()
          .default(false)
          .describe('Return the values too. Only for admin-tier callers; avoid unless the values are needed.'),
      }),
      output: z.object({
        mount: z.string(),
        path: z.string(),
        version: z.number(),
        created_time: z.string(),
        keys: z.array(z.string()),
        masked: z.boolean().describe('True when values were withheld.'),
        values: z.record(z.string(), z.unknown()).optional(),
        custom_metadata: customMetadata.optional(),
      }),
      handler: async (input, ctx) => {
        if (input.reveal && !tierAllows(ctx.caller.tier, 'admin')) {
          throw new ToolError(
            'forbidden',
            `reveal: showing secret values needs the admin tier (platform-admin role); your roles grant ${ctx.caller.tier}`,
            { hint: 'call again without reveal to see the keys, version and metadata', retryable: false },
          );
        }
        const m = where(input);
        const path = `${m}/data/${input.path}${input.version !== undefined ? `?version=${input.version}` : ''}`;
        const result = (await vault.read(path, { signal: ctx.signal })) as KvRead;
        const { data, metadata } = result.data;
        ctx.log.info('secret read', { mount: m, path: input.path, version: metadata.version, revealed: input.reveal });
        return {
          mount: m,
          path: input.path,
          version: metadata.version,
          created_time: metadata.created_time,
          keys: Object.keys(data).sort(),
          masked: !input.reveal,
          ...(input.reveal ? { values: data } : {}),
          custom_metadata: (metadata.custom_metadata as Record<string, string> | null) ?? null,
        };
      },
    }),
    defineTool({
      name: 'write_secret',
      title: 'Write secret',
      description:
        'Write a new version of a KV v2 secret. Replaces all keys unless merge is true (then only the given keys change). Returns the new version, never the values.',
      toolset: 'secrets',
      tier: 'write',
      annotations: WRITE,
      // The values are secrets under any key name (dsn, value): the audit log keeps the key names only.
      auditArgs: (args) => ({ ...args, data: keysOnly(args.data) }),
      input: z.object({
        mount: mount.optional(),
        path: secretPath,
        data: z
          .record(secretKey, z.string())
          .refine((value) => Object.keys(value).length > 0, { error: 'give at least one key' })
          .describe('Key/value pairs to store, e.g. {"password": "..."}.'),
        merge: z
          .boolean()
          .default(false)
          .describe('Keep existing keys and change only the given ones (check-and-set against the current version).'),
        cas: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('Write only if the current version is this (0: only if the secret does not exist yet).'),
      }),
      output: z.object({
        mount: z.string(),
        path: z.string(),
        version: z.number(),
        created_time: z.string(),
        keys: z.array(z.string()).describe('All key names of the new version.'),
      }),
      handler: async (input, ctx) => {
        const m = where(input);
        let data: Record<string, unknown> = input.data;
        let cas = input.cas;
        if (input.merge) {
          const current = await readLatest(m, input.path, ctx.signal);
          data = { ...(current?.data.data ?? {}), ...input.data };
          // With the latest version deleted there is nothing to merge, but check-and-set still needs its number.
          const meta = current
            ? undefined
            : await unlessNotFound(
                vault.read(`${m}/metadata/${input.path}`, { signal: ctx.signal }) as Promise<KvMetadata>,
              );
          cas ??= current?.data.metadata.version ?? meta?.data.current_version ?? 0;
        }
        let result: KvWrite;
        try {
          result = (await vault.write(
            `${m}/data/${input.path}`,
            { data, ...(cas !== undefined ? { options: { cas } } : {}) },
            { signal: ctx.signal },
          )) as KvWrite;
        } catch (error) {
          if (error instanceof ToolError && error.status === 400 && /check-and-set/.test(error.message)) {
            throw new ToolError(
              'conflict',
              `cas: ${m}/${input.path} changed since version ${cas}; nothing was written`,
              {
                status: 400,
                upstream: 'Vault',
                hint: 'read the secret (get_secret_metadata) for its current version and write again',
                retryable: false,
              },
            );
          }
          throw error;
        }
        ctx.log.info('secret written', { mount: m, path: input.path, version: result.data.version });
        return {
          mount: m,
          path: input.path,
          version: result.data.version,
          created_time: result.data.created_time,
          keys: Object.keys(data).sort(),
        };
      },
    }),
    defineTool({
      name: 'get_secret_metadata',
      title: 'Secret metadata and versions',
      description:
        'Get a KV v2 secret’s metadata: current version, custom metadata and its versions (newest first) with created, deleted and destroyed state.',
      toolset: 'secrets',
      tier: 'read',
      annotations: READ,
      input: z.object({
        mount: mount.optional(),
        path: secretPath,
        limit: z.number().int().min(1).max(100).default(20).describe('Newest versions to list (1-100).'),
      }),
      output: z.object({
        mount: z.string(),
        path: z.string(),
        current_version: z.number(),
        oldest_version: z.number(),
        max_versions: z.number(),
        cas_required: z.boolean(),
        created_time: z.string(),
        updated_time: z.string(),
        custom_metadata: customMetadata,
        versions: z.array(
          z.object({
            version: z.number(),
            created_time: z.string(),
            deleted: z.boolean(),
            deletion_time: z.string().optional(),
            destroyed: z.boolean(),
          }),
        ),
        versions_omitted: z.number().describe('Older versions not listed.'),
      }),
      handler: async (input, ctx) => {
        const m = where(input);
        const { data } = (await vault.read(`${m}/metadata/${input.path}`, { signal: ctx.signal })) as KvMetadata;
        const all = Object.entries(data.versions)
          .map(([version, v]) => ({
            version: Number(version),
            created_time: v.created_time,
            deleted: v.deletion_time !== '',
            ...(v.deletion_time !== '' ? { deletion_time: v.deletion_time } : {}),
            destroyed: v.destroyed,
          }))
          .sort((a, b) => b.version - a.version);
        return {
          mount: m,
          path: input.path,
          current_version: data.current_version,
          oldest_version: data.oldest_version,
          max_versions: data.max_versions,
          cas_required: data.cas_required,
          created_time: data.created_time,
          updated_time: data.updated_time,
          custom_metadata: data.custom_metadata,
          versions: all.slice(0, input.limit),
          versions_omitted: Math.max(0, all.length - input.limit),
        };
      },
    }),
    defineTool({
      name: 'delete_secret_versions',
      title: 'Delete secret versions',
      description:
        'Soft-delete versions of a KV v2 secret (the latest when versions is omitted). Reads then fail; undelete_secret_versions restores them.',
      toolset: 'secrets',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({
        mount: mount.optional(),
        path: secretPath,
        versions: versions.optional().describe('Version numbers to delete; the latest when omitted.'),
      }),
      output: z.object({
        mount: z.string(),
        path: z.string(),
        deleted: z.union([z.array(z.number()), z.literal('latest')]),
      }),
      handler: async (input, ctx) => {
        const m = where(input);
        if (input.versions) {
          await vault.write(`${m}/delete/${input.path}`, { versions: input.versions }, { signal: ctx.signal });
        } else {
          await vault.delete(`${m}/data/${input.path}`, { signal: ctx.signal });
        }
        return { mount: m, path: input.path, deleted: input.versions ?? ('latest' as const) };
      },
    }),
    defineTool({
      name: 'undelete_secret_versions',
      title: 'Restore deleted secret versions',
      description: 'Restore soft-deleted versions of a KV v2 secret. Destroyed versions cannot be restored.',
      toolset: 'secrets',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ mount: mount.optional(), path: secretPath, versions }),
      output: z.object({ mount: z.string(), path: z.string(), restored: z.array(z.number()) }),
      handler: async (input, ctx) => {
        const m = where(input);
        await vault.write(`${m}/undelete/${input.path}`, { versions: input.versions }, { signal: ctx.signal });
        return { mount: m, path: input.path, restored: input.versions };
      },
    }),
    defineTool({
      name: 'destroy_secret_versions',
      title: 'Destroy secret versions',
      description: 'Permanently destroy versions of a KV v2 secret. Cannot be undone; prefer delete_secret_versions.',
      toolset: 'secrets',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({ mount: mount.optional(), path: secretPath, versions }),
      output: z.object({ mount: z.string(), path: z.string(), destroyed: z.array(z.number()) }),
      handler: async (input, ctx) => {
        const m = where(input);
        await vault.write(`${m}/destroy/${input.path}`, { versions: input.versions }, { signal: ctx.signal });
        return { mount: m, path: input.path, destroyed: input.versions };
      },
    }),
  ];
}
