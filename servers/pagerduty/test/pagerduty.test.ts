import {
  PAYMENTS_ROUTING_KEY,
  type PagerDutyFake,
  READ_ONLY_TOKEN,
  startPagerDutyFake,
} from '@idp-mcp/sandbox/pagerduty';
import { connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pagerdutyModule } from '../src/index.ts';

type Role = 'viewer' | 'developer' | 'platform-admin';

let fake: PagerDutyFake;
const closers: Array<() => Promise<void>> = [];

async function connect(role: Role = 'developer', env: Record<string, string> = {}): Promise<Client> {
  const { client, close } = await connectClient(pagerdutyModule, {
    args: ['--role', role],
    env: {
      PAGERDUTY_TOKEN: fake.token,
      PAGERDUTY_API_URL: fake.url,
      PAGERDUTY_EVENTS_URL: fake.url,
      PAGERDUTY_ROUTING_KEY: PAYMENTS_ROUTING_KEY,
      PAGERDUTY_FROM: 'alice@acme.example',
      PAGERDUTY_TIMEOUT_MS: '2000',
      PAGERDUTY_RETRY_MS: '10',
      ...env,
    },
  });
  closers.push(close);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  return {
    result,
    text: textOf(result),
    isError: result.isError === true,
    meta: result._meta?.['idp-mcp/error'] as
      | { code?: string; retryable?: boolean; retryAfterSeconds?: number }
      | undefined,
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the structured result freely
    data: result.structuredContent as Record<string, any>,
  };
}

const incidentByTitle = (prefix: string) => [...fake.state.incidents.values()].find((i) => i.title.startsWith(prefix))!;

beforeEach(async () => {
  fake = await startPagerDutyFake();
});

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
  await fake.close();
  assertNoViolations(fake);
});

describe('pagerduty tools/list', () => {
  it('matches the reviewed snapshot', async () => {
    await expect(await toolsSnapshot(await connect('developer'))).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('a viewer sees only the read tools', async () => {
    const { tools } = await (await connect('viewer')).listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_incident',
      'list_escalation_policies',
      'list_incidents',
      'list_oncalls',
      'list_schedules',
      'list_services',
    ]);
  });
});

