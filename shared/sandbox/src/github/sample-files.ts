// The files, CI logs and manifests of the sample world (see sample-data.ts for who did what when).
// Coherent with the Argo CD fake: acme/gitops holds apps/<service>/base and apps/<service>/overlays/<env>, images
// are registry.acme.example/<service>:<tag>, clusters are dev and prod.

// SHA-pinned actions, as the platform's cicd policy requires (the comment names the release).
const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';
const SETUP_NODE = 'actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af # v4.1.0';
const DOCKER_LOGIN = 'docker/login-action@9780b0c442fbb1117ed29e0efdff1e18412f7567 # v3.3.0';
const BUILD_PUSH = 'docker/build-push-action@4f58ea79222b3b9dc2c8bbdd6debcef730109a75 # v6.9.0';
const NODE_IMAGE = 'node:22.11-alpine@sha256:b64ced2e7cd0a4816699fe308ce6e8a08ccba463c757c00c14cd372e3d2c763e';

function logLine(second: number, text: string): string {
  return `2025-03-04T10:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.${String(1234567 + second * 7919).slice(0, 7)}Z ${text}`;
}

function setupLines(branch: string): string[] {
  return [
    '##[group]Runner Image',
    'Image: ubuntu-24.04',
    'Version: 20250223.1.0',
    '##[endgroup]',
    `##[group]Run ${CHECKOUT.split(' ')[0]}`,
    'with:',
    '  repository: acme/payments-api',
    `  ref: ${branch}`,
    '##[endgroup]',
    'Syncing repository: acme/payments-api',
    `##[group]Run ${SETUP_NODE.split(' ')[0]}`,
    'Found in cache @ /opt/hostedtoolcache/node/22.11.0/x64',
    '##[endgroup]',
    '##[group]Run npm ci',
    'added 412 packages, and audited 413 packages in 9s',
    '87 packages are looking for funding',
    'found 0 vulnerabilities',
    '##[endgroup]',
  ];
}

export function buildLog(branch: string): string {
  const lines = [
    ...setupLines(branch),
    '##[group]Run npm run typecheck',
    '> payments-api@1.4.2 typecheck',
    '> tsc --noEmit',
    '##[endgroup]',
    'Cleaning up orphan processes',
  ];
  return `${lines.map((l, i) => logLine(i, l)).join('\n')}\n`;
}

export function testLog(branch: string): string {
  const lines = [
    ...setupLines(branch),
    '##[group]Run npm test',
    '> vitest run',
    ' ✓ src/routes/payments.test.ts (14 tests) 212ms',
    ' ✓ src/routes/refunds.test.ts (6 tests) 95ms',
    ' Test Files  2 passed (2)',
    '      Tests  20 passed (20)',
    '##[endgroup]',
    'Cleaning up orphan processes',
  ];
  return `${lines.map((l, i) => logLine(i, l)).join('\n')}\n`;
}

/** A long log whose failure is near the end, as real ones are: tools must find it without reading it all. */
export function failedTestLog(branch: string): string {
  const lines = [...setupLines(branch), '##[group]Run npm test', '> vitest run'];
  for (let i = 1; i <= 240; i++) {
    lines.push(
      ` ✓ src/routes/payments.test.ts > POST /payments > case ${i}: accepts ${i % 2 ? 'visa' : 'mastercard'} amount ${i * 125} ${i % 3 ? 'EUR' : 'USD'}`,
    );
  }
  lines.push(
    ' ❯ src/idempotency.test.ts (3 tests | 1 failed) 41ms',
    '   × returns the first result for a repeated Idempotency-Key 12ms',
    '',
    '⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯',
    '',
    ' FAIL  src/idempotency.test.ts > returns the first result for a repeated Idempotency-Key',
    "AssertionError: expected 'pay_7Hk2' to be 'pay_3xQ9' // Object.is equality",
    '',
    '- Expected',
    '+ Received',
    '',
    '- pay_3xQ9',
    '+ pay_7Hk2',
    '',
    ' ❯ src/idempotency.test.ts:27:35',
    '     25|     const first = await post(app, body, { key: "k-1" });',
    '     26|     const second = await post(app, body, { key: "k-1" });',
    '     27|     expect(second.json().id).toBe(first.json().id);',
    '       |                                   ^',
    '',
    ' Test Files  1 failed | 2 passed (3)',
    '      Tests  1 failed | 259 passed (260)',
    '##[error]Process completed with exit code 1.',
    '##[endgroup]',
    'Cleaning up orphan processes',
  );
  return `${lines.map((l, i) => logLine(i, l)).join('\n')}\n`;
}

