import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, parseFlags, startServer } from '@idp-mcp/core';
import { type KubeObject, type KubernetesFake, startKubernetesFake } from '@idp-mcp/sandbox/kubernetes';
import { type ConnectedClient, connectClient, connectUrl, toolsSnapshot } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubernetesModule } from '../src/index.ts';
import { call, stubGate } from './support.ts';

let fake: KubernetesFake;
let connected: ConnectedClient;
let client: Client;
const gate = stubGate();

beforeAll(async () => {
  fake = await startKubernetesFake({ tls: true });
  connected = await connectClient(kubernetesModule, {
    env: { KUBECONFIG: fake.kubeconfigPath },
    args: ['--role', 'platform-admin'],
    gate,
  });
  client = connected.client;
}, 60_000);
afterAll(async () => {
  await connected?.close();
  await fake?.close();
});
afterEach(() => assertNoViolations(fake));

const writes = () => fake.requests.filter((r) => r.method !== 'GET');

describe('kubernetes tools', () => {
  it('shows a model the reviewed tool list', async () => {
    await expect(await toolsSnapshot(client)).toMatchFileSnapshot('./__snapshots__/tools.json');
  });

  it('lists pods as summaries with kubectl-style status, ready, restarts and node', async () => {
    const { data } = await call(client, 'list_resources', { kind: 'pods', namespace: 'orders' });
    expect(data.kind).toBe('Pod');
    const crashing = data.items.find((p: { name: string }) => p.name === 'orders-api-5c8b7f9d64-r4j8s');
    expect(crashing).toEqual({
      name: 'orders-api-5c8b7f9d64-r4j8s',
      age: '2d',
      status: 'CrashLoopBackOff',
      ready: '0/1',
      restarts: 14,
      node: 'ip-10-0-1-23.us-west-2.compute.internal',
    });
    const all = await call(client, 'list_resources', { kind: 'deploy', label_selector: 'team in (payments,orders)' });
    expect(
      all.data.items.map(
        (d: { namespace: string; name: string; ready: string }) => `${d.namespace}/${d.name} ${d.ready}`,
      ),
    ).toEqual(['orders/orders-api 1/2', 'payments/payments-api 3/3']);
    const flux = await call(client, 'list_resources', { kind: 'HelmRelease', namespace: 'platform' });
    expect(flux.data.items.map((h: { name: string; info?: string }) => `${h.name}:${h.info ?? ''}`)).toEqual([
      'kafka-ui:suspended',
      'redis:',
    ]);
    const first = await call(client, 'list_resources', { kind: 'helmreleases.helm.toolkit.fluxcd.io', limit: 1 });
    expect(first.data.items.map((h: { name: string }) => h.name)).toEqual(['kafka-ui']);
    expect(first.data.remaining).toBe(1);
    const second = await call(client, 'list_resources', { kind: 'hr', limit: 1, cursor: first.data.nextCursor });
    expect(second.data.items.map((h: { name: string }) => h.name)).toEqual(['redis']);
    expect(second.data.nextCursor).toBeUndefined();
  });

  it('pages 500 pods in pages of at most 100 summaries, each page under 20 KB', async () => {
    await call(client, 'apply_manifests', { manifests: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: load\n' });
    const pods: KubeObject[] = Array.from({ length: 500 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `worker-${String(i).padStart(3, '0')}-7f9c4d8b6-abcde`,
        namespace: 'load',
        labels: { app: 'worker' },
      },
      spec: {
        nodeName: 'ip-10-0-2-41.us-west-2.compute.internal',
        containers: [{ name: 'worker', image: 'ghcr.io/acme/worker:1.0.0' }],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'worker', image: 'ghcr.io/acme/worker:1.0.0', imageID: '', ready: true, restartCount: 2 },
        ],
      },
    }));
    fake.seed(pods);
    const names = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call(client, 'list_resources', {
        kind: 'Pod',
        namespace: 'load',
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.isError).toBe(false);
      expect(Buffer.byteLength(page.text)).toBeLessThan(20_000);
      for (const item of page.data.items) names.add(item.name);
      cursor = page.data.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(5);
    expect(names.size).toBe(500);
    expect(
      fake.requests.filter((r) => r.path === '/api/v1/namespaces/load/pods').every((r) => r.query.limit === '100'),
    ).toBe(true);
  });

  it('gets objects without managedFields or last-applied noise, and never a secret value', async () => {
    const { data, text } = await call(client, 'get_resource', {
      kind: 'Deployment',
      name: 'payments-api',
      namespace: 'payments',
    });
    expect(data.object.metadata.managedFields).toBeUndefined();
    expect(text).toContain('image: ghcr.io/acme/payments-api:1.4.2');
    const secret = await call(client, 'get_resource', {
      kind: 'Secret',
      name: 'payments-api-db',
      namespace: 'payments',
    });
    expect(secret.data.secret_keys).toEqual(['password', 'url']);
    expect(secret.data.object.data).toBeUndefined();
    expect(JSON.stringify(secret)).not.toMatch(/s3cr3t|czNjcjN0/);
    const listed = await call(client, 'list_resources', { kind: 'secrets', namespace: 'payments' });
    expect(JSON.stringify(listed)).not.toMatch(/s3cr3t|czNjcjN0/);
  });

  it('strips what kubectl apply and server-side apply leave on an object', async () => {
    await call(client, 'apply_manifests', {
      manifests:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: noisy\n  namespace: payments\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: "{}"\n    owner: alice\ndata:\n  a: "1"\n',
    });
    expect(fake.get('v1', 'ConfigMap', 'noisy', 'payments')?.metadata.managedFields).toHaveLength(1);
    const { data } = await call(client, 'get_resource', { kind: 'cm', name: 'noisy', namespace: 'payments' });
    expect(data.object.metadata.managedFields).toBeUndefined();
    expect(data.object.metadata.annotations).toEqual({ owner: 'alice' });
  });

  it('describes a crashing pod with its events and a deployment with its pods', async () => {
    const pod = await call(client, 'describe_resource', {
      kind: 'Pod',
      name: 'orders-api-5c8b7f9d64-r4j8s',
      namespace: 'orders',
    });
    expect(pod.data.summary.status).toBe('CrashLoopBackOff');
    expect(pod.data.events[0]).toMatchObject({ type: 'Warning', reason: 'BackOff', count: 58 });
    expect(pod.data.containers).toEqual([
      {
        name: 'api',
        image: 'ghcr.io/acme/orders-api:2.1.0',
        ready: false,
        restarts: 14,
        state: 'Waiting: CrashLoopBackOff',
        last_termination: 'Terminated: Error (exit code 1)',
      },
    ]);
    const deployment = await call(client, 'describe_resource', {
      kind: 'Deployment',
      name: 'orders-api',
      namespace: 'orders',
    });
    expect(deployment.data.pods).toHaveLength(2);
    expect(deployment.data.conditions).toContainEqual(expect.objectContaining({ type: 'Available', status: 'False' }));
    expect(deployment.data.events[0]).toMatchObject({ reason: 'ScalingReplicaSet' });
  });

  it('lists warning events of a namespace', async () => {
    const { data } = await call(client, 'list_events', { namespace: 'orders', warnings_only: true });
    expect(data.events.map((e: { reason: string }) => e.reason)).toEqual(['BackOff']);
    const half = await call(client, 'list_events', { kind: 'Pod' });
    expect(half).toMatchObject({ isError: true, code: 'invalid_request' });
  });

  it('reads the tail of pod logs and caps long logs at the end', async () => {
    const { data, text } = await call(client, 'get_pod_logs', {
      namespace: 'orders',
      pod: 'orders-api-5c8b7f9d64-r4j8s',
      tail_lines: 3,
    });
    expect(data.lines).toBe(3);
    expect(text.trim().split('\n')).toEqual([
      'goroutine 1 [running]:',
      'main.main()',
      '\t/src/cmd/orders-api/main.go:48 +0x1c5',
    ]);
    fake.appendLog(
      'payments',
      'payments-api-7d9f8c6b5d-x2k4p',
      'api',
      Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`),
    );
    const long = await call(client, 'get_pod_logs', {
      namespace: 'payments',
      pod: 'payments-api-7d9f8c6b5d-x2k4p',
      tail_lines: 3000,
    });
    expect(long.data.truncated).toBe(true);
    expect(long.text.startsWith('[truncated:')).toBe(true);
    expect(long.text.endsWith(`line 2999 ${'x'.repeat(40)}\n`)).toBe(true);
    const previous = await call(client, 'get_pod_logs', {
      namespace: 'orders',
      pod: 'orders-api-5c8b7f9d64-h6t2w',
      previous: true,
    });
    expect(previous).toMatchObject({ isError: true, code: 'invalid_request' });
    expect(previous.text).toContain(
      'previous terminated container "api" in pod "orders-api-5c8b7f9d64-h6t2w" not found',
    );
    const crashed = await call(client, 'get_pod_logs', {
      namespace: 'orders',
      pod: 'orders-api-5c8b7f9d64-r4j8s',
      previous: true,
      tail_lines: 1,
    });
    expect(crashed.isError).toBe(false);
    const wrong = await call(client, 'get_pod_logs', {
      namespace: 'orders',
      pod: 'orders-api-5c8b7f9d64-r4j8s',
      container: 'sidecar',
    });
    expect(wrong).toMatchObject({ isError: true, code: 'invalid_request' });
    expect(wrong.text).toContain('container sidecar is not valid for pod orders-api-5c8b7f9d64-r4j8s');
  });

  it('reports rollout status like kubectl, restarts and scales', async () => {
    const orders = await call(client, 'rollout_status', { name: 'orders-api', namespace: 'orders' });
    expect(orders.data).toMatchObject({ done: false, desired: 2, available: 1 });
    expect(orders.data.message).toBe(
      'Waiting for deployment "orders-api" rollout to finish: 1 of 2 updated replicas are available...',
    );
    const restarted = await call(client, 'restart_rollout', { name: 'payments-api', namespace: 'payments' });
    const template = fake.get('apps/v1', 'Deployment', 'payments-api', 'payments')?.spec as {
      template: { metadata: { annotations: Record<string, string> } };
    };
    expect(template.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(
      restarted.data.restarted_at,
    );
    const scaled = await call(client, 'scale_workload', { name: 'payments-api', namespace: 'payments', replicas: 5 });
    expect(scaled.data).toMatchObject({ previous_replicas: 3, replicas: 5 });
    expect(fake.get('apps/v1', 'Deployment', 'payments-api', 'payments')?.spec).toMatchObject({ replicas: 5 });
    const done = await call(client, 'rollout_status', { name: 'payments-api', namespace: 'payments' });
    expect(done.data).toMatchObject({ done: true, message: 'deployment "payments-api" successfully rolled out' });
  });
});

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/${name}:latest${extra}
`;

describe('apply and delete', () => {
  it('dry-runs, checks policy, then applies; warnings come back', async () => {
    gate.checked.length = 0;
    fake.reset();
    const manifests = `${deployment('ledger')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ledger-config}\ndata: {MODE: strict}\n`;
    const { data, isError } = await call(client, 'apply_manifests', { manifests, namespace: 'payments' });
    expect(isError).toBe(false);
    expect(data.objects).toEqual([
      { kind: 'Deployment', name: 'ledger', namespace: 'payments', action: 'create', status: 'applied' },
      { kind: 'ConfigMap', name: 'ledger-config', namespace: 'payments', action: 'create', status: 'applied' },
    ]);
    expect(data.policy.warnings).toEqual([
      { rule: 'k8s.no_latest_tag', message: 'pin the image tag', resource: 'Deployment/payments/ledger' },
    ]);
    expect(gate.checked).toHaveLength(1);
    const patches = writes().map(
      (r) => `${r.path.split('/').at(-1)} ${r.query.dryRun ?? 'real'} ${r.query.fieldManager}`,
    );
    expect(patches).toEqual([
      'ledger All idp-mcp',
      'ledger-config All idp-mcp',
      'ledger real idp-mcp',
      'ledger-config real idp-mcp',
    ]);
    expect(fake.get('apps/v1', 'Deployment', 'ledger', 'payments')).toBeDefined();
    const again = await call(client, 'apply_manifests', { manifests, namespace: 'payments', dry_run: true });
    expect(again.data.objects.map((o: { action: string }) => o.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('creates a namespace and what goes in it in one apply', async () => {
    const manifests =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: fresh}\ndata: {a: "1"}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: fresh}\n';
    const plan = await call(client, 'apply_manifests', { manifests, dry_run: true });
    expect(plan.data.objects.map((o: { kind: string; action: string }) => `${o.kind} ${o.action}`)).toEqual([
      'Namespace create',
      'ConfigMap create',
    ]);
    expect(fake.get('v1', 'Namespace', 'fresh')).toBeUndefined();
    const applied = await call(client, 'apply_manifests', { manifests });
    expect(applied.isError).toBe(false);
    expect(fake.get('v1', 'ConfigMap', 'settings', 'fresh')?.data).toEqual({ a: '1' });
  });

  it('refuses a policy violation before changing anything', async () => {
    fake.reset();
    const manifests = deployment('miner', '\n          securityContext: {privileged: true}');
    const denied = await call(client, 'apply_manifests', { manifests, namespace: 'payments' });
    expect(denied).toMatchObject({ isError: true, code: 'policy_denied' });
    expect(denied.text).toContain(
      '[k8s.no_privileged] Deployment/payments/miner: privileged containers are not allowed',
    );
    expect(writes().every((r) => r.query.dryRun === 'All')).toBe(true);
    expect(fake.get('apps/v1', 'Deployment', 'miner', 'payments')).toBeUndefined();
  });

  it('plans without applying in dry_run', async () => {
    const plan = await call(client, 'apply_manifests', {
      manifests: deployment('preview'),
      namespace: 'orders',
      dry_run: true,
    });
    expect(plan.data).toMatchObject({
      dry_run: true,
      objects: [{ name: 'preview', action: 'create', status: 'planned' }],
    });
    expect(fake.get('apps/v1', 'Deployment', 'preview', 'orders')).toBeUndefined();
  });

  it('returns the API server validation causes for an invalid manifest, and names bad YAML', async () => {
    const invalid = deployment('broken').replace('        - name: api\n', '        - ports: [{containerPort: 8080}]\n');
    const result = await call(client, 'apply_manifests', { manifests: invalid, namespace: 'payments' });
    expect(result).toMatchObject({ isError: true, code: 'invalid_request' });
    expect(result.text).toContain('spec.template.spec.containers[0].name: Required value');
    const typo = deployment('typo').replace('  replicas: 2\n', '  replica: 2\n');
    const strict = await call(client, 'apply_manifests', { manifests: typo, namespace: 'payments' });
    expect(strict).toMatchObject({ isError: true, code: 'invalid_request' });
    expect(strict.text).toContain('strict decoding error: unknown field "spec.replica"');
    expect(fake.get('apps/v1', 'Deployment', 'typo', 'payments')).toBeUndefined();
    const yaml = await call(client, 'apply_manifests', { manifests: 'kind: [unclosed' });
    expect(yaml).toMatchObject({ isError: true, code: 'invalid_request' });
    expect(yaml.text).toContain('manifests: not valid YAML');
    const noName = await call(client, 'apply_manifests', {
      manifests: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
    });
    expect(noName.text).toContain('manifests: document 1 (ConfigMap) has no metadata.name');
  });

  it('refuses kinds in K8S_DENY_KINDS without calling the cluster', async () => {
    fake.reset();
    const secret =
      'apiVersion: v1\nkind: Secret\nmetadata: {name: leaked, namespace: payments}\nstringData: {token: abc}\n';
    const result = await call(client, 'apply_manifests', { manifests: secret });
    expect(result).toMatchObject({ isError: true, code: 'forbidden' });
    expect(result.text).toContain('applying Secret is disabled on this server (K8S_DENY_KINDS)');
    expect(fake.requests).toEqual([]);
    const remove = await call(client, 'delete_resource', {
      kind: 'Secret',
      name: 'payments-api-db',
      namespace: 'payments',
    });
    expect(remove).toMatchObject({ isError: true, code: 'forbidden' });
  });

  it('reports server-side apply conflicts and takes the fields over with force_conflicts', async () => {
    const manifest =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: payments}\ndata: {owner: platform}\n';
    fake.seed([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'shared',
          namespace: 'payments',
          managedFields: [
            {
              manager: 'helm',
              operation: 'Apply',
              apiVersion: 'v1',
              time: '2026-01-01T00:00:00Z',
              fieldsType: 'FieldsV1',
              fieldsV1: { 'f:data': { 'f:owner': {} } },
            },
          ],
        },
        data: { owner: 'helm' },
      },
    ]);
    const conflict = await call(client, 'apply_manifests', { manifests: manifest });
    expect(conflict).toMatchObject({ isError: true, code: 'conflict' });
    expect(conflict.text).toContain('conflict with "helm"');
    expect(conflict.text).toContain('set force_conflicts');
    const forced = await call(client, 'apply_manifests', { manifests: manifest, force_conflicts: true });
    expect(forced.isError).toBe(false);
    expect(fake.get('v1', 'ConfigMap', 'shared', 'payments')?.data).toEqual({ owner: 'platform' });
  });

  it('deletes (admin), dry-runs a delete, and maps not found', async () => {
    await call(client, 'apply_manifests', {
      manifests: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: doomed, namespace: orders}\n',
    });
    const dry = await call(client, 'delete_resource', {
      kind: 'ConfigMap',
      name: 'doomed',
      namespace: 'orders',
      dry_run: true,
    });
    expect(dry.data).toMatchObject({ deleted: false, dry_run: true });
    expect(fake.get('v1', 'ConfigMap', 'doomed', 'orders')).toBeDefined();
    const done = await call(client, 'delete_resource', { kind: 'ConfigMap', name: 'doomed', namespace: 'orders' });
    expect(done.data).toMatchObject({ deleted: true });
    expect(fake.get('v1', 'ConfigMap', 'doomed', 'orders')).toBeUndefined();
    const missing = await call(client, 'delete_resource', { kind: 'ConfigMap', name: 'doomed', namespace: 'orders' });
    expect(missing).toMatchObject({ isError: true, code: 'not_found' });
    expect(missing.text).toContain('configmaps "doomed" not found');
  });
});

describe('fail closed: a developer against the shipped policies', () => {
  let developer: ConnectedClient;
  beforeAll(async () => {
    developer = await connectClient(kubernetesModule, { env: { KUBECONFIG: fake.kubeconfigPath } });
  });
  afterAll(() => developer?.close());

  const applied = () => writes().filter((r) => r.query.dryRun !== 'All');

  it('checks each object in its own domain: an Argo CD Application by gitops, a KafkaTopic by kafka', async () => {
    fake.reset();
    const manifests = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: takeover, namespace: argocd}
spec:
  project: default
  source: {repoURL: 'https://github.com/outsider/charts', path: ., targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: kube-system}
---
apiVersion: kafka.strimzi.io/v1
kind: KafkaTopic
metadata: {name: orders.audit.v1, namespace: kafka, labels: {strimzi.io/cluster: platform-kafka}}
spec: {partitions: 1, replicas: 1}
`;
    const denied = await call(developer.client, 'apply_manifests', { manifests });
    expect(denied).toMatchObject({ isError: true, code: 'policy_denied' });
    expect(denied.text).toContain('[GITOPS-005] Application/argocd/takeover');
    expect(denied.text).toContain('[KAFKA-001] KafkaTopic/kafka/orders.audit.v1');
    expect(applied()).toEqual([]);
    expect(fake.get('argoproj.io/v1alpha1', 'Application', 'takeover', 'argocd')).toBeUndefined();
  });

  it.each([
    [
      'a ClusterRoleBinding of cluster-admin to every authenticated user',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: everyone-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]\n',
      'cluster-wide RBAC',
    ],
    [
      'a RoleBinding to system:unauthenticated',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: anyone, namespace: payments}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}]\n',
      'bindings to system:authenticated',
    ],
    [
      'a Role with wildcard verbs',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: god, namespace: payments}\nrules: [{apiGroups: [""], resources: [secrets], verbs: ["*"]}]\n',
      'Roles with wildcard',
    ],
    ['a Namespace', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shadow}\n', 'Namespaces'],
  ])('refuses %s to the write tier before any call', async (_what, manifests, why) => {
    fake.reset();
    const refused = await call(developer.client, 'apply_manifests', { manifests });
    expect(refused).toMatchObject({ isError: true, code: 'forbidden' });
    expect(refused.text).toContain(`${why}`);
    expect(refused.text).toContain('need the admin tier (platform-admin role); your roles grant write');
    expect(fake.requests).toEqual([]);
  });

  it('lets a platform-admin apply cluster RBAC, still through the gate', async () => {
    gate.checked.length = 0;
    const manifests =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: sre-view}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: sre}]\n';
    const done = await call(client, 'apply_manifests', { manifests });
    expect(done.isError).toBe(false);
    expect(gate.checked).toEqual([[expect.objectContaining({ kind: 'ClusterRoleBinding' })]]);
    expect(fake.get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'sre-view')).toBeDefined();
  });

  const hostPod = `apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: payments
  labels: {app.kubernetes.io/name: debug, owner: alice, team: payments}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 10001}
  containers:
    - name: shell
      image: ghcr.io/acme/toolbox:1.0.0
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {cpu: 100m, memory: 64Mi}
      livenessProbe: {exec: {command: ["true"]}}
      readinessProbe: {exec: {command: ["true"]}}
      volumeMounts: [{name: kube-api-access-x7k2p, mountPath: /host}]
  volumes:
    - name: kube-api-access-x7k2p
      hostPath: {path: /}
`;

  it('checks the object exactly as sent: a hostPath volume named like the token volume is denied', async () => {
    fake.reset();
    const denied = await call(developer.client, 'apply_manifests', { manifests: hostPod });
    expect(denied).toMatchObject({ isError: true, code: 'policy_denied' });
    expect(denied.text).toContain('[K8S-012] Pod/payments/debug');
    expect(applied()).toEqual([]);
  });

  it('shows a reviewer every volume but the API server token volume', async () => {
    const tokenVolume = {
      name: 'kube-api-access-9zq4m',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
      },
    };
    const pod = parseAllDocuments(hostPod)[0]!.toJS() as KubeObject & { spec: { volumes: unknown[] } };
    pod.spec.volumes.push(tokenVolume);
    fake.seed([pod]);
    const { data } = await call(developer.client, 'get_resource', {
      kind: 'Pod',
      name: 'debug',
      namespace: 'payments',
    });
    expect(data.object.spec.volumes).toEqual([{ name: 'kube-api-access-x7k2p', hostPath: { path: '/' } }]);
  });
});

describe('team onboarding', () => {
  it('plans, then applies a team namespace with guardrails', async () => {
    const spec = {
      team: 'search',
      cpu: '6',
      memory: '12Gi',
      labels: { 'cost-center': 'cc-42' },
      allow_ingress_from_namespaces: ['ingress-nginx'],
    };
    const plan = await call(client, 'onboard_team', spec);
    expect(plan.data.dry_run).toBe(true);
    expect(plan.data.steps.map((s: { kind: string; name: string }) => `${s.kind}/${s.name}`)).toEqual([
      'Namespace/search',
      'ResourceQuota/search-quota',
      'LimitRange/search-limits',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/allow-same-namespace-and-dns',
      'NetworkPolicy/allow-from-namespaces',
      'RoleBinding/search-developers',
    ]);
    expect(plan.data.manifests).toContain('requests.cpu: "6"');
    expect(fake.get('v1', 'Namespace', 'search')).toBeUndefined();
    const applied = await call(client, 'onboard_team', { ...spec, dry_run: false });
    expect(applied.data.steps.every((s: { status: string }) => s.status === 'applied')).toBe(true);
    expect(fake.get('v1', 'Namespace', 'search')?.metadata.labels).toMatchObject({
      team: 'search',
      'cost-center': 'cc-42',
    });
    expect(fake.get('v1', 'ResourceQuota', 'search-quota', 'search')?.spec).toMatchObject({
      hard: { 'requests.cpu': '6' },
    });
    expect(fake.get('rbac.authorization.k8s.io/v1', 'RoleBinding', 'search-developers', 'search')?.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'search-developers' },
    ]);
    const again = await call(client, 'onboard_team', { ...spec });
    expect(again.data.steps.every((s: { action: string }) => s.action === 'unchanged')).toBe(true);
  });

  it('is refused by policy before anything is created', async () => {
    const denied = await call(client, 'onboard_team', { team: 'bigdata', cpu: '64', dry_run: false });
    expect(denied).toMatchObject({ isError: true, code: 'policy_denied' });
    expect(denied.text).toContain('quota above 16 CPUs needs approval');
    expect(fake.get('v1', 'Namespace', 'bigdata')).toBeUndefined();
  });

  it('rolls back the namespace it created when a later step fails', async () => {
    fake.failNext({ method: 'PATCH', path: /\/rolebindings\/risk-developers$/, status: 403 });
    const failed = await call(client, 'onboard_team', { team: 'risk', dry_run: false });
    expect(failed).toMatchObject({ isError: true, code: 'forbidden' });
    expect(failed.text).toContain('onboarding risk failed at RoleBinding/risk-developers');
    expect(failed.text).toContain('rolled back: removed Namespace/risk');
    expect(fake.get('v1', 'Namespace', 'risk')).toBeUndefined();
    expect(fake.list('v1', 'ResourceQuota', 'risk')).toEqual([]);
  });
});

describe('errors and configuration', () => {
  it('maps not found, unknown kinds and upstream failures', async () => {
    const missing = await call(client, 'get_resource', { kind: 'Deployment', name: 'nope', namespace: 'payments' });
    expect(missing).toMatchObject({ isError: true, code: 'not_found' });
    expect(missing.text).toContain('deployments.apps "nope" not found');
    const unknown = await call(client, 'list_resources', { kind: 'Widget' });
    expect(unknown).toMatchObject({ isError: true, code: 'invalid_request' });
    expect(unknown.text).toContain('list_api_resources shows every kind');
    fake.failNext({ path: '/api/v1/namespaces/payments/pods', status: 403 });
    const forbidden = await call(client, 'list_resources', { kind: 'Pod', namespace: 'payments' });
    expect(forbidden).toMatchObject({ isError: true, code: 'forbidden' });
    expect(forbidden.text).toContain('cannot get /api/v1/namespaces/payments/pods');
    const config = '/api/v1/namespaces/payments/configmaps/payments-api-config';
    fake.failNext({ path: config, status: 503, times: 3 });
    const down = await call(client, 'get_resource', {
      kind: 'ConfigMap',
      name: 'payments-api-config',
      namespace: 'payments',
    });
    expect(down).toMatchObject({ isError: true, code: 'upstream_unavailable' });
    expect(down.meta?.retryable).toBe(true);
    fake.failNext({ path: config, status: 503 });
    fake.failNext({ path: config, status: 429, headers: { 'retry-after': '0' } });
    const recovered = await call(client, 'get_resource', {
      kind: 'ConfigMap',
      name: 'payments-api-config',
      namespace: 'payments',
    });
    expect(recovered.isError).toBe(false);
    expect(fake.requests.filter((r) => r.path === config).length).toBeGreaterThanOrEqual(3);
    fake.failNext({ method: 'PATCH', path: /\/deployments\/payments-api$/, status: 503 });
    const write = await call(client, 'restart_rollout', { name: 'payments-api', namespace: 'payments' });
    expect(write).toMatchObject({ isError: true, code: 'upstream_unavailable' });
    expect(write.meta?.retryable).toBe(false);
    fake.failNext({ path: '/api/v1/namespaces/payments/configmaps/payments-api-config', status: 401 });
    const unauthorized = await call(client, 'get_resource', {
      kind: 'ConfigMap',
      name: 'payments-api-config',
      namespace: 'payments',
    });
    expect(unauthorized).toMatchObject({ isError: true, code: 'unauthorized' });
  });

  it('leaves out an API group whose discovery fails instead of failing every call', async () => {
    const fresh = await connectClient(kubernetesModule, { env: { KUBECONFIG: fake.kubeconfigPath } });
    try {
      fake.failNext({ path: '/apis/argoproj.io/v1alpha1', status: 503, times: 3 });
      const kinds = await call(fresh.client, 'list_api_resources', {});
      const groups = new Set(kinds.data.resources.map((r: { apiVersion: string }) => r.apiVersion));
      expect(groups.has('apps/v1')).toBe(true);
      expect(groups.has('argoproj.io/v1alpha1')).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it('times out a stalled call', async () => {
    const slow = await connectClient(kubernetesModule, {
      env: { KUBECONFIG: fake.kubeconfigPath, K8S_TIMEOUT_MS: '300' },
    });
    try {
      await call(slow.client, 'list_api_resources', {});
      fake.failNext({ path: '/api/v1/namespaces/payments/services', delayMs: 1500, times: 3 });
      const result = await call(slow.client, 'list_resources', { kind: 'Service', namespace: 'payments' });
      expect(result).toMatchObject({ isError: true, code: 'timeout' });
    } finally {
      await slow.close();
    }
  });

  it('serves several contexts, chosen per call', async () => {
    const kubeconfig = join(fake.kubeconfigPath, '..', 'two-contexts');
    writeFileSync(
      kubeconfig,
      fake.kubeconfig.replace(
        'contexts:\n',
        'contexts:\n  - name: orders-team\n    context:\n      cluster: fake\n      user: fake-user\n      namespace: orders\n',
      ),
    );
    const multi = await connectClient(kubernetesModule, {
      env: { KUBECONFIG: kubeconfig, K8S_CONTEXT: 'orders-team' },
    });
    try {
      const contexts = await call(multi.client, 'list_contexts');
      expect(contexts.data.contexts.map((c: { name: string; default: boolean }) => `${c.name}:${c.default}`)).toEqual([
        'orders-team:true',
        'fake:false',
      ]);
      expect(JSON.stringify(contexts.data)).not.toContain(fake.token);
      const own = await call(multi.client, 'list_resources', { kind: 'Deployment', namespace: undefined });
      expect(own.data.items.map((d: { name: string }) => d.name)).toContain('orders-api');
      const other = await call(multi.client, 'get_resource', { context: 'fake', kind: 'Namespace', name: 'default' });
      expect(other.data.object.metadata.name).toBe('default');
      const bad = await call(multi.client, 'list_resources', { context: 'prod', kind: 'Pod' });
      expect(bad).toMatchObject({ isError: true, code: 'invalid_request' });
      expect(bad.text).toContain('context: no context "prod"');
    } finally {
      await multi.close();
    }
  });

  it('keeps secret values and the cluster token out of output and the debug log, even when a Secret write fails', async () => {
    const lines: string[] = [];
    const server = await startServer(
      kubernetesModule,
      parseFlags(['--transport', 'http', '--port', '0', '--role', 'platform-admin']),
      { KUBECONFIG: fake.kubeconfigPath, K8S_DENY_KINDS: 'none' },
      // About masking, not policy: the shipped policies would refuse the literal API_TOKEN below, and objects
      // that kubectl put there unchecked must be masked all the same.
      { check: async () => ({ allowed: true, violations: [], gate: 'test: allows all' }) },
      createLogger('kubernetes', { level: 'debug', write: (line) => lines.push(line) }),
    );
    const debug = await connectUrl(server.url!);
    try {
      const outputs = [
        await call(debug, 'get_resource', { kind: 'Secret', name: 'orders-api-db', namespace: 'orders' }),
        await call(debug, 'describe_resource', { kind: 'Secret', name: 'orders-api-db', namespace: 'orders' }),
        await call(debug, 'apply_manifests', {
          manifests:
            'apiVersion: v1\nkind: Secret\nmetadata: {name: api-key, namespace: orders}\ntype: Opaque\nstringData: {key: hunter2-Zq9x}\nbogus: 1\n',
        }),
      ];
      expect(outputs[2]).toMatchObject({ isError: true, code: 'invalid_request' });
      await call(debug, 'apply_manifests', {
        manifests: `${deployment('tokens').replace('image:', 'env: [{name: API_TOKEN, value: tok-9d8c7b}, {name: LOG_LEVEL, value: debug}]\n          image:')}`,
        namespace: 'orders',
      });
      const withEnv = await call(debug, 'get_resource', { kind: 'Deployment', name: 'tokens', namespace: 'orders' });
      expect(withEnv.text).toContain('value: debug');
      outputs.push(withEnv);
      const everything = JSON.stringify(outputs) + lines.join('\n');
      for (const secret of [
        's3cr3t-orders-pw',
        Buffer.from('s3cr3t-orders-pw').toString('base64'),
        'hunter2-Zq9x',
        'tok-9d8c7b',
        fake.token,
      ]) {
        expect(everything).not.toContain(secret);
      }
    } finally {
      await debug.close();
      await server.close();
    }
  });

  it('hides write and admin tools from a viewer', async () => {
    const viewer = await connectClient(kubernetesModule, {
      env: { KUBECONFIG: fake.kubeconfigPath },
      args: ['--role', 'viewer'],
    });
    try {
      const names = (await viewer.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('get_pod_logs');
      expect(names).not.toContain('apply_manifests');
      expect(names).not.toContain('delete_resource');
    } finally {
      await viewer.close();
    }
  });
});

describe('sandbox', () => {
  it('starts the fake in-process with the sample cluster', async () => {
    const sandbox = await connectClient(kubernetesModule, { args: ['--sandbox'] });
    try {
      const { data } = await call(sandbox.client, 'list_resources', { kind: 'Deployment' });
      expect(data.items.map((d: { namespace: string; name: string }) => `${d.namespace}/${d.name}`)).toEqual([
        'orders/orders-api',
        'payments/payments-api',
      ]);
    } finally {
      await sandbox.close();
    }
  });
});
