// The sample Argo CD a new user meets in the sandbox and the tests build on: projects payments, orders and platform,
// clusters dev and prod, and applications payments-api-dev (synced, auto-sync), payments-api-prod (manual sync,
// out of sync: a new image waits in Git) and orders-api-dev (synced but degraded: a pod in CrashLoopBackOff).
// Everything deploys from the GitOps repository acme/gitops, as in the GitHub fake. Besides dev and prod Argo CD knows
// in-cluster, the cluster it runs in: the sandbox world's one Kubernetes fake (see cluster.ts).
import { ArgoCdState, type FakeApplication, type HistoryEntry, type LiveResource } from './state.ts';

/** Accepted as alice (admin): the no-credentials sandbox uses it. */
export const SANDBOX_TOKEN = 'argocd-sandbox-token';

export const SAMPLE_TOKENS = {
  /** role:admin */
  alice: 'argocd-alice-token',
  /** role:readonly: may read, every change is refused with 403. */
  bob: 'argocd-bob-token',
  sandbox: SANDBOX_TOKEN,
} as const;

export const GITOPS_REPO = 'https://github.com/acme/gitops.git';
export const CLUSTERS = {
  dev: 'https://dev.k8s.acme.internal',
  prod: 'https://prod.k8s.acme.internal',
} as const;

/**
 * The cluster Argo CD runs in, which every Argo CD knows: in the sandbox world, the Kubernetes fake every integration
 * shares (where self-service deploys new services, into `<team>-<environment>` namespaces).
 */
export const IN_CLUSTER = { name: 'in-cluster', server: 'https://kubernetes.default.svc' } as const;

/** Commits of acme/gitops, oldest first. */
export const COMMITS = {
  v141: '3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345',
  v142: '8b2e4d6f1a3c5e7092b4d6f8a0c2e4f6a8b0c2d4',
  main: 'c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7',
} as const;

