// The sample world of the PagerDuty fake, coherent with the other fakes: org acme, teams payments and platform,
// services payments-api and orders-api, users alice and bob.
import { PagerDutyState } from './state.ts';

export const SANDBOX_TOKEN = 'pd-sandbox-token-full-access';
export const READ_ONLY_TOKEN = 'pd-read-only-token-0000';
/** The Events API v2 integration key of payments-api. */
export const PAYMENTS_ROUTING_KEY = 'R0UT1NGKEYPAYMENTSAPI00000000001';
export const ORDERS_ROUTING_KEY = 'R0UT1NGKEYORDERSAPI0000000000002';

export function createSamplePagerDutyState(): PagerDutyState {
  const state = new PagerDutyState();
  state.tokens.set(SANDBOX_TOKEN, 'full');
  state.tokens.set(READ_ONLY_TOKEN, 'read');
  const alice = { id: state.id(), name: 'Alice Chen', email: 'alice@acme.example' };
  const bob = { id: state.id(), name: 'Bob Okafor', email: 'bob@acme.example' };
  const carol = { id: state.id(), name: 'Carol Diaz', email: 'carol@acme.example' };
  for (const user of [alice, bob, carol]) state.users.set(user.id, user);
  const payments = { id: state.id(), name: 'payments' };
  const platform = { id: state.id(), name: 'platform' };
  state.teams.set(payments.id, payments);
  state.teams.set(platform.id, platform);

  const paymentsPrimary = {
    id: state.id(),
    name: 'payments-primary',
    timeZone: 'Europe/Berlin',
    teamIds: [payments.id],
    rotation: [bob.id, alice.id],
    rotationHours: 168,
  };
  const platformPrimary = {
    id: state.id(),
    name: 'platform-primary',
    timeZone: 'Europe/Berlin',
    teamIds: [platform.id],
    rotation: [alice.id, carol.id],
    rotationHours: 24,
  };
  state.schedules.set(paymentsPrimary.id, paymentsPrimary);
  state.schedules.set(platformPrimary.id, platformPrimary);

  const paymentsPolicy = {
    id: state.id(),
    name: 'payments-escalation',
    teamIds: [payments.id],
    rules: [
      { delayMinutes: 15, scheduleIds: [paymentsPrimary.id], userIds: [] },
      { delayMinutes: 30, scheduleIds: [platformPrimary.id], userIds: [] },
    ],
  };
  const platformPolicy = {
    id: state.id(),
    name: 'platform-escalation',
    teamIds: [platform.id],
    rules: [{ delayMinutes: 30, scheduleIds: [platformPrimary.id], userIds: [carol.id] }],
  };
  state.escalationPolicies.set(paymentsPolicy.id, paymentsPolicy);
  state.escalationPolicies.set(platformPolicy.id, platformPolicy);

  const createdAt = state.timestamp(-90 * 24 * 60);
  const paymentsApi = {
    id: state.id(),
    name: 'payments-api',
    description: 'Card payments and refunds (team payments)',
    status: 'critical' as const,
    escalationPolicyId: paymentsPolicy.id,
    teamIds: [payments.id],
    routingKey: PAYMENTS_ROUTING_KEY,
    createdAt,
  };
  const ordersApi = {
    id: state.id(),
    name: 'orders-api',
    description: 'Order intake and fulfilment (team payments)',
    status: 'warning' as const,
    escalationPolicyId: paymentsPolicy.id,
    teamIds: [payments.id],
    routingKey: ORDERS_ROUTING_KEY,
    createdAt,
  };
  const gitops = {
    id: state.id(),
    name: 'argocd',
    description: 'GitOps delivery (team platform)',
    status: 'active' as const,
    escalationPolicyId: platformPolicy.id,
    teamIds: [platform.id],
    routingKey: 'R0UT1NGKEYARGOCD0000000000000003',
    createdAt,
  };
  for (const service of [paymentsApi, ordersApi, gitops]) state.services.set(service.id, service);

  const resolved = state.openIncident({
    serviceId: ordersApi.id,
    title: 'orders-api: p99 latency above 2s',
    urgency: 'low',
    minutesAgo: 3 * 24 * 60,
  });
  resolved.status = 'resolved';
  resolved.resolvedAt = state.timestamp(-3 * 24 * 60 + 40);
  resolved.updatedAt = resolved.resolvedAt;
  resolved.logEntries.push({
    id: state.id('R'),
    type: 'resolve_log_entry',
    summary: 'Resolved by Bob Okafor',
    createdAt: resolved.resolvedAt,
    agentUserId: bob.id,
    channel: 'website',
  });
  const acknowledged = state.openIncident({
    serviceId: ordersApi.id,
    title: 'orders-api: Kafka consumer lag on orders.events.v1 above 10k',
    urgency: 'low',
    minutesAgo: 120,
  });
  acknowledged.status = 'acknowledged';
  acknowledged.acknowledgerIds = [bob.id];
  acknowledged.updatedAt = state.timestamp(-110);
  acknowledged.logEntries.push({
    id: state.id('R'),
    type: 'acknowledge_log_entry',
    summary: 'Acknowledged by Bob Okafor',
    createdAt: acknowledged.updatedAt,
    agentUserId: bob.id,
    channel: 'website',
  });
  state.openIncident({
    serviceId: paymentsApi.id,
    title: 'payments-api: 5xx error rate above 5% on POST /refunds',
    urgency: 'high',
    minutesAgo: 12,
    body: 'Error budget burn rate 14x over 5m; started after deploy 1.8.0 to production.',
  });
  state.openIncident({
    serviceId: gitops.id,
    title: 'argocd: payments-api-production out of sync for 30m',
    urgency: 'low',
    minutesAgo: 35,
  });
  return state;
}
