import type { ServerModule } from '@idp-mcp/core';
import { ChannelAllowList, createSlack, mapSlackError, type Slack } from './slack.ts';
import { channelTools } from './tools/channels.ts';
import { messageTools } from './tools/messages.ts';
import { userTools } from './tools/users.ts';

export { ChannelAllowList, createSlack, mapSlackError, type Slack } from './slack.ts';
export { type IncidentUpdate, incidentBlocks } from './tools/messages.ts';

/** Every Slack tool, bound to one client and the channel allow list. */
export function slackTools(slack: Slack, allow: ChannelAllowList = new ChannelAllowList(undefined)) {
  return [...messageTools(slack, allow), ...channelTools(slack, allow), ...userTools(slack)];
}

export const slackModule: ServerModule = {
  name: 'slack',
  title: 'Slack',
  description: 'Messages, threads, incident updates, channels and people (@slack/web-api, bot token).',
  toolsets: {
    messages: 'send messages, reply in threads, post and update incident updates, read history and threads',
    channels: 'list, inspect, create, set topics of, invite to and archive channels',
    users: 'look people up by email or name',
  },
  env: {
    SLACK_BOT_TOKEN: { description: 'Bot token (xoxb-...) of the installed Slack app', secret: true, required: true },
    SLACK_API_URL: { description: 'Web API base URL', default: 'https://slack.com/api/', format: 'url' },
    SLACK_ALLOWED_CHANNELS: {
      description:
        'Channels write tools may change: comma-separated names or ids, "prefix-*" for a prefix (unset: any channel the bot is in)',
      format: 'list',
    },
    SLACK_TIMEOUT_MS: {
      description: 'Timeout of one Slack request in milliseconds',
      default: '15000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log }) {
    let token = env.SLACK_BOT_TOKEN ?? '';
    let apiUrl = env.SLACK_API_URL ?? 'https://slack.com/api/';
    let stopFake = async () => {};
    if (sandbox) {
      const { startSlackFake } = await import('@idp-mcp/sandbox/slack');
      const fake = await startSlackFake({ validate: false });
      token = fake.token;
      apiUrl = fake.apiUrl;
      stopFake = () => fake.close();
    }
    const slack = createSlack({ token, apiUrl, timeoutMs: Number(env.SLACK_TIMEOUT_MS), log });
    return {
      tools: slackTools(slack, new ChannelAllowList(env.SLACK_ALLOWED_CHANNELS)),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: apiUrl },
      mapError: mapSlackError,
      ready: async () => (await slack.client(AbortSignal.timeout(5000)).auth.test()).ok === true,
      close: stopFake,
    };
  },
};