/** A CI job that checks out, installs with npm and runs one command. */
function nodeJob(name: string, command: string): string {
  return `  ${name}:
    runs-on: ubuntu-24.04
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - uses: ${SETUP_NODE}
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - run: ${command}
`;
}

function ciWorkflow(service: string): string {
  return `name: CI

on:
  push:
    branches: [main]
    tags: ['v*']
  pull_request:

permissions:
  contents: read

jobs:
${nodeJob('build', 'npm run typecheck')}
${nodeJob('test', 'npm test')}
  image:
    if: startsWith(github.ref, 'refs/tags/v')
    needs: [build, test]
    runs-on: ubuntu-24.04
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - uses: ${DOCKER_LOGIN}
        with:
          registry: registry.acme.example
          username: \${{ vars.REGISTRY_USER }}
          password: \${{ secrets.REGISTRY_TOKEN }}
      - uses: ${BUILD_PUSH}
        with:
          push: true
          tags: registry.acme.example/${service}:\${{ github.ref_name }}
`;
}

function dockerfile(): string {
  return `FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
CMD ["node", "dist/server.js"]
`;
}

const REGISTRY = 'registry.acme.example';
const CLUSTERS = { dev: 'https://dev.k8s.acme.internal', prod: 'https://prod.k8s.acme.internal' } as const;

/** A hardened Deployment: non-root, read-only root filesystem, probes and resources, as the platform's policies ask. */
function deployment(service: string, image: string, team?: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${service}
  labels:
    app.kubernetes.io/name: ${service}
    app.kubernetes.io/part-of: ${service}
${team ? `    owner: ${team}\n    team: ${team}\n` : ''}spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: ${service}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${service}
        app.kubernetes.io/part-of: ${service}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: ${image}
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: ${service}-config
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: 500m
              memory: 512Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`;
}

function service(name: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;
}

function configMap(name: string, data: Record<string, string>): string {
  const entries = Object.entries(data).map(([key, value]) => `  ${key}: "${value}"`);
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
data:
${entries.join('\n')}
`;
}

/** An environment's overlay of a service: namespace, replica count, image tag, and optional patches. */
export function overlay(service: string, namespace: string, replicas: number, tag: string, patches = ''): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${namespace}
resources:
  - ../../base
replicas:
  - name: ${service}
    count: ${replicas}
images:
  - name: ${REGISTRY}/${service}
    newTag: ${tag}
${patches}`;
}

/** Raises the app container's memory limit: the fix for orders-api's CrashLoopBackOff (OOMKilled) in dev. */
export const ORDERS_MEMORY_PATCH = `patches:
  - target:
      kind: Deployment
      name: orders-api
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/resources/limits/memory
        value: 1Gi
`;

function argoApplication(
  service: string,
  env: keyof typeof CLUSTERS,
  project: string,
  namespace: string,
  syncPolicy: string,
): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${service}-${env}
  namespace: argocd
  labels:
    team: ${project}
    env: ${env}
    app.kubernetes.io/name: ${service}
spec:
  project: ${project}
  source:
    repoURL: https://github.com/acme/gitops.git
    targetRevision: main
    path: apps/${service}/overlays/${env}
  destination:
    server: ${CLUSTERS[env]}
    namespace: ${namespace}
  syncPolicy:
${syncPolicy}`;
}

