import { DESTRUCTIVE, defineTool, listArgs, nextCursorField, READ, ToolError, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { type GitHub, nextPageCursor, pageRequest } from '../github.ts';
import { branch, owner, repo } from './args.ts';

const repositorySummary = z.object({
  full_name: z.string(),
  description: z.string().nullable(),
  private: z.boolean(),
  default_branch: z.string().optional(),
  language: z.string().nullable().optional(),
  archived: z.boolean().optional(),
  is_template: z.boolean().optional(),
  stars: z.number().optional(),
  updated_at: z.string().nullable().optional(),
  html_url: z.string(),
});
type RepositorySummary = z.input<typeof repositorySummary>;

interface RepositoryLike {
  full_name: string;
  description: string | null;
  private: boolean;
  default_branch?: string;
  language?: string | null;
  archived?: boolean;
  is_template?: boolean;
  stargazers_count?: number;
  updated_at?: string | null;
  html_url: string;
}

export function summarizeRepository(repository: RepositoryLike): RepositorySummary {
  return {
    full_name: repository.full_name,
    description: repository.description,
    private: repository.private,
    default_branch: repository.default_branch,
    language: repository.language ?? null,
    archived: repository.archived,
    is_template: repository.is_template,
    stars: repository.stargazers_count,
    updated_at: repository.updated_at ?? null,
    html_url: repository.html_url,
  };
}

const repositoryList = { repositories: z.array(repositorySummary), nextCursor: nextCursorField };

export function repositoryTools(github: GitHub) {
  return [
    defineTool({
      name: 'list_repositories',
      title: 'List repositories',
      description:
        "List repositories of an organization or user (owner), or the authenticated user's own when owner is omitted. Newest activity first.",
      toolset: 'repos',
      tier: 'read',
      annotations: READ,
      input: z.object({
        owner: owner.optional(),
        type: z.enum(['all', 'public', 'private', 'forks', 'sources', 'member']).default('all'),
        ...listArgs,
      }),
      output: z.object(repositoryList),
      handler: async (input, ctx) => {
        const page = pageRequest('list_repositories', input.limit, input.cursor);
        const common = { ...page, sort: 'pushed' as const, request: { signal: ctx.signal } };
        const list = async (): Promise<{ data: RepositoryLike[]; headers: { link?: string } }> => {
          if (!input.owner) {
            const mine = input.type === 'forks' || input.type === 'sources' ? 'all' : input.type;
            return github.rest.repos.listForAuthenticatedUser({ ...common, type: mine });
          }
          try {
            return await github.rest.repos.listForOrg({ ...common, org: input.owner, type: input.type });
          } catch (error) {
            if ((error as { status?: number }).status !== 404) throw error;
          }
          const type = input.type === 'member' ? 'member' : input.type === 'all' ? 'all' : 'owner';
          return github.rest.repos.listForUser({ ...common, username: input.owner, type });
        };
        const response = await list();
        return {
          repositories: response.data.map(summarizeRepository),
          nextCursor: nextPageCursor('list_repositories', page, response.headers.link),
        };
      },
    }),
    defineTool({
      name: 'search_repositories',
      title: 'Search repositories',
      description:
        'Search repositories with GitHub search syntax, e.g. "org:acme language:go topic:payments". Best match first.',
      toolset: 'repos',
      tier: 'read',
      annotations: READ,
      input: z.object({ query: z.string().min(1).describe('GitHub repository search query.'), ...listArgs }),
      output: z.object({ total_count: z.number(), ...repositoryList }),
      handler: async (input, ctx) => {
        const page = pageRequest('search_repositories', input.limit, input.cursor);
        const response = await github.rest.search.repos({ q: input.query, ...page, request: { signal: ctx.signal } });
        return {
          total_count: response.data.total_count,
          repositories: response.data.items.map(summarizeRepository),
          nextCursor: nextPageCursor('search_repositories', page, response.headers.link),
        };
      },
    }),
    defineTool({
      name: 'get_repository',
      title: 'Get repository',
      description: 'Get one repository: description, default branch, visibility, topics, template flag and counts.',
      toolset: 'repos',
      tier: 'read',
      annotations: READ,
      input: z.object({ owner, repo }),
      output: repositorySummary.extend({
        topics: z.array(z.string()),
        open_issues: z.number(),
        forks: z.number(),
        visibility: z.string().optional(),
        created_at: z.string(),
        pushed_at: z.string().nullable(),
      }),
      handler: async (input, ctx) => {
        const { data } = await github.rest.repos.get({ ...input, request: { signal: ctx.signal } });
        return {
          ...summarizeRepository(data),
          topics: data.topics ?? [],
          open_issues: data.open_issues_count,
          forks: data.forks_count,
          visibility: data.visibility,
          created_at: data.created_at,
          pushed_at: data.pushed_at,
        };
      },
    }),
    defineTool({
      name: 'create_repository',
      title: 'Create repository',
      description:
        'Create a repository. With template ("owner/name" of a template repository) it starts from the golden-path template; otherwise empty with a README. owner is an organization; omit it for a personal repository.',
      toolset: 'repos',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        owner: owner.optional().describe('Organization to create it in; omit for the authenticated user.'),
        name: repo,
        description: z.string().max(350).optional(),
        private: z.boolean().default(true),
        template: z
          .string()
          .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { error: 'must be "owner/name" of a template repository' })
          .optional()
          .describe('Template repository as "owner/name".'),
      }),
      output: repositorySummary,
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        if (input.template) {
          const [templateOwner, templateRepo] = input.template.split('/') as [string, string];
          const owner = input.owner ?? (await github.rest.users.getAuthenticated({ request })).data.login;
          const { data } = await github.rest.repos.createUsingTemplate({
            template_owner: templateOwner,
            template_repo: templateRepo,
            owner,
            name: input.name,
            private: input.private,
            ...(input.description ? { description: input.description } : {}),
            request,
          });
          return summarizeRepository(data);
        }
        const body = {
          name: input.name,
          private: input.private,
          auto_init: true,
          ...(input.description ? { description: input.description } : {}),
          request,
        };
        const { data } = input.owner
          ? await github.rest.repos.createInOrg({ ...body, org: input.owner })
          : await github.rest.repos.createForAuthenticatedUser(body);
        return summarizeRepository(data);
      },
    }),
    defineTool({
      name: 'create_branch',
      title: 'Create branch',
      description: 'Create a branch from another branch (the default branch when from is omitted).',
      toolset: 'repos',
      tier: 'write',
      annotations: WRITE,
      input: z.object({ owner, repo, branch, from: branch.optional().describe('Branch to start from.') }),
      output: z.object({ branch: z.string(), sha: z.string() }),
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const from =
          input.from ??
          (await github.rest.repos.get({ owner: input.owner, repo: input.repo, request })).data.default_branch;
        const base = await github.rest.git.getRef({
          owner: input.owner,
          repo: input.repo,
          ref: `heads/${from}`,
          request,
        });
        try {
          await github.rest.git.createRef({
            owner: input.owner,
            repo: input.repo,
            ref: `refs/heads/${input.branch}`,
            sha: base.data.object.sha,
            request,
          });
        } catch (error) {
          if ((error as { status?: number }).status === 422) {
            throw new ToolError('conflict', `branch ${input.branch} already exists in ${input.owner}/${input.repo}`, {
              hint: 'use the existing branch or choose another name',
              retryable: false,
            });
          }
          throw error;
        }
        return { branch: input.branch, sha: base.data.object.sha };
      },
    }),
    defineTool({
      name: 'delete_branch',
      title: 'Delete branch',
      description:
        "Delete a branch (not the repository's default branch). A branch that is already gone changes nothing: deleted is false.",
      toolset: 'repos',
      tier: 'write',
      annotations: DESTRUCTIVE,
      input: z.object({ owner, repo, branch }),
      output: z.object({ branch: z.string(), deleted: z.boolean() }),
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const { data } = await github.rest.repos.get({ owner: input.owner, repo: input.repo, request });
        if (data.default_branch === input.branch) {
          throw new ToolError('invalid_request', `${input.branch} is the default branch of ${data.full_name}`, {
            hint: 'a default branch is not deleted; change the default branch first, or archive the repository',
            retryable: false,
          });
        }
        const ref = `heads/${input.branch}`;
        try {
          await github.rest.git.getRef({ owner: input.owner, repo: input.repo, ref, request });
        } catch (error) {
          if ((error as { status?: number }).status === 404) return { branch: input.branch, deleted: false };
          throw error;
        }
        await github.rest.git.deleteRef({ owner: input.owner, repo: input.repo, ref, request });
        return { branch: input.branch, deleted: true };
      },
    }),
    defineTool({
      name: 'archive_repository',
      title: 'Archive repository',
      description:
        'Archive a repository: it stays, read-only, until an admin unarchives it. Needs admin rights on it. Archiving an archived one changes nothing.',
      toolset: 'repos',
      tier: 'admin',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({ owner, repo }),
      output: repositorySummary,
      handler: async (input, ctx) => {
        const request = { signal: ctx.signal };
        const { data } = await github.rest.repos.get({ ...input, request });
        if (data.archived) return summarizeRepository(data);
        const { data: archived } = await github.rest.repos.update({ ...input, archived: true, request });
        return summarizeRepository(archived);
      },
    }),
    defineTool({
      name: 'delete_repository',
      title: 'Delete repository',
      description:
        'Delete a repository with everything in it, for good. Needs admin rights (and, for a classic token, the delete_repo scope). One that is already gone changes nothing: deleted is false.',
      toolset: 'repos',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({ owner, repo }),
      output: z.object({ full_name: z.string(), deleted: z.boolean() }),
      handler: async (input, ctx) => {
        const full_name = `${input.owner}/${input.repo}`;
        try {
          await github.rest.repos.delete({ ...input, request: { signal: ctx.signal } });
        } catch (error) {
          if ((error as { status?: number }).status === 404) return { full_name, deleted: false };
          throw error;
        }
        return { full_name, deleted: true };
      },
    }),
  ];
}
