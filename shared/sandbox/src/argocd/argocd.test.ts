// The Argo CD fake's own tests: plain fetch against it, every exchange checked against Argo CD's swagger.

import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KubernetesFake, startKubernetesFake } from '../kubernetes/index.ts';
import { type ArgoCdFake, COMMITS, matchesSelector, SAMPLE_TOKENS, startArgoCdFake } from './index.ts';

let fake: ArgoCdFake;
beforeAll(async () => {
  fake = await startArgoCdFake();
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

async function api(method: string, path: string, body?: unknown, token: string = SAMPLE_TOKENS.alice) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('argocd fake', () => {
  it('refuses requests its spec does not allow, and records them', async () => {
    const result = await api('POST', '/api/v1/applications/payments-api-prod/sync', { prune: 'yes' });
    expect(result.status).toBe(400);
    expect(fake.violations).toEqual([
      expect.objectContaining({ where: 'request.body', message: expect.stringContaining('/prune must be boolean') }),
    ]);
    fake.violations.length = 0;
  });

  it('answers without a session like Argo CD', async () => {
    const response = await fetch(`${fake.url}/api/v1/applications`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'no session information',
      code: 16,
      message: 'no session information',
    });
    assertNoViolations(fake);
  });

  it('checks a new application against its project', async () => {
    const body = {
      metadata: { name: 'rogue' },
      spec: {
        project: 'payments',
        source: { repoURL: 'https://github.com/evil/repo.git', path: '.', targetRevision: 'main' },
        destination: { server: 'https://dev.k8s.acme.internal', namespace: 'payments-dev' },
      },
    };
    const refused = await api('POST', '/api/v1/applications', body);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain(
      "application repo https://github.com/evil/repo.git is not permitted in project 'payments'",
    );
    const unknownRevision = await api('POST', '/api/v1/applications', {
      ...body,
      spec: {
        ...body.spec,
        source: { ...body.spec.source, repoURL: 'https://github.com/acme/gitops.git', targetRevision: 'nope' },
      },
    });
    expect(unknownRevision.body.message).toContain("unable to resolve 'nope' to a commit SHA");
    assertNoViolations(fake);
  });

  it('refuses an Application the CRD schema does not admit, like the Kubernetes API server behind Argo CD', async () => {
    const refused = await api('POST', '/api/v1/applications', {
      metadata: { name: 'no-destination' },
      spec: { project: 'payments', source: { repoURL: 'https://github.com/acme/gitops.git', path: '.' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe(
      'Application.argoproj.io "no-destination" is invalid: spec: must have required property \'destination\'',
    );
    assertNoViolations(fake);
  });

  it('runs a requested sync on the next read, like the controller', async () => {
    const started = await api('POST', '/api/v1/applications/payments-api-prod/sync', { revision: 'v1.4.2' });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      status: { operationState: { phase: 'Running' } },
      operation: { sync: { revision: COMMITS.v142 } },
    });
    const after = await api('GET', '/api/v1/applications/payments-api-prod');
    expect(after.body).toMatchObject({
      status: { sync: { status: 'Synced', revision: COMMITS.v142 }, operationState: { phase: 'Succeeded' } },
    });
    expect(after.body.operation).toBeUndefined();
    assertNoViolations(fake);
  });

  it('matches Kubernetes label selectors', () => {
    const labels = { team: 'payments', env: 'prod' };
    expect(matchesSelector(labels, 'team=payments,env=prod')).toBe(true);
    expect(matchesSelector(labels, 'env in (dev,prod)')).toBe(true);
    expect(matchesSelector(labels, 'env notin (prod)')).toBe(false);
    expect(matchesSelector(labels, 'team!=payments')).toBe(false);
    expect(matchesSelector(labels, '!tier,team')).toBe(true);
  });
});

describe('argocd fake on a cluster (the sandbox world)', () => {
  let kube: KubernetesFake;
  let onCluster: ArgoCdFake;
  beforeAll(async () => {
    kube = await startKubernetesFake();
    onCluster = await startArgoCdFake({ cluster: kube });
  });
  afterAll(async () => {
    await onCluster.close();
    await kube.close();
  });
  afterEach(() => {
    assertNoViolations(onCluster);
    assertNoViolations(kube);
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${onCluster.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${SAMPLE_TOKENS.alice}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const names = async () =>
    ((await call('GET', '/api/v1/applications')).body.items as Array<{ metadata: { name: string } }>).map(
      (item) => item.metadata.name,
    );
  /** The Kubernetes API's Applications in namespace argocd, as kubectl calls it. */
  const kubectl = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${kube.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications${path}`, {
      method,
      headers: {
        authorization: `Bearer ${kube.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const inCluster = () => kube.list('argoproj.io/v1alpha1', 'Application', 'argocd').map((o) => o.metadata.name);

  it('keeps its Applications and AppProjects as objects in the cluster', async () => {
    expect(await names()).toEqual(['orders-api-dev', 'payments-api-dev', 'payments-api-prod']);
    expect(inCluster()).toEqual(await names());
    expect(kube.list('argoproj.io/v1alpha1', 'AppProject', 'argocd').map((o) => o.metadata.name)).toEqual([
      'orders',
      'payments',
      'platform',
    ]);
    const stored = kube.get('argoproj.io/v1alpha1', 'Application', 'payments-api-prod', 'argocd');
    expect(stored).toMatchObject({ spec: { project: 'payments' }, status: { sync: { status: 'OutOfSync' } } });
  });

  it('serves an Application applied to the cluster, syncs it into its namespace, and forgets it when deleted', async () => {
    const applied = await kubectl('POST', '', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'refunds-worker-dev', namespace: 'argocd' },
      spec: {
        project: 'payments',
        source: {
          repoURL: 'https://github.com/acme/gitops.git',
          path: 'apps/refunds-worker/dev',
          targetRevision: 'main',
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'payments-refunds' },
        syncPolicy: { syncOptions: ['CreateNamespace=true'] },
      },
    });
    expect(applied.status).toBe(201);
    const app = await call('GET', '/api/v1/applications/refunds-worker-dev');
    expect(app.body).toMatchObject({ status: { sync: { status: 'OutOfSync' }, health: { status: 'Missing' } } });
    expect(kube.get('v1', 'Namespace', 'payments-refunds')).toBeUndefined();

    expect((await call('POST', '/api/v1/applications/refunds-worker-dev/sync', {})).status).toBe(200);
    const synced = await call('GET', '/api/v1/applications/refunds-worker-dev');
    expect(synced.body).toMatchObject({ status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } });
    expect(kube.get('v1', 'Namespace', 'payments-refunds')).toBeDefined();
    expect(kube.list('apps/v1', 'Deployment', 'payments-refunds').map((o) => o.metadata.name)).toEqual([
      'refunds-worker',
    ]);
    expect(kube.get('argoproj.io/v1alpha1', 'Application', 'refunds-worker-dev', 'argocd')).toMatchObject({
      status: { sync: { status: 'Synced' } },
    });

    expect((await kubectl('DELETE', '/refunds-worker-dev')).status).toBe(200);
    expect(await names()).not.toContain('refunds-worker-dev');
  });

  it('stores an Application created through its API in the cluster, and removes it when deleted', async () => {
    const created = await call('POST', '/api/v1/applications', {
      metadata: { name: 'orders-api-staging' },
      spec: {
        project: 'orders',
        source: {
          repoURL: 'https://github.com/acme/gitops.git',
          path: 'apps/orders-api/staging',
          targetRevision: 'main',
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'orders-staging' },
      },
    });
    expect(created.status).toBe(200);
    expect(inCluster()).toContain('orders-api-staging');
    expect((await call('DELETE', '/api/v1/applications/orders-api-staging')).status).toBe(200);
    expect(inCluster()).not.toContain('orders-api-staging');
  });
});