function appProject(name: string, description: string, destinations: [string, string][]): string {
  const lines = destinations.map(([server, namespace]) => `    - server: ${server}\n      namespace: ${namespace}`);
  return `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: ${name}
  namespace: argocd
spec:
  description: ${description}
  sourceRepos:
    - ${name === 'platform' ? "'*'" : 'https://github.com/acme/gitops.git'}
  destinations:
${lines.join('\n')}
`;
}

/** acme/gitops as first committed: payments-api in dev and prod at v1.4.1, orders-api in dev at v0.8.3. */
export function gitopsFiles(): Record<string, string> {
  return {
    'README.md': `# gitops

Desired state of every Acme environment. Argo CD (projects \`payments\`, \`orders\`, \`platform\`) watches
this repository and deploys to the \`dev\` and \`prod\` clusters.

- \`apps/<service>/base/\`: the service's Deployment, Service and ConfigMap
- \`apps/<service>/overlays/<env>/\`: the environment's namespace, replicas and image tag
- \`argocd/applications/\`: one Argo CD Application per service and environment
- \`argocd/projects/\`: one AppProject per team

Changes land by pull request; \`validate-manifests\` must pass (\`policy-check\` runs the platform policies).
Promotion is a pull request that changes \`newTag\` in the environment's overlay. Prod syncs manually.
`,
    'apps/payments-api/base/kustomization.yaml': BASE_KUSTOMIZATION,
    'apps/payments-api/base/deployment.yaml': deployment('payments-api', `${REGISTRY}/payments-api`),
    'apps/payments-api/base/service.yaml': service('payments-api'),
    'apps/payments-api/base/configmap.yaml': configMap('payments-api', {
      LOG_LEVEL: 'info',
      ACQUIRER_TIMEOUT_MS: '3000',
    }),
    'apps/payments-api/overlays/dev/kustomization.yaml': overlay('payments-api', 'payments-dev', 1, 'v1.4.1'),
    'apps/payments-api/overlays/prod/kustomization.yaml': overlay('payments-api', 'payments', 3, 'v1.4.1'),
    'apps/orders-api/base/kustomization.yaml': BASE_KUSTOMIZATION,
    'apps/orders-api/base/deployment.yaml': deployment('orders-api', `${REGISTRY}/orders-api`),
    'apps/orders-api/base/service.yaml': service('orders-api'),
    'apps/orders-api/base/configmap.yaml': configMap('orders-api', { LOG_LEVEL: 'info' }),
    'apps/orders-api/overlays/dev/kustomization.yaml': overlay('orders-api', 'orders-dev', 2, 'v0.8.3'),
    'argocd/applications/payments-api-dev.yaml': argoApplication(
      'payments-api',
      'dev',
      'payments',
      'payments-dev',
      '    automated:\n      prune: true\n      selfHeal: true\n    syncOptions:\n      - CreateNamespace=true\n',
    ),
    'argocd/applications/payments-api-prod.yaml': argoApplication(
      'payments-api',
      'prod',
      'payments',
      'payments',
      '    syncOptions:\n      - CreateNamespace=false\n      - PruneLast=true\n',
    ),
    'argocd/applications/orders-api-dev.yaml': argoApplication(
      'orders-api',
      'dev',
      'orders',
      'orders-dev',
      '    automated:\n      prune: false\n      selfHeal: true\n',
    ),
    'argocd/projects/payments.yaml': appProject('payments', 'Team payments: payments-api in dev and prod', [
      [CLUSTERS.dev, 'payments-dev'],
      [CLUSTERS.prod, 'payments'],
    ]),
    'argocd/projects/orders.yaml': appProject('orders', 'Team orders: orders-api', [
      [CLUSTERS.dev, 'orders-dev'],
      [CLUSTERS.prod, 'orders'],
    ]),
    'argocd/projects/platform.yaml': appProject('platform', 'Platform add-ons managed by the platform team', [
      ['"*"', '"*"'],
    ]),
  };
}

