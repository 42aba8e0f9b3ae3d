import { defineTool, READ } from '@idp-mcp/core';
import type { WebClient } from '@slack/web-api';
import * as z from 'zod';
import type { Slack } from '../slack.ts';

/** The whole user directory, at most 10 pages of 200. */
export async function listAllUsers(client: WebClient) {
  const users: Array<{
    id?: string;
    name?: string;
    real_name?: string;
    deleted?: boolean;
    is_bot?: boolean;
    tz?: string;
    profile?: { display_name?: string; email?: string; title?: string };
  }> = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    users.push(...(result.members ?? []));
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return users;
}

export function userTools(slack: Slack) {
  const userSummary = z.object({
    id: z.string(),
    name: z.string(),
    real_name: z.string().nullable(),
    email: z.string().nullable(),
    title: z.string().nullable(),
    is_bot: z.boolean(),
    tz: z.string().nullable(),
  });
  return [
    defineTool({
      name: 'find_users',
      title: 'Find users',
      description:
        'Look people up by email (exact) or by name (part of the user, real or display name). Gives user ids.',
      toolset: 'users',
      tier: 'read',
      annotations: READ,
      input: z
        .object({
          email: z
            .string()
            .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: 'must be an email address like "alice@acme.example"' })
            .optional()
            .describe('Exact email address.'),
          name: z.string().min(2).optional().describe('Part of a name, e.g. "alice" or "Okafor".'),
          limit: z.number().int().min(1).max(20).default(10).describe('Maximum users to return (1-20).'),
        })
        .refine((input) => (input.email === undefined) !== (input.name === undefined), {
          error: 'give exactly one of email or name',
          path: ['email'],
        }),
      output: z.object({ users: z.array(userSummary) }),
      handler: async (input, ctx) => {
        const client = slack.client(ctx.signal);
        type User = Awaited<ReturnType<typeof listAllUsers>>[number];
        let users: User[];
        if (input.email) {
          try {
            const { user } = await client.users.lookupByEmail({ email: input.email });
            users = user ? [user] : [];
          } catch (error) {
            if ((error as { data?: { error?: string } }).data?.error !== 'users_not_found') throw error;
            users = [];
          }
        } else {
          const needle = input.name!.toLowerCase();
          users = (await listAllUsers(client)).filter(
            (u) =>
              !u.deleted &&
              [u.name, u.real_name, u.profile?.display_name].some((n) => n?.toLowerCase().includes(needle)),
          );
        }
        return {
          users: users.slice(0, input.limit).map((u) => ({
            id: u.id ?? '',
            name: u.name ?? '',
            real_name: u.real_name ?? null,
            email: u.profile?.email ?? null,
            title: u.profile?.title || null,
            is_bot: u.is_bot ?? false,
            tz: u.tz ?? null,
          })),
        };
      },
    }),
  ];
}
