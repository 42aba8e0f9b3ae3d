import {
  DESTRUCTIVE,
  decodeCursor,
  defineTool,
  encodeCursor,
  listArgs,
  nextCursorField,
  READ,
  ToolError,
  WRITE,
} from '@idp-mcp/core';
import type { WebClient } from '@slack/web-api';
import * as z from 'zod';
import type { ChannelAllowList, Slack } from '../slack.ts';
import { channelArg, resolveChannel, tsToIso, writableChannel } from './common.ts';
import { listAllUsers } from './users.ts';

const channelSummary = z.object({
  id: z.string(),
  name: z.string(),
  is_private: z.boolean(),
  is_archived: z.boolean(),
  is_member: z.boolean().describe('Whether the bot is in the channel (needed to post).'),
  members: z.number().nullable(),
  topic: z.string(),
});

type Conversation = {
  id?: string;
  name?: string;
  is_private?: boolean;
  is_archived?: boolean;
  is_member?: boolean;
  num_members?: number;
  topic?: { value?: string };
  purpose?: { value?: string };
  created?: number;
};

function summarizeChannel(channel: Conversation) {
  return {
    id: channel.id ?? '',
    name: channel.name ?? '',
    is_private: channel.is_private ?? false,
    is_archived: channel.is_archived ?? false,
    is_member: channel.is_member ?? false,
    members: channel.num_members ?? null,
    topic: (channel.topic?.value ?? '').slice(0, 250),
  };
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Users given as ids, emails or exact names, as ids; anything unknown or ambiguous is an error naming `users`. */
async function userIds(client: WebClient, users: string[]): Promise<string[]> {
  const ids: string[] = [];
  let directory: Array<{ id?: string; name?: string; real_name?: string; deleted?: boolean }> | undefined;
  for (const user of users) {
    if (USER_ID.test(user)) {
      ids.push(user);
    } else if (user.includes('@')) {
      const { user: found } = await client.users.lookupByEmail({ email: user });
      ids.push(found?.id ?? '');
    } else {
      directory ??= await listAllUsers(client);
      const name = user.replace(/^@/, '').toLowerCase();
      const matches = directory.filter(
        (u) => !u.deleted && (u.name?.toLowerCase() === name || u.real_name?.toLowerCase() === name),
      );
      if (matches.length !== 1) {
        throw new ToolError(
          'invalid_request',
          `users: "${user}" matches ${matches.length === 0 ? 'no one' : `${matches.length} people (${matches.map((m) => m.id).join(', ')})`}`,
          { hint: 'pass user ids (U...) or emails; find_users looks people up' },
        );
      }
      ids.push(matches[0]!.id!);
    }
  }
  return [...new Set(ids)];
}

const CHANNEL_NAME = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, {
    error: 'must be lowercase letters, digits, "-" or "_", at most 80 characters, e.g. "inc-2026-11-20-payments"',
  })
  .describe('New channel name, e.g. "inc-2026-11-20-payments".');

