import { hostname } from 'node:os';
import { type ErrorCode, type Logger, redactText, redactValue, ToolError } from '@idp-mcp/core';
import type { Db, Param } from './db.ts';
import { newId } from './ids.ts';
import { CANCELED, errorMessage, toJson, toStep } from './rows.ts';
import type {
  ApplyOptions,
  ApplyResult,
  Json,
  LeftStep,
  Plan,
  Run,
  RunStatus,
  RunWithSteps,
  StepContext,
  StepDefinition,
  StepRecord,
  StepStatus,
  Store,
} from './types.ts';

/**
 * The step runner behind Store.applyRun: takes a run under a lease (one process at a time, a dead holder's lease
 * runs out), records its steps, runs them in order, and undoes the completed ones, last first, when one fails;
 * a later apply resumes where a killed one stopped. The storage (store.ts) keeps plans, runs and audit; the
 * runner reads runs and plans through it and writes only the state of the run it holds and its steps.
 */
export class StepRunner {
  readonly #db: Db;
  readonly #runs: Pick<Store, 'getRun' | 'getPlan'>;
  readonly #leaseMs: number;
  readonly #now: () => number;
  readonly #log: Logger;

  constructor(options: {
    db: Db;
    runs: Pick<Store, 'getRun' | 'getPlan'>;
    leaseMs: number;
    now: () => number;
    log: Logger;
  }) {
    this.#db = options.db;
    this.#runs = options.runs;
    this.#leaseMs = options.leaseMs;
    this.#now = options.now;
    this.#log = options.log;
  }

