import { randomUUID } from 'node:crypto';
import { type Artifact, type Message, type Part, Role, type Task, TaskState, type TaskStatus } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutionEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
  ResultManager,
  type ServerCallContext,
  type TaskStore,
  type User,
} from '@a2a-js/sdk/server';
import type { Caller, Logger } from '@idp-mcp/core';
import { type AgentOutcome, type AgentSettings, runAgent } from './agent/agent.ts';
import type { LlmProvider } from './agent/llm.ts';
import { LLM_ENV_HELP } from './agent/providers.ts';
import { platformHost } from './agent/tools.ts';
import { OPERATE_SKILL, SELF_SERVICE_SKILLS } from './card.ts';
import type { CallResult, Platform } from './platform.ts';

/** The authenticated caller, as the A2A SDK carries it through a request. */
export class CallerUser implements User {
  readonly caller: Caller;
  constructor(caller: Caller) {
    this.caller = caller;
  }
  get isAuthenticated(): boolean {
    return true;
  }
  /** The SDK's stores scope tasks by this: the token's subject. */
  get userName(): string {
    return this.caller.id;
  }
}

export function callerOf(context: ServerCallContext): Caller {
  const user = context.user;
  if (!(user instanceof CallerUser)) throw new Error('an A2A request reached the executor without a caller');
  return user.caller;
}

/** Task metadata keys: which skill the task runs and the platform plan it waits on. */
export const PLAN_KEY = 'idp-mcp/plan_id';
export const SKILL_KEY = 'idp-mcp/skill';
export const PLAN_ARTIFACT = 'plan';
export const VERDICT_ARTIFACT = 'policy-verdict';
export const RUN_ARTIFACT = 'run';
export const ANSWER_ARTIFACT = 'answer';

/** The bundled agent behind the free-text skill: its model and its settings (budgets, what it may apply). */
export interface BundledAgent {
  llm: LlmProvider;
  settings: AgentSettings;
}

export const textPart = (text: string): Part => ({
  content: { $case: 'text', value: text },
  mediaType: 'text/plain',
  filename: '',
  metadata: undefined,
});
export const dataPart = (value: unknown): Part => ({
  content: { $case: 'data', value },
  mediaType: 'application/json',
  filename: '',
  metadata: undefined,
});

function agentMessage(taskId: string, contextId: string, parts: Part[]): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

