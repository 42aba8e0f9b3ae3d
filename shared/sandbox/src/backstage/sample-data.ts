// The sample catalog, coherent with the other fakes: org acme, groups payments and platform, users alice and bob,
// components payments-api and orders-api, the golden-path template, and one catalog-info.yaml ready to register.
import { BackstageState, type Entity } from './state.ts';

export const SANDBOX_TOKEN = 'backstage-sandbox-token';
/** A token of a user who may read but not register or scaffold. */
export const READ_ONLY_TOKEN = 'backstage-read-only-token';
/** A catalog-info.yaml URL that is not registered yet. */
export const UNREGISTERED_LOCATION = 'https://github.com/acme/inventory-api/blob/main/catalog-info.yaml';

const component = (
  name: string,
  owner: string,
  extra: { description: string; system?: string; dependsOn?: string[]; providesApis?: string[]; tags?: string[] },
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    description: extra.description,
    tags: extra.tags ?? [],
    annotations: {
      'github.com/project-slug': `acme/${name}`,
      'pagerduty.com/service-id': name,
      'argocd/app-name': `${name}-production`,
    },
    links: [{ url: `https://grafana.acme.example/d/${name}`, title: 'Dashboard' }],
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner,
    ...(extra.system ? { system: extra.system } : {}),
    ...(extra.dependsOn ? { dependsOn: extra.dependsOn } : {}),
    ...(extra.providesApis ? { providesApis: extra.providesApis } : {}),
  },
});

export function createSampleBackstageState(): BackstageState {
  const state = new BackstageState();
  state.tokens.set(SANDBOX_TOKEN, { user: 'user:default/alice', write: true });
  state.tokens.set(READ_ONLY_TOKEN, { user: 'user:default/bob', write: false });
  const entities: Entity[] = [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Domain',
      metadata: { name: 'commerce' },
      spec: { owner: 'payments' },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: 'payments', description: 'Card payments, refunds and orders' },
      spec: { owner: 'payments', domain: 'commerce' },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'payments', title: 'Payments Team' },
      spec: { type: 'team', children: [], profile: { email: 'payments@acme.example' } },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'platform', title: 'Platform Team' },
      spec: { type: 'team', children: [], profile: { email: 'platform@acme.example' } },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'alice' },
      spec: { profile: { displayName: 'Alice Chen', email: 'alice@acme.example' }, memberOf: ['platform'] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'bob' },
      spec: { profile: { displayName: 'Bob Okafor', email: 'bob@acme.example' }, memberOf: ['payments'] },
    },
    component('payments-api', 'payments', {
      description: 'Card payments and refunds',
      system: 'payments',
      providesApis: ['payments-rest'],
      dependsOn: ['resource:payments-db'],
      tags: ['typescript', 'payments'],
    }),
    component('orders-api', 'payments', {
      description: 'Order intake and fulfilment',
      system: 'payments',
      dependsOn: ['component:payments-api'],
      tags: ['go', 'kafka'],
    }),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: { name: 'payments-rest', description: 'Payments REST API' },
      spec: {
        type: 'openapi',
        lifecycle: 'production',
        owner: 'payments',
        system: 'payments',
        definition: 'openapi: 3.0.3',
      },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'payments-db', description: 'PostgreSQL for payments-api' },
      spec: { type: 'database', owner: 'payments', system: 'payments' },
    },
    {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: {
        name: 'service-template',
        title: 'Golden-path service',
        description: 'A TypeScript service with CI, a Helm chart and Argo CD application',
        tags: ['recommended', 'typescript'],
      },
      spec: {
        owner: 'platform',
        type: 'service',
        parameters: [
          {
            title: 'Service',
            required: ['name', 'owner'],
            properties: {
              name: {
                title: 'Name',
                type: 'string',
                pattern: '^[a-z][a-z0-9-]{1,38}$',
                description: 'Repository and service name',
              },
              description: { title: 'Description', type: 'string' },
              owner: { title: 'Owner', type: 'string', description: 'Owning group, e.g. group:default/payments' },
            },
          },
          {
            title: 'Deployment',
            properties: {
              tier: { title: 'Tier', type: 'string', enum: ['critical', 'standard'], default: 'standard' },
            },
          },
        ],
        steps: [
          { id: 'fetch', name: 'Fetch skeleton', action: 'fetch:template' },
          { id: 'publish', name: 'Publish to GitHub', action: 'publish:github' },
          { id: 'register', name: 'Register in catalog', action: 'catalog:register' },
        ],
      },
    },
  ];
  for (const entity of entities) state.add(entity);
  state.locations.set('b6a3c1e2-0000-4000-8000-000000000001', {
    id: 'b6a3c1e2-0000-4000-8000-000000000001',
    type: 'url',
    target: 'https://github.com/acme/backstage-catalog/blob/main/all.yaml',
  });
  state.remoteFiles.set('https://github.com/acme/backstage-catalog/blob/main/all.yaml', entities);
  state.remoteFiles.set(UNREGISTERED_LOCATION, [
    component('inventory-api', 'platform', { description: 'Stock levels per warehouse', tags: ['go'] }),
  ]);
  state.techdocs.push(
    {
      entity: 'component:default/payments-api',
      location: '',
      title: 'payments-api',
      text: 'payments-api takes card payments and refunds for the commerce domain. It stores payments in the payments-db PostgreSQL database and publishes payments.settled.v1.',
    },
    {
      entity: 'component:default/payments-api',
      location: 'runbooks/rotate-db-password/',
      title: 'Runbook: rotate the payments DB password',
      text: 'How to rotate the payments database password. 1. Write the new password to Vault at secret/payments/databases/payments-db-prod with vault_write_secret. 2. Wait for the ExternalSecret payments-db to refresh the Secret (or annotate it with force-sync). 3. Restart payments-api with a rollout restart so it reconnects. 4. Revoke the old password in PostgreSQL once no connection uses it.',
    },
    {
      entity: 'component:default/payments-api',
      location: 'runbooks/high-latency/',
      title: 'Runbook: payments-api latency',
      text: 'When p99 latency of payments-api is high: check the database connection pool, then the card network dependency, then recent deployments in Argo CD.',
    },
    {
      entity: 'component:default/orders-api',
      location: '',
      title: 'orders-api',
      text: 'orders-api takes and tracks customer orders. Deploy through the GitOps repository; Argo CD syncs it.',
    },
  );
  return state;
}
