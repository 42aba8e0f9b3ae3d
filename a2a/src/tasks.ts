import { type ListTasksRequest, type ListTasksResponse, Task, TaskState, taskStateToJSON } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { resolveUserScope, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server';
import { ToolError } from '@idp-mcp/core';
import type { A2aTaskStore, Json, TaskScope } from '@idp-mcp/store';

const scopeOf = (context: ServerCallContext): TaskScope => ({
  tenant: context.tenant ?? '',
  owner: resolveUserScope(context),
});

/**
 * The SDK's TaskStore on the platform's database: tasks survive a restart, and each caller (the token's
 * subject) sees only their own. Tasks are stored in the protocol's JSON form.
 */
export class DurableTaskStore implements TaskStore {
  readonly #store: A2aTaskStore;

  constructor(store: A2aTaskStore) {
    this.#store = store;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    await this.#store.save(scopeOf(context), {
      id: task.id,
      contextId: task.contextId,
      state: taskStateToJSON(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED),
      statusAt: Date.parse(task.status?.timestamp ?? '') || Date.now(),
      ...(task.history[0] ? { messageId: task.history[0].messageId } : {}),
      task: Task.toJSON(task) as Json,
    });
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const stored = await this.#store.load(scopeOf(context), taskId);
    return stored === undefined ? undefined : Task.fromJSON(stored);
  }

  /** The task a first message with this id started, for answering a repeated send with it. */
  async findByMessageId(messageId: string, context: ServerCallContext): Promise<Task | undefined> {
    const stored = await this.#store.findByMessageId(scopeOf(context), messageId);
    return stored === undefined ? undefined : Task.fromJSON(stored);
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const pageSize = params.pageSize ?? 50;
    let page: Awaited<ReturnType<A2aTaskStore['list']>>;
    try {
      page = await this.#store.list(scopeOf(context), {
        limit: pageSize,
        ...(params.contextId ? { contextId: params.contextId } : {}),
        ...(params.status ? { state: taskStateToJSON(params.status) } : {}),
        ...(params.statusTimestampAfter ? { statusAfter: Date.parse(params.statusTimestampAfter) } : {}),
        ...(params.pageToken ? { cursor: params.pageToken } : {}),
      });
    } catch (error) {
      if (error instanceof ToolError && error.code === 'invalid_request') {
        throw new RequestMalformedError(`pageToken: ${error.message}`);
      }
      throw error;
    }
    return {
      tasks: page.tasks.map((stored) => {
        const task = Task.fromJSON(stored);
        return params.includeArtifacts ? task : { ...task, artifacts: [] };
      }),
      nextPageToken: page.nextCursor ?? '',
      pageSize,
      totalSize: page.total,
    };
  }
}