  async apply(
    runRef: Run | string,
    steps: readonly StepDefinition[],
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    const runId = typeof runRef === 'string' ? runRef : runRef.id;
    checkSteps(steps);
    const initial = await this.#runs.getRun(runId);
    if (!initial) throw new ToolError('not_found', `run ${runId} does not exist`);
    if (isFinished(initial.status)) return result(initial, { replayed: true });
    const plan = await this.#runs.getPlan(initial.planId);
    if (!plan) throw new ToolError('internal', `run ${runId} has no plan ${initial.planId}`);

    // Take the run: only one process applies it at a time. A dead holder's lease runs out.
    const owner = leaseOwner();
    // Known as ours before the claim, so that a concurrent apply in this process never takes it for dead.
    activeLeases.add(owner);
    let claimed = false;
    try {
      for (;;) {
        claimed = await this.#claim(runId, owner);
        if (claimed) break;
        const current = (await this.#runs.getRun(runId))!;
        if (isFinished(current.status)) return result(current, { replayed: true });
        if (!options.waitForLease || options.signal?.aborted) return result(current, { busy: true });
        // Wait until the holder's lease would run out (it may renew it: then wait again).
        const expires = current.leaseExpiresAt === null ? this.#now() : Date.parse(current.leaseExpiresAt);
        await sleep(Math.min(Math.max(expires - this.#now(), 0) + 25, this.#leaseMs), options.signal);
      }
    } finally {
      if (!claimed) activeLeases.delete(owner);
    }

    let lost = false;
    const heartbeat = setInterval(
      () => {
        this.#db
          .run('UPDATE runs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?', [
            this.#now() + this.#leaseMs,
            runId,
            owner,
          ])
          .then((changed) => {
            if (changed !== 1) lost = true;
          })
          .catch(() => undefined);
      },
      Math.max(10, Math.floor(this.#leaseMs / 3)),
    );
    heartbeat.unref();

    try {
      const records = await this.#recordSteps(runId, steps);
      const skipped = records.filter((record) => record.status === 'done').map((record) => record.name);
      const run = (await this.#runs.getRun(runId))!;
      if (records.some((record) => record.status !== 'pending')) {
        this.#log.info('resuming a run', { run: runId, status: run.status, skipped });
      }
      const outcome =
        run.status === 'rolling_back'
          ? await this.#rollBack(run, plan, owner, steps, records, options)
          : await this.#forward(run, plan, owner, steps, records, options, () => lost);
      clearInterval(heartbeat);
      await this.#release(runId, owner);
      const final = (await this.#runs.getRun(runId))!;
      return result(final, { skipped, ...outcome });
    } finally {
      clearInterval(heartbeat);
      activeLeases.delete(owner);
      await this.#release(runId, owner).catch(() => undefined);
    }
  }

  /**
   * Takes the run for `owner` when no one holds it, the holder's lease ran out, or the holder was a
   * process on this host that is gone (killed: its lease need not run out first).
   */
  async #claim(runId: string, owner: string): Promise<boolean> {
    const now = this.#now();
    const claimed = await this.#db.run(
      `UPDATE runs SET lease_owner = ?, lease_expires_at = ?, updated_at = ?
       WHERE id = ? AND status IN ('running', 'rolling_back') AND (lease_owner IS NULL OR lease_expires_at <= ?)`,
      [owner, now + this.#leaseMs, now, runId, now],
    );
    if (claimed === 1) return true;
    const rows = await this.#db.all(
      "SELECT lease_owner FROM runs WHERE id = ? AND status IN ('running', 'rolling_back')",
      [runId],
    );
    const holder = rows[0]?.lease_owner;
    if (typeof holder !== 'string' || !holderIsDead(holder)) return false;
    const taken = await this.#db.run(
      'UPDATE runs SET lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_owner = ?',
      [owner, now + this.#leaseMs, now, runId, holder],
    );
    if (taken === 1) this.#log.warn('took over a run whose process is gone', { run: runId, holder });
    return taken === 1;
  }

  async #release(runId: string, owner: string): Promise<void> {
    await this.#db.run('UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?', [
      runId,
      owner,
    ]);
  }

  /** Records the steps as pending on the first apply; on later ones checks they are the same steps. */
  async #recordSteps(runId: string, steps: readonly StepDefinition[]): Promise<StepRecord[]> {
    return this.#db.transaction(async (tx) => {
      const existing = (await tx.all('SELECT * FROM steps WHERE run_id = ? ORDER BY idx', [runId])).map(toStep);
      if (existing.length === 0) {
        for (const [index, step] of steps.entries()) {
          await tx.run(
            "INSERT INTO steps (run_id, idx, name, description, status, attempts) VALUES (?, ?, ?, ?, 'pending', 0)",
            [runId, index, step.name, redactText(step.description)],
          );
        }
        return (await tx.all('SELECT * FROM steps WHERE run_id = ? ORDER BY idx', [runId])).map(toStep);
      }
      const recorded = existing.map((step) => step.name);
      const given = steps.map((step) => step.name);
      if (recorded.join('\n') !== given.join('\n')) {
        throw new ToolError(
          'conflict',
          `run ${runId} was started with the steps [${recorded.join(', ')}], not [${given.join(', ')}]`,
          { retryable: false, hint: 'resume a run with the same steps, in the same order, that it was started with' },
        );
      }
      return existing;
    });
  }

