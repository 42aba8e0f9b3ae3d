import { defineTool, READ } from '@idp-mcp/core';
import * as z from 'zod';
import type { Collection, Rancher } from '../rancher.ts';
import {
  clusterArg,
  MAX_NAMESPACES_LISTED,
  type Namespace,
  PROJECT_ANNOTATION,
  type Project,
  rancherLookups,
} from './shared.ts';

/** Projects with their namespaces and quotas. */
export function projectTools(rancher: Rancher) {
  const { resolveCluster, allPages } = rancherLookups(rancher);
  return [
    defineTool({
      name: 'list_projects',
      title: 'List projects',
      description:
        "List a cluster's Rancher projects (groups of namespaces sharing access and quotas): id, name, the namespaces in each, the project's resource quota (limit and used) and the default quota per namespace. Also counts namespaces in no project.",
      toolset: 'projects',
      tier: 'read',
      annotations: READ,
      input: z.object({ cluster: clusterArg }),
      output: z.object({
        projects: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            description: z.string().optional(),
            state: z.string(),
            namespace_count: z.number().optional(),
            namespaces: z.array(z.string()).optional().describe(`The first ${MAX_NAMESPACES_LISTED}, by name.`),
            quota: z
              .record(z.string(), z.object({ limit: z.string(), used: z.string().optional() }))
              .optional()
              .describe('The project quota by resource (limitsCpu, limitsMemory, pods, ...).'),
            namespace_default_quota: z.record(z.string(), z.string()).optional(),
          }),
        ),
        namespaces_in_no_project: z.array(z.string()).optional(),
        note: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const cluster = await resolveCluster(input.cluster, ctx.signal);
        const projects = await allPages<Project>('/v3/projects', { clusterId: cluster.id }, ctx.signal);
        // Namespaces live in the downstream cluster; Rancher reaches them through its agent (Steve API).
        let namespaces: Namespace[] | undefined;
        let note: string | undefined;
        if (cluster.state === 'unavailable') {
          note = `${cluster.name} is unavailable (${cluster.transitioningMessage || 'its agent is not connected'}): namespaces cannot be listed`;
        } else {
          namespaces = [];
          let next: string | undefined;
          for (let pages = 0; pages < 10; pages++) {
            const page = await rancher.request<Collection<Namespace>>(
              'GET',
              `/k8s/clusters/${encodeURIComponent(cluster.id)}/v1/namespaces`,
              { query: { limit: 1000, continue: next }, signal: ctx.signal },
            );
            namespaces.push(...page.data);
            next = page.pagination?.continue;
            if (!next) break;
          }
        }
        const projectOf = (ns: Namespace) => ns.metadata.annotations?.[PROJECT_ANNOTATION];
        return {
          projects: projects
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((p) => {
              const inProject = namespaces
                ?.filter((ns) => projectOf(ns) === p.id)
                .map((ns) => ns.metadata.name)
                .sort();
              const limit = p.resourceQuota?.limit ?? {};
              const quota = Object.fromEntries(
                Object.entries(limit).map(([resource, value]) => [
                  resource,
                  { limit: value, used: p.resourceQuota?.usedLimit?.[resource] },
                ]),
              );
              return {
                id: p.id,
                name: p.name,
                description: p.description || undefined,
                state: p.state ?? 'unknown',
                namespace_count: inProject?.length,
                namespaces: inProject?.slice(0, MAX_NAMESPACES_LISTED),
                quota: Object.keys(quota).length > 0 ? quota : undefined,
                namespace_default_quota: p.namespaceDefaultResourceQuota?.limit,
              };
            }),
          namespaces_in_no_project: namespaces
            ?.filter((ns) => !projectOf(ns))
            .map((ns) => ns.metadata.name)
            .sort()
            .slice(0, MAX_NAMESPACES_LISTED),
          note,
        };
      },
    }),
  ];
}
