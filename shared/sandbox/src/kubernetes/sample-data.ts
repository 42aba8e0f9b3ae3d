// The sandbox cluster: teams payments and orders with their services, the platform namespace, Flux and Argo CD objects
// and the Strimzi topics of the Kafka fake, coherent with the other fakes (org acme, services payments-api and orders-api).
import { applicationObject, projectObject } from '../argocd/render.ts';
import { createSampleArgoCdState } from '../argocd/sample-data.ts';
import { createSampleKafkaState } from '../kafka/state.ts';
import { kafkaTopicResources, SANDBOX_STRIMZI } from '../kafka/strimzi.ts';
import type { KubeObject, LogLine } from './state.ts';

const DAY = 86_400;

function ago(seconds: number): string {
  return new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

function uid(n: number): string {
  return `5f0c${String(n).padStart(4, '0')}-6a1b-4c2d-9e3f-a1b2c3d4e5f6`;
}

let counter = 0;
function meta(name: string, namespace: string | undefined, extra: Record<string, unknown> = {}, age = 30 * DAY) {
  counter += 1;
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: uid(counter),
    creationTimestamp: ago(age),
    ...extra,
  };
}

function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(name, undefined, { labels: { 'kubernetes.io/metadata.name': name, ...labels } }, 120 * DAY),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

interface ServiceSpec {
  team: string;
  name: string;
  image: string;
  replicas: number;
  ready: number;
  hash: string;
  pods: Array<{ suffix: string; node: string; ready: boolean; restarts: number; ip: string }>;
}

const NODES = ['ip-10-0-1-23.us-west-2.compute.internal', 'ip-10-0-2-41.us-west-2.compute.internal'];