  async #forward(
    run: Run,
    plan: Plan,
    owner: string,
    steps: readonly StepDefinition[],
    records: StepRecord[],
    options: ApplyOptions,
    isLost: () => boolean,
  ): Promise<Partial<Outcome>> {
    const signal = options.signal ?? new AbortController().signal;
    const total = steps.length;
    for (const [index, step] of steps.entries()) {
      const record = records[index]!;
      if (record.status === 'done') continue;
      if (signal.aborted) return { interrupted: true };
      if (isLost()) return { busy: true };
      if (options.cancel?.aborted) return this.#cancel(run, plan, owner, steps, records, options);
      const attempt = record.attempts + 1;
      const started = this.#now();
      const marked = await this.#ownedUpdate(
        owner,
        run.id,
        "UPDATE steps SET status = 'running', attempts = ?, started_at = ?, error = NULL, error_code = NULL",
        [attempt, started],
        index,
      );
      if (!marked) return { busy: true };
      report(options, index, total, `${step.name}: ${step.description}`);
      const ctx = this.#context(run, plan, step, index, attempt, records, signal, options);
      let output: Json;
      try {
        output = redactValue(toJson(await step.do(ctx), `the output of step ${step.name}`));
      } catch (error) {
        if (signal.aborted) return { interrupted: true };
        const message = errorMessage(error);
        const code = errorCode(error);
        // The failed step and the run's switch to rolling back are recorded together.
        const recorded = await this.#db.transaction(async (tx) => {
          const switched = await tx.run(
            "UPDATE runs SET status = 'rolling_back', error = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
            [`step ${step.name}: ${message}`, this.#now(), run.id, owner],
          );
          if (switched !== 1) return false;
          await tx.run(
            "UPDATE steps SET status = 'failed', error = ?, error_code = ?, finished_at = ? WHERE run_id = ? AND idx = ?",
            [message, code, this.#now(), run.id, index],
          );
          return true;
        });
        if (!recorded) return { busy: true };
        this.#log.warn('a step failed; undoing the completed steps', { run: run.id, step: step.name, error: message });
        records[index] = { ...record, status: 'failed', attempts: attempt, error: message, errorCode: code };
        report(options, index, total, `${step.name} failed: ${message}`);
        return this.#rollBack(run, plan, owner, steps, records, options);
      }
      const saved = await this.#ownedUpdate(
        owner,
        run.id,
        "UPDATE steps SET status = 'done', output = ?, finished_at = ?",
        [JSON.stringify(output), this.#now()],
        index,
      );
      records[index] = { ...record, status: 'done', attempts: attempt, output };
      if (!saved) return { busy: true };
    }
    const now = this.#now();
    await this.#db.run(
      "UPDATE runs SET status = 'succeeded', error = NULL, updated_at = ?, finished_at = ? WHERE id = ? AND lease_owner = ?",
      [now, now, run.id, owner],
    );
    report(options, total, total, `done: ${total} step${total === 1 ? '' : 's'} applied`);
    return {};
  }

  /** The caller canceled between steps: the run switches to rolling back, as after a failure, and ends canceled. */
  async #cancel(
    run: Run,
    plan: Plan,
    owner: string,
    steps: readonly StepDefinition[],
    records: StepRecord[],
    options: ApplyOptions,
  ): Promise<Partial<Outcome>> {
    const switched = await this.#db.run(
      "UPDATE runs SET status = 'rolling_back', error = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
      [`${CANCELED}by the caller`, this.#now(), run.id, owner],
    );
    if (switched !== 1) return { busy: true };
    this.#log.info('the run was canceled; undoing the completed steps', { run: run.id });
    report(options, records.filter((record) => record.status === 'done').length, steps.length, 'canceled: undoing');
    return this.#rollBack(run, plan, owner, steps, records, options);
  }

  /** Undoes the done steps that have an undo, last first; resumes an interrupted rollback too. */
  async #rollBack(
    run: Run,
    plan: Plan,
    owner: string,
    steps: readonly StepDefinition[],
    records: StepRecord[],
    options: ApplyOptions,
  ): Promise<Partial<Outcome>> {
    const total = steps.length;
    // Undo runs to the end even when the caller aborts: a half-undone run helps no one.
    const signal = new AbortController().signal;
    for (let index = steps.length - 1; index >= 0; index--) {
      const step = steps[index]!;
      const record = records[index]!;
      if (record.status !== 'done' && record.status !== 'undoing') continue;
      if (!step.undo) continue;
      if (!(await this.#ownedUpdate(owner, run.id, "UPDATE steps SET status = 'undoing'", [], index))) {
        return { busy: true };
      }
      report(options, index, total, `undoing ${step.name}`);
      const ctx = this.#context(run, plan, step, index, record.attempts, records, signal, options);
      let status: StepStatus = 'undone';
      let undoError: string | null = null;
      try {
        await step.undo(ctx, record.output);
      } catch (error) {
        status = 'undo_failed';
        undoError = errorMessage(error);
        this.#log.error('undo failed: its effects remain', { run: run.id, step: step.name, error: undoError });
        report(options, index, total, `undo of ${step.name} failed: ${undoError}`);
      }
      const saved = await this.#ownedUpdate(
        owner,
        run.id,
        'UPDATE steps SET status = ?, undo_error = ?',
        [status, undoError],
        index,
      );
      records[index] = { ...record, status, undoError };
      if (!saved) return { busy: true };
    }
    const now = this.#now();
    await this.#db.run(
      "UPDATE runs SET status = 'failed', updated_at = ?, finished_at = ? WHERE id = ? AND lease_owner = ?",
      [now, now, run.id, owner],
    );
    return {};
  }

  /** Updates one step while this process still holds the run; false when it lost the run. */
  async #ownedUpdate(owner: string, runId: string, update: string, params: Param[], index: number): Promise<boolean> {
    const changed = await this.#db.run(
      `${update} WHERE run_id = ? AND idx = ? AND EXISTS (SELECT 1 FROM runs WHERE id = ? AND lease_owner = ?)`,
      [...params, runId, index, runId, owner],
    );
    return changed === 1;
  }

  #context(
    run: Run,
    plan: Plan,
    step: StepDefinition,
    index: number,
    attempt: number,
    records: StepRecord[],
    signal: AbortSignal,
    options: ApplyOptions,
  ): StepContext {
    const outputs: Record<string, Json> = {};
    for (const record of records.slice(0, index)) if (record.output !== null) outputs[record.name] = record.output;
    return {
      runId: run.id,
      planId: run.planId,
      stepName: step.name,
      stepIndex: index,
      idempotencyKey: `${run.id}:${step.name}`,
      attempt,
      plan,
      outputs,
      signal,
      progress: (message) => report(options, index, records.length, `${step.name}: ${message}`),
    };
  }
}

