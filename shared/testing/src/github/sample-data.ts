// The sample world a new user meets in the sandbox and the tests build on: org `acme`, users `alice` and `bob`,
// a TypeScript service with CI history, the GitOps repository, the golden-path template and the platform docs.
import { createEmptyGitHubState, type GitHubState } from './state.ts';

/** Accepted by the sample data as alice: the no-credentials sandbox uses it. */
export const SANDBOX_TOKEN = 'sandbox-token';

export const SAMPLE_TOKENS = { alice: 'alice-token', bob: 'bob-token', sandbox: SANDBOX_TOKEN } as const;

// SHA-pinned actions, as the platform's cicd policy requires (the comment names the release).
const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';
const SETUP_NODE = 'actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af # v4.1.0';
const DOCKER_LOGIN = 'docker/login-action@9780b0c442fbb1117ed29e0efdff1e18412f7567 # v3.3.0';
const BUILD_PUSH = 'docker/build-push-action@4f58ea79222b3b9dc2c8bbdd6debcef730109a75 # v6.9.0';
const NODE_IMAGE = 'node:22.11-alpine@sha256:b64ced2e7cd0a4816699fe308ce6e8a08ccba463c757c00c14cd372e3d2c763e';

export function createSampleGitHubState(): GitHubState {
  const state = createEmptyGitHubState();
  let now = Date.parse('2025-03-03T09:00:00Z');
  state.clock = () => new Date(now);
  /** Moves the sample world's clock forward so timestamps and orderings are realistic and stable. */
  const later = (hours: number) => {
    now += hours * 3_600_000;
  };

  state.addOrg('acme', { name: 'Acme Corp', createdAt: '2019-06-12T08:30:00Z' });
  state.addUser('alice', {
    name: 'Alice Chen',
    email: 'alice@acme.example',
    company: '@acme',
    createdAt: '2017-02-01T10:00:00Z',
  });
  state.addUser('bob', {
    name: 'Bob Okafor',
    email: 'bob@acme.example',
    company: '@acme',
    createdAt: '2018-09-14T16:20:00Z',
  });
  state.addToken(SAMPLE_TOKENS.alice, 'alice');
  state.addToken(SAMPLE_TOKENS.bob, 'bob');
  state.addToken(SANDBOX_TOKEN, 'alice');

  const template = state.createRepo('acme/service-template', {
    description:
      'Golden path: a production-ready service skeleton (Dockerfile, CI, Kubernetes manifests, catalog entry)',
    isTemplate: true,
    language: 'TypeScript',
    topics: ['golden-path', 'template', 'typescript'],
    files: serviceTemplateFiles(),
    author: 'alice',
    createdAt: '2024-11-04T10:00:00Z',
  });
  template.requiredChecks.set('main', ['build', 'test']);

  later(24);
  const payments = state.createRepo('acme/payments-api', {
    description: 'Payments service: authorises, captures and refunds card payments',
    language: 'TypeScript',
    topics: ['payments', 'service', 'team-payments'],
    files: paymentsFiles(),
    author: 'bob',
    createdAt: '2025-01-20T14:00:00Z',
  });
  payments.requiredChecks.set('main', ['build', 'test']);
  later(2);
  payments.commit('main', { 'src/routes/refunds.ts': REFUNDS_TS }, 'Add refunds endpoint', 'bob');
  payments.addWorkflowRun(ciRun('main', 'success'));
  later(20);
  payments.commit(
    'main',
    { 'src/config.ts': CONFIG_TS.replace('timeoutMs: 5_000', 'timeoutMs: 3_000') },
    'Lower acquirer timeout to 3s',
    'alice',
  );
  payments.addWorkflowRun(ciRun('main', 'success'));

  later(1);
  payments.openIssue({
    title: 'Refund endpoint returns 500 for partially captured payments',
    body: "POST /refunds with an amount below the captured total fails with `TypeError: Cannot read properties of undefined (reading 'id')`.\n\nSeen in prod on 2025-03-04, ~40 requests.",
    user: 'alice',
    labels: ['bug', 'p1'],
    assignees: ['bob'],
  });
  payments.openIssue({
    title: 'Support Idempotency-Key on POST /payments',
    body: 'Retries from the checkout service create duplicate payments. Support the `Idempotency-Key` header.',
    user: 'alice',
    labels: ['enhancement'],
  });

  later(3);
  payments.createBranch('feature/idempotency-keys');
  payments.commit(
    'feature/idempotency-keys',
    {
      'src/idempotency.ts': IDEMPOTENCY_TS,
      'src/routes/payments.ts': PAYMENTS_ROUTE_TS.replace(
        '// idempotency',
        "import { withIdempotencyKey } from '../idempotency.ts';",
      ),
    },
    'Add idempotency keys to POST /payments',
    'bob',
  );
  payments.addWorkflowRun({ ...ciRun('feature/idempotency-keys', 'failure'), event: 'pull_request', actor: 'bob' });
  const idempotencyPr = payments.openPullRequest({
    title: 'Add idempotency keys to POST /payments',
    head: 'feature/idempotency-keys',
    body: 'Clients may retry `POST /payments` safely: a repeated `Idempotency-Key` returns the first result.\n\nCloses #2',
    user: 'bob',
    labels: ['enhancement'],
  });
  payments.addComment(idempotencyPr, 'The `test` job fails on the duplicate-key case; looking into it.', 'bob');

  later(2);
  const gitops = state.createRepo('acme/gitops', {
    description: 'Desired state of every environment: Argo CD applications and Kubernetes manifests per service',
    topics: ['gitops', 'argocd', 'kubernetes'],
    language: null,
    files: gitopsFiles(),
    author: 'alice',
    createdAt: '2024-10-01T09:00:00Z',
  });
  gitops.requiredChecks.set('main', ['validate-manifests']);
  later(1);
  gitops.createBranch('promote/payments-api-1.8.0-staging');
  gitops.commit(
    'promote/payments-api-1.8.0-staging',
    {
      'apps/payments-api/staging/kustomization.yaml': kustomization('payments-api', 'staging', '1.8.0'),
    },
    'payments-api: promote 1.8.0 to staging',
    'alice',
  );
  gitops.addCheckRun('promote/payments-api-1.8.0-staging', {
    name: 'validate-manifests',
    conclusion: 'success',
    title: '12 manifests valid',
  });
  gitops.addCheckRun('promote/payments-api-1.8.0-staging', {
    name: 'policy-check',
    conclusion: 'success',
    title: 'No policy violations',
  });
  gitops.addStatus('promote/payments-api-1.8.0-staging', {
    context: 'argocd/diff-preview',
    state: 'success',
    description: 'Diff rendered: 1 resource changes',
  });
  gitops.openPullRequest({
    title: 'payments-api: promote 1.8.0 to staging',
    head: 'promote/payments-api-1.8.0-staging',
    body: 'Promotes `payments-api` image `1.8.0` to **staging**.\n\n- image: ghcr.io/acme/payments-api:1.8.0\n- previous: 1.7.2',
    user: 'alice',
    labels: ['promotion'],
  });
  gitops.openIssue({
    title: 'orders-service staging is OutOfSync after namespace rename',
    body: 'Argo CD shows `orders-service-staging` OutOfSync since the namespace moved from `orders` to `orders-staging`.',
    user: 'bob',
    labels: ['bug'],
  });

  later(1);
  state
    .createRepo('acme/platform-docs', {
      description: 'How to use the internal developer platform: golden paths, onboarding, runbooks',
      topics: ['docs', 'platform'],
      language: null,
      files: platformDocsFiles(),
      author: 'alice',
      createdAt: '2024-09-15T12:00:00Z',
    })
    .openIssue({
      title: 'Document the service-template golden path end to end',
      body: 'From "create service" to first deploy in staging, with screenshots of the Backstage entry.',
      user: 'alice',
      labels: ['documentation'],
    });

  state.createRepo('alice/platform-experiments', {
    description: 'Scratch space for platform prototypes',
    language: 'Go',
    files: {
      'README.md': '# platform-experiments\n\nPrototypes that are not ready for the platform yet.\n',
      'main.go': 'package main\n\nfunc main() {}\n',
    },
    createdAt: '2024-12-01T18:00:00Z',
  });

  // Sample data is written at fixed times; what clients do afterwards happens now.
  state.clock = () => new Date();
  return state;
}