describe('incidents', () => {
  it('lists open incidents newest first, honouring limit with offset pagination', async () => {
    const client = await connect('viewer');
    const first = await call(client, 'list_incidents', { limit: 2 });
    expect(first.data.incidents.map((i: { title: string }) => i.title)).toEqual([
      'payments-api: 5xx error rate above 5% on POST /refunds',
      'argocd: payments-api-production out of sync for 30m',
    ]);
    expect(first.data.total).toBe(3);
    const request = fake.requests.find((r) => r.operationId === 'listIncidents')!;
    expect(request.query).toMatchObject({ limit: '2', offset: '0', 'statuses[]': ['triggered', 'acknowledged'] });
    expect(request.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
    const second = await call(client, 'list_incidents', { limit: 2, cursor: first.data.nextCursor });
    expect(second.data.incidents).toHaveLength(1);
    expect(second.data.incidents[0]).toMatchObject({
      status: 'acknowledged',
      urgency: 'low',
      service: { name: 'orders-api' },
      acknowledged_by: ['Bob Okafor'],
    });
    expect(second.data.nextCursor).toBeUndefined();
  });

  it('filters by status, urgency and service name', async () => {
    const client = await connect('viewer');
    const resolved = await call(client, 'list_incidents', { statuses: ['resolved'], services: ['orders-api'] });
    expect(resolved.data.incidents.map((i: { title: string }) => i.title)).toEqual([
      'orders-api: p99 latency above 2s',
    ]);
    const high = await call(client, 'list_incidents', { urgency: 'high' });
    expect(high.data.incidents).toHaveLength(1);
    const unknown = await call(client, 'list_incidents', { services: ['payment'] });
    expect(unknown.meta?.code).toBe('not_found');
    expect(unknown.text).toMatch(/services: no service named "payment"/);
    expect(unknown.text).toMatch(/did you mean payments-api/);
  });

  it('gets an incident with its log entries (trimmed) and notes', async () => {
    const client = await connect('viewer');
    const id = incidentByTitle('orders-api: Kafka').id;
    const incident = await call(client, 'get_incident', { id, log_entries: 1 });
    expect(incident.data).toMatchObject({
      id,
      status: 'acknowledged',
      escalation_policy: { name: 'payments-escalation' },
      log_entries: [{ type: 'acknowledge', summary: 'Acknowledged by Bob Okafor', by: 'Bob Okafor' }],
      more_log_entries: true,
      notes: [],
    });
  });

  it('acknowledges, adds a note and resolves as PAGERDUTY_FROM; refuses to reopen a resolved incident', async () => {
    const client = await connect('developer');
    const id = incidentByTitle('payments-api: 5xx').id;
    const acked = await call(client, 'acknowledge_incident', { id });
    expect(acked.data).toMatchObject({ status: 'acknowledged', acknowledged_by: ['Alice Chen'] });
    const put = fake.requests.find((r) => r.operationId === 'updateIncident')!;
    expect(put.headers.from).toBe('alice@acme.example');
    expect(put.body).toEqual({ incident: { type: 'incident_reference', status: 'acknowledged' } });

    const note = await call(client, 'add_incident_note', { id, content: 'Rolling back 1.8.0 to 1.7.3.' });
    expect(note.data.incident_id).toBe(id);
    const resolved = await call(client, 'resolve_incident', { id, resolution: 'Rolled back; error rate normal.' });
    expect(resolved.data).toMatchObject({ status: 'resolved', note_added: true, assignees: [] });
    expect(fake.state.incidents.get(id)!.notes.map((n) => n.content)).toEqual([
      'Rolling back 1.8.0 to 1.7.3.',
      'Resolution: Rolled back; error rate normal.',
    ]);

    const again = await call(client, 'acknowledge_incident', { id });
    expect(again.meta?.code).toBe('conflict');
    expect(again.text).toMatch(/id: incident .* is resolved/);
    const details = await call(client, 'get_incident', { id });
    expect(details.data.notes).toHaveLength(2);
    expect(details.data.log_entries[0].type).toBe('resolve');
  });

  it('triggers through the Events API v2 with the routing key, and dedups repeats', async () => {
    const client = await connect('developer');
    const triggered = await call(client, 'trigger_incident', {
      summary: 'payments-api: card authorisations failing',
      severity: 'critical',
      source: 'payments-api.production',
      dedup_key: 'payments-api-auth-failures',
      custom_details: { error_rate: '12%' },
    });
    expect(triggered.data).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'payments-api-auth-failures',
    });
    const sent = fake.requests.find((r) => r.path === '/v2/enqueue')!;
    expect(sent.body).toMatchObject({ routing_key: PAYMENTS_ROUTING_KEY, event_action: 'trigger' });
    expect(triggered.text).not.toContain(PAYMENTS_ROUTING_KEY);
    const count = fake.state.incidents.size;
    await call(client, 'trigger_incident', {
      summary: 'payments-api: card authorisations failing',
      severity: 'critical',
      dedup_key: 'payments-api-auth-failures',
    });
    expect(fake.state.incidents.size).toBe(count);
    const open = await call(client, 'list_incidents', { services: ['payments-api'] });
    expect(open.data.incidents[0]).toMatchObject({
      title: 'payments-api: card authorisations failing',
      urgency: 'high',
    });
  });

  it('the fake holds events to the documented Events API v2 shape', async () => {
    const response = await fetch(`${fake.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: PAYMENTS_ROUTING_KEY, event_action: 'trigger', payload: { summary: 'x' } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    expect(fake.violations.splice(0).map((v) => v.message)).toEqual([
      expect.stringMatching(/payload must have required property 'source'/),
    ]);
  });

  it('explains a wrong routing key and missing configuration', async () => {
    const wrongKey = await connect('developer', { PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEYUNKNOWN000000000000009' });
    const refused = await call(wrongKey, 'trigger_incident', { summary: 'x', severity: 'info' });
    expect(refused.meta?.code).toBe('invalid_request');
    expect(refused.text).toMatch(/Invalid routing key/);
    expect(refused.text).toMatch(/PAGERDUTY_ROUTING_KEY/);

    const noFrom = await connect('developer', { PAGERDUTY_FROM: '' });
    const ack = await call(noFrom, 'add_incident_note', { id: incidentByTitle('payments-api').id, content: 'x' });
    expect(ack.text).toMatch(/PAGERDUTY_FROM is not set/);
    const wrongFrom = await connect('developer', { PAGERDUTY_FROM: 'mallory@acme.example' });
    const denied = await call(wrongFrom, 'add_incident_note', { id: incidentByTitle('payments-api').id, content: 'x' });
    expect(denied.meta?.code).toBe('invalid_request');
    expect(denied.text).toMatch(/Requester User Not Found/);
  });

  it('rejects bad input naming the field', async () => {
    const client = await connect('developer');
    const badId = await call(client, 'get_incident', { id: 'not an id' });
    expect(badId.isError).toBe(true);
    expect(badId.text).toMatch(/id/);
    expect(badId.text).toMatch(/PagerDuty incident ID/);
    const badSince = await call(client, 'list_incidents', { since: 'yesterday' });
    expect(badSince.text).toMatch(/ISO 8601/);
    const badSeverity = await call(client, 'trigger_incident', { summary: 'x', severity: 'sev1' });
    expect(badSeverity.text).toMatch(/severity/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('on call and services', () => {
  it('says who is on call by schedule name and by escalation policy', async () => {
    const client = await connect('viewer');
    const bySchedule = await call(client, 'list_oncalls', { schedule: 'payments-primary' });
    expect(bySchedule.data.oncalls).toHaveLength(1);
    expect(['Alice Chen', 'Bob Okafor']).toContain(bySchedule.data.oncalls[0].user);
    expect(bySchedule.data.oncalls[0]).toMatchObject({ level: 1, schedule: { name: 'payments-primary' } });
    const byPolicy = await call(client, 'list_oncalls', { escalation_policy: 'payments-escalation' });
    expect(byPolicy.data.oncalls.map((o: { level: number }) => o.level)).toEqual([1, 2]);
    const neither = await call(client, 'list_oncalls', {});
    expect(neither.text).toMatch(/schedule or escalation_policy/);
  });

  it('lists services, schedules and escalation policies', async () => {
    const client = await connect('viewer');
    const services = await call(client, 'list_services', { limit: 2 });
    expect(services.data.services.map((s: { name: string }) => s.name)).toEqual(['argocd', 'orders-api']);
    const rest = await call(client, 'list_services', { limit: 2, cursor: services.data.nextCursor });
    expect(rest.data.services[0]).toMatchObject({ name: 'payments-api', status: 'critical', teams: ['payments'] });
    const schedules = await call(client, 'list_schedules', { query: 'payments' });
    expect(schedules.data.schedules[0]).toMatchObject({
      name: 'payments-primary',
      escalation_policies: ['payments-escalation'],
    });
    const policies = await call(client, 'list_escalation_policies', {});
    expect(policies.data.escalation_policies[0].levels[0]).toEqual({
      level: 1,
      delay_minutes: 15,
      targets: ['schedule:payments-primary'],
    });
  });
});

describe('upstream failures', () => {
  it('maps 401 and a read-only key (403) with hints', async () => {
    const bad = await connect('viewer', { PAGERDUTY_TOKEN: 'pd-wrong-token-123' });
    const unauthorized = await call(bad, 'list_services');
    expect(unauthorized.meta?.code).toBe('unauthorized');
    expect(unauthorized.text).toMatch(/PAGERDUTY_TOKEN/);
    expect(unauthorized.text).not.toContain('pd-wrong-token-123');

    const readOnly = await connect('developer', { PAGERDUTY_TOKEN: READ_ONLY_TOKEN });
    const forbidden = await call(readOnly, 'acknowledge_incident', { id: incidentByTitle('payments-api').id });
    expect(forbidden.meta?.code).toBe('forbidden');
    expect(forbidden.text).toMatch(/read-only/);
  });

  it('maps 404, 429 (retried by pdjs, then Retry-After), 5xx, and a timeout', async () => {
    const client = await connect('developer', { PAGERDUTY_TIMEOUT_MS: '300' });
    const missing = await call(client, 'get_incident', { id: 'QNOSUCH123' });
    expect(missing.meta?.code).toBe('not_found');
    expect(missing.text).toMatch(/Incident Not Found/);

    fake.failNext({ path: '/services', status: 429, headers: { 'retry-after': '30' } });
    const recovered = await call(client, 'list_services');
    expect(recovered.data.services).toHaveLength(3);

    fake.failNext({ path: '/services', status: 429, headers: { 'retry-after': '30' }, times: 4 });
    const limited = await call(client, 'list_services');
    expect(limited.meta).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterSeconds: 30 });

    fake.failNext({ path: '/services', status: 503 });
    const unavailable = await call(client, 'list_services');
    expect(unavailable.meta).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    expect((await call(client, 'list_services')).data.services).toHaveLength(3);

    fake.failNext({ path: /^\/incidents\/[^/]+$/, method: 'PUT', status: 500 });
    const failedWrite = await call(client, 'acknowledge_incident', { id: incidentByTitle('payments-api').id });
    expect(failedWrite.meta).toMatchObject({ code: 'upstream_unavailable', retryable: false });

    fake.failNext({ path: '/services', delayMs: 1000 });
    const slow = await call(client, 'list_services');
    expect(slow.meta).toMatchObject({ code: 'timeout', retryable: true });
    expect(slow.text).toMatch(/300 ms/);
  });
});

describe('sandbox', () => {
  it('starts with sample data and no credentials', async () => {
    const { client, close } = await connectClient(pagerdutyModule, { args: ['--sandbox', '--role', 'viewer'] });
    closers.push(close);
    const oncall = await call(client, 'list_oncalls', { escalation_policy: 'platform-escalation' });
    expect(oncall.data.oncalls.map((o: { user: string }) => o.user)).toContain('Carol Diaz');
  });
});
