import { defineTool, READ, ToolError, WRITE } from '@idp-mcp/core';
import { addComment, doTransition, getIssue, getTransitions } from 'jira.js/cloud';
import * as z from 'zod';
import { markdownToAdf } from '../adf.ts';
import type { Jira } from '../jira.ts';
import { issueKey, markdown } from './common.ts';

const transitionSummary = z.object({
  id: z.string(),
  name: z.string(),
  to_status: z.string(),
  to_category: z.string().describe('To Do, In Progress or Done.'),
});

async function transitionsOf(jira: Jira, signal: AbortSignal, key: string) {
  const { transitions = [] } = await getTransitions(jira.client(signal), { issueIdOrKey: key });
  return transitions.map((transition) => ({
    id: transition.id ?? '',
    name: transition.name ?? '',
    to_status: transition.to?.name ?? '',
    to_category: transition.to?.statusCategory?.name ?? '',
  }));
}

export function workflowTools(jira: Jira) {
  return [
    defineTool({
      name: 'list_transitions',
      title: 'List transitions',
      description: "The workflow transitions available to an issue now, with each one's target status.",
      toolset: 'issues',
      tier: 'read',
      annotations: READ,
      input: z.object({ key: issueKey }),
      output: z.object({ key: z.string(), transitions: z.array(transitionSummary) }),
      handler: async (input, ctx) => ({
        key: input.key,
        transitions: await transitionsOf(jira, ctx.signal, input.key),
      }),
    }),
    defineTool({
      name: 'transition_issue',
      title: 'Transition issue',
      description:
        'Move an issue through its workflow by transition or target status name (e.g. "In Progress", "Done"), optionally with a comment. An unknown name lists the valid ones.',
      toolset: 'issues',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        key: issueKey,
        transition: z.string().min(1).describe('Transition name, target status name, or transition id.'),
        comment: markdown('Comment added after the transition').optional(),
      }),
      output: z.object({ key: z.string(), from_status: z.string(), to_status: z.string(), url: z.string() }),
      handler: async (input, ctx) => {
        const client = jira.client(ctx.signal);
        const [issue, transitions] = await Promise.all([
          getIssue(client, { issueIdOrKey: input.key, fields: ['status'] }),
          transitionsOf(jira, ctx.signal, input.key),
        ]);
        const from = (issue.fields?.status as { name?: string } | undefined)?.name ?? '';
        const wanted = input.transition.trim().toLowerCase();
        const match =
          transitions.find((t) => t.id === wanted || t.name.toLowerCase() === wanted) ??
          transitions.find((t) => t.to_status.toLowerCase() === wanted);
        if (!match) {
          const valid = transitions.map((t) =>
            t.name === t.to_status ? `"${t.name}"` : `"${t.name}" (-> ${t.to_status})`,
          );
          throw new ToolError(
            'invalid_request',
            `transition: "${input.transition}" is not available for ${input.key} (status ${from}); valid now: ${valid.join(', ') || 'none'}`,
            { hint: 'pass one of the listed names as transition' },
          );
        }
        await doTransition(client, { issueIdOrKey: input.key, transition: { id: match.id } });
        if (input.comment) await addComment(client, { issueIdOrKey: input.key, body: markdownToAdf(input.comment) });
        return { key: input.key, from_status: from, to_status: match.to_status, url: jira.browseUrl(input.key) };
      },
    }),
  ];
}
