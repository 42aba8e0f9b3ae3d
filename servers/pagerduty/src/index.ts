import type { ServerModule } from '@idp-mcp/core';
import { mapPagerDutyError, PagerDutyClient } from './pagerduty.ts';
import { incidentTools } from './tools/incidents.ts';
import { oncallTools } from './tools/oncall.ts';
import { serviceTools } from './tools/services.ts';

export { mapPagerDutyError, PagerDutyClient, pagerDutyHttpError } from './pagerduty.ts';

/** Every PagerDuty tool, bound to one client. */
export function pagerdutyTools(pd: PagerDutyClient) {
  return [...incidentTools(pd), ...oncallTools(pd), ...serviceTools(pd)];
}

export const pagerdutyModule: ServerModule = {
  name: 'pagerduty',
  title: 'PagerDuty',
  description: 'Incidents (list, read, acknowledge, resolve, notes, trigger), who is on call, services (pdjs).',
  toolsets: {
    incidents: 'list, read, acknowledge, resolve, annotate and trigger incidents',
    oncall: 'who is on call, schedules and escalation policies',
    services: 'PagerDuty services and their status',
  },
  env: {
    PAGERDUTY_TOKEN: { description: 'PagerDuty REST API key (full access for writes)', secret: true, required: true },
    PAGERDUTY_ROUTING_KEY: { description: 'Events API v2 integration key used by trigger_incident', secret: true },
    PAGERDUTY_FROM: { description: 'Email of the PagerDuty user that writes are made as' },
    PAGERDUTY_API_URL: { description: 'REST API base URL', default: 'https://api.pagerduty.com', format: 'url' },
    PAGERDUTY_EVENTS_URL: {
      description: 'Events API base URL (EU accounts: https://events.eu.pagerduty.com)',
      default: 'https://events.pagerduty.com',
      format: 'url',
    },
    PAGERDUTY_TIMEOUT_MS: {
      description: 'Timeout of one PagerDuty request in milliseconds',
      default: '15000',
      format: 'integer',
    },
    PAGERDUTY_RETRY_MS: {
      description: 'Wait between pdjs retries of a 429 answer, in milliseconds',
      default: '2000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log }) {
    let token = env.PAGERDUTY_TOKEN!;
    let apiUrl = env.PAGERDUTY_API_URL!;
    let eventsUrl = env.PAGERDUTY_EVENTS_URL!;
    let routingKey = env.PAGERDUTY_ROUTING_KEY;
    let from = env.PAGERDUTY_FROM;
    let stopFake = async () => {};
    if (sandbox) {
      const { startPagerDutyFake, PAYMENTS_ROUTING_KEY } = await import('@idp-mcp/sandbox/pagerduty');
      const fake = await startPagerDutyFake({ validate: false });
      token = fake.token;
      apiUrl = fake.url;
      eventsUrl = fake.url;
      routingKey = PAYMENTS_ROUTING_KEY;
      from = 'alice@acme.example';
      stopFake = () => fake.close();
    }
    const pd = new PagerDutyClient({
      token,
      apiUrl,
      eventsUrl,
      ...(routingKey ? { routingKey } : {}),
      ...(from ? { from } : {}),
      timeoutMs: Number(env.PAGERDUTY_TIMEOUT_MS),
      retryMs: Number(env.PAGERDUTY_RETRY_MS),
      log,
    });
    return {
      tools: pagerdutyTools(pd),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: apiUrl },
      mapError: mapPagerDutyError,
      ready: async () => {
        await pd.get('/services', { limit: '1' }, AbortSignal.timeout(5000));
        return true;
      },
      close: stopFake,
    };
  },
};
