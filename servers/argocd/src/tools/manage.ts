import {
  DESTRUCTIVE,
  defineTool,
  enforcePolicy,
  type PolicyGate,
  ToolError,
  verdictOf,
  verdictOutput,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import { type ArgoCd, seg } from '../argocd.ts';
import {
  type Application,
  type ApplicationSpec,
  applicationSummary,
  type Source,
  summarizeApplication,
} from '../model.ts';
import { getApplication } from './applications.ts';
import { appName, namespace, projectName, repoPath, repoUrl, revision } from './args.ts';

const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labels = z
  .record(
    z
      .string()
      .regex(labelKey, { error: 'label keys must be Kubernetes label names, e.g. team or app.kubernetes.io/name' }),
    z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
      error: 'label values: at most 63 letters, digits, "-", "_", "."',
    }),
  )
  .describe('Labels on the Application, e.g. { "team": "payments", "env": "prod" }.');

const automated = z
  .object({
    prune: z.boolean().default(false).describe('Delete resources removed from Git.'),
    self_heal: z.boolean().default(false).describe('Revert changes made in the cluster.'),
  })
  .describe('Sync automatically when Git changes.');

const helm = z
  .object({
    value_files: z
      .array(z.string().min(1))
      .optional()
      .describe('Values files relative to the chart path, e.g. ["values-prod.yaml"].'),
    parameters: z
      .record(z.string().min(1), z.string())
      .optional()
      .describe('Helm --set parameters, e.g. { "image.tag": "v1.4.2" }.'),
    release_name: z.string().min(1).optional().describe('Helm release name; the application name when omitted.'),
  })
  .describe('Helm options (Helm sources only).');

const destination = z
  .object({
    server: z
      .string()
      .regex(/^https:\/\/\S+$/, { error: 'must be the cluster API URL, e.g. https://prod.k8s.acme.internal' })
      .optional()
      .describe('Cluster API server URL. Give server or cluster_name.'),
    cluster_name: z.string().min(1).optional().describe('Cluster name as registered in Argo CD, e.g. prod.'),
    namespace: namespace.describe('Target namespace.'),
  })
  .refine((d) => (d.server === undefined) !== (d.cluster_name === undefined), {
    error: 'destination: give exactly one of server or cluster_name',
  })
  .describe('Where to deploy: a cluster (server URL or name) and a namespace.');

const createInput = z
  .object({
    name: appName,
    project: projectName,
    repo_url: repoUrl,
    path: repoPath.optional().describe('Directory in the Git repository (Git sources). Give path or chart.'),
    chart: z.string().min(1).optional().describe('Helm chart name (Helm repository sources). Give path or chart.'),
    target_revision: revision
      .default('HEAD')
      .describe('Branch, tag or commit to deploy (chart version for Helm). Pin a tag or SHA for production.'),
    destination,
    helm: helm.optional(),
    automated: automated.optional().describe('Turn on automated sync; omit for manual sync.'),
    sync_options: z
      .array(z.string().regex(/^[A-Za-z]+=[A-Za-z0-9-]+$/, { error: 'sync options look like CreateNamespace=true' }))
      .optional()
      .describe('Sync options, e.g. ["CreateNamespace=true", "ServerSideApply=true"].'),
    labels: labels.optional(),
    upsert: z.boolean().default(false).describe('Replace the spec if an application with this name exists.'),
    dry_run: z
      .boolean()
      .default(false)
      .describe('Only build the Application and run the policy check; change nothing.'),
  })
  .refine((i) => (i.path === undefined) !== (i.chart === undefined), {
    error: 'give exactly one of path (a directory in a Git repository) or chart (a Helm chart)',
  });

type CreateInput = z.output<typeof createInput>;

