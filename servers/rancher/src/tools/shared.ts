// What the Rancher toolsets share: the shapes of Rancher's v3 and provisioning objects, argument schemas, and
// look-ups every toolset makes (a cluster by id or name, every page of a collection).
import { ToolError } from '@idp-mcp/core';
import * as z from 'zod';
import { type Collection, nextMarker, type Rancher } from '../rancher.ts';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
}

interface Resources {
  cpu?: string;
  memory?: string;
  pods?: string;
}

export interface Cluster {
  id: string;
  name: string;
  description?: string;
  provider?: string;
  driver?: string;
  state?: string;
  transitioning?: string;
  transitioningMessage?: string;
  version?: { gitVersion?: string };
  conditions?: Condition[];
  nodeCount?: number;
  capacity?: Resources;
  allocatable?: Resources;
  requested?: Resources;
  created?: string;
  internal?: boolean;
}

export interface NodePool {
  id: string;
  name: string;
  clusterId: string;
  hostnamePrefix: string;
  quantity: number;
  controlPlane?: boolean;
  etcd?: boolean;
  worker?: boolean;
  state?: string;
  transitioningMessage?: string;
}

interface MachinePool {
  name: string;
  quantity?: number;
  controlPlaneRole?: boolean;
  etcdRole?: boolean;
  workerRole?: boolean;
  [key: string]: unknown;
}

