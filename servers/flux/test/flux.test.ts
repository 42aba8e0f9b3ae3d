import { type KubernetesFake, startKubernetesFake } from '@idp-mcp/sandbox/kubernetes';
import { type ConnectedClient, connectClient, textOf, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fluxModule } from '../src/index.ts';

let fake: KubernetesFake;
let connected: ConnectedClient;
let client: Client;

beforeAll(async () => {
  fake = await startKubernetesFake();
  connected = await connectClient(fluxModule, { env: { KUBECONFIG: fake.kubeconfigPath } });
  client = connected.client;
}, 60_000);
afterAll(async () => {
  await connected?.close();
  await fake?.close();
});
afterEach(() => assertNoViolations(fake));

async function call(name: string, args: Record<string, unknown> = {}, on: Client = client) {
  const result = await on.callTool({ name, arguments: args });
  const meta = result._meta?.['idp-mcp/error'] as { code?: string } | undefined;
  return {
    text: textOf(result),
    isError: result.isError === true,
    code: meta?.code,
    // biome-ignore lint/suspicious/noExplicitAny: assertions read the structured result freely
    data: result.structuredContent as Record<string, any>,
  };
}

type Item = { kind: string; name: string; ready: string; suspended: boolean; reason?: string; message?: string };
const names = (items: Item[]) => items.map((i) => `${i.kind}/${i.name}`);

