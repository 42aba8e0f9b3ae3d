import { defineTool, listArgs, nextCursorField, READ } from '@idp-mcp/core';
import { findUsers, searchProjects } from 'jira.js/cloud';
import * as z from 'zod';
import type { Jira } from '../jira.ts';
import { nextStartAt, startAtPage } from './common.ts';

/** Projects and their metadata. */
export function projectTools(jira: Jira) {
  return [
    defineTool({
      name: 'list_projects',
      title: 'List projects',
      description: 'List Jira projects visible to the credential, optionally matching a name or key.',
      toolset: 'projects',
      tier: 'read',
      annotations: READ,
      input: z.object({
        query: z.string().min(1).optional().describe('Only projects whose name or key contains this.'),
        ...listArgs,
      }),
      output: z.object({
        projects: z.array(
          z.object({
            key: z.string(),
            name: z.string(),
            lead: z.string().nullable(),
            description: z.string().nullable(),
          }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const page = startAtPage('list_projects', input.limit, input.cursor);
        const result = await searchProjects(jira.client(ctx.signal), {
          ...page,
          ...(input.query ? { query: input.query } : {}),
          expand: 'description,lead',
        });
        const values = result.values ?? [];
        return {
          projects: values.map((project) => ({
            key: project.key ?? '',
            name: project.name ?? '',
            lead: project.lead?.displayName ?? null,
            description: project.description ? project.description.slice(0, 300) : null,
          })),
          nextCursor: nextStartAt('list_projects', page, values.length, result.isLast),
        };
      },
    }),
    defineTool({
      name: 'find_users',
      title: 'Find users',
      description: 'Find Jira users by name or email prefix; returns account ids for assignee fields and JQL.',
      toolset: 'projects',
      tier: 'read',
      annotations: READ,
      input: z.object({
        query: z.string().min(1).describe('Start of a name or email address.'),
        limit: z.number().int().min(1).max(50).default(10).describe('Maximum users to return (1-50).'),
      }),
      output: z.object({
        users: z.array(
          z.object({
            account_id: z.string(),
            display_name: z.string(),
            email: z.string().nullable(),
            active: z.boolean(),
          }),
        ),
      }),
      handler: async (input, ctx) => {
        const users = await findUsers(jira.client(ctx.signal), { query: input.query, maxResults: input.limit });
        return {
          users: users.map((user) => ({
            account_id: user.accountId ?? '',
            display_name: user.displayName ?? '',
            email: user.emailAddress ?? null,
            active: user.active ?? true,
          })),
        };
      },
    }),
  ];
}