function buildSource(input: {
  repo_url: string;
  path?: string;
  chart?: string;
  target_revision: string;
  helm?: z.output<typeof helm>;
}): Source {
  const source: Source = { repoURL: input.repo_url, targetRevision: input.target_revision };
  if (input.path !== undefined) source.path = input.path;
  if (input.chart !== undefined) source.chart = input.chart;
  if (input.helm) {
    source.helm = {
      ...(input.helm.value_files ? { valueFiles: input.helm.value_files } : {}),
      ...(input.helm.parameters
        ? { parameters: Object.entries(input.helm.parameters).map(([name, value]) => ({ name, value })) }
        : {}),
      ...(input.helm.release_name ? { releaseName: input.helm.release_name } : {}),
    };
  }
  return source;
}

function syncPolicyOf(auto: z.output<typeof automated> | undefined, options: string[] | undefined) {
  const policy: NonNullable<ApplicationSpec['syncPolicy']> = {};
  if (auto) policy.automated = { prune: auto.prune, selfHeal: auto.self_heal };
  if (options?.length) policy.syncOptions = options;
  return policy;
}

/** The Application document the policy gate sees and Argo CD receives. */
export function buildApplication(input: CreateInput): Application & { apiVersion: string; kind: string } {
  const spec: ApplicationSpec = {
    project: input.project,
    source: buildSource(input),
    destination: {
      ...(input.destination.server ? { server: input.destination.server } : {}),
      ...(input.destination.cluster_name ? { name: input.destination.cluster_name } : {}),
      namespace: input.destination.namespace,
    },
  };
  const policy = syncPolicyOf(input.automated, input.sync_options);
  if (Object.keys(policy).length > 0) spec.syncPolicy = policy;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: input.name, namespace: 'argocd', ...(input.labels ? { labels: input.labels } : {}) },
    spec,
  };
}

function policyContext(tool: string, app: Application) {
  const env = app.metadata?.labels?.env ?? app.spec?.destination?.name;
  return {
    tool: `argocd.${tool}`,
    ...(app.spec?.destination?.namespace ? { namespace: app.spec.destination.namespace } : {}),
    ...(env ? { environment: env } : {}),
  };
}

const writeOutput = z.object({
  dry_run: z.boolean(),
  application: applicationSummary.optional().describe('The application after the change (absent on dry run).'),
  manifest: z.unknown().optional().describe('The Application that was checked (dry run only).'),
  policy: verdictOutput,
});

