import { hostname } from 'node:os';
import {
  decodeCursor,
  type ErrorCode,
  encodeCursor,
  type Logger,
  type PolicyVerdict,
  redactText,
  redactValue,
  silentLogger,
  ToolError,
} from '@idp-mcp/core';
import type { Db, Param, Queryable, Row } from './db.ts';
import { newId } from './ids.ts';
import { migrate } from './migrations.ts';
import type {
  ApplyOptions,
  ApplyResult,
  AuditEntry,
  AuditInput,
  AuditOutcome,
  AuditQuery,
  CallerRef,
  CreatePlanInput,
  Json,
  LeftStep,
  ListRunsQuery,
  Page,
  Plan,
  Run,
  RunStatus,
  RunWithSteps,
  StartedRun,
  StartRunOptions,
  StepContext,
  StepDefinition,
  StepRecord,
  StepStatus,
  Store,
  StoreOptions,
} from './types.ts';

export const DEFAULT_PLAN_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LEASE_MS = 30_000;
const MASK = '[REDACTED]';

/** The one Store implementation; the Db under it is SQLite or PostgreSQL. */
export class SqlStore implements Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly #db: Db;
  readonly #planTtlMs: number;
  readonly #leaseMs: number;
  readonly #now: () => number;
  readonly #log: Logger;

  private constructor(db: Db, options: StoreOptions) {
    this.#db = db;
    this.backend = db.dialect;
    this.#planTtlMs = options.planTtlMs ?? DEFAULT_PLAN_TTL_MS;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? silentLogger;
  }

  /** Migrates the database and returns a store over it. */
  static async open(db: Db, options: StoreOptions = {}, where: string = db.dialect): Promise<SqlStore> {
    try {
      const applied = await migrate(db, undefined, (options.now ?? Date.now)());
      if (applied.length) (options.log ?? silentLogger).info('state store schema migrated', { store: where, applied });
    } catch (error) {
      await db.close().catch(() => undefined);
      throw new ToolError(
        'upstream_unavailable',
        `the state store (${where}) could not be opened: ${errorMessage(error)}`,
        {
          hint:
            db.dialect === 'postgres'
              ? 'check DATABASE_URL: the server must be reachable and the user allowed to create tables in the database'
              : 'check that the SQLite file is writable and not held by another program',
        },
      );
    }
    return new SqlStore(db, options);
  }

  // -------------------------------------------------------------------------------------------
  // Plans

  async createPlan(input: CreatePlanInput): Promise<Plan> {
    if (!input.kind) throw new ToolError('invalid_request', 'createPlan: kind is required');
    const now = this.#now();
    const ttl = input.ttlMs ?? this.#planTtlMs;
    const verdict = input.verdict ?? null;
    const denied =
      verdict !== null && (verdict.allowed === false || verdict.violations.some((v) => v.severity === 'deny'));
    const id = newId('plan');
    await this.#db.run(
      'INSERT INTO plans (id, kind, caller, args, artefacts, verdict, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        id,
        input.kind,
        callerId(input.caller),
        jsonText(input.args, 'plan args'),
        jsonText(input.artefacts, 'plan artefacts'),
        verdict === null ? null : jsonText(verdict, 'plan verdict'),
        denied ? 'denied' : 'planned',
        now,
        now + ttl,
      ],
    );
    const plan = await this.getPlan(id);
    if (!plan) throw new ToolError('internal', `plan ${id} vanished after it was stored`);
    return plan;
  }

  async getPlan(id: string): Promise<Plan | undefined> {
    const rows = await this.#db.all('SELECT * FROM plans WHERE id = ?', [id]);
    return rows[0] ? this.#plan(rows[0]) : undefined;
  }

  #plan(row: Row): Plan {
    const expiresAt = Number(row.expires_at);
    return {
      id: String(row.id),
      kind: String(row.kind),
      caller: String(row.caller),
      args: parseJson(row.args),
      artefacts: parseJson(row.artefacts),
      verdict: row.verdict == null ? null : (parseJson(row.verdict) as unknown as PolicyVerdict),
      status: row.status === 'denied' ? 'denied' : 'planned',
      createdAt: iso(row.created_at)!,
      expiresAt: iso(expiresAt)!,
      expired: this.#now() >= expiresAt,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  async startRun(planId: string, options: StartRunOptions = {}): Promise<StartedRun> {
    const plan = await this.getPlan(planId);
    if (!plan) {
      throw new ToolError('not_found', `plan ${planId} does not exist`, {
        hint: 'apply with the plan id a plan call returned (plans are kept until they expire)',
      });
    }
    const existing = await this.getRunForPlan(planId);
    if (existing) return { run: existing, created: false };
    if (plan.status === 'denied') {
      throw new ToolError('policy_denied', `plan ${planId} was denied by policy and can never be applied`, {
        retryable: false,
        hint: 'fix the violations in the plan and make a new plan',
        details: plan.verdict,
      });
    }
    if (plan.expired) {
      throw new ToolError('invalid_request', `plan ${planId} expired at ${plan.expiresAt}; nothing was changed`, {
        retryable: false,
        hint: 'make a new plan (call the tool again without a plan id), review it, and apply that one',
      });
    }
    const now = this.#now();
    // The unique plan_id decides races: of two concurrent inserts, one wins and the other does nothing.
    const inserted = await this.#db.run(
      `INSERT INTO runs (id, plan_id, kind, caller, applied_by, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (plan_id) DO NOTHING`,
      [
        newId('run'),
        planId,
        plan.kind,
        plan.caller,
        options.appliedBy === undefined ? plan.caller : callerId(options.appliedBy),
        now,
        now,
      ],
    );
    const run = await this.getRunForPlan(planId);
    if (!run) throw new ToolError('internal', `the run of plan ${planId} vanished after it was stored`);
    return { run, created: inserted === 1 };
  }

  async getRun(id: string): Promise<RunWithSteps | undefined> {
    const rows = await this.#db.all('SELECT * FROM runs WHERE id = ?', [id]);
    return rows[0] ? this.#withSteps(this.#db, rows[0]) : undefined;
  }

  async getRunForPlan(planId: string): Promise<RunWithSteps | undefined> {
    const rows = await this.#db.all('SELECT * FROM runs WHERE plan_id = ?', [planId]);
    return rows[0] ? this.#withSteps(this.#db, rows[0]) : undefined;
  }

  async #withSteps(q: Queryable, row: Row): Promise<RunWithSteps> {
    const steps = await q.all('SELECT * FROM steps WHERE run_id = ? ORDER BY idx', [String(row.id)]);
    return { ...toRun(row), steps: steps.map(toStep) };
  }

  async listRuns(query: ListRunsQuery = {}): Promise<Page<Run>> {
    const limit = clampLimit(query.limit, 30, 100);
    const where: string[] = [];
    const params: Param[] = [];
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.caller !== undefined) {
      where.push('caller = ?');
      params.push(callerId(query.caller));
    }
    const position = decodeCursor<{ c: number; i: string }>('store.listRuns', query.cursor);
    if (position) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(position.c, position.c, position.i);
    }
    const rows = await this.#db.all(
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
      [...params, limit + 1],
    );
    const items = rows.slice(0, limit).map(toRun);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return last
      ? { items, nextCursor: encodeCursor('store.listRuns', { c: Number(last.created_at), i: String(last.id) }) }
      : { items };
  }

  async resumableRuns(): Promise<Run[]> {
    const rows = await this.#db.all(
      "SELECT * FROM runs WHERE status IN ('running', 'rolling_back') ORDER BY created_at, id",
    );
    return rows.map(toRun);
  }

  // -------------------------------------------------------------------------------------------
  // The step runner

  async applyRun(
    runRef: Run | string,
    steps: readonly StepDefinition[],
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    const runId = typeof runRef === 'string' ? runRef : runRef.id;
    checkSteps(steps);
    const initial = await this.getRun(runId);
    if (!initial) throw new ToolError('not_found', `run ${runId} does not exist`);
    if (isFinished(initial.status)) return result(initial, { replayed: true });
    const plan = await this.getPlan(initial.planId);
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
        const current = (await this.getRun(runId))!;
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
      const run = (await this.getRun(runId))!;
      if (records.some((record) => record.status !== 'pending')) {
        this.#log.info('resuming a run', { run: runId, status: run.status, skipped });
      }
      const outcome =
        run.status === 'rolling_back'
          ? await this.#rollBack(run, plan, owner, steps, records, options)
          : await this.#forward(run, plan, owner, steps, records, options, () => lost);
      clearInterval(heartbeat);
      await this.#release(runId, owner);
      const final = (await this.getRun(runId))!;
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

  // -------------------------------------------------------------------------------------------
  // Audit

  async recordAudit(input: AuditInput): Promise<AuditEntry> {
    if (!input.tool) throw new ToolError('invalid_request', 'recordAudit: tool is required');
    if (input.result !== 'started' && input.result !== 'ok' && input.result !== 'error') {
      throw new ToolError(
        'invalid_request',
        `recordAudit: result must be 'started', 'ok' or 'error', not ${String(input.result)}`,
      );
    }
    const at = input.at === undefined ? this.#now() : toTime(input.at, 'at');
    const args = redactValue(dropSecretKeys(toJson(input.args, 'audit args'), input.secretKeys ?? []));
    const started = input.result === 'started';
    const params: Param[] = [
      callerId(input.caller),
      input.tool,
      JSON.stringify(args),
      input.planId ?? null,
      input.verdict == null ? null : jsonText(redactValue(input.verdict), 'audit verdict'),
      started ? 'error' : input.result,
      started ? null : auditError(input.error),
      at,
      started ? null : at,
    ];
    const rows = await this.#db.all(
      'INSERT INTO audit (caller, tool, args, plan_id, verdict, result, error, at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
      params,
    );
    return toAudit(rows[0]!);
  }

  async finishAudit(seq: number, outcome: AuditOutcome): Promise<AuditEntry> {
    if (outcome.result !== 'ok' && outcome.result !== 'error') {
      throw new ToolError(
        'invalid_request',
        `finishAudit: result must be 'ok' or 'error', not ${String(outcome.result)}`,
      );
    }
    const at = outcome.at === undefined ? this.#now() : toTime(outcome.at, 'at');
    const rows = await this.#db.all(
      'UPDATE audit SET result = ?, error = ?, plan_id = COALESCE(?, plan_id), verdict = COALESCE(?, verdict), finished_at = ? WHERE seq = ? AND finished_at IS NULL RETURNING *',
      [
        outcome.result,
        auditError(outcome.error),
        outcome.planId ?? null,
        outcome.verdict == null ? null : jsonText(redactValue(outcome.verdict), 'audit verdict'),
        at,
        seq,
      ],
    );
    if (!rows[0]) throw new ToolError('not_found', `finishAudit: no started audit entry ${seq}`);
    return toAudit(rows[0]);
  }

  async queryAudit(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    const limit = clampLimit(query.limit, 50, 500);
    const { where, params } = auditFilter(query);
    const position = decodeCursor<{ a: number; s: number }>('store.queryAudit', query.cursor);
    if (position) {
      where.push('(at < ? OR (at = ? AND seq < ?))');
      params.push(position.a, position.a, position.s);
    }
    const rows = await this.#db.all(
      `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, seq DESC LIMIT ?`,
      [...params, limit + 1],
    );
    const items = rows.slice(0, limit).map(toAudit);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return last
      ? { items, nextCursor: encodeCursor('store.queryAudit', { a: Number(last.at), s: Number(last.seq) }) }
      : { items };
  }

  async *exportAudit(query: Omit<AuditQuery, 'limit' | 'cursor'> = {}): AsyncIterable<string> {
    let after: { at: number; seq: number } | undefined;
    for (;;) {
      const { where, params } = auditFilter(query);
      if (after) {
        where.push('(at > ? OR (at = ? AND seq > ?))');
        params.push(after.at, after.at, after.seq);
      }
      const rows = await this.#db.all(
        `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, seq LIMIT 500`,
        params,
      );
      for (const row of rows) yield `${JSON.stringify(toAudit(row))}\n`;
      const last = rows.at(-1);
      if (rows.length < 500 || !last) return;
      after = { at: Number(last.at), seq: Number(last.seq) };
    }
  }

  async prune(options: {
    auditBefore?: Date | string | number;
    expiredPlansBefore?: Date | string | number;
  }): Promise<{ audit: number; plans: number }> {
    const audit =
      options.auditBefore === undefined
        ? 0
        : await this.#db.run('DELETE FROM audit WHERE at < ?', [toTime(options.auditBefore, 'auditBefore')]);
    const plans =
      options.expiredPlansBefore === undefined
        ? 0
        : await this.#db.run(
            'DELETE FROM plans WHERE expires_at < ? AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.plan_id = plans.id)',
            [toTime(options.expiredPlansBefore, 'expiredPlansBefore')],
          );
    return { audit, plans };
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

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
  if (run.status === 'failed' || run.status === 'rolling_back') {
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
  return status === 'succeeded' || status === 'failed';
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

function toRun(row: Row): Run {
  return {
    id: String(row.id),
    planId: String(row.plan_id),
    kind: String(row.kind),
    caller: String(row.caller),
    appliedBy: String(row.applied_by),
    status: String(row.status) as RunStatus,
    error: row.error == null ? null : String(row.error),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    finishedAt: iso(row.finished_at),
    leaseExpiresAt: iso(row.lease_expires_at),
  };
}

function toStep(row: Row): StepRecord {
  return {
    index: Number(row.idx),
    name: String(row.name),
    description: String(row.description),
    status: String(row.status) as StepStatus,
    attempts: Number(row.attempts),
    output: row.output == null ? null : parseJson(row.output),
    error: row.error == null ? null : String(row.error),
    errorCode: row.error_code == null ? null : (String(row.error_code) as ErrorCode),
    undoError: row.undo_error == null ? null : String(row.undo_error),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

function toAudit(row: Row): AuditEntry {
  return {
    seq: Number(row.seq),
    caller: String(row.caller),
    tool: String(row.tool),
    args: parseJson(row.args),
    planId: row.plan_id == null ? null : String(row.plan_id),
    verdict: row.verdict == null ? null : (parseJson(row.verdict) as unknown as PolicyVerdict),
    result: row.finished_at == null ? 'started' : row.result === 'error' ? 'error' : 'ok',
    error: row.error == null ? null : String(row.error),
    at: iso(row.at)!,
  };
}

function auditFilter(query: Omit<AuditQuery, 'limit' | 'cursor'>): { where: string[]; params: Param[] } {
  const where: string[] = [];
  const params: Param[] = [];
  if (query.caller !== undefined) {
    where.push('caller = ?');
    params.push(callerId(query.caller));
  }
  if (query.tool !== undefined) {
    where.push('tool = ?');
    params.push(query.tool);
  }
  if (query.since !== undefined) {
    where.push('at >= ?');
    params.push(toTime(query.since, 'since'));
  }
  if (query.until !== undefined) {
    where.push('at < ?');
    params.push(toTime(query.until, 'until'));
  }
  return { where, params };
}

export function callerId(caller: CallerRef): string {
  const id = typeof caller === 'string' ? caller : caller?.id;
  if (!id) throw new ToolError('invalid_request', 'caller: a caller id is required');
  return id;
}

function iso(value: unknown): string | null {
  return value == null ? null : new Date(Number(value)).toISOString();
}

function toTime(value: Date | string | number, field: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new ToolError('invalid_request', `${field}: not a date or time`, {
      hint: 'pass an ISO 8601 time such as 2026-01-31T12:00:00Z',
    });
  }
  return ms;
}

function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ToolError('invalid_request', `limit: must be a whole number from 1 to ${max}`);
  }
  return Math.min(limit, max);
}

