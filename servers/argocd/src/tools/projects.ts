import { defineTool, READ } from '@idp-mcp/core';
import * as z from 'zod';
import { type ArgoCd, seg } from '../argocd.ts';
import { type AppProject, destinationText, type List } from '../model.ts';
import { projectName } from './args.ts';

const projectSummary = z.object({
  name: z.string(),
  description: z.string().optional(),
  source_repos: z.array(z.string()),
  destinations: z.array(z.string()).describe('Allowed cluster/namespace patterns.'),
});

function summarize(project: AppProject): z.input<typeof projectSummary> {
  return {
    name: project.metadata?.name ?? '',
    description: project.spec?.description || undefined,
    source_repos: project.spec?.sourceRepos ?? [],
    destinations: (project.spec?.destinations ?? []).map(destinationText),
  };
}

export function projectTools(argocd: ArgoCd) {
  return [
    defineTool({
      name: 'list_projects',
      title: 'List projects',
      description: 'List Argo CD projects with the source repositories and destinations each allows.',
      toolset: 'projects',
      tier: 'read',
      annotations: READ,
      input: z.object({}),
      output: z.object({ projects: z.array(projectSummary) }),
      handler: async (_input, ctx) => {
        const list = await argocd.request<List<AppProject>>('GET', '/api/v1/projects', { signal: ctx.signal });
        return { projects: (list.items ?? []).map(summarize) };
      },
    }),
    defineTool({
      name: 'get_project',
      title: 'Get project',
      description:
        'Get one Argo CD project: allowed source repositories and destinations, roles and sync windows. Use it to choose a valid destination before create_application.',
      toolset: 'projects',
      tier: 'read',
      annotations: READ,
      input: z.object({ name: projectName }),
      output: projectSummary.extend({
        roles: z.array(z.object({ name: z.string(), description: z.string().optional() })),
        sync_windows: z.array(z.object({ kind: z.string(), schedule: z.string(), duration: z.string() })),
      }),
      handler: async (input, ctx) => {
        const project = await argocd.request<AppProject>('GET', `/api/v1/projects/${seg(input.name)}`, {
          signal: ctx.signal,
        });
        return {
          ...summarize(project),
          roles: (project.spec?.roles ?? []).map((r) => ({ name: r.name ?? '', description: r.description })),
          sync_windows: (project.spec?.syncWindows ?? []).map((w) => ({
            kind: w.kind ?? '',
            schedule: w.schedule ?? '',
            duration: w.duration ?? '',
          })),
        };
      },
    }),
  ];
}