/** provisioning.cattle.io/v1 Cluster, as the Steve API serves it. */
export interface ProvisioningCluster {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { rkeConfig?: { machinePools?: MachinePool[] }; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Node {
  id: string;
  nodeName?: string;
  hostname?: string;
  nodePoolId?: string;
  ipAddress?: string;
  state?: string;
  transitioningMessage?: string;
  controlPlane?: boolean;
  etcd?: boolean;
  worker?: boolean;
  unschedulable?: boolean;
  conditions?: Condition[];
  info?: {
    kubernetes?: { kubeletVersion?: string };
    os?: { operatingSystem?: string; kernelVersion?: string; dockerVersion?: string };
  };
  capacity?: Resources;
  allocatable?: Resources;
  requested?: Resources;
  taints?: Array<{ key: string; value?: string; effect: string; timeAdded?: string }>;
  nodeDrainInput?: DrainInput;
}

/** Rancher's NodeDrainInput, the body of the node `drain` action. */
export interface DrainInput {
  force?: boolean;
  ignoreDaemonSets?: boolean;
  deleteLocalData?: boolean;
  gracePeriod?: number;
  timeout?: number;
}

/** Rancher's ResourceQuotaLimit: Kubernetes quantities by resource (pods, limitsCpu, requestsMemory, ...). */
type QuotaLimit = Record<string, string>;

export interface Project {
  id: string;
  name: string;
  clusterId: string;
  description?: string;
  state?: string;
  resourceQuota?: { limit?: QuotaLimit; usedLimit?: QuotaLimit };
  namespaceDefaultResourceQuota?: { limit?: QuotaLimit };
}

/** A Kubernetes Namespace as the Steve API serves it. */
export interface Namespace {
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
}

export interface Event {
  _type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  firstTimestamp?: string;
  metadata?: { namespace?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

const CLUSTER_ID = /^(local|c-[a-z0-9-]{3,})$/;
export const MAX_EVENTS_FETCHED = 500;

export const clusterArg = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a cluster id (c-m-abc12, local) or a cluster name (prod)' })
  .describe('Cluster id (e.g. c-m-prod01) or name (e.g. prod).');

const RKE1_POOL = /^(local|c-[a-z0-9-]+):np-[a-z0-9]+$/;
/** An RKE2/K3s machine pool, named by its provisioning cluster: `<namespace>/<cluster>:<pool>`. */
export const MACHINE_POOL = /^([a-z0-9-]+)\/([a-z0-9][a-z0-9.-]*):([a-z0-9][a-z0-9-]*)$/;
/** Rancher's default Fleet workspace, where it keeps the provisioning.cattle.io Clusters it creates. */
export const WORKSPACE = 'fleet-default';

export const nodePoolId = z
  .string()
  .refine((id) => RKE1_POOL.test(id) || MACHINE_POOL.test(id), {
    error:
      'must be a node pool id like c-m-prod01:np-p7w2n or fleet-default/staging:workers (list_node_pools shows them)',
  })
  .describe(
    'Node pool id from list_node_pools: c-m-prod01:np-p7w2n (RKE) or fleet-default/staging:workers (RKE2/K3s).',
  );

export const nodeId = z
  .string()
  .regex(/^(local|c-[a-z0-9-]+):m-[a-z0-9]+$/, {
    error: 'must be a node id like c-m-prod01:m-abc12 (list_nodes shows them)',
  })
  .describe('Node id, e.g. c-m-prod01:m-abc12.');

export function roles(item: { controlPlane?: boolean; etcd?: boolean; worker?: boolean }): string[] {
  return [item.controlPlane ? 'controlplane' : '', item.etcd ? 'etcd' : '', item.worker ? 'worker' : ''].filter(
    Boolean,
  );
}

/** Kubernetes quantities as numbers: cores for CPU ("8", "7900m"), GiB for memory ("32Gi", "33554432Ki"). */
export function cores(value: string | undefined): number {
  if (!value) return 0;
  return value.endsWith('m') ? Number(value.slice(0, -1)) / 1000 : Number(value);
}

export function gib(value: string | undefined): number {
  if (!value) return 0;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(value);
  if (!match) return 0;
  const factor: Record<string, number> = {
    Ki: 1 / 1024 ** 2,
    Mi: 1 / 1024,
    Gi: 1,
    Ti: 1024,
    k: 1e3 / 1024 ** 3,
    M: 1e6 / 1024 ** 3,
    G: 1e9 / 1024 ** 3,
  };
  return Math.round(Number(match[1]) * (match[2] ? (factor[match[2]] ?? 1) : 1 / 1024 ** 3) * 10) / 10;
}

export function machineRoles(pool: MachinePool): string[] {
  return roles({ controlPlane: pool.controlPlaneRole, etcd: pool.etcdRole, worker: pool.workerRole });
}

/** Scaling guards shared by both kinds of pool: keep the control plane up and etcd at an odd size. */
export function checkScale(name: string, poolRoles: string[], quantity: number): void {
  if ((poolRoles.includes('controlplane') || poolRoles.includes('etcd')) && quantity === 0) {
    const runs = poolRoles.filter((r) => r !== 'worker').join(' and ');
    throw new ToolError('invalid_request', `quantity: ${name} runs ${runs}; 0 nodes would take the cluster down`, {
      hint: 'keep at least 1 node (3 for a highly available etcd)',
    });
  }
  if (poolRoles.includes('etcd') && quantity % 2 === 0) {
    throw new ToolError(
      'invalid_request',
      `quantity: ${name} runs etcd; ${quantity} members tolerate no more failures than ${quantity - 1}`,
      { hint: 'use an odd number of etcd nodes (1, 3 or 5)' },
    );
  }
}

/** Rancher's annotation (and label) that puts a namespace in a project: `<clusterId>:<projectId>`. */
export const PROJECT_ANNOTATION = 'field.cattle.io/projectId';
export const MAX_NAMESPACES_LISTED = 25;

export function resourcesOf(r: Resources | undefined) {
  return { cpu_cores: cores(r?.cpu), memory_gib: gib(r?.memory), pods: Number(r?.pods ?? 0) || 0 };
}

export function conditionList(conditions: Condition[] | undefined) {
  return (conditions ?? []).map((c) => ({
    type: c.type ?? '',
    status: c.status ?? '',
    reason: c.reason,
    message: c.message,
    last_update: c.lastUpdateTime,
  }));
}

export function isReady(node: Node): boolean {
  return node.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Look-ups on one Rancher client that several toolsets make. */
export function rancherLookups(rancher: Rancher) {
  /** Accepts an id or a name; names are looked up (Rancher filters by name server-side). */
  const resolveCluster = async (ref: string, signal: AbortSignal): Promise<Cluster> => {
    if (CLUSTER_ID.test(ref))
      return rancher.request<Cluster>('GET', `/v3/clusters/${encodeURIComponent(ref)}`, { signal });
    const found = await rancher.request<Collection<Cluster>>('GET', '/v3/clusters', { query: { name: ref }, signal });
    const cluster = found.data[0];
    if (!cluster) {
      throw new ToolError('not_found', `cluster: no cluster named ${JSON.stringify(ref)}`, {
        hint: 'list_clusters shows the clusters by id and name',
      });
    }
    return cluster;
  };

  const allPages = async <T>(path: string, query: Record<string, string>, signal: AbortSignal): Promise<T[]> => {
    const items: T[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await rancher.request<Collection<T>>('GET', path, {
        query: { ...query, limit: 1000, marker },
        signal,
      });
      items.push(...page.data);
      marker = nextMarker(page);
      if (!marker) break;
    }
    return items;
  };

  return { resolveCluster, allPages };
}
