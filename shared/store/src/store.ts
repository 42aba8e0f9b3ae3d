import {
  decodeCursor,
  encodeCursor,
  type PolicyVerdict,
  redactText,
  redactValue,
  silentLogger,
  ToolError,
} from '@idp-mcp/core';
import type { Db, Param, Queryable, Row } from './db.ts';
import { newId } from './ids.ts';
import { migrate } from './migrations.ts';
import { errorMessage, iso, parseJson, toJson, toRun, toStep } from './rows.ts';
import { StepRunner } from './runner.ts';
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
  ListRunsQuery,
  Page,
  Plan,
  Run,
  RunWithSteps,
  StartedRun,
  StartRunOptions,
  StepDefinition,
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
  readonly #now: () => number;
  readonly #runner: StepRunner;

  private constructor(db: Db, options: StoreOptions) {
    this.#db = db;
    this.backend = db.dialect;
    this.#planTtlMs = options.planTtlMs ?? DEFAULT_PLAN_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#runner = new StepRunner({
      db,
      runs: this,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      now: this.#now,
      log: options.log ?? silentLogger,
    });
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
    const position = decodeCursor<{ c: number; i: string }>('store.listRuns', query.cursor, {
      c: 'number',
      i: 'string',
    });
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
  // Applying a run: the step runner (runner.ts)

  applyRun(run: Run | string, steps: readonly StepDefinition[], options: ApplyOptions = {}): Promise<ApplyResult> {
    return this.#runner.apply(run, steps, options);
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
      input.runId ?? null,
      input.verdict == null ? null : jsonText(redactValue(input.verdict), 'audit verdict'),
      started ? 'error' : input.result,
      started ? null : auditError(input.error),
      at,
      started ? null : at,
    ];
    const rows = await this.#db.all(
      'INSERT INTO audit (caller, tool, args, plan_id, run_id, verdict, result, error, at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
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
    const position = decodeCursor<{ a: number; s: number }>('store.queryAudit', query.cursor, {
      a: 'number',
      s: 'number',
    });
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

function toAudit(row: Row): AuditEntry {
  return {
    seq: Number(row.seq),
    caller: String(row.caller),
    tool: String(row.tool),
    args: parseJson(row.args),
    planId: row.plan_id == null ? null : String(row.plan_id),
    runId: row.run_id == null ? null : String(row.run_id),
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

function auditError(error: string | Error | undefined): string | null {
  return error === undefined ? null : redactText(typeof error === 'string' ? error : error.message);
}

function jsonText(value: unknown, what: string): string {
  return JSON.stringify(toJson(value, what));
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
