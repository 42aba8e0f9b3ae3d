import {
  type AnyTool,
  type Caller,
  type ErrorCode,
  invokeTool,
  type Logger,
  ToolError,
  type ToolInterceptor,
  toolErrorOf,
} from '@idp-mcp/core';
import type { StepDefinition } from '@idp-mcp/store';
import { type InputOf, type OutputOf, TOOLS, type ToolHandle } from './handles.ts';

/** A call of a mounted tool as data: the platform's name for it and its arguments. */
export interface ToolCall {
  tool: string;
  args: Record<string, unknown>;
}

/** A call of a handle's tool, its arguments typed by the tool's input schema, kept as data. */
export function toolCall<T extends AnyTool>(handle: ToolHandle<T>, args: InputOf<T>): ToolCall {
  return { tool: handle.name, args };
}

/**
 * How a repeated step (a resumed run, or a branch an earlier plan made) tells that its change is already there:
 * its tool refuses with `code` and, when `check` is given, that read finds the change: it answers (not
 * `not_found`) and, with `find`, its output's list `find.list` has an item with `find.where`'s fields.
 */
export interface AlreadyDone {
  code: ErrorCode;
  check?: { call: ToolCall; find?: { list: string; where: Record<string, unknown> } };
}

/** Done when the tool refuses with `code`, which says the change exists (e.g. `conflict` for a branch). */
export function refusedWith(code: ErrorCode): AlreadyDone {
  return { code };
}

type ListKeys<O> = { [K in keyof O]-?: NonNullable<O[K]> extends readonly unknown[] ? K : never }[keyof O] & string;
type ItemOf<L> = NonNullable<L> extends readonly (infer Item)[] ? Item : never;

/**
 * Done when the tool refuses with `code` and reading the handle's tool finds the change, for a refusal whose
 * code alone does not say (GitHub answers 422, `invalid_request`, to a repository or pull request that exists).
 */
export function foundBy<T extends AnyTool, K extends ListKeys<OutputOf<T>>>(
  code: ErrorCode,
  handle: ToolHandle<T>,
  args: InputOf<T>,
  find?: { list: K; where: Partial<ItemOf<OutputOf<T>[K]>> },
): AlreadyDone {
  return { code, check: { call: toolCall(handle, args), ...(find ? { find } : {}) } };
}

/**
 * Stands for the step's idempotency key (`<run id>:<step name>`, the same on every retry of that step) in a plan's
 * stored arguments: the run does not exist yet when the plan is made. Applying puts the key in its place, in the
 * call and in the read that finds its effect.
 */
export const IDEMPOTENCY_KEY = '{{idempotency_key}}';

/**
 * How a step that acts only once finds its own earlier effect after a crash, before it acts again: the
 * change carries the step's idempotency key (IDEMPOTENCY_KEY in the call's arguments), and `call` (a read) lists
 * the changes that carry it, in its output's list `list`. An item counts when its `field` contains the key (any
 * item when `field` is absent: the read itself selects by the key, e.g. a JQL label). With `files`, the effect
 * is a commit: it counts as made when every file already holds the content the step commits.
 */
export type FindEarlier =
  | { call: ToolCall; list: string; field?: string }
  | { files: { owner: string; repo: string; branch: string; files: Array<{ path: string; content: string }> } };

/**
 * An undo whose arguments come partly from the step's output, e.g. the number of the pull request it opened:
 * `undoWith(TOOLS.closePullRequest, { owner, repo }, { pull_number: 'number' })`.
 */
export function undoWith<T extends AnyTool, K extends keyof InputOf<T> & string>(
  handle: ToolHandle<T>,
  args: Omit<InputOf<T>, K>,
  fromOutput: Record<K, string>,
): Pick<StepSpec, 'undo' | 'undoFromOutput'> {
  return { undo: { tool: handle.name, args: args as Record<string, unknown> }, undoFromOutput: fromOutput };
}

/** Finds the message, ticket, ... that a step made and marked with its key (see FindEarlier). */
export function foundByKey<T extends AnyTool, K extends ListKeys<OutputOf<T>>>(
  handle: ToolHandle<T>,
  args: InputOf<T>,
  list: K,
  field?: keyof ItemOf<OutputOf<T>[K]> & string,
): FindEarlier {
  return { call: toolCall(handle, args), list, ...(field ? { field } : {}) };
}

/**
 * A step of a plan, as data: the tool to call and its arguments, and how to undo it. Plans store their
 * steps this way so that applying, re-applying and resuming after a crash all rebuild the same steps.
 */
export interface StepSpec {
  name: string;
  description: string;
  call: ToolCall;
  undo?: ToolCall;
  /** Arguments of the undo read from the step's output when it ran (argument name: output field), see undoWith. */
  undoFromOutput?: Record<string, string>;
  /** What is still there after the undo, as the run's report says it (an archived repository is not gone). */
  undoLeaves?: string;
  /** The earlier step whose undo takes this step's change with it (a commit goes with its branch or repository). */
  undoneWith?: string;
  alreadyDone?: AlreadyDone;
  /** Looked for before a retried step acts again (the process died while it ran): its effect, made once. */
  findEarlier?: FindEarlier;
}

/** Calls a mounted tool as one caller, through the gateway, and returns its output read through its output schema. */
export type CallTool = (call: ToolCall, signal: AbortSignal) => Promise<unknown>;