interface Outcome {
  skipped: string[];
  replayed: boolean;
  busy: boolean;
  interrupted: boolean;
}

function result(run: RunWithSteps, outcome: Partial<Outcome>): ApplyResult {
  const steps = run.steps;
  const completed = steps.filter((step) => ['done', 'undoing', 'undone', 'undo_failed'].includes(step.status));
  const undone = steps
    .filter((step) => step.status === 'undone')
    .map((step) => step.name)
    .reverse();
  const left: LeftStep[] = [];
  const failedStep = steps.find((step) => step.status === 'failed');
  if (run.status === 'failed' || run.status === 'rolling_back' || run.status === 'canceled') {
    for (const step of steps) {
      if (step.status === 'done') left.push({ step: step.name, reason: 'no_undo' });
      if (step.status === 'undo_failed')
        left.push({ step: step.name, reason: 'undo_failed', error: step.undoError ?? '' });
    }
  }
  const out: ApplyResult = {
    runId: run.id,
    status: run.status,
    done: completed.map((step) => step.name),
    undone,
    left,
    skipped: outcome.skipped ?? [],
    replayed: outcome.replayed ?? false,
    busy: outcome.busy ?? false,
    interrupted: outcome.interrupted ?? false,
    run,
  };
  if (failedStep) {
    out.failed = {
      step: failedStep.name,
      error: failedStep.error ?? '',
      code: (failedStep.errorCode as ErrorCode | null) ?? 'internal',
    };
  }
  return out;
}

/** Calls onProgress; a throwing listener must not break a run half way. */
function report(options: ApplyOptions, index: number, total: number, message: string): void {
  try {
    options.onProgress?.(index, total, message);
  } catch {
    // ignored: progress is advisory
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Leases this process holds right now (any store). */
const activeLeases = new Set<string>();

/** `<host>/<pid>/<random>`: who holds a run, so that a restarted process can tell its holder is gone. */
function leaseOwner(): string {
  return `${hostname()}/${process.pid}/${newId('lease', 12)}`;
}

function holderIsDead(holder: string): boolean {
  const [host, pidText] = holder.split('/');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  // Same pid as ours: a previous incarnation of this process (containers restart as pid 1) unless we hold it.
  if (pid === process.pid) return !activeLeases.has(holder);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function isFinished(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled';
}

function checkSteps(steps: readonly StepDefinition[]): void {
  if (steps.length === 0) throw new ToolError('invalid_request', 'applyRun: a run needs at least one step');
  const seen = new Set<string>();
  for (const step of steps) {
    if (!step.name) throw new ToolError('invalid_request', 'applyRun: every step needs a name');
    if (seen.has(step.name)) throw new ToolError('invalid_request', `applyRun: two steps are named ${step.name}`);
    seen.add(step.name);
  }
}

function errorCode(error: unknown): ErrorCode {
  return error instanceof ToolError ? error.code : 'internal';
}