type Request =
  | { kind: 'skill'; skill: string; args: Record<string, unknown> }
  | { kind: 'free-text' }
  | { kind: 'bad'; problem: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A structured request is one data part {"skill": ..., "arguments": {...}}; text alone is a free-text request. */
export function parseRequest(message: Message): Request {
  const data = message.parts.flatMap((part) => (part.content?.$case === 'data' ? [part.content.value] : []));
  const skills = Object.keys(SELF_SERVICE_SKILLS).join(', ');
  if (data.length === 0) {
    return message.parts.some((part) => part.content?.$case === 'text')
      ? { kind: 'free-text' }
      : { kind: 'bad', problem: `the message has no data part; send {"skill": one of ${skills}, "arguments": {...}}` };
  }
  const [request] = data;
  if (data.length > 1 || !isObject(request) || typeof request.skill !== 'string') {
    return { kind: 'bad', problem: `send one data part {"skill": one of ${skills}, "arguments": {...}}` };
  }
  if (!(request.skill in SELF_SERVICE_SKILLS)) {
    return { kind: 'bad', problem: `skill: no skill ${JSON.stringify(request.skill)}; choose one of ${skills}` };
  }
  if (request.arguments !== undefined && !isObject(request.arguments)) {
    return { kind: 'bad', problem: `arguments: must be an object of ${request.skill}'s arguments` };
  }
  return { kind: 'skill', skill: request.skill, args: request.arguments ?? {} };
}

const APPROVE = /^\s*(approve|approved|yes|y|ok|lgtm|apply)\b/i;
const REJECT = /^\s*(reject|rejected|no|n|deny|decline|drop)\b/i;

/** true, false, or undefined when the message answers neither way. */
export function parseApproval(message: Message): boolean | undefined {
  for (const part of message.parts) {
    const content = part.content;
    if (content?.$case === 'data' && isObject(content.value) && typeof content.value.approve === 'boolean') {
      return content.value.approve;
    }
    if (content?.$case === 'text') {
      if (APPROVE.test(content.value)) return true;
      if (REJECT.test(content.value)) return false;
    }
  }
  return undefined;
}

interface ToolErrorMeta {
  code?: string;
  details?: { plan_id?: string; violations?: unknown[] };
}
const errorMeta = (result: CallResult) => (result._meta?.['idp-mcp/error'] ?? {}) as ToolErrorMeta;
const textOf = (result: CallResult) =>
  result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');

interface PlanOutput {
  plan_id: string;
  summary: string;
  steps: Array<{ name: string; description: string }>;
  warnings: Array<{ rule: string; message: string }>;
}
interface RunOutput {
  run_id: string;
  status: string;
  done: string[];
  undone: string[];
  remains: string[];
  failed?: { step: string; error: string; code: string };
}

/**
 * One task is one self-service request: the first turn plans (the platform's composite tool, as the caller) and
 * waits for approval with the plan as an artifact; the answer applies it (apply_plan, as the caller), streaming
 * each step, or drops it. Everything the platform says no to comes back as the task's end, in its words.
 */
export class SupervisorExecutor implements AgentExecutor {
  readonly #platform: Platform;
  readonly #log: Logger;
  /** Tasks whose plan is being applied: canceling one stops the run at its next step boundary and undoes it. */
  readonly #applying = new Map<string, AbortController>();
  readonly #contexts = new Map<string, string>();
  /** Free-text tasks the agent is working on: canceling one stops it at its next step boundary. */
  readonly #agentRuns = new Map<string, AbortController>();
  readonly #agent: BundledAgent | undefined;

  constructor(platform: Platform, log: Logger, agent?: BundledAgent) {
    this.#platform = platform;
    this.#log = log;
    this.#agent = agent;
  }

  async execute(request: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = request;
    const caller = callerOf(request.context);
    this.#contexts.set(taskId, contextId);
    const { publish, artifact } = emitter(taskId, contextId, (event) => {
      bus.publish(event);
      if (event.kind === 'statusUpdate' && isFinal(event.data.status?.state)) this.#contexts.delete(taskId);
    });

    if (request.task) {
      bus.publish(AgentEvent.task(request.task));
      await this.#answer(request.task, request.userMessage, caller, { publish, artifact });
      return;
    }
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [request.userMessage],
        metadata: {},
      }),
    );
    const parsed = parseRequest(request.userMessage);
    if (parsed.kind === 'free-text') {
      await this.#operate(request.userMessage, taskId, caller, { publish, artifact });
      return;
    }
    if (parsed.kind === 'bad') {
      publish(TaskState.TASK_STATE_REJECTED, [textPart(`Bad request: ${parsed.problem}.`)]);
      return;
    }
    publish(TaskState.TASK_STATE_WORKING, [textPart(`Planning ${parsed.skill}.`)], { [SKILL_KEY]: parsed.skill });
    const result = await this.#platform.call(caller, parsed.skill, parsed.args, {
      signal: AbortSignal.timeout(60_000),
    });
    if (result.isError) {
      const meta = errorMeta(result);
      if (meta.code === 'policy_denied') {
        artifact({
          artifactId: VERDICT_ARTIFACT,
          name: 'policy verdict',
          description: 'The policy rules the plan breaks; nothing was changed.',
          parts: [dataPart({ plan_id: meta.details?.plan_id, violations: meta.details?.violations ?? [] })],
          metadata: undefined,
          extensions: [],
        });
      }
      const refused = meta.code === 'policy_denied' || meta.code === 'forbidden';
      publish(refused ? TaskState.TASK_STATE_REJECTED : TaskState.TASK_STATE_FAILED, [textPart(textOf(result))]);
      return;
    }
    const plan = result.structuredContent as unknown as PlanOutput;
    const steps = plan.steps.map((step, index) => `${index + 1}. ${step.description}`).join('\n');
    const warnings = plan.warnings.length
      ? `\nPolicy warnings:\n${plan.warnings.map((warning) => `- [${warning.rule}] ${warning.message}`).join('\n')}`
      : '';
    artifact({
      artifactId: PLAN_ARTIFACT,
      name: `${parsed.skill} plan`,
      description: plan.summary,
      parts: [textPart(`${plan.summary}\nSteps:\n${steps}${warnings}`), dataPart(plan)],
      metadata: undefined,
      extensions: [],
    });
    publish(
      TaskState.TASK_STATE_INPUT_REQUIRED,
      [
        textPart(
          `Plan ${plan.plan_id} is ready and allowed by policy: ${plan.summary} Apply it? Reply on this task with {"approve": true} or "approve" to apply, {"approve": false} or "reject" to drop it.`,
        ),
        dataPart({ plan_id: plan.plan_id, question: 'approve' }),
      ],
      { [PLAN_KEY]: plan.plan_id },
    );
  }

  /**
   * A free-text request: the bundled agent works on it through the platform's tools as the caller. Each step is
   * a `working` status update (and so in the task's history); a plan it may not apply itself leaves the task
   * `input-required` on that plan, which the caller approves like any other.
   */
  async #operate(message: Message, taskId: string, caller: Caller, { publish, artifact }: Emitter): Promise<void> {
    if (!this.#agent) {
      publish(TaskState.TASK_STATE_REJECTED, [
        textPart(
          `Free-text requests (the ${OPERATE_SKILL} skill) need the bundled agent's model, and no LLM endpoint is configured on this supervisor (its operator sets one of:\n${LLM_ENV_HELP}). Send a structured request instead: one data part {"skill": one of ${Object.keys(SELF_SERVICE_SKILLS).join(', ')}, "arguments": {...}}; the agent card lists each skill's arguments.`,
        ),
      ]);
      return;
    }
    const request = message.parts
      .flatMap((part) => (part.content?.$case === 'text' ? [part.content.value] : []))
      .join('\n');
    const controller = new AbortController();
    this.#agentRuns.set(taskId, controller);
    let outcome: AgentOutcome;
    try {
      publish(TaskState.TASK_STATE_WORKING, [textPart(`The agent (${this.#agent.llm.describe}) is on it.`)], {
        [SKILL_KEY]: OPERATE_SKILL,
      });
      outcome = await runAgent({
        request,
        llm: this.#agent.llm,
        tools: platformHost(this.#platform, caller),
        settings: this.#agent.settings,
        caller: caller.username ?? caller.id,
        signal: controller.signal,
        onStep: (step) =>
          publish(TaskState.TASK_STATE_WORKING, [
            textPart(`Step ${step.index}: ${step.text}`),
            dataPart({ step: step.index, kind: step.kind, tool: step.tool, status: step.status }),
          ]),
        onProgress: (text) => publish(TaskState.TASK_STATE_WORKING, [textPart(text)]),
      });
    } finally {
      this.#agentRuns.delete(taskId);
    }
    const summary = dataPart({
      status: outcome.status,
      held: outcome.held,
      plans: outcome.plans,
      usage: outcome.usage,
    });
    artifact({
      artifactId: ANSWER_ARTIFACT,
      name: 'answer',
      description: `The agent's answer (${outcome.status})`,
      parts: [textPart(outcome.answer), summary],
      metadata: undefined,
      extensions: [],
    });
    const heldPlan = outcome.held.find((change) => change.plan_id && change.kind);
    if (outcome.status === 'needs-approval' && heldPlan) {
      publish(
        TaskState.TASK_STATE_INPUT_REQUIRED,
        [
          textPart(
            `${outcome.answer}\nPlan ${heldPlan.plan_id} (${heldPlan.kind}) waits for your approval: reply on this task with {"approve": true} or "approve" to apply it, {"approve": false} or "reject" to drop it.`,
          ),
          dataPart({ plan_id: heldPlan.plan_id, question: 'approve' }),
        ],
        { [PLAN_KEY]: heldPlan.plan_id },
      );
      return;
    }
    const states: Record<AgentOutcome['status'], TaskState> = {
      done: TaskState.TASK_STATE_COMPLETED,
      // A change that is not a plan cannot be approved on the task: the answer says what was not done.
      'needs-approval': TaskState.TASK_STATE_COMPLETED,
      refused: TaskState.TASK_STATE_REJECTED,
      failed: TaskState.TASK_STATE_FAILED,
      budget: TaskState.TASK_STATE_FAILED,
      canceled: TaskState.TASK_STATE_CANCELED,
    };
    publish(states[outcome.status], [textPart(outcome.answer), summary]);
  }

  /** A follow-up message on a task: the answer to "apply this plan?". */
  async #answer(task: Task, message: Message, caller: Caller, emit: Emitter): Promise<void> {
    const { publish } = emit;
    const planId = task.metadata?.[PLAN_KEY] as string | undefined;
    if (task.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED || !planId) {
      publish(task.status?.state ?? TaskState.TASK_STATE_WORKING, [
        textPart('This task is not waiting for an answer; it goes on as before.'),
      ]);
      return;
    }
    const approved = parseApproval(message);
    if (approved === undefined) {
      publish(TaskState.TASK_STATE_INPUT_REQUIRED, [
        textPart(
          `Apply plan ${planId}? Reply {"approve": true} or "approve" to apply, {"approve": false} or "reject" to drop it.`,
        ),
        dataPart({ plan_id: planId, question: 'approve' }),
      ]);
      return;
    }
    if (!approved) {
      publish(TaskState.TASK_STATE_CANCELED, [textPart(`Plan ${planId} was not approved; nothing changed.`)]);
      return;
    }
    await this.#apply(task, planId, caller, emit);
  }

  /** Applies an approved plan as the caller; apply_plan returns the same run when called again for a plan. */
  async #apply(task: Task, planId: string, caller: Caller, { publish, artifact }: Emitter): Promise<void> {
    const cancel = new AbortController();
    this.#applying.set(task.id, cancel);
    try {
      publish(TaskState.TASK_STATE_WORKING, [textPart(`Applying plan ${planId}.`)]);
      const result = await this.#platform.call(
        caller,
        'apply_plan',
        { plan_id: planId },
        {
          signal: cancel.signal,
          onProgress: (progress, total, text) =>
            publish(TaskState.TASK_STATE_WORKING, [
              textPart(text ?? `step ${progress + 1} of ${total}`),
              dataPart({ progress, total }),
            ]),
        },
      );
      if (result.isError) {
        publish(TaskState.TASK_STATE_FAILED, [textPart(textOf(result))]);
        return;
      }
      const run = result.structuredContent as unknown as RunOutput;
      artifact({
        artifactId: RUN_ARTIFACT,
        name: 'run',
        description: `Run ${run.run_id} of plan ${planId}: ${run.status}`,
        parts: [dataPart(run)],
        metadata: undefined,
        extensions: [],
      });
      if (run.status === 'canceled') {
        publish(
          TaskState.TASK_STATE_CANCELED,
          [
            textPart(
              `Plan ${planId} was canceled at a step boundary. Done: ${run.done.join(', ') || 'nothing'}. Undone: ${run.undone.join(', ') || 'nothing'}. Remains: ${run.remains.join('; ') || 'nothing'}.`,
            ),
          ],
          { 'idp-mcp/run_id': run.run_id },
        );
      } else if (run.status === 'succeeded') {
        publish(TaskState.TASK_STATE_COMPLETED, [textPart(`Plan ${planId} applied: ${run.done.join(', ')}.`)], {
          'idp-mcp/run_id': run.run_id,
        });
      } else {
        const why = run.failed ? `step ${run.failed.step} failed: ${run.failed.error}` : `the run is ${run.status}`;
        publish(
          TaskState.TASK_STATE_FAILED,
          [textPart(`Plan ${planId} was not applied: ${why}. Undone: ${run.undone.join(', ') || 'nothing'}.`)],
          { 'idp-mcp/run_id': run.run_id },
        );
      }
    } finally {
      this.#applying.delete(task.id);
    }
  }

  /**
   * A task a stopped process left `working` (or `submitted`) goes on: an approved plan is applied, which returns
   * the run the platform resumed at its own start-up, or starts it; a task stopped while planning fails, saying
   * so (a plan changes nothing: the caller sends the request again). Events go straight to the task store.
   */
  async resume(task: Task, context: ServerCallContext, store: TaskStore): Promise<void> {
    const events: AgentExecutionEvent[] = [];
    const emit = emitter(task.id, task.contextId, (event) => events.push(event));
    const planId = task.metadata?.[PLAN_KEY] as string | undefined;
    this.#log.info('resuming a task a stopped process left unfinished', { task: task.id, plan: planId });
    if (planId && task.status?.state === TaskState.TASK_STATE_WORKING) {
      await this.#apply(task, planId, callerOf(context), emit);
    } else {
      const what = task.metadata?.[SKILL_KEY] === OPERATE_SKILL ? 'the agent worked on' : 'planning';
      emit.publish(TaskState.TASK_STATE_FAILED, [
        textPart(
          `The supervisor stopped while ${what} this request; it applied nothing (plans wait for approval). Send the request again.`,
        ),
      ]);
    }
    const results = new ResultManager(store, context);
    const last = task.history.at(-1);
    if (last) results.setContext(last);
    await results.processEvent(AgentEvent.task(task));
    for (const event of events) await results.processEvent(event);
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    const agentRun = this.#agentRuns.get(taskId);
    if (agentRun) {
      // The agent stops at its next step boundary and ends the task canceled itself.
      this.#log.info('task canceled while the agent works on it', { task: taskId });
      agentRun.abort();
      return;
    }
    const applying = this.#applying.get(taskId);
    if (applying) {
      // The run stops at its next step boundary and undoes its done steps; #apply ends the task canceled.
      this.#log.info('task canceled while its plan is applied', { task: taskId });
      applying.abort();
      return;
    }
    const contextId = this.#contexts.get(taskId) ?? '';
    this.#contexts.delete(taskId);
    this.#log.info('task canceled before its plan was applied', { task: taskId });
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: {
          state: TaskState.TASK_STATE_CANCELED,
          message: agentMessage(taskId, contextId, [textPart('Canceled; nothing was applied.')]),
          timestamp: new Date().toISOString(),
        },
        metadata: undefined,
      }),
    );
  }
}

interface Emitter {
  publish(state: TaskState, parts: Part[], metadata?: Record<string, unknown>): void;
  artifact(value: Artifact): void;
}

/** Status and artifact events of one task, handed to `sink` (the request's bus, or a list for a resume). */
function emitter(taskId: string, contextId: string, sink: (event: AgentExecutionEvent) => void): Emitter {
  return {
    publish(state, parts, metadata) {
      const status: TaskStatus = {
        state,
        message: agentMessage(taskId, contextId, parts),
        timestamp: new Date().toISOString(),
      };
      sink(AgentEvent.statusUpdate({ taskId, contextId, status, metadata }));
    },
    artifact(value) {
      sink(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: value,
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
    },
  };
}

function isFinal(state: TaskState | undefined): boolean {
  return (
    state !== undefined &&
    [
      TaskState.TASK_STATE_COMPLETED,
      TaskState.TASK_STATE_FAILED,
      TaskState.TASK_STATE_CANCELED,
      TaskState.TASK_STATE_REJECTED,
    ].includes(state)
  );
}