const BASE_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
  - configmap.yaml
`;

/**
 * The golden-path template (acme/service-template): a working Node.js service with no dependencies, its own tests,
 * a Dockerfile and liveness (/healthz) and readiness (/readyz) probes. `.idp/template.yaml` declares every
 * `{{parameter}}` its files use; the platform fills them (and refuses a file that uses an undeclared one). One
 * image, `{{image}}` (= `{{image_name}}:v0.1.0`, the first release tag), is what the manifests deploy and what CI
 * pushes when that tag is made.
 */
export function serviceTemplateFiles(): Record<string, string> {
  return {
    '.idp/template.yaml': `# The parameters this template's files use as placeholders; the platform fills them when it creates a service.
parameters:
  - name: service_name
    type: string
    required: true
    description: Service name (DNS label); also the repository name
  - name: description
    type: string
    required: true
    description: What the service does, in one line
  - name: team
    type: string
    required: true
    description: Owning team
  - name: port
    type: integer
    default: 8080
    description: Port the service listens on
  - name: registry_host
    type: string
    required: true
    description: Container registry host CI logs in to, e.g. ghcr.io
  - name: image_name
    type: string
    required: true
    description: Image repository CI pushes to, e.g. ghcr.io/acme/order-api
  - name: image
    type: string
    required: true
    description: Image the manifests deploy, e.g. ghcr.io/acme/order-api:v0.1.0
`,
    'README.md': `# {{service_name}}

{{description}}

Owned by **{{team}}**. Created from the Acme golden path (\`acme/service-template\`).

## Run locally

\`\`\`sh
npm start      # http://localhost:{{port}}/healthz and /readyz
npm test
\`\`\`

## Deploy

Tagging a release \`vX.Y.Z\` builds and pushes \`{{image_name}}:vX.Y.Z\`; the first deployment runs \`{{image}}\`.
Deploy and promote by pull request to \`acme/gitops\` (\`apps/{{service_name}}/<env>/\`).
`,
    Dockerfile: `FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT={{port}}
WORKDIR /app
COPY package.json ./
COPY src ./src
USER node
EXPOSE {{port}}
CMD ["node", "src/server.js"]
`,
    '.dockerignore': 'node_modules\n.git\ntest\n',
    '.github/workflows/ci.yml': templateWorkflow(),
    // What the platform's default policies allow (the golden path commits it through the policy gate).
    'k8s/deployment.yaml': templateDeployment(),
    'k8s/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{service_name}}
  labels:
    app.kubernetes.io/name: {{service_name}}
    owner: {{team}}
    team: {{team}}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {{service_name}}
  ports:
    - name: http
      port: 80
      targetPort: http
`,
    'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {{service_name}}
  description: {{description}}
  annotations:
    github.com/project-slug: acme/{{service_name}}
    argocd/app-selector: app.kubernetes.io/name={{service_name}}
spec:
  type: service
  lifecycle: experimental
  owner: {{team}}
`,
    'package.json': `{
  "name": "{{service_name}}",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "engines": { "node": ">=22" },
  "scripts": {
    "start": "node src/server.js",
    "test": "node --test"
  }
}
`,
    'src/app.js': `import { createServer } from 'node:http';

/** The service: /healthz answers while the process runs, /readyz while it accepts traffic. */
export function createApp() {
  let ready = false;
  const server = createServer((req, res) => {
    if (req.url === '/healthz') return res.writeHead(200).end('ok');
    if (req.url === '/readyz') return res.writeHead(ready ? 200 : 503).end(ready ? 'ready' : 'not ready');
    res.writeHead(404).end();
  });
  server.on('listening', () => {
    ready = true;
  });
  server.on('close', () => {
    ready = false;
  });
  return server;
}
`,
    'src/server.js': `import { createApp } from './app.js';

const server = createApp();
server.listen(Number(process.env.PORT ?? {{port}}), () => {
  console.log(\`{{service_name}} listening on \${server.address().port}\`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
    'test/app.test.js': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../src/app.js';

test('answers /healthz and /readyz once listening, 404 otherwise', async () => {
  const server = createApp();
  await new Promise((resolve) => server.listen(0, resolve));
  const url = \`http://127.0.0.1:\${server.address().port}\`;
  try {
    assert.equal((await fetch(\`\${url}/healthz\`)).status, 200);
    assert.equal((await fetch(\`\${url}/readyz\`)).status, 200);
    assert.equal((await fetch(\`\${url}/other\`)).status, 404);
  } finally {
    server.close();
  }
});
`,
  };
}