function service(spec: ServiceSpec): KubeObject[] {
  const labels = {
    app: spec.name,
    'app.kubernetes.io/name': spec.name,
    'app.kubernetes.io/part-of': spec.team,
    team: spec.team,
  };
  const container = {
    name: 'api',
    image: spec.image,
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: `${spec.name}-db`, key: 'url' } } },
    ],
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
  };
  const template = {
    metadata: { labels: { app: spec.name, team: spec.team } },
    spec: { serviceAccountName: spec.name, containers: [container] },
  };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(spec.name, spec.team, {
      labels,
      generation: 4,
      annotations: { 'deployment.kubernetes.io/revision': '4' },
    }),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { app: spec.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      template,
    },
    status: {
      observedGeneration: 4,
      replicas: spec.replicas,
      updatedReplicas: spec.replicas,
      readyReplicas: spec.ready,
      availableReplicas: spec.ready,
      ...(spec.ready < spec.replicas ? { unavailableReplicas: spec.replicas - spec.ready } : {}),
      conditions: [
        {
          type: 'Available',
          status: spec.ready >= spec.replicas ? 'True' : 'False',
          reason: spec.ready >= spec.replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message:
            spec.ready >= spec.replicas
              ? 'Deployment has minimum availability.'
              : 'Deployment does not have minimum availability.',
          lastUpdateTime: ago(3600),
          lastTransitionTime: ago(3600),
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${spec.name}-${spec.hash}" has successfully progressed.`,
          lastUpdateTime: ago(3600),
          lastTransitionTime: ago(5 * DAY),
        },
      ],
    },
  };
  const replicaSetName = `${spec.name}-${spec.hash}`;
  const replicaSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta(replicaSetName, spec.team, {
      labels: { app: spec.name, 'pod-template-hash': spec.hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: spec.name,
          uid: deployment.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    }),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { app: spec.name, 'pod-template-hash': spec.hash } },
      template: { ...template, metadata: { labels: { ...template.metadata.labels, 'pod-template-hash': spec.hash } } },
    },
    status: {
      replicas: spec.replicas,
      readyReplicas: spec.ready,
      availableReplicas: spec.ready,
      observedGeneration: 1,
    },
  };
  const pods = spec.pods.map((pod): KubeObject => {
    const started = ago(2 * DAY);
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(
        `${replicaSetName}-${pod.suffix}`,
        spec.team,
        {
          labels: { app: spec.name, team: spec.team, 'pod-template-hash': spec.hash },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: replicaSetName,
              uid: replicaSet.metadata.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        2 * DAY,
      ),
      spec: { ...template.spec, nodeName: pod.node, restartPolicy: 'Always' },
      status: {
        phase: 'Running',
        podIP: pod.ip,
        hostIP: pod.node.startsWith('ip-10-0-1') ? '10.0.1.23' : '10.0.2.41',
        startTime: started,
        conditions: [
          { type: 'Ready', status: pod.ready ? 'True' : 'False', lastTransitionTime: ago(600) },
          { type: 'ContainersReady', status: pod.ready ? 'True' : 'False', lastTransitionTime: ago(600) },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
        ],
        containerStatuses: [
          {
            name: 'api',
            image: spec.image,
            imageID: `${spec.image.split(':')[0]}@sha256:${'a1b2c3d4'.repeat(8)}`,
            ready: pod.ready,
            started: pod.ready,
            restartCount: pod.restarts,
            state: pod.ready
              ? { running: { startedAt: started } }
              : {
                  waiting: {
                    reason: 'CrashLoopBackOff',
                    message: `back-off 5m0s restarting failed container=api pod=${replicaSetName}-${pod.suffix}`,
                  },
                },
            ...(pod.restarts > 0
              ? {
                  lastState: {
                    terminated: { exitCode: 1, reason: 'Error', startedAt: ago(400), finishedAt: ago(380) },
                  },
                }
              : {}),
          },
        ],
      },
    };
  });
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(spec.name, spec.team, { labels }),
    spec: {
      type: 'ClusterIP',
      clusterIP: spec.team === 'payments' ? '10.96.14.20' : '10.96.22.31',
      selector: { app: spec.name },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  const account: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(spec.name, spec.team, { labels }),
  };
  const config: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${spec.name}-config`, spec.team, { labels }),
    data: { 'application.yaml': `server:\n  port: 8080\nfeatures:\n  idempotency: true\n`, LOG_FORMAT: 'json' },
  };
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(`${spec.name}-db`, spec.team, { labels }),
    type: 'Opaque',
    data: {
      url: Buffer.from(
        `postgres://${spec.team}:s3cr3t-${spec.team}-pw@aurora.acme.internal:5432/${spec.team}`,
      ).toString('base64'),
      password: Buffer.from(`s3cr3t-${spec.team}-pw`).toString('base64'),
    },
  };
  return [deployment, replicaSet, ...pods, svc, account, config, secret];
}

function event(
  namespace: string,
  involved: { kind: string; name: string; apiVersion: string; uid?: string },
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  options: { count?: number; age?: number; component?: string } = {},
): KubeObject {
  counter += 1;
  const time = ago(options.age ?? 300);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta(
      `${involved.name}.${(0x17a2b3c4d5e6f000 + counter * 7919).toString(16)}`,
      namespace,
      {},
      options.age ?? 300,
    ),
    involvedObject: { ...involved, namespace },
    type,
    reason,
    message,
    count: options.count ?? 1,
    firstTimestamp: ago((options.age ?? 300) + 3600),
    lastTimestamp: time,
    source: { component: options.component ?? 'kubelet' },
    reportingComponent: options.component ?? 'kubelet',
    reportingInstance: '',
  };
}

function teamGuardrails(team: string, cpu: string, memory: string): KubeObject[] {
  const labels = { team, 'app.kubernetes.io/managed-by': 'idp-mcp' };
  return [
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta(`${team}-quota`, team, { labels }),
      spec: {
        hard: {
          'requests.cpu': cpu,
          'requests.memory': memory,
          'limits.cpu': cpu,
          'limits.memory': memory,
          pods: '50',
        },
      },
      status: {
        hard: { 'requests.cpu': cpu, 'requests.memory': memory },
        used: { 'requests.cpu': '750m', 'requests.memory': '768Mi' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta(`${team}-limits`, team, { labels }),
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: '500m', memory: '512Mi' },
            defaultRequest: { cpu: '100m', memory: '128Mi' },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny', team, { labels }),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(`${team}-developers`, team, { labels }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `${team}-developers` }],
    },
  ];
}

