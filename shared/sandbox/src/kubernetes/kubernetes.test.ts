import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KubernetesFake, resourceTypes, sampleObjects, startKubernetesFake } from './index.ts';
import { kubernetesValidator } from './schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Body = any;

let fake: KubernetesFake;

beforeAll(async () => {
  fake = await startKubernetesFake();
}, 60_000);
afterAll(() => fake.close());
afterEach(() => assertNoViolations(fake));

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${fake.token}`,
      ...(body !== undefined ? { 'content-type': contentType } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: Body = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: response.status, body: json };
}

const configMap = (name: string, data: Record<string, string> = { a: '1' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'payments', labels: { app: name } },
  data,
});

describe('kubernetes fake', () => {
  it('serves every sample object valid against the OpenAPI document and CRD schemas', async () => {
    const validator = await kubernetesValidator();
    const problems = sampleObjects().flatMap((object) => {
      const type = resourceTypes().find(
        (t) => `${t.group ? `${t.group}/` : ''}${t.version}` === object.apiVersion && t.kind === object.kind,
      )!;
      return validator
        .checkObject(type, object)
        .map((c) => `${object.kind} ${object.metadata.name}: ${c.field} ${c.message}`);
    });
    expect(problems).toEqual([]);
  });

  it('answers discovery for core, named groups and CRDs', async () => {
    expect((await call('GET', '/version')).body.gitVersion).toMatch(/^v1\./);
    const groups = (await call('GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).toEqual(
      expect.arrayContaining(['apps', 'kustomize.toolkit.fluxcd.io', 'argoproj.io', 'kafka.strimzi.io']),
    );
    const apps = await call('GET', '/apis/apps/v1');
    expect(apps.body.resources).toContainEqual(expect.objectContaining({ name: 'deployments/scale', kind: 'Scale' }));
    const flux = await call('GET', '/apis/helm.toolkit.fluxcd.io/v2');
    expect(flux.body.resources[0]).toMatchObject({ name: 'helmreleases', kind: 'HelmRelease', namespaced: true });
  });

  it('rejects a request without the bearer token with a 401 Status', async () => {
    const response = await fetch(`${fake.url}/api/v1/namespaces`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('lists with label and field selectors and pages with limit/continue', async () => {
    const running = await call(
      'GET',
      '/api/v1/namespaces/orders/pods?fieldSelector=status.phase%3DRunning&labelSelector=app%3Dorders-api',
    );
    expect(running.body.items).toHaveLength(2);
    const none = await call('GET', '/api/v1/pods?labelSelector=app%20in%20(nothing)');
    expect(none.body.items).toEqual([]);
    const first = await call('GET', '/api/v1/pods?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.metadata.remainingItemCount).toBe(3);
    const second = await call(
      'GET',
      `/api/v1/pods?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    const third = await call(
      'GET',
      `/api/v1/pods?limit=2&continue=${encodeURIComponent(second.body.metadata.continue)}`,
    );
    expect(third.body.metadata.continue).toBeUndefined();
    const names = [...first.body.items, ...second.body.items, ...third.body.items].map((p: Body) => p.metadata.name);
    expect(new Set(names).size).toBe(5);
    const bad = await call('GET', '/api/v1/pods?fieldSelector=spec.image%3Dx');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.image');
  });

  it('creates, conflicts on an existing name and on a stale resourceVersion, and deletes', async () => {
    const created = await call('POST', '/api/v1/namespaces/payments/configmaps', configMap('crud'));
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'crud', namespace: 'payments' });
    const again = await call('POST', '/api/v1/namespaces/payments/configmaps', configMap('crud'));
    expect(again.body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "crud" already exists',
    });
    const stale = { ...created.body, metadata: { ...created.body.metadata, resourceVersion: '1' }, data: { a: '2' } };
    const conflict = await call('PUT', '/api/v1/namespaces/payments/configmaps/crud', stale);
    expect(conflict.body).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(conflict.body.message).toContain('the object has been modified');
    const current = { ...created.body, data: { a: '2' } };
    expect((await call('PUT', '/api/v1/namespaces/payments/configmaps/crud', current)).body.data).toEqual({ a: '2' });
    const deleted = await call('DELETE', '/api/v1/namespaces/payments/configmaps/crud');
    expect(deleted.status).toBe(200);
    const gone = await call('GET', '/api/v1/namespaces/payments/configmaps/crud');
    expect(gone.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "crud" not found',
      reason: 'NotFound',
      details: { name: 'crud', kind: 'configmaps' },
      code: 404,
    });
  });

  it('refuses invalid objects with 422 and the causes, and a missing namespace with 404', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { spec: { containers: [{ image: 'nginx' }] } } },
    };
    const invalid = await call('POST', '/apis/apps/v1/namespaces/payments/deployments', deployment);
    expect(invalid.body).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(invalid.body.details.causes).toContainEqual({
      reason: 'FieldValueRequired',
      message: 'Required value',
      field: 'spec.template.spec.containers[0].name',
    });
    const topic = {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 't' },
      spec: { partitions: 'six' },
    };
    const crd = await call('POST', '/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics', topic);
    expect(crd.body).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(crd.body.message).toContain('spec.partitions');
    const noNamespace = await call('POST', '/api/v1/namespaces/nowhere/configmaps', {
      ...configMap('x'),
      metadata: { name: 'x' },
    });
    expect(noNamespace.body).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });

  it('refuses unknown fields under fieldValidation=Strict, as strict decoding does', async () => {
    const typo = { ...configMap('strict'), metadata: { name: 'strict', labelz: { a: 'b' } }, dat: { a: '1' } };
    const strict = await call('POST', '/api/v1/namespaces/payments/configmaps?fieldValidation=Strict', typo);
    expect(strict.body).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'strict decoding error: unknown field "dat", unknown field "metadata.labelz"',
    });
    const yaml =
      'apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata: {name: typo}\nspec: {partitions: 3, replica: 3}\n';
    const crd = await call(
      'PATCH',
      '/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics/typo?fieldManager=t&fieldValidation=Strict',
      yaml,
      'application/apply-patch+yaml',
    );
    expect(crd.body.message).toBe('strict decoding error: unknown field "spec.replica"');
    const topicConfig = yaml.replace('replica: 3', 'config: {retention.ms: 1000}');
    const open = await call(
      'PATCH',
      '/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics/typo?fieldManager=t&fieldValidation=Strict',
      topicConfig,
      'application/apply-patch+yaml',
    );
    expect(open.status).toBe(201);
  });

  it('server-side applies with dryRun, field ownership and conflicts unless forced', async () => {
    const path = '/api/v1/namespaces/payments/configmaps/ssa';
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  owner: alice\n';
    const dry = await call('PATCH', `${path}?fieldManager=alice&dryRun=All`, yaml, 'application/apply-patch+yaml');
    expect(dry.status).toBe(201);
    expect((await call('GET', path)).status).toBe(404);
    expect((await call('PATCH', `${path}?fieldManager=alice`, yaml, 'application/apply-patch+yaml')).status).toBe(201);
    const bob = yaml.replace('owner: alice', 'owner: bob');
    const conflict = await call('PATCH', `${path}?fieldManager=bob`, bob, 'application/apply-patch+yaml');
    expect(conflict.body).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(conflict.body.message).toContain('conflict with "alice"');
    const forced = await call('PATCH', `${path}?fieldManager=bob&force=true`, bob, 'application/apply-patch+yaml');
    expect(forced.body.data).toEqual({ owner: 'bob' });
    expect(forced.body.metadata.managedFields.map((m: Body) => m.manager)).toEqual(['bob']);
    const withExtra =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  labels: {tier: web, team: payments}\ndata:\n  owner: bob\n  extra: "1"\n';
    expect(
      (await call('PATCH', `${path}?fieldManager=bob`, withExtra, 'application/apply-patch+yaml')).body.data,
    ).toEqual({
      owner: 'bob',
      extra: '1',
    });
    const fewer =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  labels: {team: payments}\ndata:\n  owner: bob\n';
    const pruned = await call('PATCH', `${path}?fieldManager=bob`, fewer, 'application/apply-patch+yaml');
    expect(pruned.body.data).toEqual({ owner: 'bob' });
    expect(pruned.body.metadata.labels).toEqual({ team: 'payments' });
    const noManager = await call('PATCH', path, yaml, 'application/apply-patch+yaml');
    expect(noManager.status).toBe(400);
  });

  it('merge- and strategic-merge-patches, scales, and shows deployment status following spec', async () => {
    const path = '/apis/apps/v1/namespaces/payments/deployments/payments-api';
    const merged = await call(
      'PATCH',
      path,
      { metadata: { labels: { tier: 'backend' } } },
      'application/merge-patch+json',
    );
    expect(merged.body.metadata.labels.tier).toBe('backend');
    const image = {
      spec: { template: { spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/payments-api:1.5.0' }] } } },
    };
    const strategic = await call('PATCH', path, image, 'application/strategic-merge-patch+json');
    const container = strategic.body.spec.template.spec.containers[0];
    expect(container.image).toBe('ghcr.io/acme/payments-api:1.5.0');
    expect(container.ports).toHaveLength(1);
    expect(strategic.body.metadata.generation).toBe(merged.body.metadata.generation + 1);
    const scaled = await call('PATCH', `${path}/scale`, { spec: { replicas: 5 } }, 'application/merge-patch+json');
    expect(scaled.body).toMatchObject({ kind: 'Scale', spec: { replicas: 5 } });
    expect((await call('GET', path)).body.status.readyReplicas).toBe(5);
  });

  it('serves pod logs with tailLines and container checks', async () => {
    const pod = '/api/v1/namespaces/orders/pods/orders-api-5c8b7f9d64-r4j8s/log';
    const tail = await call('GET', `${pod}?tailLines=2`);
    expect(tail.body.text).toBe('main.main()\n\t/src/cmd/orders-api/main.go:48 +0x1c5\n');
    const recent = await call('GET', `${pod}?sinceSeconds=40&timestamps=true`);
    const lines = String(recent.body.text).trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z \{"level":"info"/);
    const wrong = await call('GET', `${pod}?container=sidecar`);
    expect(wrong.body).toMatchObject({
      code: 400,
      message: 'container sidecar is not valid for pod orders-api-5c8b7f9d64-r4j8s',
    });
  });

  it('answers injected faults with a Status body', async () => {
    fake.failNext({ path: '/api/v1/namespaces/payments/pods', status: 403 });
    const forbidden = await call('GET', '/api/v1/namespaces/payments/pods');
    expect(forbidden.body).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden' });
  });

  it("updates only status through the status subresource, and runs a test's own controller on writes", async () => {
    const path = '/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics/orders.events.v1';
    const ready = {
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NotInSync' }] },
      spec: { partitions: 1 },
    };
    const patched = await call('PATCH', `${path}/status`, ready, 'application/merge-patch+json');
    expect(patched.body.status.conditions[0].reason).toBe('NotInSync');
    expect(patched.body.spec.partitions).toBe(6);
    const seen: string[] = [];
    const own = await startKubernetesFake({
      validate: false,
      seed: 'empty',
      react: (object) => {
        seen.push(object.metadata.name);
        if (object.kind === 'ConfigMap') object.metadata.annotations = { reconciled: 'yes' };
      },
    });
    try {
      const response = await fetch(`${own.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${own.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' } }),
      });
      expect(((await response.json()) as Body).metadata.annotations).toEqual({ reconciled: 'yes' });
      expect(seen).toEqual(['watched']);
      expect(own.setStatus('v1', 'Namespace', 'default', undefined, { phase: 'Terminating' }).status).toEqual({
        phase: 'Terminating',
      });
    } finally {
      await own.close();
    }
  });

  it("folds a Secret's stringData into data", async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'folded' }, stringData: { token: 'abc' } };
    const created = await call('POST', '/api/v1/namespaces/payments/secrets', secret);
    expect(created.body).toMatchObject({ type: 'Opaque', data: { token: 'YWJj' } });
    expect(created.body.stringData).toBeUndefined();
  });

  it('deletes a namespace with its objects', async () => {
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
    await call('POST', '/api/v1/namespaces/scratch/configmaps', { ...configMap('x'), metadata: { name: 'x' } });
    expect(fake.list('v1', 'ConfigMap', 'scratch')).toHaveLength(1);
    await call('DELETE', '/api/v1/namespaces/scratch');
    expect(fake.list('v1', 'ConfigMap', 'scratch')).toHaveLength(0);
    await call('DELETE', '/apis/apps/v1/namespaces/orders/replicasets/orders-api-5c8b7f9d64?propagationPolicy=Orphan');
    expect(fake.list('v1', 'Pod', 'orders')).toHaveLength(2);
    await call('DELETE', '/apis/apps/v1/namespaces/payments/deployments/payments-api');
    expect(fake.list('apps/v1', 'ReplicaSet', 'payments')).toHaveLength(0);
    expect(fake.list('v1', 'Pod', 'payments')).toHaveLength(0);
  });
});

describe('kubectl against the fake', () => {
  const run = promisify(execFile);
  let tlsFake: KubernetesFake;
  let kubectl: (...args: string[]) => Promise<string>;

  beforeAll(async () => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'pipe' });
    } catch {
      throw new Error(
        'kubectl is not on PATH: install kubectl to run this test (it checks the fake with the real CLI)',
      );
    }
    tlsFake = await startKubernetesFake({ tls: true });
    kubectl = async (...args) => {
      const { stdout } = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: tlsFake.kubeconfigPath } });
      return stdout;
    };
  }, 60_000);
  afterAll(() => tlsFake?.close());
  afterEach(() => assertNoViolations(tlsFake));

  it('gets, applies (client- and server-side), scales, reads logs and deletes', async () => {
    expect(await kubectl('get', 'deployments', '-n', 'payments', '-o', 'name')).toBe('deployment.apps/payments-api\n');
    expect(await kubectl('get', 'kustomizations', '-A', '-o', 'name')).toContain(
      'kustomization.kustomize.toolkit.fluxcd.io/apps',
    );
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
    const manifest = join(dir, 'app.yaml');
    const write = (replicas: number) =>
      writeFileSync(
        manifest,
        `apiVersion: apps/v1
kind: Deployment
metadata: {name: demo, namespace: payments}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: kafka.strimzi.io/v1
kind: KafkaTopic
metadata: {name: demo.events, namespace: kafka, labels: {strimzi.io/cluster: events}}
spec: {partitions: 3, replicas: 3}
`,
      );
    write(2);
    expect(await kubectl('apply', '-f', manifest)).toContain('deployment.apps/demo created');
    write(3);
    expect(await kubectl('apply', '-f', manifest)).toContain('deployment.apps/demo configured');
    expect(tlsFake.get('apps/v1', 'Deployment', 'demo', 'payments')?.spec).toMatchObject({ replicas: 3 });
    write(4);
    expect(await kubectl('apply', '--server-side', '-f', manifest)).toContain(
      'deployment.apps/demo serverside-applied',
    );
    expect(await kubectl('scale', 'deployment/demo', '-n', 'payments', '--replicas=6')).toContain('scaled');
    expect(tlsFake.get('apps/v1', 'Deployment', 'demo', 'payments')?.spec).toMatchObject({ replicas: 6 });
    const logs = await kubectl('logs', '-n', 'orders', 'orders-api-5c8b7f9d64-r4j8s', '--tail=1');
    expect(logs).toBe('\t/src/cmd/orders-api/main.go:48 +0x1c5\n');
    expect(await kubectl('delete', '-f', manifest)).toContain('deployment.apps "demo" deleted');
    expect(tlsFake.get('apps/v1', 'Deployment', 'demo', 'payments')).toBeUndefined();
    await expect(kubectl('get', 'configmap', 'missing', '-n', 'payments')).rejects.toThrow(
      'configmaps "missing" not found',
    );
  }, 60_000);
});
