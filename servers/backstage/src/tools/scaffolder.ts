import {
  decodeCursor,
  defineTool,
  encodeCursor,
  listArgs,
  nextCursorField,
  READ,
  truncateText,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import type { BackstageClient } from '../backstage.ts';
import { entityRefArg, entitySummary, parseEntityRef, queryEntities } from './catalog.ts';

interface SerializedTask {
  id: string;
  spec: { templateInfo?: { entityRef?: string }; steps?: Array<{ id: string; name: string }> };
  status: string;
  createdAt: string;
  lastHeartbeatAt?: string;
  createdBy?: string;
}

interface TaskEvent {
  id: number;
  type: string;
  createdAt: string;
  body: {
    message: string;
    stepId?: string;
    status?: string;
    output?: { links?: Array<{ title?: string; url?: string; entityRef?: string }>; text?: unknown };
  };
}

type ParameterSchema = {
  title?: string;
  required?: string[];
  properties?: Record<
    string,
    { title?: string; type?: string; description?: string; enum?: unknown[]; pattern?: string; default?: unknown }
  >;
};

const taskId = z
  .string()
  .regex(/^[A-Za-z0-9-]{8,64}$/, { error: 'must be a task id as returned by run_template' })
  .describe('Task id from run_template.');

const taskSummary = z.object({
  id: z.string(),
  template: z.string().optional(),
  status: z.string(),
  created_at: z.string(),
  created_by: z.string().optional(),
});

const summarizeTask = (task: SerializedTask): z.input<typeof taskSummary> => ({
  id: task.id,
  ...(task.spec.templateInfo?.entityRef ? { template: task.spec.templateInfo.entityRef } : {}),
  status: task.status,
  created_at: task.createdAt,
  ...(task.createdBy ? { created_by: task.createdBy } : {}),
});

export function scaffolderTools(backstage: BackstageClient) {
  const templateRef = entityRefArg.describe(
    'Template ref, e.g. "template:default/service-template" or "service-template".',
  );
  return [
    defineTool({
      name: 'list_templates',
      title: 'List software templates',
      description: 'List the scaffolder templates (golden paths) a new service or resource can be created from.',
      toolset: 'scaffolder',
      tier: 'read',
      annotations: READ,
      input: z.object({ ...listArgs }),
      output: z.object({ templates: z.array(entitySummary), total: z.number(), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const page = await queryEntities(backstage, 'list_templates', input, { filter: ['kind=template'] }, ctx.signal);
        return { templates: page.entities, total: page.total, nextCursor: page.nextCursor };
      },
    }),
    defineTool({
      name: 'get_template_parameters',
      title: 'Template parameters',
      description:
        "List a template's parameters per step: name, type, required, allowed values and pattern. Use before run_template.",
      toolset: 'scaffolder',
      tier: 'read',
      annotations: READ,
      input: z.object({ template: templateRef }),
      output: z.object({
        title: z.string(),
        description: z.string().optional(),
        steps: z.array(
          z.object({
            title: z.string(),
            parameters: z.array(
              z.object({
                name: z.string(),
                title: z.string().optional(),
                type: z.string().optional(),
                required: z.boolean(),
                description: z.string().optional(),
                enum: z.array(z.unknown()).optional(),
                pattern: z.string().optional(),
                default: z.unknown().optional(),
              }),
            ),
          }),
        ),
      }),
      handler: async (input, ctx) => {
        const { kind, namespace, name } = parseEntityRef(input.template, 'template');
        const schema = await backstage.get<{
          title: string;
          description?: string;
          steps: Array<{ title: string; schema: ParameterSchema }>;
        }>(
          `/api/scaffolder/v2/templates/${encodeURIComponent(namespace)}/${encodeURIComponent(kind)}/${encodeURIComponent(name)}/parameter-schema`,
          {},
          ctx.signal,
        );
        return {
          title: schema.title,
          ...(schema.description ? { description: schema.description } : {}),
          steps: schema.steps.map((step) => ({
            title: step.title,
            parameters: Object.entries(step.schema.properties ?? {}).map(([key, p]) => ({
              name: key,
              ...(p.title ? { title: p.title } : {}),
              ...(p.type ? { type: p.type } : {}),
              required: (step.schema.required ?? []).includes(key),
              ...(p.description ? { description: p.description } : {}),
              ...(p.enum ? { enum: p.enum } : {}),
              ...(p.pattern ? { pattern: p.pattern } : {}),
              ...(p.default !== undefined ? { default: p.default } : {}),
            })),
          })),
        };
      },
    }),
    defineTool({
      name: 'run_template',
      title: 'Run software template',
      description:
        'Start a scaffolder task from a template with parameter values (see get_template_parameters). Returns the task id; follow it with get_task.',
      toolset: 'scaffolder',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        template: templateRef,
        values: z
          .record(z.string(), z.unknown())
          .describe('Parameter values by name, e.g. {"name": "inventory-api", "owner": "group:default/platform"}.'),
      }),
      output: z.object({ task_id: z.string(), template: z.string() }),
      handler: async (input, ctx) => {
        const { ref } = parseEntityRef(input.template, 'template');
        const { id } = await backstage.post<{ id: string }>(
          '/api/scaffolder/v2/tasks',
          { templateRef: ref, values: input.values },
          ctx.signal,
        );
        ctx.log.info('scaffolder task started', { template: ref, task: id });
        return { task_id: id, template: ref };
      },
    }),
    defineTool({
      name: 'get_task',
      title: 'Scaffolder task status and logs',
      description:
        'Get a scaffolder task: status, each step’s status, output links when done, and the last log lines. Pass after to get only newer lines.',
      toolset: 'scaffolder',
      tier: 'read',
      annotations: READ,
      input: z.object({
        task_id: taskId,
        after: z
          .number()
          .int()
          .min(-1)
          .optional()
          .describe('last_event_id from a previous call: only newer log lines.'),
        log_lines: z.number().int().min(0).max(200).default(30).describe('Last log lines to return (0-200).'),
      }),
      output: taskSummary.extend({
        steps: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
        links: z.array(
          z.object({ title: z.string().optional(), url: z.string().optional(), entity_ref: z.string().optional() }),
        ),
        log: z.string(),
        last_event_id: z.number().optional(),
      }),
      handler: async (input, ctx) => {
        const task = await backstage.get<SerializedTask>(`/api/scaffolder/v2/tasks/${input.task_id}`, {}, ctx.signal);
        const events = await backstage.get<TaskEvent[]>(
          `/api/scaffolder/v2/tasks/${input.task_id}/events`,
          input.after !== undefined ? { after: String(input.after) } : {},
          ctx.signal,
        );
        const stepStatus = new Map<string, string>();
        for (const event of events) {
          if (event.body.stepId && event.body.status) stepStatus.set(event.body.stepId, event.body.status);
        }
        const completion = events.find((e) => e.type === 'completion');
        const lines = events
          .filter((e) => e.type === 'log')
          .map((e) => `${e.createdAt} ${e.body.stepId ? `[${e.body.stepId}] ` : ''}${e.body.message}`);
        const log = truncateText(lines.slice(-input.log_lines).join('\n'), {
          keep: 'tail',
          hint: 'lower log_lines or pass after to read only newer lines',
        }).text;
        const omitted = Math.max(0, lines.length - input.log_lines);
        return {
          ...summarizeTask(task),
          steps: (task.spec.steps ?? []).map((step) => ({
            id: step.id,
            name: step.name,
            status: stepStatus.get(step.id) ?? (task.status === 'completed' ? 'completed' : 'open'),
          })),
          links: (completion?.body.output?.links ?? []).map((l) => ({
            ...(l.title ? { title: l.title } : {}),
            ...(l.url ? { url: l.url } : {}),
            ...(l.entityRef ? { entity_ref: l.entityRef } : {}),
          })),
          log: omitted > 0 ? `[${omitted} earlier lines omitted]\n${log}` : log,
          ...(events.length > 0 ? { last_event_id: events.at(-1)!.id } : {}),
        };
      },
    }),
    defineTool({
      name: 'list_tasks',
      title: 'List scaffolder tasks',
      description: 'List scaffolder tasks, newest first, optionally by status or by who started them (a user ref).',
      toolset: 'scaffolder',
      tier: 'read',
      annotations: READ,
      input: z.object({
        status: z.enum(['open', 'processing', 'completed', 'failed', 'cancelled']).optional(),
        created_by: entityRefArg.optional().describe('User ref, e.g. "user:default/alice".'),
        ...listArgs,
      }),
      output: z.object({ tasks: z.array(taskSummary), total: z.number().optional(), nextCursor: nextCursorField }),
      handler: async (input, ctx) => {
        const offset = decodeCursor<{ offset: number }>('list_tasks', input.cursor, { offset: 'number' })?.offset ?? 0;
        const response = await backstage.get<{ tasks: SerializedTask[]; totalTasks?: number }>(
          '/api/scaffolder/v2/tasks',
          {
            limit: String(input.limit),
            offset: String(offset),
            ...(input.status ? { status: input.status } : {}),
            ...(input.created_by ? { createdBy: parseEntityRef(input.created_by, 'user').ref } : {}),
          },
          ctx.signal,
        );
        const total = response.totalTasks;
        const more = total !== undefined ? offset + input.limit < total : response.tasks.length === input.limit;
        return {
          tasks: response.tasks.map(summarizeTask),
          ...(total !== undefined ? { total } : {}),
          nextCursor: more ? encodeCursor('list_tasks', { offset: offset + input.limit }) : undefined,
        };
      },
    }),
    defineTool({
      name: 'cancel_task',
      title: 'Cancel scaffolder task',
      description: 'Cancel a running scaffolder task. Steps already done (e.g. a created repository) are not undone.',
      toolset: 'scaffolder',
      tier: 'write',
      annotations: { ...WRITE, destructiveHint: true, idempotentHint: true },
      input: z.object({ task_id: taskId }),
      output: z.object({ task_id: z.string(), status: z.string() }),
      handler: async (input, ctx) => {
        const result = await backstage.post<{ status?: string }>(
          `/api/scaffolder/v2/tasks/${input.task_id}/cancel`,
          {},
          ctx.signal,
        );
        return { task_id: input.task_id, status: result.status ?? 'cancelled' };
      },
    }),
  ];
}
