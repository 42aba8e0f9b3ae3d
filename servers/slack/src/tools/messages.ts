import { decodeCursor, defineTool, encodeCursor, listArgs, nextCursorField, READ, WRITE } from '@idp-mcp/core';
import type { ChatPostMessageArguments } from '@slack/web-api';
import * as z from 'zod';
import type { ChannelAllowList, Slack } from '../slack.ts';
import {
  blocksArg,
  channelArg,
  messageSummary,
  resolveChannel,
  summarizeMessages,
  textArg,
  timeBound,
  tsArg,
  writableChannel,
} from './common.ts';

const posted = z.object({ channel: z.string().describe('Channel id.'), ts: z.string().describe('Message ts.') });

const SEVERITY_ICON = {
  SEV1: ':red_circle:',
  SEV2: ':large_orange_circle:',
  SEV3: ':large_yellow_circle:',
  SEV4: ':white_circle:',
};
const STATUS_LABEL = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

export interface IncidentUpdate {
  title: string;
  severity: keyof typeof SEVERITY_ICON;
  status: keyof typeof STATUS_LABEL;
  summary: string;
  next_update?: string | undefined;
  links?: Array<{ label: string; url: string }> | undefined;
}

/** The fixed incident layout: header, severity/status/next-update fields, summary, links. */
export function incidentBlocks(update: IncidentUpdate): { text: string; blocks: Array<Record<string, unknown>> } {
  const status = STATUS_LABEL[update.status];
  const header = `${update.severity} · ${status}: ${update.title}`;
  const fields = [
    { type: 'mrkdwn', text: `*Severity*\n${SEVERITY_ICON[update.severity]} ${update.severity}` },
    { type: 'mrkdwn', text: `*Status*\n${status}` },
    ...(update.next_update ? [{ type: 'mrkdwn', text: `*Next update*\n${update.next_update}` }] : []),
  ];
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: header.slice(0, 150), emoji: true } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: update.summary } },
  ];
  if (update.links?.length) {
    // One context element per link: Slack caps each element's text, and a context holds up to 10 elements.
    const elements = update.links.map((link, index) => ({
      type: 'mrkdwn',
      text: `${index === 0 ? ':link: ' : ''}<${link.url}|${link.label.replace(/[|<>]/g, ' ')}>`,
    }));
    blocks.push({ type: 'context', elements });
  }
  return { text: `[${update.severity}][${status}] ${update.title}: ${update.summary}`.slice(0, 3000), blocks };
}