export function channelTools(slack: Slack, allow: ChannelAllowList) {
  return [
    defineTool({
      name: 'list_channels',
      title: 'List channels',
      description: 'List channels visible to the bot (public, and private ones it is in), with membership and topic.',
      toolset: 'channels',
      tier: 'read',
      annotations: READ,
      input: z.object({
        types: z.enum(['public', 'private', 'all']).default('all'),
        include_archived: z.boolean().default(false),
        ...listArgs,
      }),
      output: z.object({ channels: z.array(channelSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const position = decodeCursor<{ c: string }>('list_channels', input.cursor, { c: 'string' });
        const types = { public: 'public_channel', private: 'private_channel', all: 'public_channel,private_channel' };
        const result = await slack.client(ctx.signal).conversations.list({
          types: types[input.types],
          exclude_archived: !input.include_archived,
          limit: input.limit,
          ...(position ? { cursor: position.c } : {}),
        });
        const next = result.response_metadata?.next_cursor;
        return {
          channels: (result.channels ?? []).map(summarizeChannel),
          nextCursor: next ? encodeCursor('list_channels', { c: next }) : undefined,
        };
      },
    }),
    defineTool({
      name: 'get_channel',
      title: 'Get channel',
      description: 'One channel by id or name: privacy, archive state, bot membership, member count, topic, purpose.',
      toolset: 'channels',
      tier: 'read',
      annotations: READ,
      input: z.object({ channel: channelArg }),
      output: channelSummary.extend({ purpose: z.string(), created: z.string().nullable() }),
      handler: async (input, ctx) => {
        const client = slack.client(ctx.signal);
        const { id } = await resolveChannel(client, input.channel);
        const { channel = {} } = await client.conversations.info({ channel: id, include_num_members: true });
        return {
          ...summarizeChannel(channel),
          purpose: (channel.purpose?.value ?? '').slice(0, 250),
          created: channel.created ? tsToIso(String(channel.created)) : null,
        };
      },
    }),
    defineTool({
      name: 'create_channel',
      title: 'Create channel',
      description: 'Create a channel (the bot joins it), optionally private and with a topic, e.g. for an incident.',
      toolset: 'channels',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        name: CHANNEL_NAME,
        is_private: z.boolean().default(false),
        topic: z.string().min(1).max(250).optional(),
      }),
      output: channelSummary,
      handler: async (input, ctx) => {
        allow.check('name', { name: input.name });
        const client = slack.client(ctx.signal);
        const { channel = {} } = await client.conversations.create({ name: input.name, is_private: input.is_private });
        if (input.topic && channel.id) {
          const updated = await client.conversations.setTopic({ channel: channel.id, topic: input.topic });
          return summarizeChannel(updated.channel ?? channel);
        }
        return summarizeChannel(channel);
      },
    }),
    defineTool({
      name: 'set_channel_topic',
      title: 'Set channel topic',
      description: "Set a channel's topic (max 250 characters), e.g. the incident status or the on-call person.",
      toolset: 'channels',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ channel: channelArg, topic: z.string().max(250).describe('The new topic; "" clears it.') }),
      output: channelSummary,
      handler: async (input, ctx) => {
        const { client, channel } = await writableChannel(slack, allow, ctx.signal, input.channel);
        const result = await client.conversations.setTopic({ channel: channel.id, topic: input.topic });
        return summarizeChannel(result.channel ?? {});
      },
    }),
    defineTool({
      name: 'invite_to_channel',
      title: 'Invite to channel',
      description: 'Invite people (user ids, emails or exact names) to a channel the bot is in. Grants them access.',
      toolset: 'channels',
      tier: 'admin',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        channel: channelArg,
        users: z.array(z.string().min(2)).min(1).max(30).describe('User ids (U...), emails or exact names.'),
      }),
      output: z.object({ channel: z.string(), invited: z.array(z.string()), members: z.number().nullable() }),
      handler: async (input, ctx) => {
        const { client, channel } = await writableChannel(slack, allow, ctx.signal, input.channel);
        const ids = await userIds(client, input.users);
        const result = await client.conversations.invite({ channel: channel.id, users: ids.join(',') });
        return {
          channel: channel.id,
          invited: ids,
          members: (result.channel as { num_members?: number } | undefined)?.num_members ?? null,
        };
      },
    }),
    defineTool({
      name: 'archive_channel',
      title: 'Archive channel',
      description: 'Archive a channel (read-only for everyone; a workspace admin can unarchive it).',
      toolset: 'channels',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({ channel: channelArg }),
      output: z.object({ channel: z.string(), archived: z.boolean() }),
      handler: async (input, ctx) => {
        const { client, channel } = await writableChannel(slack, allow, ctx.signal, input.channel);
        await client.conversations.archive({ channel: channel.id });
        return { channel: channel.id, archived: true };
      },
    }),
  ];
}