function ciRun(branch: string, conclusion: 'success' | 'failure') {
  return {
    name: 'CI',
    path: '.github/workflows/ci.yml',
    branch,
    actor: 'alice',
    jobs: [
      {
        name: 'build',
        conclusion: 'success' as const,
        steps: ['Set up job', 'Checkout', 'Setup Node', 'Install', 'Typecheck', 'Complete job'],
        log: buildLog(branch),
      },
      {
        name: 'test',
        conclusion,
        steps: ['Set up job', 'Checkout', 'Setup Node', 'Install', 'Test', 'Complete job'],
        log: conclusion === 'failure' ? failedTestLog(branch) : testLog(branch),
      },
    ],
  };
}

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

function buildLog(branch: string): string {
  const lines = [
    ...setupLines(branch),
    '##[group]Run npm run typecheck',
    '> payments-api@1.8.0 typecheck',
    '> tsc --noEmit',
    '##[endgroup]',
    'Cleaning up orphan processes',
  ];
  return `${lines.map((l, i) => logLine(i, l)).join('\n')}\n`;
}

function testLog(branch: string): string {
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
function failedTestLog(branch: string): string {
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

function ciWorkflow(service: string): string {
  return `name: CI

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read
  packages: write

jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: ${CHECKOUT}
      - uses: ${SETUP_NODE}
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - run: npm run typecheck

  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: ${CHECKOUT}
      - uses: ${SETUP_NODE}
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - run: npm test

  image:
    if: github.ref == 'refs/heads/main'
    needs: [build, test]
    runs-on: ubuntu-24.04
    steps:
      - uses: ${CHECKOUT}
      - uses: ${DOCKER_LOGIN}
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - uses: ${BUILD_PUSH}
        with:
          push: true
          tags: ghcr.io/acme/${service}:\${{ github.sha }}
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

function deployment(service: string, namespace: string, image: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${service}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: ${service}
    app.kubernetes.io/part-of: acme
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${service}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${service}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: ${service}
          image: ${image}
          ports:
            - containerPort: 8080
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
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`;
}

function service(name: string, namespace: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - port: 80
      targetPort: 8080
`;
}

function kustomization(name: string, env: string, tag: string): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${name.replace(/-(api|service)$/, '')}-${env}
resources:
  - deployment.yaml
  - service.yaml
images:
  - name: ghcr.io/acme/${name}
    newTag: "${tag}"
`;
}

function argoApplication(name: string, env: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}-${env}
  namespace: argocd
  labels:
    team: ${name.replace(/-(api|service)$/, '')}
    env: ${env}
spec:
  project: ${name.replace(/-(api|service)$/, '')}
  source:
    repoURL: https://github.com/acme/gitops.git
    targetRevision: main
    path: apps/${name}/${env}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name.replace(/-(api|service)$/, '')}-${env}
  syncPolicy:
${env === 'prod' ? '    syncOptions:\n      - CreateNamespace=true\n' : '    automated:\n      prune: true\n      selfHeal: true\n    syncOptions:\n      - CreateNamespace=true\n'}`;
}

function gitopsFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': `# gitops

Desired state of every Acme environment. Argo CD watches this repository.

- \`apps/<service>/<env>/\`: Kustomize overlays (Deployment, Service, image tag)
- \`argocd/applications/\`: one Argo CD Application per service and environment
- \`argocd/projects/\`: AppProjects, one per team

Changes land by pull request; \`validate-manifests\` and \`policy-check\` must pass.
Promotion = a PR that changes \`newTag\` in the environment's \`kustomization.yaml\`.
`,
  };
  const versions: Record<string, Record<string, string>> = {
    'payments-api': { dev: '1.8.0', staging: '1.7.2', prod: '1.7.2' },
    'orders-service': { dev: '2.3.1', staging: '2.3.0', prod: '2.2.4' },
  };
  for (const [name, envs] of Object.entries(versions)) {
    for (const [env, tag] of Object.entries(envs)) {
      const namespace = `${name.replace(/-(api|service)$/, '')}-${env}`;
      files[`apps/${name}/${env}/deployment.yaml`] = deployment(
        name,
        namespace,
        `ghcr.io/acme/${name}`,
        env === 'prod' ? 3 : 1,
      );
      files[`apps/${name}/${env}/service.yaml`] = service(name, namespace);
      files[`apps/${name}/${env}/kustomization.yaml`] = kustomization(name, env, tag);
      files[`argocd/applications/${name}-${env}.yaml`] = argoApplication(name, env);
    }
    const team = name.replace(/-(api|service)$/, '');
    files[`argocd/projects/${team}.yaml`] = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: ${team}
  namespace: argocd
spec:
  description: Services of team ${team}
  sourceRepos:
    - https://github.com/acme/gitops.git
  destinations:
    - server: https://kubernetes.default.svc
      namespace: ${team}-*
`;
  }
  return files;
}

function serviceTemplateFiles(): Record<string, string> {
  return {
    'README.md': `# {{service_name}}

{{description}}

Owned by **{{owner_team}}**. Created from the Acme golden path (\`acme/service-template\`).

## Run locally

\`\`\`sh
npm ci
npm run dev
\`\`\`

## Deploy

Merging to \`main\` builds \`ghcr.io/acme/{{service_name}}\`. Promote by pull request to \`acme/gitops\`
(\`apps/{{service_name}}/<env>/kustomization.yaml\`).
`,
    Dockerfile: dockerfile(),
    '.dockerignore': 'node_modules\ndist\n.git\n',
    '.github/workflows/ci.yml': ciWorkflow('{{service_name}}'),
    'k8s/deployment.yaml': deployment('{{service_name}}', '{{namespace}}', 'ghcr.io/acme/{{service_name}}:latest', 2),
    'k8s/service.yaml': service('{{service_name}}', '{{namespace}}'),
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
  owner: {{owner_team}}
  system: {{system}}
`,
    'package.json': `{
  "name": "{{service_name}}",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "tsc -p tsconfig.json",
    "dev": "node --watch src/server.ts",
    "typecheck": "tsc --noEmit",
    "test": "vitest run"
  }
}
`,
    'src/server.ts': `import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);

createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
  res.writeHead(404).end();
}).listen(port, () => console.log(\`{{service_name}} listening on \${port}\`));
`,
  };
}

const CONFIG_TS = `export const config = {
  acquirer: {
    baseUrl: process.env.ACQUIRER_URL ?? 'https://acquirer.internal.acme.example',
    timeoutMs: 5_000,
  },
  database: { url: process.env.DATABASE_URL ?? 'postgres://localhost:5432/payments' },
};
`;

const PAYMENTS_ROUTE_TS = `import type { FastifyInstance } from 'fastify';
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

const REFUNDS_TS = `import type { FastifyInstance } from 'fastify';

export async function refundRoutes(app: FastifyInstance) {
  app.post('/refunds', async (request, reply) => {
    const { paymentId, amount } = request.body as { paymentId: string; amount: number };
    const payment = await app.db.payments.find(paymentId);
    const capture = payment.captures.find((c: { amount: number }) => c.amount >= amount);
    return reply.code(201).send(await app.acquirer.refund(capture.id, amount));
  });
}
`;

const IDEMPOTENCY_TS = `const seen = new Map<string, unknown>();

/** Runs \`create\` once per idempotency key; a repeated key returns the first result. */
export async function withIdempotencyKey<T>(key: string | undefined, create: () => Promise<T>): Promise<T> {
  if (!key) return create();
  if (seen.has(key)) return seen.get(key) as T;
  const result = await create();
  seen.set(key, result);
  return result;
}
`;

function paymentsFiles(): Record<string, string> {
  return {
    'README.md': `# payments-api