function ready(reason: string, message: string, status: 'True' | 'False' = 'True', generation = 1) {
  return [{ type: 'Ready', status, reason, message, lastTransitionTime: ago(1800), observedGeneration: generation }];
}

function artifact(path: string, revision: string, url: string) {
  return {
    path,
    url,
    revision,
    digest: `sha256:${'9f86d081'.repeat(8)}`,
    lastUpdateTime: ago(900),
    size: 48213,
  };
}

function fluxObjects(): KubeObject[] {
  const gitRevision = 'main@sha1:3f2a9c1e7b4d5a6f8e9d0c1b2a3f4e5d6c7b8a90';
  return [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: meta('platform-config', 'flux-system', { generation: 1 }),
      spec: {
        url: 'https://github.com/acme/platform-config',
        ref: { branch: 'main' },
        interval: '1m0s',
        timeout: '60s',
        secretRef: { name: 'github-auth' },
      },
      status: {
        observedGeneration: 1,
        conditions: [
          ...ready('Succeeded', `stored artifact for revision '${gitRevision}'`),
          {
            type: 'ArtifactInStorage',
            status: 'True',
            reason: 'Succeeded',
            message: `stored artifact for revision '${gitRevision}'`,
            lastTransitionTime: ago(1800),
            observedGeneration: 1,
          },
        ],
        artifact: artifact(
          'gitrepository/flux-system/platform-config/3f2a9c1e.tar.gz',
          gitRevision,
          'http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/platform-config/3f2a9c1e.tar.gz',
        ),
      },
    },
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: meta('bitnami', 'flux-system', { generation: 1 }),
      spec: { url: 'https://charts.bitnami.com/bitnami', interval: '1h0m0s' },
      status: {
        observedGeneration: 1,
        conditions: ready('Succeeded', "stored artifact: revision 'sha256:1b2c3d4e'"),
        artifact: artifact(
          'helmrepository/flux-system/bitnami/index-1b2c3d4e.yaml',
          'sha256:1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00',
          'http://source-controller.flux-system.svc.cluster.local./helmrepository/flux-system/bitnami/index-1b2c3d4e.yaml',
        ),
        url: 'http://source-controller.flux-system.svc.cluster.local./helmrepository/flux-system/bitnami/index.yaml',
      },
    },
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: meta('payments-manifests', 'flux-system', { generation: 2 }),
      spec: { url: 'oci://ghcr.io/acme/manifests/payments', ref: { tag: 'latest' }, interval: '5m0s' },
      status: {
        observedGeneration: 1,
        conditions: ready(
          'OCIArtifactPullFailed',
          "failed to pull artifact from 'oci://ghcr.io/acme/manifests/payments': GET https://ghcr.io/token: UNAUTHORIZED: authentication required",
          'False',
          2,
        ),
        artifact: artifact(
          'ocirepository/flux-system/payments-manifests/sha256:7c1e.tar.gz',
          'latest@sha256:7c1e2f3a4b5c6d7e8f9012345678901234567890abcdef1234567890abcdef12',
          'http://source-controller.flux-system.svc.cluster.local./ocirepository/flux-system/payments-manifests/sha256:7c1e.tar.gz',
        ),
      },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: meta('infrastructure', 'flux-system', { generation: 1 }),
      spec: {
        interval: '10m0s',
        path: './infrastructure',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'platform-config' },
        timeout: '5m0s',
        wait: true,
      },
      status: {
        observedGeneration: 1,
        lastAppliedRevision: gitRevision,
        lastAttemptedRevision: gitRevision,
        conditions: ready('ReconciliationSucceeded', `Applied revision: ${gitRevision}`),
      },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: meta('apps', 'flux-system', { generation: 3 }),
      spec: {
        interval: '5m0s',
        path: './apps/production',
        prune: true,
        dependsOn: [{ name: 'infrastructure' }],
        sourceRef: { kind: 'GitRepository', name: 'platform-config' },
        targetNamespace: undefined,
      },
      status: {
        observedGeneration: 3,
        lastAppliedRevision: 'main@sha1:0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c',
        lastAttemptedRevision: gitRevision,
        conditions: ready(
          'BuildFailed',
          "kustomize build failed: accumulating resources from 'orders': evalsymlink failure on '/tmp/kustomization-1/apps/production/orders': no such file or directory",
          'False',
          3,
        ),
      },
    },
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: meta('redis', 'platform', { generation: 1 }),
      spec: {
        interval: '30m0s',
        chart: {
          spec: {
            chart: 'redis',
            version: '19.6.x',
            sourceRef: { kind: 'HelmRepository', name: 'bitnami', namespace: 'flux-system' },
          },
        },
        values: { architecture: 'standalone', auth: { enabled: true, password: 'changeme-redis-7f3a' } },
      },
      status: {
        observedGeneration: 1,
        lastAttemptedRevision: '19.6.4',
        conditions: [
          ...ready('UpgradeSucceeded', 'Helm upgrade succeeded for release platform/redis.v3 with chart redis@19.6.4'),
          {
            type: 'Released',
            status: 'True',
            reason: 'UpgradeSucceeded',
            message: 'Helm upgrade succeeded for release platform/redis.v3 with chart redis@19.6.4',
            lastTransitionTime: ago(1800),
            observedGeneration: 1,
          },
        ],
      },
    },
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: meta('kafka-ui', 'platform', { generation: 2 }),
      spec: {
        interval: '30m0s',
        suspend: true,
        chart: {
          spec: {
            chart: 'kafka-ui',
            version: '0.7.x',
            sourceRef: { kind: 'HelmRepository', name: 'bitnami', namespace: 'flux-system' },
          },
        },
      },
      status: {
        observedGeneration: 2,
        lastAttemptedRevision: '0.7.6',
        conditions: ready(
          'InstallSucceeded',
          'Helm install succeeded for release platform/kafka-ui.v1 with chart kafka-ui@0.7.6',
          'True',
          2,
        ),
      },
    },
  ].map((object) => JSON.parse(JSON.stringify(object)) as KubeObject);
}