/** The template's CI: its tests on every push and pull request; on a release tag, the image {{image_name}}:<tag>. */
function templateWorkflow(): string {
  return `name: CI

on:
  push:
    branches: [main]
    tags: ['v*']
  pull_request:

permissions:
  contents: read

jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - uses: ${SETUP_NODE}
        with:
          node-version: 22
      - run: npm test
  image:
    if: startsWith(github.ref, 'refs/tags/v')
    needs: [test]
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    permissions:
      contents: read
      packages: write
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - uses: ${DOCKER_LOGIN}
        with:
          registry: {{registry_host}}
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - uses: ${BUILD_PUSH}
        with:
          push: true
          tags: {{image_name}}:\${{ github.ref_name }}
`;
}

/** The template's Deployment: hardened as the kubernetes policies require, probed on /healthz and /readyz. */
function templateDeployment(): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{service_name}}
  labels:
    app.kubernetes.io/name: {{service_name}}
    app.kubernetes.io/part-of: {{team}}
    owner: {{team}}
    team: {{team}}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {{service_name}}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{service_name}}
        app.kubernetes.io/part-of: {{team}}
        owner: {{team}}
        team: {{team}}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {{service_name}}
          image: {{image}}
          env:
            - name: PORT
              value: "{{port}}"
          ports:
            - name: http
              containerPort: {{port}}
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          securityContext:
            runAsNonRoot: true
            privileged: false
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`;
}

export const CONFIG_TS = `export const config = {
  acquirer: {
    baseUrl: process.env.ACQUIRER_URL ?? 'https://acquirer.internal.acme.example',
    timeoutMs: 5_000,
  },
  database: { url: process.env.DATABASE_URL ?? 'postgres://localhost:5432/payments' },
};
`;

export const PAYMENTS_ROUTE_TS = `import type { FastifyInstance } from 'fastify';
import { authorise } from '../acquirer.ts';
// idempotency

export async function paymentRoutes(app: FastifyInstance) {
  app.post('/payments', async (request, reply) => {
    const payment = await authorise(request.body as { amount: number; currency: string; card: string });
    return reply.code(201).send(payment);
  });

  app.get('/payments/:id', async (request) => {
    return app.db.payments.find((request.params as { id: string }).id);
  });
}
`;

export const REFUNDS_TS = `import type { FastifyInstance } from 'fastify';

export async function refundRoutes(app: FastifyInstance) {
  app.post('/refunds', async (request, reply) => {
    const { paymentId, amount } = request.body as { paymentId: string; amount: number };
    const payment = await app.db.payments.find(paymentId);
    const capture = payment.captures.find((c: { amount: number }) => c.amount >= amount);
    return reply.code(201).send(await app.acquirer.refund(capture.id, amount));
  });
}
`;

export const IDEMPOTENCY_TS = `const seen = new Map<string, unknown>();