Authorises, captures and refunds card payments for Acme checkout.

| | |
| --- | --- |
| Owner | team-payments |
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
  owner: team-payments
  system: checkout
`,
    'package.json': `{
  "name": "payments-api",
  "version": "1.8.0",
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
`,
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

function platformDocsFiles(): Record<string, string> {
  return {
    'README.md':
      '# platform-docs\n\nThe Acme internal developer platform, explained. Start with `docs/golden-path.md`.\n',
    'mkdocs.yml':
      'site_name: Acme Platform\nnav:\n  - Golden path: golden-path.md\n  - Onboarding: onboarding.md\n  - Runbooks:\n      - payments-api: runbooks/payments-api.md\n',
    'docs/golden-path.md': `# The golden path

1. Create the service from \`acme/service-template\` (the platform's \`create_service\` tool does this).
2. The template brings CI with SHA-pinned actions, a hardened Dockerfile, Kubernetes manifests and a Backstage entry.
3. Register the service in \`acme/gitops\` under \`apps/<service>/<env>/\`; Argo CD deploys it.
4. Promote between environments by pull request to \`acme/gitops\`.
`,
    'docs/onboarding.md':
      '# Onboarding\n\n- Ask in #platform-help for access to the `acme` org.\n- Install the platform MCP server in your editor.\n',
    'docs/runbooks/payments-api.md': `# Runbook: payments-api

## High error rate on POST /payments
1. Check the acquirer status page.
2. Check Argo CD app \`payments-api-prod\` for a recent sync.
3. Roll back by reverting the last promotion PR in \`acme/gitops\`.
`,
  };
}