/** A JSON copy of a value (undefined becomes null); a clear error when it is not serialisable. */
export function toJson(value: unknown, what: string): Json {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as Json);
  } catch (error) {
    throw new ToolError('invalid_request', `${what} is not JSON: ${errorMessage(error)}`);
  }
}

function auditError(error: string | Error | undefined): string | null {
  return error === undefined ? null : redactText(typeof error === 'string' ? error : error.message);
}

function jsonText(value: unknown, what: string): string {
  return JSON.stringify(toJson(value, what));
}

function parseJson(value: unknown): Json {
  return JSON.parse(String(value)) as Json;
}

/** Replaces the values of the given keys, at any depth (case-insensitive), with the mask. */
export function dropSecretKeys(value: Json, keys: readonly string[]): Json {
  if (keys.length === 0) return value;
  const secret = new Set(keys.map((key) => key.toLowerCase()));
  const walk = (item: Json): Json => {
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object') {
      const out: Record<string, Json> = {};
      for (const [key, inner] of Object.entries(item)) out[key] = secret.has(key.toLowerCase()) ? MASK : walk(inner);
      return out;
    }
    return item;
  };
  return walk(value);
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactText(message || 'unknown error');
}

function errorCode(error: unknown): ErrorCode {
  return error instanceof ToolError ? error.code : 'internal';
}