export function messageTools(slack: Slack, allow: ChannelAllowList) {
  return [
    defineTool({
      name: 'send_message',
      title: 'Send message',
      description: 'Post a message (mrkdwn text, optional Block Kit blocks) to a channel the bot is in.',
      toolset: 'messages',
      tier: 'write',
      annotations: WRITE,
      input: z.object({ channel: channelArg, text: textArg, blocks: blocksArg.optional() }),
      output: posted,
      handler: async (input, ctx) => {
        const { client, channel } = await writableChannel(slack, allow, ctx.signal, input.channel);
        const result = await client.chat.postMessage({
          channel: channel.id,
          text: input.text,
          ...(input.blocks ? { blocks: input.blocks as never } : {}),
        });
        return { channel: result.channel ?? channel.id, ts: result.ts ?? '' };
      },
    }),
    defineTool({
      name: 'reply_in_thread',
      title: 'Reply in thread',
      description: "Reply in a message's thread; broadcast also shows the reply in the channel.",
      toolset: 'messages',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        channel: channelArg,
        thread_ts: tsArg("The thread's first message"),
        text: textArg,
        broadcast: z.boolean().default(false).describe('Also send the reply to the channel.'),
      }),
      output: posted,
      handler: async (input, ctx) => {
        const { client, channel } = await writableChannel(slack, allow, ctx.signal, input.channel);
        // @slack/web-api types a broadcast reply and a plain reply as separate union members.
        const args = {
          channel: channel.id,
          text: input.text,
          thread_ts: input.thread_ts,
          reply_broadcast: input.broadcast,
        };
        const result = await client.chat.postMessage(args as ChatPostMessageArguments);
        return { channel: result.channel ?? channel.id, ts: result.ts ?? '' };
      },
    }),
    defineTool({
      name: 'post_incident_update',
      title: 'Post incident update',
      description:
        "Post an incident update in a fixed, readable layout (title, severity, status, summary, next update, links), optionally into the incident's thread.",
      toolset: 'messages',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        channel: channelArg,
        title: z.string().min(1).max(120).describe('Short incident title, e.g. "payments-api p99 latency".'),
        severity: z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']),
        status: z.enum(['investigating', 'identified', 'monitoring', 'resolved']),
        summary: z.string().min(1).max(2900).describe('What is known and being done, in mrkdwn.'),
        next_update: z.string().min(1).max(80).optional().describe('When the next update comes, e.g. "15:30 UTC".'),
        links: z
          .array(
            z.object({
              label: z.string().min(1).max(60),
              url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
            }),
          )
          .max(10)
          .optional()
          .describe('Dashboards, runbooks, tickets.'),
        thread_ts: tsArg('Post into this incident thread').optional(),
      }),
      output: posted,
      handler: async (input, ctx) => {
        const { client, channel } = await writableChannel(slack, allow, ctx.signal, input.channel);
        const { text, blocks } = incidentBlocks(input);
        const result = await client.chat.postMessage({
          channel: channel.id,
          text,
          blocks: blocks as never,
          ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}),
        });
        return { channel: result.channel ?? channel.id, ts: result.ts ?? '' };
      },
    }),
    defineTool({
      name: 'update_message',
      title: 'Update message',
      description: "Replace the text (and blocks) of one of the bot's own messages, e.g. an incident status post.",
      toolset: 'messages',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ channel: channelArg, ts: tsArg('The message'), text: textArg, blocks: blocksArg.optional() }),
      output: posted,
      handler: async (input, ctx) => {
        const { client, channel } = await writableChannel(slack, allow, ctx.signal, input.channel);
        const result = await client.chat.update({
          channel: channel.id,
          ts: input.ts,
          text: input.text,
          ...(input.blocks ? { blocks: input.blocks as never } : {}),
        });
        return { channel: result.channel ?? channel.id, ts: result.ts ?? input.ts };
      },
    }),
    defineTool({
      name: 'get_channel_history',
      title: 'Get channel history',
      description:
        'Messages of a channel, newest first, within an optional time window (since/until: ISO time, Slack ts, or "30m", "2h", "1d"). Texts are trimmed; threads show reply_count.',
      toolset: 'messages',
      tier: 'read',
      annotations: READ,
      input: z.object({
        channel: channelArg,
        since: z.string().min(1).optional().describe('Oldest time, e.g. "2h" or "2026-11-20T14:00:00Z".'),
        until: z.string().min(1).optional().describe('Newest time, same forms.'),
        limit: z.number().int().min(1).max(100).default(20).describe('Maximum messages to return (1-100).'),
        cursor: listArgs.cursor,
      }),
      output: z.object({ channel: z.string(), messages: z.array(messageSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const position = decodeCursor<{ c: string; channel: string; oldest?: string; latest?: string }>(
          'get_channel_history',
          input.cursor,
          { c: 'string', channel: 'string', oldest: 'string?', latest: 'string?' },
        );
        const client = slack.client(ctx.signal);
        const channelId = position?.channel ?? (await resolveChannel(client, input.channel)).id;
        const oldest = position ? position.oldest : input.since ? timeBound('since', input.since) : undefined;
        const latest = position ? position.latest : input.until ? timeBound('until', input.until) : undefined;
        const result = await client.conversations.history({
          channel: channelId,
          limit: input.limit,
          ...(oldest ? { oldest } : {}),
          ...(latest ? { latest } : {}),
          ...(position ? { cursor: position.c } : {}),
        });
        const next = result.has_more ? result.response_metadata?.next_cursor : undefined;
        return {
          channel: channelId,
          messages: await summarizeMessages(slack, client, result.messages),
          nextCursor: next
            ? encodeCursor('get_channel_history', {
                c: next,
                channel: channelId,
                ...(oldest ? { oldest } : {}),
                ...(latest ? { latest } : {}),
              })
            : undefined,
        };
      },
    }),
    defineTool({
      name: 'get_thread',
      title: 'Get thread',
      description: "A thread's messages, oldest first: the parent, then the replies (texts trimmed).",
      toolset: 'messages',
      tier: 'read',
      annotations: READ,
      input: z.object({ channel: channelArg, thread_ts: tsArg("The thread's first message"), ...listArgs }),
      output: z.object({ channel: z.string(), messages: z.array(messageSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const position = decodeCursor<{ c: string }>('get_thread', input.cursor, { c: 'string' });
        const client = slack.client(ctx.signal);
        const channel = await resolveChannel(client, input.channel);
        const result = await client.conversations.replies({
          channel: channel.id,
          ts: input.thread_ts,
          limit: input.limit,
          ...(position ? { cursor: position.c } : {}),
        });
        const next = result.has_more ? result.response_metadata?.next_cursor : undefined;
        return {
          channel: channel.id,
          messages: await summarizeMessages(slack, client, result.messages),
          nextCursor: next ? encodeCursor('get_thread', { c: next }) : undefined,
        };
      },
    }),
  ];
}