/** The same through a handle: the arguments and the output typed by the tool's definition. */
export type Invoke = <T extends AnyTool>(
  handle: ToolHandle<T>,
  args: InputOf<T>,
  signal: AbortSignal,
) => Promise<OutputOf<T>>;

export function createCaller(options: {
  tools: () => AnyTool[];
  intercept: ToolInterceptor;
  caller: Caller;
  log: Logger;
}): CallTool {
  return async ({ tool: name, args }, signal) => {
    const tool = options.tools().find((candidate) => candidate.name === name);
    if (!tool) {
      throw new ToolError('upstream_unavailable', `${name} is not available: its integration is not mounted`, {
        retryable: false,
      });
    }
    const result = await invokeTool(
      tool,
      args,
      {
        signal,
        caller: options.caller,
        log: options.log,
        progress: async () => {},
        confirm: async () => undefined,
        sample: async () => undefined,
      },
      { intercept: options.intercept },
    );
    const error = toolErrorOf(result);
    if (error) throw error;
    const output = tool.output.safeParse(result.structuredContent);
    if (!output.success) {
      throw new ToolError('internal', `${name} answered outside its output schema: ${output.error.message}`, {
        retryable: false,
      });
    }
    return output.data;
  };
}

/** Calls through handles. The mounted tool a handle names is the definition its type comes from (mount.ts). */
export function invokerOf(call: CallTool): Invoke {
  return async <T extends AnyTool>(handle: ToolHandle<T>, args: InputOf<T>, signal: AbortSignal) =>
    (await call(toolCall(handle, args), signal)) as OutputOf<T>;
}

/** Whether a step that failed with `error` had in fact been done before (see AlreadyDone). */
async function alreadyDone(done: AlreadyDone | undefined, error: unknown, call: CallTool, signal: AbortSignal) {
  if (!done || !(error instanceof ToolError) || error.code !== done.code) return false;
  if (!done.check) return true;
  const { find } = done.check;
  const found = await call(done.check.call, signal).then(
    (output) => output,
    () => undefined,
  );
  if (found === undefined || !find) return found !== undefined;
  const items = (found as Record<string, unknown>)[find.list];
  return (
    Array.isArray(items) &&
    items.some((item: Record<string, unknown>) =>
      Object.entries(find.where).every(([key, value]) => item[key] === value),
    )
  );
}

/** `value` with every IDEMPOTENCY_KEY in its strings replaced by `key`. */
function withKey<T>(value: T, key: string): T {
  if (typeof value === 'string') return value.split(IDEMPOTENCY_KEY).join(key) as T;
  if (Array.isArray(value)) return value.map((item) => withKey(item, key)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, withKey(inner, key)])) as T;
  }
  return value;
}

/** The step's earlier effect (see FindEarlier), or undefined when there is none. */
async function findEarlier(find: FindEarlier, key: string, call: CallTool, signal: AbortSignal) {
  if ('files' in find) {
    const { owner, repo, branch, files } = find.files;
    for (const file of files) {
      const found = await call(
        { tool: TOOLS.getFileContents.name, args: { owner, repo, path: file.path, ref: branch } },
        signal,
      ).catch((error: unknown) => {
        if (error instanceof ToolError && error.code === 'not_found') return undefined;
        throw error;
      });
      if ((found as { content?: string } | undefined)?.content !== file.content) return undefined;
    }
    return { already_committed: files.length };
  }
  const output = (await call(withKey(find.call, key), signal)) as Record<string, unknown>;
  const items = output[find.list];
  if (!Array.isArray(items)) return undefined;
  return items.find(
    (item: Record<string, unknown>) =>
      find.field === undefined || (typeof item[find.field] === 'string' && String(item[find.field]).includes(key)),
  ) as unknown;
}

/** The store's step definitions for a plan's step specs. */
export function stepDefinitions(specs: StepSpec[], call: CallTool, undoAs: CallTool): StepDefinition[] {
  return specs.map((spec) => ({
    name: spec.name,
    description: spec.description,
    do: async (ctx) => {
      // A retry: the process that ran this step died, perhaps after the upstream acted. Look before acting again.
      if (spec.findEarlier && ctx.attempt > 1) {
        const earlier = await findEarlier(spec.findEarlier, ctx.idempotencyKey, call, ctx.signal);
        if (earlier !== undefined) return { already_done: true };
      }
      try {
        return await call(withKey(spec.call, ctx.idempotencyKey), ctx.signal);
      } catch (error) {
        if (await alreadyDone(spec.alreadyDone, error, call, ctx.signal)) return { already_done: true };
        throw error;
      }
    },
    ...(spec.undo
      ? {
          undo: async (ctx, output) => {
            const done = (output ?? {}) as Record<string, unknown>;
            // Found already there (an earlier plan's branch, a pull request someone opened): not this run's to take back.
            if (done.already_done === true) {
              throw new ToolError('conflict', 'left in place: it was already there when this step ran', {
                retryable: false,
              });
            }
            const fromOutput = Object.fromEntries(
              Object.entries(spec.undoFromOutput ?? {}).map(([arg, field]) => [arg, done[field]]),
            );
            await undoAs({ tool: spec.undo!.tool, args: { ...spec.undo!.args, ...fromOutput } }, ctx.signal);
          },
        }
      : {}),
  }));
}