/** Runs \`create\` once per idempotency key; a repeated key returns the first result. */
export async function withIdempotencyKey<T>(key: string | undefined, create: () => Promise<T>): Promise<T> {
  if (!key) return create();
  if (seen.has(key)) return seen.get(key) as T;
  const result = await create();
  seen.set(key, result);
  return result;
}
`;

export const PAYMENTS_PACKAGE_JSON = `{
  "name": "payments-api",
  "version": "1.4.2",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "tsc -p tsconfig.json",
    "typecheck": "tsc --noEmit",
    "test": "vitest run"
  },
  "dependencies": {
    "fastify": "^5.2.1",
    "pg": "^8.13.3"
  },
  "devDependencies": {
    "typescript": "^5.7.3",
    "vitest": "^3.0.7"
  }
}
`;

export function paymentsFiles(): Record<string, string> {
  return {
    'README.md': `# payments-api

Authorises, captures and refunds card payments for Acme checkout.

| | |
| --- | --- |
| Owner | payments |
| On-call | PagerDuty: Payments |
| Dashboards | Grafana: Payments / API |
| Runbook | acme/platform-docs: docs/runbooks/payments-api.md |

## Endpoints

- \`POST /payments\`: authorise a payment
- \`GET /payments/:id\`
- \`POST /refunds\`

## Development

\`\`\`sh
npm ci
npm test
\`\`\`
`,
    Dockerfile: dockerfile(),
    '.github/workflows/ci.yml': ciWorkflow('payments-api'),
    'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: Authorises, captures and refunds card payments
  annotations:
    github.com/project-slug: acme/payments-api
    argocd/app-selector: app.kubernetes.io/name=payments-api
    pagerduty.com/service-id: PX7K2QL
spec:
  type: service
  lifecycle: production
  owner: payments
  system: checkout
`,
    'package.json': PAYMENTS_PACKAGE_JSON.replace('"version": "1.4.2"', '"version": "1.4.1"'),
    'src/server.ts': `import Fastify from 'fastify';
import { paymentRoutes } from './routes/payments.ts';

const app = Fastify({ logger: true });
app.get('/healthz', async () => ({ status: 'ok' }));
await app.register(paymentRoutes);
await app.listen({ port: Number(process.env.PORT ?? 8080), host: '0.0.0.0' });
`,
    'src/config.ts': CONFIG_TS,
    'src/acquirer.ts': `import { config } from './config.ts';

export async function authorise(payment: { amount: number; currency: string; card: string }) {
  const response = await fetch(\`\${config.acquirer.baseUrl}/v2/authorisations\`, {
    method: 'POST',
    body: JSON.stringify(payment),
    signal: AbortSignal.timeout(config.acquirer.timeoutMs),
  });
  if (!response.ok) throw new Error(\`acquirer answered \${response.status}\`);
  return response.json();
}
`,
    'src/routes/payments.ts': PAYMENTS_ROUTE_TS,
  };
}

export function platformDocsFiles(): Record<string, string> {
  return {
    'README.md':
      '# platform-docs\n\nThe Acme internal developer platform, explained. Start with `docs/golden-path.md`.\n',
    'mkdocs.yml':
      'site_name: Acme Platform\nnav:\n  - Golden path: golden-path.md\n  - Onboarding: onboarding.md\n  - Runbooks:\n      - payments-api: runbooks/payments-api.md\n',
    'docs/golden-path.md': `# The golden path

1. Create the service from \`acme/service-template\` (the platform's \`create_service\` tool does this).
2. The template brings CI with SHA-pinned actions, a hardened Dockerfile, Kubernetes manifests and a Backstage entry.
3. Add it to \`acme/gitops\` (\`apps/<service>/base\` and \`overlays/<env>\`, one Argo CD Application per env).
4. Promote between environments by pull request to \`acme/gitops\`.
`,
    'docs/onboarding.md':
      '# Onboarding\n\n- Ask in #platform-help for access to the `acme` org.\n- Install the platform MCP server in your editor.\n',
    'docs/runbooks/payments-api.md': `# Runbook: payments-api

## High error rate on POST /payments
1. Check the acquirer status page.
2. Check Argo CD app \`payments-api-prod\` for a recent sync (prod syncs manually).
3. Roll back: sync \`payments-api-prod\` to the previous revision, then revert the promotion PR in \`acme/gitops\`.
`,
  };
}
