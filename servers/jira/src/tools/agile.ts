import { defineTool, listArgs, nextCursorField, READ, ToolError } from '@idp-mcp/core';
import { getAllBoards, getAllSprints } from 'jira.js/agile';
import * as z from 'zod';
import type { Jira } from '../jira.ts';
import { iso, issueSummary, nextStartAt, projectKey, searchPage, startAtPage } from './common.ts';

/** Jira's startAt paging as our cursor; the page size is kept so a later call cannot skip items. */

const sprintSummary = z.object({
  id: z.number(),
  name: z.string(),
  state: z.string(),
  goal: z.string().nullable(),
  start: z.string().nullable(),
  end: z.string().nullable(),
});

function summarizeSprint(sprint: {
  id?: number;
  name?: string;
  state?: string;
  goal?: string;
  startDate?: Date | string;
  endDate?: Date | string;
}) {
  return {
    id: sprint.id ?? 0,
    name: sprint.name ?? '',
    state: sprint.state ?? '',
    goal: sprint.goal || null,
    start: sprint.startDate ? iso(sprint.startDate) : null,
    end: sprint.endDate ? iso(sprint.endDate) : null,
  };
}

const boardId = z.number().int().positive().describe('Board id (list_boards shows them).');

export function agileTools(jira: Jira) {
  return [
    defineTool({
      name: 'list_boards',
      title: 'List boards',
      description: 'List Scrum and Kanban boards, optionally of one project or matching a name.',
      toolset: 'agile',
      tier: 'read',
      annotations: READ,
      input: z.object({
        project: projectKey.optional(),
        name: z.string().min(1).optional().describe('Only boards whose name contains this.'),
        ...listArgs,
      }),
      output: z.object({
        boards: z.array(
          z.object({ id: z.number(), name: z.string(), type: z.string(), project: z.string().nullable() }),
        ),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const page = startAtPage('list_boards', Math.min(input.limit, 50), input.cursor);
        const result = await getAllBoards(jira.client(ctx.signal), {
          ...page,
          ...(input.project ? { projectKeyOrId: input.project } : {}),
          ...(input.name ? { name: input.name } : {}),
        });
        const values = result.values ?? [];
        return {
          boards: values.map((board) => ({
            id: board.id ?? 0,
            name: board.name ?? '',
            type: board.type ?? '',
            project: board.location?.projectKey ?? null,
          })),
          nextCursor: nextStartAt('list_boards', page, values.length, result.isLast),
        };
      },
    }),
    defineTool({
      name: 'list_sprints',
      title: 'List sprints',
      description: 'List the sprints of a Scrum board (closed, active, future), optionally by state.',
      toolset: 'agile',
      tier: 'read',
      annotations: READ,
      input: z.object({
        board_id: boardId,
        state: z
          .array(z.enum(['active', 'future', 'closed']))
          .optional()
          .describe('Only sprints in these states.'),
        ...listArgs,
      }),
      output: z.object({ sprints: z.array(sprintSummary), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const page = startAtPage('list_sprints', Math.min(input.limit, 50), input.cursor);
        const result = await getAllSprints(jira.client(ctx.signal), {
          boardId: input.board_id,
          ...page,
          ...(input.state?.length ? { state: input.state.join(',') } : {}),
        });
        const values = result.values ?? [];
        return {
          sprints: values.map(summarizeSprint),
          nextCursor: nextStartAt('list_sprints', page, values.length, result.isLast),
        };
      },
    }),
    defineTool({
      name: 'get_active_sprint',
      title: 'Get active sprint',
      description:
        "A board's active sprint (name, goal, dates) and its issues, highest priority first (compact fields, paginated).",
      toolset: 'agile',
      tier: 'read',
      annotations: READ,
      input: z.object({ board_id: boardId, ...listArgs }),
      output: z.object({
        sprint: sprintSummary,
        other_active_sprints: z.array(z.string()).describe('Parallel active sprints of the board, by name.'),
        issues: z.array(issueSummary),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const { values = [] } = await getAllSprints(jira.client(ctx.signal), {
          boardId: input.board_id,
          state: 'active',
          maxResults: 10,
        });
        const [active, ...others] = values;
        if (!active?.id) {
          throw new ToolError('not_found', `board ${input.board_id} has no active sprint`, {
            hint: 'list_sprints with state ["future"] shows the next one',
          });
        }
        // jira.js 6's getIssuesForSprint calls /rest/software/1.0, which Atlassian's published Agile description does
        // not describe; JQL over the enhanced search gives the same issues with the same paging.
        const page = await searchPage(
          jira,
          ctx.signal,
          'get_active_sprint',
          `sprint = ${active.id} ORDER BY priority DESC, key ASC`,
          input.limit,
          input.cursor,
        );
        return {
          sprint: summarizeSprint(active),
          other_active_sprints: others.map((sprint) => sprint.name ?? String(sprint.id)),
          ...page,
        };
      },
    }),
  ];
}
