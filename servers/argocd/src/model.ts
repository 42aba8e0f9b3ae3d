import * as z from 'zod';

/** The parts of Argo CD's JSON (argoproj.io/v1alpha1) that idp-mcp reads. Everything is optional upstream. */

export interface Source {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  helm?: { valueFiles?: string[]; parameters?: Array<{ name?: string; value?: string }>; releaseName?: string };
  kustomize?: { images?: string[] };
  [key: string]: unknown;
}

export interface Destination {
  server?: string;
  name?: string;
  namespace?: string;
}

export interface SyncPolicy {
  automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean };
  syncOptions?: string[];
  [key: string]: unknown;
}

export interface ApplicationSpec {
  project?: string;
  source?: Source;
  sources?: Source[];
  destination?: Destination;
  syncPolicy?: SyncPolicy;
  [key: string]: unknown;
}

export interface Health {
  status?: string;
  message?: string;
}

export interface ResourceStatus {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  status?: string;
  health?: Health;
  requiresPruning?: boolean;
  hook?: boolean;
}

export interface HistoryEntry {
  id?: number;
  revision?: string;
  revisions?: string[];
  deployedAt?: string;
  deployStartedAt?: string;
  source?: Source;
  sources?: Source[];
  initiatedBy?: { username?: string; automated?: boolean };
}

export interface OperationState {
  phase?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  operation?: {
    sync?: { revision?: string; dryRun?: boolean; prune?: boolean };
    initiatedBy?: { username?: string; automated?: boolean };
  };
  syncResult?: {
    revision?: string;
    resources?: Array<{
      kind?: string;
      namespace?: string;
      name?: string;
      status?: string;
      message?: string;
      hookPhase?: string;
    }>;
  };
}

export interface Application {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec?: ApplicationSpec;
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: Health;
    history?: HistoryEntry[];
    operationState?: OperationState;
    conditions?: Array<{ type?: string; message?: string; lastTransitionTime?: string }>;
    resources?: ResourceStatus[];
    reconciledAt?: string;
    summary?: { images?: string[]; externalURLs?: string[] };
  };
  operation?: unknown;
}

export interface ResourceNode {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  health?: Health;
  parentRefs?: Array<{ kind?: string; name?: string; namespace?: string; uid?: string }>;
  images?: string[];
}

export interface ResourceDiff {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  modified?: boolean;
  hook?: boolean;
  targetState?: string;
  liveState?: string;
  normalizedLiveState?: string;
  predictedLiveState?: string;
}

export interface AppProject {
  metadata?: { name?: string; creationTimestamp?: string };
  spec?: {
    description?: string;
    sourceRepos?: string[];
    destinations?: Destination[];
    roles?: Array<{ name?: string; description?: string; groups?: string[] }>;
    syncWindows?: Array<{ kind?: string; schedule?: string; duration?: string; applications?: string[] }>;
  };
}

export interface List<T> {
  items?: T[] | null;
}

export function sourceOf(spec: ApplicationSpec | undefined): Source {
  return spec?.source ?? spec?.sources?.[0] ?? {};
}

export function destinationText(destination: Destination | undefined): string {
  if (!destination) return '';
  return `${destination.name ?? destination.server ?? ''}/${destination.namespace ?? ''}`;
}

export function shortRevision(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 8) : revision;
}

// ---------------------------------------------------------------------------------------------------------------
// Output schemas shared by several tools.

export const applicationSummary = z.object({
  name: z.string(),
  project: z.string(),
  sync: z.string().describe('Synced, OutOfSync or Unknown.'),
  health: z.string().describe('Healthy, Progressing, Degraded, Suspended, Missing or Unknown.'),
  revision: z.string().optional().describe('Commit the live state was compared to (short SHA).'),
  target_revision: z.string().optional(),
  destination: z.string().describe('cluster/namespace'),
  auto_sync: z.boolean(),
  operation: z.string().optional().describe('Phase of the last or running operation.'),
});

export function summarizeApplication(app: Application): z.input<typeof applicationSummary> {
  const source = sourceOf(app.spec);
  const automated = app.spec?.syncPolicy?.automated;
  return {
    name: app.metadata?.name ?? '',
    project: app.spec?.project || 'default',
    sync: app.status?.sync?.status ?? 'Unknown',
    health: app.status?.health?.status ?? 'Unknown',
    revision: shortRevision(app.status?.sync?.revision),
    target_revision: source.targetRevision || 'HEAD',
    destination: destinationText(app.spec?.destination),
    auto_sync: automated !== undefined && automated.enabled !== false,
    operation: app.status?.operationState?.phase,
  };
}

export const operationSummary = z.object({
  phase: z.string().describe('Running, Succeeded, Failed, Error or Terminating.'),
  message: z.string().optional(),
  revision: z.string().optional(),
  dry_run: z.boolean().optional(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  initiated_by: z.string().optional(),
  failed_resources: z
    .array(
      z.object({
        kind: z.string(),
        name: z.string(),
        namespace: z.string().optional(),
        message: z.string().optional(),
      }),
    )
    .optional(),
});

export function summarizeOperation(state: OperationState | undefined): z.input<typeof operationSummary> | undefined {
  if (!state?.phase) return undefined;
  const initiator = state.operation?.initiatedBy;
  const failed = (state.syncResult?.resources ?? [])
    .filter((r) => r.status === 'SyncFailed' || r.hookPhase === 'Failed' || r.hookPhase === 'Error')
    .map((r) => ({ kind: r.kind ?? '', name: r.name ?? '', namespace: r.namespace || undefined, message: r.message }));
  return {
    phase: state.phase,
    message: state.message,
    revision: state.syncResult?.revision ?? state.operation?.sync?.revision,
    dry_run: state.operation?.sync?.dryRun,
    started_at: state.startedAt,
    finished_at: state.finishedAt,
    initiated_by: initiator?.automated ? 'automated' : initiator?.username,
    ...(failed.length > 0 ? { failed_resources: failed } : {}),
  };
}
