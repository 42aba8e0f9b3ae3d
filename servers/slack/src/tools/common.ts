import { ToolError, truncateText } from '@idp-mcp/core';
import type { WebClient } from '@slack/web-api';
import * as z from 'zod';
import type { ChannelAllowList, Slack } from '../slack.ts';

export const CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;

export const channelArg = z
  .string()
  .min(1)
  .regex(/^(#?[a-z0-9][a-z0-9_-]{0,79}|[CGD][A-Z0-9]{8,})$/, {
    error: 'must be a channel id like "C0123456789" or a name like "#incidents" (lowercase, no spaces)',
  })
  .describe('Channel id (C...) or name, e.g. "#incidents".');

export const tsArg = (what: string) =>
  z
    .string()
    .regex(/^\d{10}\.\d{6}$/, { error: 'must be a Slack message ts like "1795165200.000100"' })
    .describe(`${what}: a message ts like "1795165200.000100".`);

export const textArg = z
  .string()
  .min(1)
  .max(40_000)
  .describe('Message text in Slack mrkdwn (*bold*, _italic_, `code`, <https://url|label>).');

export const blocksArg = z
  .array(z.looseObject({ type: z.string().min(1).describe('Block type, e.g. "section".') }))
  .min(1)
  .max(50)
  .describe('Block Kit blocks (max 50); text stays the notification fallback.');

export interface ChannelRef {
  id: string;
  name: string;
  is_member: boolean;
  is_archived: boolean;
  is_private: boolean;
}

type Conversation = {
  id?: string;
  name?: string;
  is_member?: boolean;
  is_archived?: boolean;
  is_private?: boolean;
};

const ref = (c: Conversation): ChannelRef => ({
  id: c.id ?? '',
  name: c.name ?? '',
  is_member: c.is_member ?? false,
  is_archived: c.is_archived ?? false,
  is_private: c.is_private ?? false,
});

/** A channel given by id or name, looked up (names by listing, at most 10 pages of 1000). */
export async function resolveChannel(slack: WebClient, channel: string): Promise<ChannelRef> {
  if (CHANNEL_ID.test(channel)) {
    const { channel: found } = await slack.conversations.info({ channel });
    return ref(found ?? { id: channel });
  }
  const name = channel.replace(/^#/, '');
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await slack.conversations.list({
      types: 'public_channel,private_channel',
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    const found = result.channels?.find((c) => c.name === name);
    if (found) return ref(found);
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  throw new ToolError('not_found', `channel: no channel named #${name} is visible to the bot`, {
    hint: 'list_channels shows the channels; a private channel is visible only once the bot is invited',
  });
}

/** The client and the resolved channel for a write tool, refused unless SLACK_ALLOWED_CHANNELS allows it. */
export async function writableChannel(slack: Slack, allow: ChannelAllowList, signal: AbortSignal, channel: string) {
  const client = slack.client(signal);
  const target = await resolveChannel(client, channel);
  allow.check('channel', target);
  return { client, channel: target };
}

/** Messages as summaries, with the display names of their authors. */
export async function summarizeMessages(slack: Slack, client: WebClient, messages: Message[] = []) {
  const names = await slack.userNames(
    client,
    messages.flatMap((message) => (message.user ? [message.user] : [])),
  );
  return messages.map((message) => summarizeMessage(message, names));
}

/** Slack ts to ISO time. */
export function tsToIso(ts: string | undefined): string | null {
  if (!ts) return null;
  const seconds = Number(ts);
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

export const messageSummary = z.object({
  ts: z.string(),
  time: z.string().nullable(),
  user: z.string().nullable().describe('User id (U...), or the bot id.'),
  user_name: z.string().optional(),
  text: z.string(),
  thread_ts: z.string().optional(),
  reply_count: z.number().optional(),
});

type Message = {
  ts?: string;
  user?: string;
  username?: string;
  bot_id?: string;
  text?: string;
  thread_ts?: string;
  reply_count?: number;
};

const MESSAGE_LIMIT = 1000;

export function summarizeMessage(message: Message, names: Map<string, string> = new Map()) {
  const name = message.user ? names.get(message.user) : message.username;
  return {
    ts: message.ts ?? '',
    time: tsToIso(message.ts),
    user: message.user ?? message.bot_id ?? null,
    ...(name ? { user_name: name } : {}),
    text: truncateText(message.text ?? '', {
      limit: MESSAGE_LIMIT,
      hint: 'open the message in Slack for the full text',
    }).text,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(message.reply_count ? { reply_count: message.reply_count } : {}),
  };
}

/**
 * A time bound as a Slack ts: an ISO time, a Slack ts, or a relative "30m", "2h", "7d" before now.
 * Throws `invalid_request` naming `field`.
 */
export function timeBound(field: string, value: string, now = Date.now()): string {
  if (/^\d{10}(\.\d{1,6})?$/.test(value)) return value;
  const relative = /^(\d+)\s*([mhd])$/.exec(value.trim());
  if (relative) {
    const ms = Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return ((now - ms) / 1000).toFixed(6);
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new ToolError('invalid_request', `${field}: "${value}" is not a time`, {
      hint: `give an ISO time ("2026-11-20T14:00:00Z"), a Slack ts, or a relative time like "30m", "2h", "1d"`,
    });
  }
  return (parsed / 1000).toFixed(6);
}