/** The Argo CD fake's sample AppProjects and Applications, as Argo CD keeps them in the cluster it runs in. */
function argoObjects(): KubeObject[] {
  const argocd = createSampleArgoCdState();
  return [
    ...[...argocd.projects.values()].map(projectObject),
    ...[...argocd.applications.values()].map(applicationObject),
  ];
}

/** The Kafka fake's sample topics as the Topic Operator keeps them: one Ready KafkaTopic each. */
function kafkaObjects(): KubeObject[] {
  return kafkaTopicResources(createSampleKafkaState(), SANDBOX_STRIMZI).map((topic) => ({
    ...topic,
    metadata: { ...meta(topic.metadata.name, topic.metadata.namespace, {}, 60 * DAY), ...topic.metadata },
  }));
}

/** Every object of the sandbox cluster. */
export function sampleObjects(): KubeObject[] {
  counter = 0;
  const payments = service({
    team: 'payments',
    name: 'payments-api',
    image: 'ghcr.io/acme/payments-api:1.4.2',
    replicas: 3,
    ready: 3,
    hash: '7d9f8c6b5d',
    pods: [
      { suffix: 'x2k4p', node: NODES[0]!, ready: true, restarts: 0, ip: '10.0.1.101' },
      { suffix: 'q8m3n', node: NODES[1]!, ready: true, restarts: 0, ip: '10.0.2.57' },
      { suffix: 'z7v9c', node: NODES[0]!, ready: true, restarts: 1, ip: '10.0.1.118' },
    ],
  });
  const orders = service({
    team: 'orders',
    name: 'orders-api',
    image: 'ghcr.io/acme/orders-api:2.1.0',
    replicas: 2,
    ready: 1,
    hash: '5c8b7f9d64',
    pods: [
      { suffix: 'h6t2w', node: NODES[1]!, ready: true, restarts: 0, ip: '10.0.2.88' },
      { suffix: 'r4j8s', node: NODES[0]!, ready: false, restarts: 14, ip: '10.0.1.140' },
    ],
  });
  const nodes: KubeObject[] = NODES.map((name, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(name, undefined, {
      labels: {
        'kubernetes.io/hostname': name,
        'node.kubernetes.io/instance-type': 't3a.large',
        'topology.kubernetes.io/zone': i === 0 ? 'us-west-2a' : 'us-west-2b',
        'karpenter.sh/nodepool': 'workloads',
      },
    }),
    spec: { providerID: `aws:///us-west-2${i === 0 ? 'a' : 'b'}/i-0${i}a1b2c3d4e5f6789` },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      capacity: { cpu: '2', memory: '8Gi', pods: '35' },
      allocatable: { cpu: '1930m', memory: '7Gi', pods: '35' },
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7.27',
        kernelVersion: '6.1.134',
        kubeProxyVersion: 'v1.32.4',
        kubeletVersion: 'v1.32.4',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023',
        systemUUID: '',
      },
    },
  }));
  const podOf = (objects: KubeObject[], index: number) => objects.filter((o) => o.kind === 'Pod')[index]!;
  const crashing = podOf(orders, 1);
  const ordersDeployment = orders[0]!;
  const events = [
    event(
      'orders',
      { kind: 'Pod', name: crashing.metadata.name, apiVersion: 'v1', uid: crashing.metadata.uid! },
      'Warning',
      'BackOff',
      'Back-off restarting failed container api in pod ' +
        crashing.metadata.name +
        '_orders(' +
        crashing.metadata.uid +
        ')',
      { count: 58, age: 45 },
    ),
    event(
      'orders',
      { kind: 'Pod', name: crashing.metadata.name, apiVersion: 'v1', uid: crashing.metadata.uid! },
      'Normal',
      'Pulled',
      'Container image "ghcr.io/acme/orders-api:2.1.0" already present on machine',
      { count: 15, age: 400 },
    ),
    event(
      'orders',
      { kind: 'Deployment', name: 'orders-api', apiVersion: 'apps/v1', uid: ordersDeployment.metadata.uid! },
      'Normal',
      'ScalingReplicaSet',
      'Scaled up replica set orders-api-5c8b7f9d64 to 2',
      { age: 2 * DAY, component: 'deployment-controller' },
    ),
    event(
      'payments',
      { kind: 'Deployment', name: 'payments-api', apiVersion: 'apps/v1', uid: payments[0]!.metadata.uid! },
      'Normal',
      'ScalingReplicaSet',
      'Scaled up replica set payments-api-7d9f8c6b5d to 3',
      { age: 2 * DAY, component: 'deployment-controller' },
    ),
  ];
  const flux = fluxObjects();
  const fluxEvent = (
    kind: string,
    name: string,
    apiVersion: string,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
    age: number,
  ) => {
    const target = flux.find((o) => o.kind === kind && o.metadata.name === name)!;
    return event(
      target.metadata.namespace!,
      { kind, name, apiVersion, uid: target.metadata.uid! },
      type,
      reason,
      message,
      { component, age, count: type === 'Warning' ? 12 : 1 },
    );
  };
  events.push(
    fluxEvent(
      'Kustomization',
      'apps',
      'kustomize.toolkit.fluxcd.io/v1',
      'Warning',
      'BuildFailed',
      "kustomize build failed: accumulating resources from 'orders': evalsymlink failure on '/tmp/kustomization-1/apps/production/orders': no such file or directory",
      'kustomize-controller',
      60,
    ),
    fluxEvent(
      'Kustomization',
      'apps',
      'kustomize.toolkit.fluxcd.io/v1',
      'Normal',
      'ReconciliationSucceeded',
      'Reconciliation finished in 2.1s, next run in 5m0s',
      'kustomize-controller',
      DAY,
    ),
    fluxEvent(
      'OCIRepository',
      'payments-manifests',
      'source.toolkit.fluxcd.io/v1',
      'Warning',
      'OCIArtifactPullFailed',
      "failed to pull artifact from 'oci://ghcr.io/acme/manifests/payments': GET https://ghcr.io/token: UNAUTHORIZED: authentication required",
      'source-controller',
      120,
    ),
  );
  const clusterRoles: KubeObject[] = ['view', 'edit', 'admin'].map((name) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta(name, undefined, { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }),
    rules: [
      {
        apiGroups: ['', 'apps'],
        resources: ['pods', 'deployments', 'services'],
        verbs: name === 'view' ? ['get', 'list', 'watch'] : ['*'],
      },
    ],
  }));
  const serviceAccounts: KubeObject[] = [
    'default',
    'kube-system',
    'payments',
    'orders',
    'platform',
    'flux-system',
    'argocd',
    'kafka',
  ].map((ns) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns) }));
  return [
    namespace('default'),
    namespace('kube-system'),
    namespace('payments', { team: 'payments' }),
    namespace('orders', { team: 'orders' }),
    namespace('platform', { team: 'platform' }),
    namespace('flux-system', { 'app.kubernetes.io/part-of': 'flux' }),
    namespace('argocd'),
    namespace('kafka', { team: 'platform' }),
    ...serviceAccounts,
    ...nodes,
    ...clusterRoles,
    ...payments,
    ...orders,
    ...teamGuardrails('payments', '4', '8Gi'),
    ...teamGuardrails('orders', '8', '16Gi'),
    ...events,
    ...flux,
    ...argoObjects(),
    ...kafkaObjects(),
  ];
}

