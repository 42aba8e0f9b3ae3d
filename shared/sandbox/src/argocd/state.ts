// The Argo CD fake's world: projects, clusters, applications with their live resources, sync history and the
// operations the application controller runs. Objects are kept in Argo CD's own JSON shapes (argoproj.io/v1alpha1).

export type Json = Record<string, unknown>;

export interface SyncOperationResource {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface ApplicationSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  helm?: Json;
  kustomize?: Json;
  directory?: Json;
  [key: string]: unknown;
}

export interface ApplicationSpec {
  project?: string;
  source?: ApplicationSource;
  sources?: ApplicationSource[];
  destination?: { server?: string; name?: string; namespace?: string };
  syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean }; syncOptions?: string[] };
  [key: string]: unknown;
}

/** One live resource an application manages: its place in the tree, its health and its drift from Git. */
export interface LiveResource {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  health?: { status: string; message?: string };
  status: 'Synced' | 'OutOfSync';
  /** Set on resources only present in the cluster (prune candidates). */
  requiresPruning?: boolean;
  /** What Git wants and what runs, as JSON objects; the diff is derived from them. */
  target: Json | null;
  live: Json | null;
  images?: string[];
  /** Child resources the controller created (ReplicaSets, Pods): shown in the tree, not managed directly. */
  children?: Array<Omit<LiveResource, 'status' | 'target' | 'live' | 'children'> & { parent: string }>;
}

export interface HistoryEntry {
  id: number;
  revision: string;
  deployedAt: string;
  deployStartedAt: string;
  source: ApplicationSource;
  initiatedBy: { username?: string; automated?: boolean };
}

export interface OperationState {
  operation: Json;
  phase: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating';
  message: string;
  startedAt: string;
  finishedAt?: string;
  syncResult?: Json;
}

/** A Kubernetes Event about the Application itself (no `uid`) or about one of its live resources. */
export interface FakeEvent {
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; namespace: string; uid?: string; apiVersion?: string };
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  component: string;
}

export interface FakeApplication {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: number;
  generation: number;
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: ApplicationSpec;
  syncStatus: 'Synced' | 'OutOfSync' | 'Unknown';
  /** The commit the live state was compared to (the resolved target revision). */
  syncRevision: string;
  health: { status: string; message?: string };
  resources: LiveResource[];
  history: HistoryEntry[];
  conditions: Array<{ type: string; message: string; lastTransitionTime: string }>;
  /** Requested by sync/rollback; the controller picks it up on its next reconcile (the fake's next read). */
  operation?: Json;
  operationState?: OperationState;
  reconciledAt: string;
  /** Events of the Application and of its resources (kept by the fake; Argo CD reads them from the cluster). */
  events?: FakeEvent[];
}

export interface FakeProject {
  name: string;
  uid: string;
  resourceVersion: number;
  createdAt: string;
  description: string;
  sourceRepos: string[];
  destinations: Array<{ server?: string; name?: string; namespace?: string }>;
  roles: Array<{ name: string; description?: string; policies?: string[]; groups?: string[] }>;
}

export interface FakeCluster {
  name: string;
  server: string;
}

export interface FakeUser {
  username: string;
  /** `admin` may do everything; `readonly` may get and list (Argo CD's built-in role:readonly). */
  role: 'admin' | 'readonly';
}

export class ArgoCdState {
  readonly applications = new Map<string, FakeApplication>();
  readonly projects = new Map<string, FakeProject>();
  readonly clusters: FakeCluster[] = [];
  readonly tokens = new Map<string, FakeUser>();
  /** Git refs the fake repo server resolves: branch or tag -> commit SHA. */
  readonly refs = new Map<string, string>();
  clock: () => Date = () => new Date();
  /**
   * The controller finishes a requested operation on the application's next read. Tests set this to false to hold
   * operations in the Running phase (a long sync, a hook waiting), then back to true.
   */
  controllerRunning = true;
  /** Called after a sync changed an application's live state: the cluster it deploys to applies it (see cluster.ts). */
  onSynced?: (app: FakeApplication) => void;
  private counter = 1000;

  now(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  nextResourceVersion(): number {
    this.counter += 1;
    return this.counter;
  }

  uid(): string {
    this.counter += 1;
    const hex = this.counter.toString(16).padStart(12, '0');
    return `5f0c2a1e-7b3d-4c9a-9e21-${hex}`;
  }

  addProject(project: Omit<FakeProject, 'uid' | 'resourceVersion'>): FakeProject {
    const stored = { ...project, uid: this.uid(), resourceVersion: this.nextResourceVersion() };
    this.projects.set(project.name, stored);
    return stored;
  }

  clusterFor(destination: ApplicationSpec['destination']): FakeCluster | undefined {
    return this.clusters.find(
      (cluster) => cluster.server === destination?.server || (destination?.name && cluster.name === destination.name),
    );
  }

  /** A 40-hex commit SHA for a ref, or the ref itself when it is already a SHA; undefined when unknown. */
  resolveRevision(ref: string): string | undefined {
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    return this.refs.get(ref);
  }
}

export function createEmptyArgoCdState(): ArgoCdState {
  return new ArgoCdState();
}
