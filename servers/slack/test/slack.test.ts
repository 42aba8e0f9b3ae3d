import { createLogger, parseFlags, startServer } from '@idp-mcp/core';
import { BOT_USER_ID, SAMPLE_SLACK_TOKENS, type SlackFake, startSlackFake } from '@idp-mcp/sandbox/slack';
import { connectStdio, connectUrl, shippedPolicyGate, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlack, slackModule } from '../src/index.ts';

let fake: SlackFake;
let logLines: string[];
const closers: Array<() => Promise<void>> = [];

async function connect(env: Record<string, string> = {}, role = 'platform-admin'): Promise<Client> {
  const log = createLogger('slack', { level: 'debug', write: (line) => logLines.push(line) });
  const server = await startServer(
    slackModule,
    parseFlags(['--transport', 'http', '--port', '0', '--role', role]),
    { SLACK_API_URL: fake.apiUrl, SLACK_BOT_TOKEN: fake.token, SLACK_TIMEOUT_MS: '2000', ...env },
    shippedPolicyGate,
    log,
  );
  const client = await connectUrl(server.url!);
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  return {
    text: textOf(result),
    isError: result.isError === true,
    meta: (result._meta?.['idp-mcp/error'] ?? {}) as { code?: string; retryable?: boolean; retryAfterSeconds?: number },
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the structured result freely
    data: result.structuredContent as Record<string, any>,
  };
}

const channel = (name: string) => fake.state.channel(name)!;
const methods = () => fake.requests.map((r) => r.path.slice(1));

beforeEach(async () => {
  logLines = [];
  fake = await startSlackFake();
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  expect(logLines.join('\n')).not.toContain(fake.token);
  try {
    assertNoViolations(fake);
  } finally {
    await fake.close();
  }
});