describe('flux tools', () => {
  it('shows a model the reviewed tool list', async () => {
    await expect(await toolsSnapshot(client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('lists Kustomizations with ready status, source and revision', async () => {
    const { data } = await call('list_kustomizations', { namespace: 'flux-system' });
    expect(data.items).toEqual([
      expect.objectContaining({
        name: 'apps',
        ready: 'False',
        reason: 'BuildFailed',
        source: 'GitRepository/flux-system/platform-config',
        path: './apps/production',
        revision: 'main@sha1:0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c',
      }),
      expect.objectContaining({ name: 'infrastructure', ready: 'True', suspended: false }),
    ]);
    expect(data.items[0].message).toContain('kustomize build failed');
    expect(data.items[1].message).toBeUndefined();
    const failing = await call('list_kustomizations', { not_ready_only: true });
    expect(names(failing.data.items)).toEqual(['Kustomization/apps']);
  });

  it('lists HelmReleases with chart and suspension, paginated', async () => {
    const first = await call('list_helmreleases', { limit: 1 });
    expect(first.data.items).toEqual([
      expect.objectContaining({ name: 'kafka-ui', suspended: true, chart: 'kafka-ui@0.7.x' }),
    ]);
    const second = await call('list_helmreleases', { limit: 1, cursor: first.data.nextCursor });
    expect(second.data.items).toEqual([
      expect.objectContaining({ name: 'redis', ready: 'True', source: 'HelmRepository/flux-system/bitnami' }),
    ]);
    expect(second.data.nextCursor).toBeUndefined();
    const bad = await call('list_helmreleases', { cursor: first.data.nextCursor?.slice(0, 5) });
    expect(bad).toMatchObject({ isError: true, code: 'invalid_request' });
  });

  it('lists every source kind across pages and gets one with its artifact', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('list_sources', { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...names(page.data.items));
      cursor = page.data.nextCursor;
    } while (cursor);
    expect(seen).toEqual([
      'GitRepository/platform-config',
      'OCIRepository/payments-manifests',
      'HelmRepository/bitnami',
    ]);
    const git = await call('get_source', { kind: 'GitRepository', name: 'platform-config' });
    expect(git.data.artifact).toMatchObject({
      revision: 'main@sha1:3f2a9c1e7b4d5a6f8e9d0c1b2a3f4e5d6c7b8a90',
      size: 48213,
    });
    expect(git.data.summary).toMatchObject({ url: 'https://github.com/acme/platform-config', ready: 'True' });
    expect(git.data.conditions.map((c: { type: string }) => c.type)).toEqual(['Ready', 'ArtifactInStorage']);
  });

  it('gets a Kustomization and a HelmRelease with conditions and spec', async () => {
    const ks = await call('get_kustomization', { name: 'apps' });
    expect(ks.data).toMatchObject({ generation: 3, observed_generation: 3 });
    expect(ks.data.spec).toContain('path: ./apps/production');
    const hr = await call('get_helmrelease', { name: 'redis', namespace: 'platform' });
    expect(hr.data.conditions.map((c: { type: string }) => c.type)).toEqual(['Ready', 'Released']);
    expect(hr.data.spec).toContain('password: "(hidden: looks like a credential)"');
    expect(hr.text).not.toContain('changeme-redis-7f3a');
    const missing = await call('get_helmrelease', { name: 'nope', namespace: 'platform' });
    expect(missing).toMatchObject({ isError: true, code: 'not_found' });
    expect(missing.text).toContain('helmreleases.helm.toolkit.fluxcd.io "nope" not found');
  });

  it('lists what is not ready across kinds, and the events of one object', async () => {
    const { data } = await call('list_not_ready');
    expect(names(data.items)).toEqual([
      'Kustomization/apps',
      'HelmRelease/kafka-ui',
      'OCIRepository/payments-manifests',
    ]);
    expect(data.checked).toBe(7);
    const events = await call('list_flux_events', { kind: 'Kustomization', name: 'apps' });
    expect(events.data.events.map((e: { reason: string }) => e.reason)).toEqual([
      'BuildFailed',
      'ReconciliationSucceeded',
    ]);
  });

  it('reconciles with its source, refuses a suspended object, and forces only HelmReleases', async () => {
    const { data } = await call('reconcile', { kind: 'Kustomization', name: 'infrastructure', with_source: true });
    expect(data.reconciled).toEqual([
      'GitRepository/flux-system/platform-config',
      'Kustomization/flux-system/infrastructure',
    ]);
    const annotations = (kind: string, name: string, ns = 'flux-system') =>
      fake
        .list(kind === 'GitRepository' ? 'source.toolkit.fluxcd.io/v1' : 'kustomize.toolkit.fluxcd.io/v1', kind, ns)
        .find((o) => o.metadata.name === name)?.metadata.annotations;
    expect(annotations('Kustomization', 'infrastructure')?.['reconcile.fluxcd.io/requestedAt']).toBe(data.requested_at);
    expect(annotations('GitRepository', 'platform-config')?.['reconcile.fluxcd.io/requestedAt']).toBe(
      data.requested_at,
    );
    const status = await call('get_kustomization', { name: 'infrastructure' });
    expect(status.data.requested_at).toBe(data.requested_at);
    const suspended = await call('reconcile', { kind: 'HelmRelease', name: 'kafka-ui', namespace: 'platform' });
    expect(suspended).toMatchObject({ isError: true, code: 'conflict' });
    expect(suspended.text).toContain('call resume first');
    const force = await call('reconcile', { kind: 'Kustomization', name: 'apps', force: true });
    expect(force).toMatchObject({ isError: true, code: 'invalid_request' });
    const forced = await call('reconcile', { kind: 'HelmRelease', name: 'redis', namespace: 'platform', force: true });
    expect(
      fake.get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'redis', 'platform')?.metadata.annotations,
    ).toMatchObject({
      'reconcile.fluxcd.io/forceAt': forced.data.requested_at,
    });
  });

  it('suspends and resumes', async () => {
    const suspended = await call('suspend', { kind: 'Kustomization', name: 'infrastructure' });
    expect(suspended.data.summary.suspended).toBe(true);
    expect(
      fake.get('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'infrastructure', 'flux-system')?.spec,
    ).toMatchObject({ suspend: true });
    const resumed = await call('resume', { kind: 'Kustomization', name: 'infrastructure' });
    expect(resumed.data.summary.suspended).toBe(false);
    const stored = fake.get('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'infrastructure', 'flux-system');
    expect(stored?.spec).toMatchObject({ suspend: false });
    expect(stored?.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBe(resumed.data.requested_at);
  });

  it('maps upstream failures and a cluster without Flux', async () => {
    fake.failNext({ method: 'PATCH', status: 403 });
    const forbidden = await call('suspend', { kind: 'HelmRelease', name: 'redis', namespace: 'platform' });
    expect(forbidden).toMatchObject({ isError: true, code: 'forbidden' });
    fake.failNext({ path: /\/kustomizations$/, status: 500 });
    const down = await call('list_kustomizations');
    expect(down).toMatchObject({ isError: true, code: 'upstream_unavailable' });
    const bare = await startKubernetesFake({ validate: false, seed: 'empty' });
    // A cluster without the Flux CRDs: discovery is answered, the Flux groups are not.
    bare.failNext({ path: '/apis', status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: [] } });
    const other = await connectClient(fluxModule, { env: { KUBECONFIG: bare.kubeconfigPath } });
    try {
      const result = await call('list_kustomizations', {}, other.client);
      expect(result).toMatchObject({ isError: true, code: 'not_found' });
      expect(result.text).toContain('Flux is not installed in this cluster');
    } finally {
      await other.close();
      await bare.close();
    }
  });

  it('hides operations from a viewer', async () => {
    const viewer = await connectClient(fluxModule, {
      env: { KUBECONFIG: fake.kubeconfigPath },
      args: ['--role', 'viewer'],
    });
    try {
      const tools = (await viewer.client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('list_not_ready');
      expect(tools).not.toContain('reconcile');
    } finally {
      await viewer.close();
    }
  });

  it('runs against the sandbox', async () => {
    const sandbox = await connectClient(fluxModule, { args: ['--sandbox'] });
    try {
      const { data } = await call('list_helmreleases', { namespace: 'platform' }, sandbox.client);
      expect(names(data.items)).toEqual(['HelmRelease/kafka-ui', 'HelmRelease/redis']);
    } finally {
      await sandbox.close();
    }
  });
});
