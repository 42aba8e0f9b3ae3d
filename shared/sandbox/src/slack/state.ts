// The Slack fake's world: workspace acme, its people and bot, channels with members, messages and threads.

export interface SlackUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  email: string | null;
  title: string;
  isBot: boolean;
  deleted: boolean;
  tz: string;
}

export interface SlackMessage {
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  /** Set on a reply that was also sent to the channel. */
  broadcast?: boolean;
  edited?: boolean;
}

export interface SlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  isGeneral: boolean;
  created: number;
  creator: string;
  topic: string;
  purpose: string;
  members: string[];
  /** Oldest first. */
  messages: SlackMessage[];
}

export interface SlackToken {
  userId: string;
  scopes: string[];
}

export const TEAM = { id: 'T0ACME0001', name: 'acme', domain: 'acme' } as const;

/** Scopes a bot token of the idp-mcp Slack app is installed with. */
export const BOT_SCOPES = [
  'channels:read',
  'channels:history',
  'channels:manage',
  'channels:join',
  'groups:read',
  'groups:history',
  'groups:write',
  'chat:write',
  'users:read',
  'users:read.email',
];

export class SlackState {
  users: SlackUser[] = [];
  channels: SlackChannel[] = [];
  tokens = new Map<string, SlackToken>();
  private nextChannel = 1;
  /** The fake's clock in microseconds: fixed so data and tests are reproducible; every message moves it on. */
  private clock = Date.parse('2026-11-20T09:00:00.000Z') * 1000;

  /** A fresh, unique message timestamp ("1795165200.000100"). */
  ts(): string {
    this.clock += 1_000_100;
    return `${Math.floor(this.clock / 1e6)}.${String(this.clock % 1e6).padStart(6, '0')}`;
  }

  nowSeconds(): number {
    return Math.floor(this.clock / 1e6);
  }

  user(id: string): SlackUser | undefined {
    return this.users.find((user) => user.id === id);
  }

  /** By id, or by name with or without '#' (chat.postMessage accepts both). */
  channel(idOrName: string): SlackChannel | undefined {
    const name = idOrName.replace(/^#/, '');
    return this.channels.find((channel) => channel.id === idOrName || channel.name === name);
  }

  addChannel(fields: Partial<SlackChannel> & { name: string; creator: string }): SlackChannel {
    const channel: SlackChannel = {
      id: `C0${fields.isPrivate ? 'P' : ''}${String(this.nextChannel++).padStart(8, '0')}`,
      isPrivate: false,
      isArchived: false,
      isGeneral: false,
      created: this.nowSeconds(),
      topic: '',
      purpose: '',
      members: [fields.creator],
      messages: [],
      ...fields,
    };
    this.channels.push(channel);
    return channel;
  }

  post(channel: SlackChannel, message: Omit<SlackMessage, 'ts'>): SlackMessage {
    const posted = { ...message, ts: this.ts() };
    channel.messages.push(posted);
    return posted;
  }
}

export function createEmptySlackState(): SlackState {
  return new SlackState();
}

export const SAMPLE_SLACK_TOKENS = {
  /** The idp-mcp app's bot token, every scope it asks for. */
  bot: 'xoxb-1001-2002-idpmcpsandbox',
  /** A bot token installed with read scopes only. */
  readOnly: 'xoxb-1001-2002-readonlyscopes',
} as const;

export const BOT_USER_ID = 'U0IDPMCP01';

/** Workspace acme: alice (payments), bob (platform), the idp-mcp bot, #payments #platform #incidents #deploys #general. */
export function createSampleSlackState(): SlackState {
  const state = new SlackState();
  const person = (id: string, name: string, realName: string, title: string, tz: string): SlackUser => ({
    id,
    name,
    realName,
    displayName: name,
    email: `${name}@acme.example`,
    title,
    isBot: false,
    deleted: false,
    tz,
  });
  state.users = [
    person('U0ALICE001', 'alice', 'Alice Nguyen', 'Staff engineer, payments', 'Europe/Berlin'),
    person('U0BOB00002', 'bob', 'Bob Okafor', 'Platform engineer', 'America/New_York'),
    {
      id: BOT_USER_ID,
      name: 'idp-mcp',
      realName: 'idp-mcp',
      displayName: 'idp-mcp',
      email: null,
      title: '',
      isBot: true,
      deleted: false,
      tz: 'UTC',
    },
  ];
  state.tokens.set(SAMPLE_SLACK_TOKENS.bot, { userId: BOT_USER_ID, scopes: BOT_SCOPES });
  state.tokens.set(SAMPLE_SLACK_TOKENS.readOnly, {
    userId: BOT_USER_ID,
    scopes: BOT_SCOPES.filter((scope) => /:read|:history/.test(scope)),
  });
  const alice = 'U0ALICE001';
  const bob = 'U0BOB00002';
  const general = state.addChannel({
    name: 'general',
    creator: alice,
    isGeneral: true,
    members: [alice, bob],
    purpose: 'Company-wide announcements',
  });
  const payments = state.addChannel({
    name: 'payments',
    creator: alice,
    members: [alice, bob, BOT_USER_ID],
    topic: 'payments-api and checkout | on-call: @alice',
    purpose: 'Team payments',
  });
  const platform = state.addChannel({
    name: 'platform',
    creator: bob,
    members: [alice, bob, BOT_USER_ID],
    topic: 'The internal developer platform | requests via the portal',
    purpose: 'Team platform',
  });
  const incidents = state.addChannel({
    name: 'incidents',
    creator: bob,
    members: [alice, bob, BOT_USER_ID],
    purpose: 'Incident coordination; one thread per incident',
  });
  const deploys = state.addChannel({
    name: 'deploys',
    creator: bob,
    members: [bob, BOT_USER_ID],
    purpose: 'Deployment notifications from Argo CD',
  });
  state.addChannel({
    name: 'payments-oncall',
    creator: alice,
    isPrivate: true,
    members: [alice, BOT_USER_ID],
    purpose: 'Payments on-call hand-over',
  });
  state.post(general, { user: alice, text: 'Welcome to acme! Platform docs live in the developer portal.' });
  state.post(payments, { user: alice, text: 'payments-api 2.14 is rolling out to staging.' });
  const question = state.post(payments, { user: bob, text: 'Does orders-api need the new refund status field?' });
  state.post(payments, { user: alice, text: 'Yes, PAY-5 tracks it.', threadTs: question.ts });
  state.post(payments, { user: bob, text: 'Thanks!', threadTs: question.ts });
  state.post(platform, { user: bob, text: 'Kafka self-service topics are in beta: ask here for access.' });
  state.post(incidents, {
    user: bob,
    text: 'INC-41 resolved: staging-eu node metrics were stale (Rancher agent restart).',
  });
  state.post(deploys, { user: BOT_USER_ID, text: 'orders-api 1.9.2 synced to production (Argo CD).' });
  state.post(payments, { user: alice, text: 'p99 latency on payments-api is above 800 ms since 14:00 UTC, looking.' });
  return state;
}
