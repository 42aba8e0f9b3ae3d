// PagerDuty's Events API v2 (events.pagerduty.com, POST /v2/enqueue). It is not part of the REST description, and
// PagerDuty publishes no machine-readable schema for it, so the schemas below are written from PagerDuty's
// documentation of the event shape (developer.pagerduty.com, "Events API v2 Overview" / "Send an Alert Event").
// The fake checks every event and every answer against them, as the REST operations are checked against the spec.
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FakeResponse, Handler, Violation } from '../server.ts';
import type { PagerDutyState } from './state.ts';

// ajv-formats is CommonJS: Node's ESM loader hands over module.exports, whose `default` is the plugin.
const addFormats = ajvFormats.default;

export const EVENTS_ROUTE = 'POST /v2/enqueue';

export const EVENT_SCHEMA = {
  type: 'object',
  required: ['routing_key', 'event_action'],
  properties: {
    routing_key: { type: 'string', minLength: 32, maxLength: 32 },
    event_action: { enum: ['trigger', 'acknowledge', 'resolve'] },
    dedup_key: { type: 'string', maxLength: 255 },
    client: { type: 'string' },
    client_url: { type: 'string', format: 'uri' },
    payload: {
      type: 'object',
      required: ['summary', 'source', 'severity'],
      properties: {
        summary: { type: 'string', minLength: 1, maxLength: 1024 },
        source: { type: 'string', minLength: 1 },
        severity: { enum: ['critical', 'error', 'warning', 'info'] },
        timestamp: { type: 'string', format: 'date-time' },
        component: { type: 'string' },
        group: { type: 'string' },
        class: { type: 'string' },
        custom_details: { type: 'object' },
      },
      additionalProperties: false,
    },
    images: {
      type: 'array',
      items: {
        type: 'object',
        required: ['src'],
        properties: { src: { type: 'string' }, href: { type: 'string' }, alt: { type: 'string' } },
        additionalProperties: false,
      },
    },
    links: {
      type: 'array',
      items: {
        type: 'object',
        required: ['href'],
        properties: { href: { type: 'string' }, text: { type: 'string' } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
  // A trigger needs a payload; acknowledge and resolve need the dedup_key of what they act on.
  anyOf: [
    { properties: { event_action: { const: 'trigger' } }, required: ['payload'] },
    { properties: { event_action: { enum: ['acknowledge', 'resolve'] } }, required: ['dedup_key'] },
  ],
} as const;

export const EVENT_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['status', 'message'],
  properties: {
    status: { type: 'string' },
    message: { type: 'string' },
    dedup_key: { type: 'string' },
    errors: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const checkEvent = ajv.compile(EVENT_SCHEMA);
const checkAnswer = ajv.compile(EVENT_RESPONSE_SCHEMA);

/** The /v2/enqueue handler. Problems with what a client sent or what the fake answers are reported as violations. */
export function eventsHandler(
  state: PagerDutyState,
  report: (violation: Violation) => void,
  validate: boolean,
): Handler {
  const violate = (where: string, message: string) =>
    report({ fake: 'pagerduty', operationId: EVENTS_ROUTE, method: 'POST', path: '/v2/enqueue', where, message });
  const answer = (response: FakeResponse): FakeResponse => {
    if (validate && !checkAnswer(response.body)) violate('response.body', ajv.errorsText(checkAnswer.errors));
    return response;
  };
  return ({ request }) => {
    if (!checkEvent(request.body)) {
      const errors = (checkEvent.errors ?? []).map((e) => `${e.instancePath || 'event'} ${e.message}`);
      if (validate) violate('request.body', errors.join('; '));
      return answer({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } });
    }
    const event = request.body as {
      routing_key: string;
      event_action: 'trigger' | 'acknowledge' | 'resolve';
      dedup_key?: string;
      payload?: { summary: string; severity: string; source: string };
    };
    const service = [...state.services.values()].find((s) => s.routingKey === event.routing_key);
    if (!service) {
      return answer({
        status: 400,
        body: { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid routing key'] },
      });
    }
    const open = [...state.incidents.values()].find(
      (i) => i.serviceId === service.id && i.incidentKey === event.dedup_key && i.status !== 'resolved',
    );
    if (event.event_action === 'trigger' && !open) {
      const dedupKey = event.dedup_key ?? state.id('D').toLowerCase().padEnd(32, '0');
      state.openIncident({
        serviceId: service.id,
        title: event.payload!.summary,
        urgency: event.payload!.severity === 'critical' || event.payload!.severity === 'error' ? 'high' : 'low',
        incidentKey: dedupKey,
        channel: 'Events API v2',
      });
      return answer({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } });
    }
    if (open && event.event_action !== 'trigger') {
      open.status = event.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
      open.updatedAt = state.timestamp();
    }
    return answer({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: event.dedup_key ?? open?.incidentKey ?? '' },
    });
  };
}