/** Container logs of the sample pods, by `namespace/pod/container`. */
export function sampleLogs(objects: KubeObject[]): Map<string, LogLine[]> {
  const logs = new Map<string, LogLine[]>();
  for (const pod of objects.filter((o) => o.kind === 'Pod')) {
    const ns = pod.metadata.namespace!;
    const lines: LogLine[] = [];
    const crashing =
      (pod.status as { containerStatuses?: Array<{ ready: boolean }> }).containerStatuses?.[0]?.ready === false;
    const service = pod.metadata.labels?.app ?? 'app';
    for (let i = 0; i < 60; i++) {
      const seconds = 3600 - i * 55;
      const path = i % 3 === 0 ? '/healthz' : `/v1/${service.split('-')[0]}/${1000 + i}`;
      lines.push({
        time: ago(seconds),
        text: JSON.stringify({
          level: 'info',
          ts: ago(seconds),
          msg: 'request completed',
          method: 'GET',
          path,
          status: 200,
          duration_ms: 3 + (i % 17),
        }),
      });
    }
    if (crashing) {
      lines.push(
        {
          time: ago(30),
          text: JSON.stringify({ level: 'info', ts: ago(30), msg: 'starting orders-api', version: '2.1.0' }),
        },
        {
          time: ago(29),
          text: JSON.stringify({
            level: 'error',
            ts: ago(29),
            msg: 'cannot connect to kafka bootstrap events-kafka-bootstrap.kafka:9092: connection refused',
          }),
        },
        { time: ago(29), text: 'panic: kafka producer: no brokers available' },
        { time: ago(29), text: 'goroutine 1 [running]:' },
        { time: ago(29), text: 'main.main()' },
        { time: ago(29), text: '\t/src/cmd/orders-api/main.go:48 +0x1c5' },
      );
    }
    logs.set(`${ns}/${pod.metadata.name}/api`, lines);
  }
  return logs;
}