describe('slack messages', () => {
  it('shows a model these tools', async () => {
    const client = await connect();
    await expect(await toolsSnapshot(client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('sends a message by channel name with blocks, as a Bearer-authenticated form POST', async () => {
    const client = await connect();
    const sent = await call(client, 'send_message', {
      channel: '#deploys',
      text: 'payments-api 2.14 deployed to production',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*payments-api* 2.14 deployed :rocket:' } }],
    });
    expect(sent.isError).toBe(false);
    expect(sent.data).toEqual({ channel: channel('deploys').id, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    const stored = channel('deploys').messages.at(-1)!;
    expect(stored).toMatchObject({ user: BOT_USER_ID, text: 'payments-api 2.14 deployed to production' });
    expect(stored.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*payments-api* 2.14 deployed :rocket:' } },
    ]);
    const post = fake.requests.find((r) => r.path === '/chat.postMessage')!;
    expect(post.method).toBe('POST');
    expect(post.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(post.query).not.toHaveProperty('token');
  });

  it('replies in a thread, with broadcast', async () => {
    const client = await connect();
    const parent = channel('payments').messages.find((m) => m.text.startsWith('Does orders-api'))!;
    const reply = await call(client, 'reply_in_thread', {
      channel: channel('payments').id,
      thread_ts: parent.ts,
      text: 'Shipped in 2.14.',
      broadcast: true,
    });
    expect(reply.isError).toBe(false);
    expect(channel('payments').messages.at(-1)).toMatchObject({ threadTs: parent.ts, broadcast: true });

    const thread = await call(client, 'get_thread', { channel: '#payments', thread_ts: parent.ts });
    expect(thread.data.messages.map((m: { text: string }) => m.text)).toEqual([
      'Does orders-api need the new refund status field?',
      'Yes, PAY-5 tracks it.',
      'Thanks!',
      'Shipped in 2.14.',
    ]);
    expect(thread.data.messages[0]).toMatchObject({
      user: 'U0BOB00002',
      user_name: 'Bob Okafor',
      reply_count: 3,
      time: expect.any(String),
    });
    expect(thread.data.messages[1]).toMatchObject({ user: 'U0ALICE001', user_name: 'Alice Nguyen' });

    const badTs = await call(client, 'reply_in_thread', { channel: '#payments', thread_ts: '12.3', text: 'x' });
    expect(badTs.isError).toBe(true);
    expect(badTs.text).toContain('must be a Slack message ts like "1795165200.000100"');
  });

  it('posts an incident update in the fixed layout, then updates it', async () => {
    const client = await connect();
    const posted = await call(client, 'post_incident_update', {
      channel: '#incidents',
      title: 'payments-api p99 latency',
      severity: 'SEV2',
      status: 'investigating',
      summary: 'p99 above 800 ms since 14:00 UTC; suspect the connection-pool change in 2.14.',
      next_update: '15:30 UTC',
      links: [
        { label: 'Dashboard', url: 'https://grafana.acme.example/d/payments' },
        { label: 'PAY-3', url: 'https://acme.atlassian.net/browse/PAY-3' },
      ],
    });
    expect(posted.isError).toBe(false);
    const message = channel('incidents').messages.at(-1)!;
    expect(message.text).toBe(
      '[SEV2][Investigating] payments-api p99 latency: p99 above 800 ms since 14:00 UTC; suspect the connection-pool change in 2.14.',
    );
    expect(message.blocks).toEqual([
      {
        type: 'header',
        text: { type: 'plain_text', text: 'SEV2 · Investigating: payments-api p99 latency', emoji: true },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\n:large_orange_circle: SEV2' },
          { type: 'mrkdwn', text: '*Status*\nInvestigating' },
          { type: 'mrkdwn', text: '*Next update*\n15:30 UTC' },
        ],
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'p99 above 800 ms since 14:00 UTC; suspect the connection-pool change in 2.14.' },
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: ':link: <https://grafana.acme.example/d/payments|Dashboard>' },
          { type: 'mrkdwn', text: '<https://acme.atlassian.net/browse/PAY-3|PAY-3>' },
        ],
      },
    ]);

    const resolved = await call(client, 'post_incident_update', {
      channel: '#incidents',
      title: 'payments-api p99 latency',
      severity: 'SEV2',
      status: 'resolved',
      summary: 'Rolled back to 2.13; p99 back under 200 ms.',
      thread_ts: posted.data.ts,
    });
    expect(channel('incidents').messages.at(-1)).toMatchObject({ threadTs: posted.data.ts });
    expect(resolved.isError).toBe(false);

    const updated = await call(client, 'update_message', {
      channel: '#incidents',
      ts: posted.data.ts,
      text: '[SEV2][Resolved] payments-api p99 latency',
    });
    expect(updated.data).toEqual({ channel: channel('incidents').id, ts: posted.data.ts });
    expect(message).toMatchObject({ text: '[SEV2][Resolved] payments-api p99 latency', edited: true });

    const notOurs = channel('incidents').messages[0]!;
    const refused = await call(client, 'update_message', { channel: '#incidents', ts: notOurs.ts, text: 'x' });
    expect(refused.meta.code).toBe('forbidden');
    expect(refused.text).toContain('cant_update_message');

    const badLink = await call(client, 'post_incident_update', {
      channel: '#incidents',
      title: 't',
      severity: 'SEV9',
      status: 'investigating',
      summary: 's',
      links: [{ label: 'x', url: 'ftp://nope' }],
    });
    expect(badLink.isError).toBe(true);
    expect(badLink.text).toContain('severity');
    expect(badLink.text).toContain('must be an http(s) URL');
  });

  it('reads channel history in a time window, newest first, paginated and capped', async () => {
    const client = await connect();
    const all = await call(client, 'get_channel_history', { channel: '#payments', limit: 2 });
    expect(all.data.messages.map((m: { text: string }) => m.text)).toEqual([
      'p99 latency on payments-api is above 800 ms since 14:00 UTC, looking.',
      'Does orders-api need the new refund status field?',
    ]);
    expect(all.data.messages[1]).toMatchObject({ reply_count: 2, thread_ts: expect.any(String) });
    const rest = await call(client, 'get_channel_history', {
      channel: '#payments',
      limit: 2,
      cursor: all.data.nextCursor,
    });
    expect(rest.data.messages.map((m: { text: string }) => m.text)).toEqual([
      'payments-api 2.14 is rolling out to staging.',
    ]);
    expect(rest.data.nextCursor).toBeUndefined();

    const question = channel('payments').messages.find((m) => m.text.startsWith('Does orders-api'))!;
    const window = await call(client, 'get_channel_history', {
      channel: '#payments',
      since: new Date(Number(question.ts) * 1000 - 500).toISOString(),
      until: question.ts,
    });
    expect(window.data.messages).toEqual([]);
    const history = fake.requests.filter((r) => r.path === '/conversations.history').at(-1)!;
    expect(history.query).toMatchObject({ channel: channel('payments').id, latest: question.ts });

    const trace = `stack trace:\n${'at frame\n'.repeat(600)}`;
    fake.state.post(channel('payments'), { user: 'U0BOB00002', text: trace });
    const long = await call(client, 'get_channel_history', { channel: '#payments', limit: 1 });
    expect(long.data.messages[0].text).toBe(
      `${trace.slice(0, 1000)}\n[truncated: ${(trace.length - 1000).toLocaleString('en-US')} characters omitted; open the message in Slack for the full text]`,
    );

    const bad = await call(client, 'get_channel_history', { channel: '#payments', since: 'yesterday-ish' });
    expect(bad.meta.code).toBe('invalid_request');
    expect(bad.text).toContain('since: "yesterday-ish" is not a time');

    const tooMany = await call(client, 'get_channel_history', { channel: '#payments', limit: 500 });
    expect(tooMany.isError).toBe(true);
    expect(tooMany.text).toContain('limit');
  });

  it('maps Slack error codes: channel_not_found, not_in_channel, missing_scope, invalid_auth', async () => {
    const client = await connect();
    const missing = await call(client, 'get_channel_history', { channel: 'C0NOSUCH01' });
    expect(missing.meta).toMatchObject({ code: 'not_found', retryable: false });
    expect(missing.text).toContain('Slack refused the call: channel_not_found');

    const notIn = await call(client, 'send_message', { channel: '#general', text: 'hello' });
    expect(notIn.meta.code).toBe('forbidden');
    expect(notIn.text).toContain('not_in_channel');
    expect(notIn.text).toContain('/invite @idp-mcp');

    const byName = await call(client, 'send_message', { channel: '#nope', text: 'hello' });
    expect(byName.meta.code).toBe('not_found');
    expect(byName.text).toContain('no channel named #nope');

    const readOnly = await connect({ SLACK_BOT_TOKEN: SAMPLE_SLACK_TOKENS.readOnly });
    const scope = await call(readOnly, 'send_message', { channel: '#deploys', text: 'hello' });
    expect(scope.meta.code).toBe('forbidden');
    expect(scope.text).toContain('missing_scope');
    expect(scope.text).toContain('add the scope chat:write');

    const revoked = await connect({ SLACK_BOT_TOKEN: 'xoxb-revoked-token-9999' });
    const auth = await call(revoked, 'list_channels');
    expect(auth.meta.code).toBe('unauthorized');
    expect(auth.text).toContain('invalid_auth');
    expect(auth.text).not.toContain('xoxb-revoked-token-9999');
    expect(logLines.join('\n')).not.toContain('xoxb-revoked-token-9999');
  });
});

describe('slack channels and users', () => {
  it('lists channels with cursors, private ones only where the bot is', async () => {
    const client = await connect();
    const first = await call(client, 'list_channels', { limit: 4 });
    expect(first.data.channels.map((c: { name: string }) => c.name)).toEqual([
      'general',
      'payments',
      'platform',
      'incidents',
    ]);
    expect(first.data.channels[0]).toEqual({
      id: channel('general').id,
      name: 'general',
      is_private: false,
      is_archived: false,
      is_member: false,
      members: 2,
      topic: '',
    });
    const second = await call(client, 'list_channels', { limit: 4, cursor: first.data.nextCursor });
    expect(second.data.channels.map((c: { name: string; is_private: boolean }) => [c.name, c.is_private])).toEqual([
      ['deploys', false],
      ['payments-oncall', true],
    ]);
    expect(second.data.nextCursor).toBeUndefined();

    const info = await call(client, 'get_channel', { channel: '#payments' });
    expect(info.data).toMatchObject({ name: 'payments', purpose: 'Team payments', is_member: true, members: 3 });
  });

  it('creates a channel with a topic, invites people by email and name, archives it', async () => {
    const client = await connect();
    const created = await call(client, 'create_channel', {
      name: 'inc-2026-11-20-payments',
      topic: 'SEV2: payments-api latency',
    });
    expect(created.isError).toBe(false);
    expect(created.data).toMatchObject({
      name: 'inc-2026-11-20-payments',
      is_member: true,
      topic: 'SEV2: payments-api latency',
    });

    const taken = await call(client, 'create_channel', { name: 'payments' });
    expect(taken.meta.code).toBe('conflict');
    expect(taken.text).toContain('name_taken');

    const badName = await call(client, 'create_channel', { name: 'Incident Room' });
    expect(badName.isError).toBe(true);
    expect(badName.text).toContain('must be lowercase letters');

    const invited = await call(client, 'invite_to_channel', {
      channel: created.data.id,
      users: ['alice@acme.example', 'Bob Okafor'],
    });
    expect(invited.data).toEqual({ channel: created.data.id, invited: ['U0ALICE001', 'U0BOB00002'], members: 3 });
    const again = await call(client, 'invite_to_channel', { channel: created.data.id, users: ['U0ALICE001'] });
    expect(again.meta.code).toBe('conflict');
    const unknown = await call(client, 'invite_to_channel', { channel: created.data.id, users: ['carol'] });
    expect(unknown.meta.code).toBe('invalid_request');
    expect(unknown.text).toContain('users: "carol" matches no one');

    const topic = await call(client, 'set_channel_topic', { channel: created.data.id, topic: 'Resolved' });
    expect(topic.data.topic).toBe('Resolved');

    const archived = await call(client, 'archive_channel', { channel: created.data.id });
    expect(archived.data).toEqual({ channel: created.data.id, archived: true });
    expect(fake.state.channel(created.data.id)!.isArchived).toBe(true);
    const general = await call(client, 'archive_channel', { channel: '#general' });
    expect(general.meta.code).toBe('forbidden');
  });

  it('finds users by email and by name', async () => {
    const client = await connect();
    const byEmail = await call(client, 'find_users', { email: 'bob@acme.example' });
    expect(byEmail.data.users).toEqual([
      {
        id: 'U0BOB00002',
        name: 'bob',
        real_name: 'Bob Okafor',
        email: 'bob@acme.example',
        title: 'Platform engineer',
        is_bot: false,
        tz: null,
      },
    ]);
    const nobody = await call(client, 'find_users', { email: 'carol@acme.example' });
    expect(nobody.data.users).toEqual([]);
    const byName = await call(client, 'find_users', { name: 'nguyen' });
    expect(byName.data.users.map((u: { id: string }) => u.id)).toEqual(['U0ALICE001']);
    const both = await call(client, 'find_users', { email: 'bob@acme.example', name: 'bob' });
    expect(both.isError).toBe(true);
    expect(both.text).toContain('give exactly one of email or name');
  });
});

describe('slack allow list, tiers and failures', () => {
  it('refuses writes outside SLACK_ALLOWED_CHANNELS, saying how to allow them; reads stay open', async () => {
    const client = await connect({ SLACK_ALLOWED_CHANNELS: '#incidents, inc-*' });
    const refused = await call(client, 'send_message', { channel: '#payments', text: 'hello' });
    expect(refused.meta).toMatchObject({ code: 'forbidden', retryable: false });
    expect(refused.text).toContain('channel: #payments is not in SLACK_ALLOWED_CHANNELS (incidents, inc-*)');
    expect(refused.text).toContain('add payments to SLACK_ALLOWED_CHANNELS');
    expect(methods()).not.toContain('chat.postMessage');

    expect((await call(client, 'send_message', { channel: '#incidents', text: 'ok' })).isError).toBe(false);
    expect((await call(client, 'create_channel', { name: 'inc-42' })).isError).toBe(false);
    const outside = await call(client, 'create_channel', { name: 'random-chat' });
    expect(outside.meta.code).toBe('forbidden');
    expect((await call(client, 'get_channel_history', { channel: '#payments' })).isError).toBe(false);
  });

  it('a developer cannot invite or archive; a viewer only reads', async () => {
    const developer = await connect({}, 'developer');
    const names = (await developer.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('invite_to_channel');
    expect(names).not.toContain('archive_channel');
    expect(names).toContain('send_message');
    const viewer = await connect({}, 'viewer');
    expect((await viewer.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'find_users',
      'get_channel',
      'get_channel_history',
      'get_thread',
      'list_channels',
    ]);
  });

  it('429: a read waits out a short Retry-After and succeeds; a long one comes back as rate_limited', async () => {
    const client = await connect();
    fake.failNext({ path: '/conversations.list', status: 429, headers: { 'Retry-After': '1' } });
    const waited = await call(client, 'list_channels');
    expect(waited.isError).toBe(false);
    expect(fake.requests.filter((r) => r.path === '/conversations.list')).toHaveLength(2);

    fake.failNext({ path: '/chat.postMessage', status: 429, headers: { 'Retry-After': '45' } });
    const limited = await call(client, 'send_message', { channel: '#deploys', text: 'hi' });
    expect(limited.meta).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterSeconds: 45 });
    expect(fake.requests.filter((r) => r.path === '/chat.postMessage')).toHaveLength(1);
  });

  it('5xx: a read is retried, a write is not (it could post twice)', async () => {
    const client = await connect();
    fake.failNext({ path: '/conversations.history', status: 503 });
    expect((await call(client, 'get_channel_history', { channel: '#payments' })).isError).toBe(false);

    fake.failNext({ path: '/chat.postMessage', status: 503 });
    const failed = await call(client, 'send_message', { channel: '#deploys', text: 'once' });
    expect(failed.meta).toMatchObject({ code: 'upstream_unavailable', retryable: false });
    expect(fake.requests.filter((r) => r.path === '/chat.postMessage')).toHaveLength(1);
    expect(channel('deploys').messages.some((m) => m.text === 'once')).toBe(false);
  });

  it("cancels the upstream request with the tool call's signal, without WebClient retrying", async () => {
    const slack = createSlack({
      token: fake.token,
      apiUrl: fake.apiUrl,
      log: createLogger('slack', { level: 'error', write: () => {} }),
    });
    fake.failNext({ path: '/conversations.list', delayMs: 3000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('cancelled by the client')), 100);
    await expect(slack.client(controller.signal).conversations.list()).rejects.toThrow('cancelled by the client');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fake.requests.filter((r) => r.path === '/conversations.list')).toHaveLength(1);
  });

  it('times out with SLACK_TIMEOUT_MS', async () => {
    const client = await connect({ SLACK_TIMEOUT_MS: '500' });
    fake.failNext({ path: '/chat.postMessage', delayMs: 1500 });
    const write = await call(client, 'send_message', { channel: '#deploys', text: 'slow' });
    expect(write.meta).toMatchObject({ code: 'timeout', retryable: false });
    expect(write.text).toContain('Slack did not answer within 500 ms');
    expect(write.text).toContain('read the current state before repeating it');

    fake.failNext({ path: '/users.lookupByEmail', delayMs: 1500, times: 3 });
    const read = await call(client, 'find_users', { email: 'bob@acme.example' });
    expect(read.meta).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('runs its bin over stdio against the in-process sandbox with sample data', async () => {
    const client = await connectStdio(new URL('../src/bin.ts', import.meta.url).pathname, ['--sandbox']);
    try {
      const result = await client.callTool({ name: 'get_channel_history', arguments: { channel: '#deploys' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        messages: [
          { text: 'orders-api 1.9.2 synced to production (Argo CD).', user: BOT_USER_ID, user_name: 'idp-mcp' },
        ],
      });
    } finally {
      await client.close();
    }
  });
});