export function createSampleArgoCdState(): ArgoCdState {
  const state = new ArgoCdState();
  let now = Date.parse('2025-03-05T10:00:00Z');
  state.clock = () => new Date(now);
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const tick = () => {
    now += 1000;
  };

  state.tokens.set(SAMPLE_TOKENS.alice, { username: 'alice', role: 'admin' });
  state.tokens.set(SAMPLE_TOKENS.bob, { username: 'bob', role: 'readonly' });
  state.tokens.set(SANDBOX_TOKEN, { username: 'alice', role: 'admin' });
  state.clusters.push(
    { ...IN_CLUSTER },
    { name: 'dev', server: CLUSTERS.dev },
    { name: 'prod', server: CLUSTERS.prod },
  );
  state.refs.set('main', COMMITS.main);
  state.refs.set('HEAD', COMMITS.main);
  state.refs.set('v1.4.1', COMMITS.v141);
  state.refs.set('v1.4.2', COMMITS.v142);

  state.addProject({
    name: 'payments',
    createdAt: '2024-11-04T10:00:00Z',
    description: 'Team payments: payments-api in dev and prod',
    sourceRepos: [GITOPS_REPO],
    destinations: [
      { server: CLUSTERS.dev, namespace: 'payments-dev' },
      { server: CLUSTERS.prod, namespace: 'payments' },
      { server: IN_CLUSTER.server, namespace: 'payments-*' },
    ],
    roles: [
      {
        name: 'deployer',
        description: 'CI deploys',
        policies: ['p, proj:payments:deployer, applications, sync, payments/*, allow'],
      },
    ],
  });
  state.addProject({
    name: 'orders',
    createdAt: '2024-11-04T10:05:00Z',
    description: 'Team orders: orders-api',
    sourceRepos: [GITOPS_REPO],
    destinations: [
      { server: CLUSTERS.dev, namespace: 'orders-dev' },
      { server: CLUSTERS.prod, namespace: 'orders' },
      { server: IN_CLUSTER.server, namespace: 'orders-*' },
    ],
    roles: [],
  });
  state.addProject({
    name: 'platform',
    createdAt: '2024-10-01T09:00:00Z',
    description: 'Platform add-ons managed by the platform team',
    sourceRepos: ['*'],
    destinations: [{ server: '*', namespace: '*' }],
    roles: [],
  });

  const image = (service: string, tag: string) => `registry.acme.example/${service}:${tag}`;
  const workload = (
    service: string,
    namespace: string,
    liveTag: string,
    targetTag: string,
    options: { replicas?: number; health?: LiveResource['health']; podHealth?: LiveResource['health'] } = {},
  ): LiveResource[] => {
    const labels = { 'app.kubernetes.io/name': service, 'app.kubernetes.io/part-of': service };
    const deployment = (tag: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service, namespace, labels },
      spec: {
        replicas: options.replicas ?? 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'app',
                image: image(service, tag),
                ports: [{ containerPort: 8080 }],
                resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
    });
    const service_ = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    };
    const config = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${service}-config`, namespace },
      data: { LOG_LEVEL: 'info', ACQUIRER_TIMEOUT_MS: '3000' },
    };
    const deploymentUid = state.uid();
    const replicaSetUid = state.uid();
    const hash = liveTag.replaceAll('.', '').padEnd(6, '7').slice(0, 6);
    const pods = Array.from({ length: options.replicas ?? 2 }, (_, i) => ({
      group: '',
      version: 'v1',
      kind: 'Pod',
      namespace,
      name: `${service}-${hash}9c-${['x2k4p', 'm8q7r', 'z5t1w'][i]}`,
      uid: state.uid(),
      health: i === 0 && options.podHealth ? options.podHealth : { status: 'Healthy' },
      images: [image(service, liveTag)],
      parent: replicaSetUid,
    }));
    return [
      {
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        namespace,
        name: `${service}-config`,
        uid: state.uid(),
        status: 'Synced',
        target: config,
        live: config,
      },
      {
        group: '',
        version: 'v1',
        kind: 'Service',
        namespace,
        name: service,
        uid: state.uid(),
        health: { status: 'Healthy' },
        status: 'Synced',
        target: service_,
        live: service_,
      },
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace,
        name: service,
        uid: deploymentUid,
        health: options.health ?? { status: 'Healthy' },
        status: liveTag === targetTag ? 'Synced' : 'OutOfSync',
        target: deployment(targetTag),
        live: deployment(liveTag),
        images: [image(service, liveTag)],
        children: [
          {
            group: 'apps',
            version: 'v1',
            kind: 'ReplicaSet',
            namespace,
            name: `${service}-${hash}9c`,
            uid: replicaSetUid,
            health: options.health ?? { status: 'Healthy' },
            parent: deploymentUid,
          },
          ...pods.map((pod) => ({ ...pod, parent: replicaSetUid })),
        ],
      },
    ];
  };

  const history = (entries: Array<[number, string, number, string]>, path: string): HistoryEntry[] =>
    entries.map(([id, revision, hoursAgo, username]) => ({
      id,
      revision,
      deployStartedAt: at(hoursAgo),
      deployedAt: at(hoursAgo - 0.01),
      source: { repoURL: GITOPS_REPO, path, targetRevision: 'main' },
      initiatedBy: username === 'auto' ? { automated: true } : { username },
    }));

  const add = (
    app: Omit<FakeApplication, 'uid' | 'resourceVersion' | 'generation' | 'namespace' | 'annotations' | 'reconciledAt'>,
  ) => {
    tick();
    state.applications.set(app.name, {
      ...app,
      namespace: 'argocd',
      uid: state.uid(),
      resourceVersion: state.nextResourceVersion(),
      generation: 3,
      annotations: {},
      reconciledAt: at(0.05),
    });
  };

  add({
    name: 'payments-api-dev',
    createdAt: '2025-01-21T09:00:00Z',
    labels: { team: 'payments', env: 'dev', 'app.kubernetes.io/name': 'payments-api' },
    spec: {
      project: 'payments',
      source: { repoURL: GITOPS_REPO, path: 'apps/payments-api/overlays/dev', targetRevision: 'main' },
      destination: { server: CLUSTERS.dev, namespace: 'payments-dev' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
    syncStatus: 'Synced',
    syncRevision: COMMITS.main,
    health: { status: 'Healthy' },
    resources: workload('payments-api', 'payments-dev', 'v1.4.2', 'v1.4.2', { replicas: 1 }),
    history: history(
      [
        [11, COMMITS.v141, 72, 'auto'],
        [12, COMMITS.v142, 30, 'auto'],
        [13, COMMITS.main, 6, 'auto'],
      ],
      'apps/payments-api/overlays/dev',
    ),
    conditions: [],
  });

  add({
    name: 'payments-api-prod',
    createdAt: '2025-01-28T09:00:00Z',
    labels: { team: 'payments', env: 'prod', 'app.kubernetes.io/name': 'payments-api' },
    spec: {
      project: 'payments',
      source: { repoURL: GITOPS_REPO, path: 'apps/payments-api/overlays/prod', targetRevision: 'main' },
      destination: { server: CLUSTERS.prod, namespace: 'payments' },
      syncPolicy: { syncOptions: ['CreateNamespace=false', 'PruneLast=true'] },
      revisionHistoryLimit: 10,
    },
    syncStatus: 'OutOfSync',
    syncRevision: COMMITS.main,
    health: { status: 'Healthy' },
    resources: workload('payments-api', 'payments', 'v1.4.1', 'v1.4.2', { replicas: 3 }),
    history: history(
      [
        [7, COMMITS.v141, 96, 'alice'],
        [8, COMMITS.v142, 50, 'bob'],
        [9, COMMITS.v141, 48, 'alice'],
      ],
      'apps/payments-api/overlays/prod',
    ),
    conditions: [],
  });

  const orders = workload('orders-api', 'orders-dev', 'v0.9.0', 'v0.9.0', {
    replicas: 2,
    health: { status: 'Degraded', message: 'Deployment "orders-api" exceeded its progress deadline' },
    podHealth: {
      status: 'Degraded',
      message: 'back-off 5m0s restarting failed container=app pod=orders-api (CrashLoopBackOff)',
    },
  });
  add({
    name: 'orders-api-dev',
    createdAt: '2025-02-10T09:00:00Z',
    labels: { team: 'orders', env: 'dev', 'app.kubernetes.io/name': 'orders-api' },
    spec: {
      project: 'orders',
      source: { repoURL: GITOPS_REPO, path: 'apps/orders-api/overlays/dev', targetRevision: 'main' },
      destination: { server: CLUSTERS.dev, namespace: 'orders-dev' },
      syncPolicy: { automated: { prune: false, selfHeal: true } },
    },
    syncStatus: 'Synced',
    syncRevision: COMMITS.main,
    health: { status: 'Degraded', message: 'Deployment "orders-api" exceeded its progress deadline' },
    resources: orders,
    history: history([[4, COMMITS.main, 3, 'auto']], 'apps/orders-api/overlays/dev'),
    conditions: [],
  });
  const ordersApp = state.applications.get('orders-api-dev')!;
  const crashing = orders
    .flatMap((r) => r.children ?? [])
    .find((c) => c.kind === 'Pod' && c.health?.status === 'Degraded')!;
  ordersApp.events = [
    {
      name: 'orders-api-dev.1829f3a7c4e1b2d0',
      type: 'Normal',
      reason: 'OperationCompleted',
      message: `Sync operation to ${COMMITS.main} succeeded`,
      involvedObject: {
        kind: 'Application',
        name: 'orders-api-dev',
        namespace: 'argocd',
        apiVersion: 'argoproj.io/v1alpha1',
        uid: ordersApp.uid,
      },
      count: 1,
      firstTimestamp: at(3),
      lastTimestamp: at(3),
      component: 'argocd-application-controller',
    },
    {
      name: 'orders-api-dev.1829f3a7d0a4c6e1',
      type: 'Warning',
      reason: 'ResourceUpdated',
      message: 'Updated health status: Progressing -> Degraded',
      involvedObject: {
        kind: 'Application',
        name: 'orders-api-dev',
        namespace: 'argocd',
        apiVersion: 'argoproj.io/v1alpha1',
        uid: ordersApp.uid,
      },
      count: 1,
      firstTimestamp: at(2.8),
      lastTimestamp: at(2.8),
      component: 'argocd-application-controller',
    },
    {
      name: `${crashing.name}.1829f3b1e8c7d5a2`,
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container app in pod ${crashing.name}_orders-dev(${crashing.uid})`,
      involvedObject: {
        kind: 'Pod',
        name: crashing.name,
        namespace: 'orders-dev',
        uid: crashing.uid,
        apiVersion: 'v1',
      },
      count: 37,
      firstTimestamp: at(2.9),
      lastTimestamp: at(0.05),
      component: 'kubelet',
    },
  ];
  return state;
}
