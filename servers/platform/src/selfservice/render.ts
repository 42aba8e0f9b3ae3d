import type { PolicyDomain } from '@idp-mcp/core';
import { kafkaTopicDocument } from '@idp-mcp/kafka';
import { stringify } from 'yaml';

/**
 * The golden path as data: the artefacts a self-service request renders. Everything here is a pure
 * function of the request and the platform settings, so a plan can be shown, checked and re-rendered.
 */
export interface Artefact {
  /** Repository the file goes to, "owner/name". */
  repo: string;
  path: string;
  /** The policy domain that checks it, when one does. */
  domain?: PolicyDomain;
  /** Parsed documents (what the policy gate evaluates). */
  documents: Array<Record<string, unknown>>;
  /** The file as committed. */
  content: string;
}

export interface PlatformSettings {
  org: string;
  templateRepo: string;
  gitopsRepo: string;
  registry: string;
  argocdProject: string;
  kafkaCluster: string;
  kafkaNamespace: string;
  slackChannel: string;
  jiraProject: string;
  /** Where create_service puts a KafkaTopic: the GitOps pull request (default) or straight to the cluster. */
  kafkaTopics: 'gitops' | 'direct';
  /** The External Secrets ClusterSecretStore that reads the platform's Vault (KV v2 mount `secret`). */
  vaultSecretStore: string;
  /** The bucket new S3 buckets write their access logs to. */
  accessLogBucket: string;
  /** How undo takes back a repository a failed apply created: archive it (default) or delete it (admin rights). */
  undoRepository: 'archive' | 'delete';
  /** Whether a plan may mix live and sandboxed integrations (demos); refused otherwise. */
  allowMixed: boolean;
}

export interface ServiceSpec {
  name: string;
  team: string;
  owner: string;
  description: string;
  port: number;
  environment: string;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  replicas: number;
  retentionHours: number;
  cleanupPolicy: 'delete' | 'compact';
}

function file(repo: string, path: string, documents: Array<Record<string, unknown>>, domain?: PolicyDomain): Artefact {
  const content = documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');
  return { repo, path, documents, content, ...(domain ? { domain } : {}) };
}

/** The release a new service first deploys: the tag its CI turns into an image. */
export const FIRST_RELEASE = 'v0.1.0';

/**
 * A service's one image, derived from PLATFORM_REGISTRY alone: `name` is what CI pushes each release tag to,
 * `reference` what the manifests and the Argo CD Application deploy first.
 */
export function imageOf(service: Pick<ServiceSpec, 'name'>, settings: Pick<PlatformSettings, 'registry'>) {
  const name = `${settings.registry.replace(/\/+$/, '')}/${service.name}`;
  return { registryHost: name.split('/')[0]!, name, reference: `${name}:${FIRST_RELEASE}` };
}

export function namespaceOf(service: ServiceSpec): string {
  return `${service.team}-${service.environment}`;
}

function labels(service: ServiceSpec): Record<string, string> {
  return {
    'app.kubernetes.io/name': service.name,
    'app.kubernetes.io/part-of': service.team,
    owner: service.owner,
    team: service.team,
  };
}

/** Deployment and Service for one environment, hardened as the kubernetes policies require. */
export function workloadManifests(service: ServiceSpec, settings: PlatformSettings): Artefact {
  const dir = `apps/${service.name}/${service.environment}`;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: service.name, namespace: namespaceOf(service), labels: labels(service) },
    spec: {
      replicas: service.environment === 'prod' ? 3 : 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': service.name } },
      template: {
        metadata: { labels: labels(service) },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: service.name,
              image: imageOf(service, settings).reference,
              ports: [{ name: 'http', containerPort: service.port }],
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service.name, namespace: namespaceOf(service), labels: labels(service) },
    spec: {
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': service.name },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  };
  return file(settings.gitopsRepo, `${dir}/workload.yaml`, [deployment, svc], 'kubernetes');
}

/** The Argo CD Application that deploys the environment's directory of the GitOps repository. */
export function argocdApplication(service: ServiceSpec, settings: PlatformSettings): Artefact {
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${service.name}-${service.environment}`,
      namespace: 'argocd',
      labels: { team: service.team, environment: service.environment, owner: service.owner },
    },
    spec: {
      project: settings.argocdProject || service.team,
      source: {
        repoURL: `https://github.com/${settings.gitopsRepo}.git`,
        // Promotion to prod pins a release tag; lower environments follow main.
        targetRevision: service.environment === 'prod' ? `${service.name}-${FIRST_RELEASE}` : 'main',
        path: `apps/${service.name}/${service.environment}`,
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: namespaceOf(service) },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      info: [{ name: 'image', value: imageOf(service, settings).reference }],
    },
  };
  return file(settings.gitopsRepo, `argocd/${service.name}-${service.environment}.yaml`, [application], 'gitops');
}

/** A Strimzi KafkaTopic in the GitOps repository (the kafka server's rendering): the Topic Operator creates the topic. */
export function kafkaTopic(topic: TopicSpec, service: ServiceSpec, settings: PlatformSettings): Artefact {
  const resource = kafkaTopicDocument({
    topic: topic.name,
    partitions: topic.partitions,
    replicas: topic.replicas,
    config: {
      'retention.ms': String(topic.retentionHours * 3_600_000),
      'cleanup.policy': topic.cleanupPolicy,
      'min.insync.replicas': String(Math.min(2, topic.replicas)),
    },
    namespace: settings.kafkaNamespace,
    cluster: settings.kafkaCluster,
    labels: { team: service.team, owner: service.owner },
  });
  return file(settings.gitopsRepo, `kafka/${settings.kafkaCluster}/${topic.name}.yaml`, [resource], 'kafka');
}

/** The Backstage catalog entry committed to the service's own repository. */
export function catalogInfo(service: ServiceSpec, settings: PlatformSettings, topic?: TopicSpec): Artefact {
  const component = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: service.name,
      description: service.description,
      annotations: {
        'github.com/project-slug': `${settings.org}/${service.name}`,
        'argocd/app-name': `${service.name}-${service.environment}`,
      },
      tags: ['golden-path'],
    },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: `group:${service.team}`,
      ...(topic ? { dependsOn: [`resource:${topic.name}`] } : {}),
    },
  };
  return file(`${settings.org}/${service.name}`, 'catalog-info.yaml', [component]);
}
