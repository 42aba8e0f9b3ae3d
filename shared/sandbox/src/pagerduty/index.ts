// The PagerDuty fake: the REST v2 API for what idp-mcp calls, checked against PagerDuty's published OpenAPI
// description (spec.ts), plus the Events API v2 enqueue endpoint (events.ts, checked against schemas written from
// PagerDuty's documentation). One server plays both hosts: point the REST and the events URL at it.
import { type OpenApiFake, startOpenApiFake } from '../server.ts';
import { EVENTS_ROUTE, eventsHandler } from './events.ts';
import { authenticate, errorBody, pagerDutyOperations } from './handlers.ts';
import { createSamplePagerDutyState, SANDBOX_TOKEN } from './sample-data.ts';
import { ERROR_SCHEMA_REF, pagerDutySpec } from './spec.ts';
import type { PagerDutyState } from './state.ts';

export { EVENT_RESPONSE_SCHEMA, EVENT_SCHEMA } from './events.ts';
export {
  createSamplePagerDutyState,
  ORDERS_ROUTING_KEY,
  PAYMENTS_ROUTING_KEY,
  READ_ONLY_TOKEN,
  SANDBOX_TOKEN,
} from './sample-data.ts';
export { cleanUpPagerDutySpec, pagerDutySpec } from './spec.ts';
export { type Incident, PagerDutyState, type Service } from './state.ts';

export interface PagerDutyFakeOptions {
  state?: PagerDutyState;
  /** Check traffic against PagerDuty's descriptions (default true; the sandbox turns it off to start fast). */
  validate?: boolean;
}

export interface PagerDutyFake extends OpenApiFake {
  readonly state: PagerDutyState;
  /** A full-access REST API token of the sample account. */
  readonly token: string;
}

export async function startPagerDutyFake(options: PagerDutyFakeOptions = {}): Promise<PagerDutyFake> {
  const state = options.state ?? createSamplePagerDutyState();
  const validate = options.validate ?? true;
  const fake = await startOpenApiFake({
    name: 'pagerduty',
    spec: validate ? pagerDutySpec() : undefined,
    operations: pagerDutyOperations(state),
    outsideSpec: { [EVENTS_ROUTE]: (context) => handleEvent(context) },
    validate,
    authenticate: (request) => authenticate(state, request),
    errorBody: (status, message) => errorBody(status, message),
    errorSchemaRef: ERROR_SCHEMA_REF,
  });
  // The events handler reports into the fake's own violations, so assertNoViolations sees them.
  const handleEvent = eventsHandler(state, (violation) => fake.violations.push(violation), validate);
  return { ...fake, state, token: SANDBOX_TOKEN };
}