export function applicationWriteTools(argocd: ArgoCd, gate: PolicyGate) {
  return [
    defineTool({
      name: 'create_application',
      title: 'Create application',
      description:
        'Create an Argo CD Application deploying a Git path or Helm chart to a cluster namespace. Checked against the gitops policies first; dry_run only shows the manifest and verdict. Syncs only if automated is set.',
      toolset: 'manage',
      tier: 'write',
      annotations: WRITE,
      input: createInput,
      output: writeOutput,
      handler: async (input, ctx) => {
        const application = buildApplication(input);
        const verdict = await enforcePolicy(
          gate,
          'gitops',
          [application],
          policyContext('create_application', application),
        );
        if (input.dry_run) return { dry_run: true, manifest: application, policy: verdictOf(verdict) };
        const created = await argocd.request<Application>('POST', '/api/v1/applications', {
          query: { upsert: input.upsert ? true : undefined },
          body: application,
          signal: ctx.signal,
        });
        return { dry_run: false, application: summarizeApplication(created), policy: verdictOf(verdict) };
      },
    }),
    defineTool({
      name: 'update_application',
      title: 'Update application',
      description:
        "Change an application's target revision, path, Helm options, automated sync, sync options or labels; other fields stay. Checked against the gitops policies first; dry_run only shows the result and verdict.",
      toolset: 'manage',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        name: appName,
        target_revision: revision.optional().describe('New branch, tag or commit to deploy.'),
        path: repoPath.optional().describe('New directory in the Git repository.'),
        helm: helm.optional().describe('Replaces the Helm options of the source.'),
        automated: automated
          .nullable()
          .optional()
          .describe('Automated sync settings; null turns automated sync off; omit to keep.'),
        sync_options: z.array(z.string()).optional().describe('Replaces the sync options.'),
        labels: labels.optional().describe('Labels to set (merged into the existing ones).'),
        expected_resource_version: z
          .string()
          .optional()
          .describe('resource_version from get_application: refuse the change if the application changed since.'),
        dry_run: z.boolean().default(false).describe('Only build the updated Application and run the policy check.'),
      }),
      output: writeOutput,
      handler: async (input, ctx) => {
        const current = await getApplication(argocd, input.name, ctx.signal);
        const spec: ApplicationSpec = structuredClone(current.spec ?? {});
        if (spec.sources && spec.sources.length > 1 && (input.target_revision || input.path || input.helm)) {
          throw new ToolError(
            'invalid_request',
            `${input.name} has ${spec.sources.length} sources; this tool changes single-source applications only`,
            {
              hint: 'change multi-source applications in Git (the Application manifest) instead',
            },
          );
        }
        const source: Source = { ...(spec.source ?? spec.sources?.[0] ?? {}) };
        if (input.target_revision !== undefined) source.targetRevision = input.target_revision;
        if (input.path !== undefined) {
          if (source.chart) {
            throw new ToolError('invalid_request', 'path: this application deploys a Helm chart, not a Git directory', {
              hint: 'omit path, or change target_revision (the chart version) instead',
            });
          }
          source.path = input.path;
        }
        if (input.helm) {
          source.helm = buildSource({ repo_url: '', target_revision: '', helm: input.helm }).helm ?? {};
        }
        if (spec.sources?.length === 1) spec.sources = [source];
        else spec.source = source;
        if (input.automated !== undefined || input.sync_options !== undefined) {
          const policy = { ...(spec.syncPolicy ?? {}) };
          if (input.automated === null) delete policy.automated;
          else if (input.automated)
            policy.automated = { prune: input.automated.prune, selfHeal: input.automated.self_heal };
          if (input.sync_options !== undefined) policy.syncOptions = input.sync_options;
          spec.syncPolicy = policy;
        }
        const metadata = {
          name: input.name,
          namespace: current.metadata?.namespace ?? 'argocd',
          labels: { ...(current.metadata?.labels ?? {}), ...(input.labels ?? {}) },
          ...(current.metadata?.annotations ? { annotations: current.metadata.annotations } : {}),
          ...(input.expected_resource_version ? { resourceVersion: input.expected_resource_version } : {}),
        };
        const application = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata, spec };
        const verdict = await enforcePolicy(
          gate,
          'gitops',
          [application],
          policyContext('update_application', application),
        );
        if (input.dry_run) return { dry_run: true, manifest: application, policy: verdictOf(verdict) };
        const updated = await argocd.request<Application>('PUT', `/api/v1/applications/${seg(input.name)}`, {
          body: application,
          signal: ctx.signal,
        });
        return { dry_run: false, application: summarizeApplication(updated), policy: verdictOf(verdict) };
      },
    }),
    defineTool({
      name: 'delete_application',
      title: 'Delete application',
      description:
        'Delete an Argo CD Application. With cascade (default) its Kubernetes resources are deleted too; cascade false leaves them running, unmanaged.',
      toolset: 'manage',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({
        name: appName,
        cascade: z.boolean().default(true).describe('Also delete the resources the application deployed.'),
        propagation_policy: z
          .enum(['foreground', 'background'])
          .default('foreground')
          .describe('foreground waits for resources to be gone before the Application is removed.'),
      }),
      output: z.object({ deleted: z.string(), cascade: z.boolean() }),
      handler: async (input, ctx) => {
        await argocd.request('DELETE', `/api/v1/applications/${seg(input.name)}`, {
          query: { cascade: input.cascade, propagationPolicy: input.cascade ? input.propagation_policy : undefined },
          signal: ctx.signal,
        });
        return { deleted: input.name, cascade: input.cascade };
      },
    }),
  ];
}
