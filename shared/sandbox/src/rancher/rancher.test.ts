// The Rancher fake's own tests: plain fetch against it, every exchange checked against the hand-written v3 description.

import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RancherFake, SAMPLE_TOKENS, startRancherFake } from './index.ts';

let fake: RancherFake;
beforeAll(async () => {
  fake = await startRancherFake();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${SAMPLE_TOKENS.admin}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('rancher fake', () => {
  it('answers collections with marker pagination', async () => {
    const first = await api('GET', '/v3/clusters?limit=2');
    expect(first.body).toMatchObject({
      type: 'collection',
      resourceType: 'cluster',
      pagination: { limit: 2, total: 5, partial: true },
    });
    const next = (first.body.pagination as { next: string }).next;
    expect(new URL(next).searchParams.get('marker')).toBe('c-m-prod01');
    const second = await api('GET', new URL(next).pathname + new URL(next).search);
    expect((second.body.data as Array<{ id: string }>).map((c) => c.id)).toEqual(['c-m-prod01', 'c-m-stg01']);
    assertNoViolations(fake);
  });

  it('refuses a body its schema does not allow, and records it', async () => {
    const result = await api('PUT', '/v3/nodePools/c-m-dev01:np-d9w4m', { quantity: 4, replicas: 4 });
    expect(result.status).toBe(400);
    expect(fake.violations).toEqual([
      expect.objectContaining({ where: 'request.body', message: expect.stringContaining('replicas') }),
    ]);
    fake.violations.length = 0;
  });

  it('drains a node with a nodeDrainInput, offers stopDrain while draining, and refuses other input', async () => {
    fake.controllersRunning = false;
    const node = [...fake.state.nodes.values()].find((n) => n.nodeName === 'prod-worker-3')!;
    const path = `/v3/nodes/${node.id}`;
    const refused = await api('POST', `${path}?action=drain`, { timeout: 60, deleteEmptyDirData: true });
    expect(refused.status).toBe(400);
    expect(fake.violations).toEqual([
      expect.objectContaining({ where: 'request.body', message: expect.stringContaining('deleteEmptyDirData') }),
    ]);
    fake.violations.length = 0;
    const draining = await api('POST', `${path}?action=drain`, { timeout: 60 });
    expect(draining.body).toMatchObject({
      state: 'draining',
      unschedulable: true,
      nodeDrainInput: { timeout: 60, gracePeriod: -1, ignoreDaemonSets: true, deleteLocalData: false, force: false },
    });
    expect(Object.keys(draining.body.actions as object)).toEqual(['stopDrain']);
    expect((await api('POST', `${path}?action=drain`, {})).status).toBe(422);
    fake.controllersRunning = true;
    const blocked = await api('GET', path);
    expect(blocked.body).toMatchObject({
      state: 'draining',
      transitioningMessage: expect.stringContaining('payments-cache-0'),
    });
    const stopped = await api('POST', `${path}?action=stopDrain`);
    expect(stopped.body).toMatchObject({ state: 'cordoned', unschedulable: true });
    expect(Object.keys(stopped.body.actions as object).sort()).toEqual(['drain', 'uncordon']);
    assertNoViolations(fake);
  });

  it('lists projects and the namespaces Rancher put in them', async () => {
    const projects = await api('GET', '/v3/projects?clusterId=c-m-prod01&name=payments');
    expect(projects.body.data).toEqual([
      expect.objectContaining({ id: 'c-m-prod01:p-pay7x', type: 'project', resourceQuota: expect.any(Object) }),
    ]);
    const namespaces = await api('GET', '/k8s/clusters/c-m-prod01/v1/namespaces?limit=4');
    expect((namespaces.body.data as Array<{ id: string }>).map((n) => n.id)).toEqual([
      'cattle-monitoring-system',
      'cattle-system',
      'default',
      'ingress-nginx',
    ]);
    expect(namespaces.body.data).toContainEqual(
      expect.objectContaining({
        metadata: expect.objectContaining({
          labels: expect.objectContaining({ 'field.cattle.io/projectId': 'p-pd4m8' }),
          annotations: { 'field.cattle.io/projectId': 'c-m-prod01:p-pd4m8' },
        }),
      }),
    );
    const next = (namespaces.body.pagination as { continue: string }).continue;
    const rest = await api('GET', `/k8s/clusters/c-m-prod01/v1/namespaces?limit=100&continue=${next}`);
    expect((rest.body.data as unknown[]).length).toBe(6);
    expect((await api('GET', '/k8s/clusters/c-8xk2p/v1/namespaces')).status).toBe(503);
    assertNoViolations(fake);
  });

  it('answers like Rancher without credentials', async () => {
    const response = await fetch(`${fake.url}/v3/clusters`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      type: 'error',
      baseType: 'error',
      status: 401,
      code: 'Unauthorized',
      message: 'must authenticate',
    });
    assertNoViolations(fake);
  });
});
