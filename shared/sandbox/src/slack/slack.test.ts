// The Slack fake's own tests: arguments in a form body, query string or JSON are all checked against Slack's
// description, and the clean-ups in `cleanUp` correct it without switching checks off.

import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SLACK_TOKENS, type SlackFake, startSlackFake } from './index.ts';

describe('the Slack fake over HTTP', () => {
  let fake: SlackFake;
  const call = (method: string, body: string | Record<string, unknown>, token: string = SAMPLE_SLACK_TOKENS.bot) =>
    fetch(`${fake.apiUrl}${method}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json',
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    }));
  const payments = () => fake.state.channel('payments')!.id;

  beforeAll(async () => {
    fake = await startSlackFake();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers errors as HTTP 200 with ok: false, and authenticates by Bearer token', async () => {
    expect(await call('conversations.list', '', 'xoxb-unknown')).toEqual({
      status: 200,
      body: { ok: false, error: 'invalid_auth' },
    });
    expect(await call('conversations.info', `channel=C0NOSUCH01`)).toEqual({
      status: 200,
      body: { ok: false, error: 'channel_not_found' },
    });
    expect(await call('chat.postMessage', { channel: payments(), text: 'hi' }, SAMPLE_SLACK_TOKENS.readOnly)).toEqual({
      status: 200,
      body: {
        ok: false,
        error: 'missing_scope',
        needed: 'chat:write',
        provided: expect.stringContaining('channels:read'),
      },
    });
    assertNoViolations(fake);
  });

  it('accepts a form body and a JSON body alike', async () => {
    const form = await call('chat.postMessage', `channel=${payments()}&text=${encodeURIComponent('form *body*')}`);
    const json = await call('chat.postMessage', { channel: payments(), text: 'json body', unfurl_links: false });
    expect([form.body.ok, json.body.ok]).toEqual([true, true]);
    expect(
      fake.state
        .channel('payments')!
        .messages.slice(-2)
        .map((m) => m.text),
    ).toEqual(['form *body*', 'json body']);
    assertNoViolations(fake);
  });

  it('records arguments the description does not allow', async () => {
    await call('chat.postMessage', 'text=no+channel');
    await call('conversations.list', 'limit=many&colour=blue');
    const messages = fake.violations.map((v) => `${v.operationId}: ${v.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining("chat_postMessage: (root) must have required property 'channel'"),
        expect.stringContaining('conversations_list: /limit must be integer'),
        expect.stringContaining('conversations_list: (root) must NOT have additional properties (colour)'),
      ]),
    );
    fake.violations.length = 0;
  });

  it("still checks each method's error codes: an error Slack does not document for it is a violation", async () => {
    fake.failNext({ path: '/conversations.list', status: 200, body: { ok: false, error: 'made_up_error' } });
    const response = await call('conversations.list', '');
    expect(response.status).toBe(500);
    expect(fake.violations.map((v) => v.where)).toContain('response.body');
    fake.violations.length = 0;
  });

  it('answers 429 with Retry-After and a ratelimited body that matches the description', async () => {
    fake.failNext({ path: '/chat.postMessage', status: 429, headers: { 'Retry-After': '30' } });
    const response = await call('chat.postMessage', { channel: payments(), text: 'x' });
    expect(response).toEqual({ status: 429, body: { ok: false, error: 'ratelimited' } });
    assertNoViolations(fake);
  });
});
