// The sample world a new user meets in the sandbox and the tests build on: org `acme`, users `alice` and `bob`,
// a TypeScript service with CI history, the GitOps repository, the golden-path template and the platform docs.
import {
  buildLog,
  CONFIG_TS,
  failedTestLog,
  gitopsFiles,
  IDEMPOTENCY_TS,
  ORDERS_MEMORY_PATCH,
  overlay,
  PAYMENTS_PACKAGE_JSON,
  PAYMENTS_ROUTE_TS,
  paymentsFiles,
  platformDocsFiles,
  REFUNDS_TS,
  serviceTemplateFiles,
  testLog,
} from './sample-files.ts';
import { createEmptyGitHubState, type GitHubState } from './state.ts';

/** Accepted by the sample data as alice: the no-credentials sandbox uses it. */
export const SANDBOX_TOKEN = 'sandbox-token';

export const SAMPLE_TOKENS = { alice: 'alice-token', bob: 'bob-token', sandbox: SANDBOX_TOKEN } as const;

/**
 * The story, oldest first (times fixed so orderings and the Argo CD fake's history agree): payments-api ships
 * v1.4.2 and promotes it to prod in Git, where Argo CD waits for a manual sync; a PR adding idempotency keys fails
 * its tests; orders-api v0.9.0 crash-loops in dev and a PR raising its memory limit is open in acme/gitops.
 */
export function createSampleGitHubState(): GitHubState {
  const state = createEmptyGitHubState();
  let now = Date.parse('2025-03-01T09:00:00Z');
  state.clock = () => new Date(now);
  const at = (iso: string) => {
    now = Date.parse(iso);
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

  const gitops = state.createRepo('acme/gitops', {
    description: 'Desired state of every environment: Argo CD applications and Kubernetes manifests per service',
    topics: ['gitops', 'argocd', 'kubernetes'],
    files: gitopsFiles(),
    author: 'alice',
    createdAt: '2024-10-01T09:00:00Z',
  });
  gitops.requiredChecks.set('main', ['validate-manifests']);

  at('2025-03-01T11:00:00Z');
  const payments = state.createRepo('acme/payments-api', {
    description: 'Payments service: authorises, captures and refunds card payments',
    language: 'TypeScript',
    topics: ['payments', 'service'],
    files: paymentsFiles(),
    author: 'bob',
    createdAt: '2025-01-20T14:00:00Z',
  });
  payments.requiredChecks.set('main', ['build', 'test']);
  at('2025-03-02T15:00:00Z');
  payments.commit('main', { 'src/routes/refunds.ts': REFUNDS_TS }, 'Add refunds endpoint', 'bob');
  payments.addWorkflowRun(ciRun('main', 'success'));
  at('2025-03-02T17:30:00Z');
  payments.commit(
    'main',
    {
      'src/config.ts': CONFIG_TS.replace('timeoutMs: 5_000', 'timeoutMs: 3_000'),
      'package.json': PAYMENTS_PACKAGE_JSON,
    },
    'Lower acquirer timeout to 3s, release v1.4.2',
    'alice',
  );
  payments.setRef('refs/tags/v1.4.2', payments.branch('main')!);
  payments.addWorkflowRun(ciRun('main', 'success'));

  at('2025-03-03T07:30:00Z');
  gitops.commit(
    'main',
    { 'apps/payments-api/overlays/prod/kustomization.yaml': overlay('payments-api', 'payments', 3, 'v1.4.2') },
    'payments-api: promote v1.4.2 to prod',
    'bob',
  );
  at('2025-03-04T03:50:00Z');
  gitops.commit(
    'main',
    { 'apps/payments-api/overlays/dev/kustomization.yaml': overlay('payments-api', 'payments-dev', 1, 'v1.4.2') },
    'payments-api: v1.4.2 to dev',
    'alice',
  );

  at('2025-03-04T09:00:00Z');
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

  at('2025-03-04T14:00:00Z');
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

  at('2025-03-05T06:50:00Z');
  gitops.commit(
    'main',
    { 'apps/orders-api/overlays/dev/kustomization.yaml': overlay('orders-api', 'orders-dev', 2, 'v0.9.0') },
    'orders-api: v0.9.0 to dev',
    'bob',
  );
  at('2025-03-05T08:40:00Z');
  gitops.openIssue({
    title: 'orders-api-dev is Degraded: CrashLoopBackOff since v0.9.0',
    body: 'Argo CD reports `orders-api-dev` Degraded: `back-off 5m0s restarting failed container=app` (OOMKilled). v0.9.0 loads the product catalogue into memory at start.',
    user: 'alice',
    labels: ['bug'],
  });
  at('2025-03-05T09:10:00Z');
  const fix = 'fix/orders-api-memory';
  gitops.createBranch(fix);
  gitops.commit(
    fix,
    {
      'apps/orders-api/overlays/dev/kustomization.yaml': overlay(
        'orders-api',
        'orders-dev',
        2,
        'v0.9.0',
        ORDERS_MEMORY_PATCH,
      ),
    },
    'orders-api: raise the dev memory limit to 1Gi',
    'bob',
  );
  gitops.addCheckRun(fix, { name: 'validate-manifests', conclusion: 'success', title: '14 manifests valid' });
  gitops.addCheckRun(fix, { name: 'policy-check', conclusion: 'success', title: 'No policy violations' });
  gitops.addStatus(fix, {
    context: 'argocd/diff-preview',
    state: 'success',
    description: '1 resource changes: Deployment orders-api',
  });
  gitops.openPullRequest({
    title: 'orders-api: raise the dev memory limit to 1Gi',
    head: fix,
    body: 'v0.9.0 is OOMKilled at start in dev (limit 512Mi). Raises the limit to 1Gi for dev only.\n\nFixes #1',
    user: 'bob',
    labels: ['bug'],
  });

  at('2025-03-05T09:30:00Z');
  state
    .createRepo('acme/platform-docs', {
      description: 'How to use the internal developer platform: golden paths, onboarding, runbooks',
      topics: ['docs', 'platform'],
      files: platformDocsFiles(),
      author: 'alice',
      createdAt: '2024-09-15T12:00:00Z',
    })
    .openIssue({
      title: 'Document the service-template golden path end to end',
      body: 'From "create service" to the first deploy in dev, with the Backstage entry it creates.',
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
