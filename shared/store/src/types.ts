import type { Caller, ErrorCode, Logger, PolicyVerdict } from '@idp-mcp/core';

/** A JSON value: what plans, step outputs and audit arguments are stored as. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Who: a caller id (the OIDC subject, 'local' on stdio) or the core's Caller (its id is stored). */
export type CallerRef = string | Pick<Caller, 'id'>;

// ---------------------------------------------------------------------------------------------
// Plans

export type PlanStatus = 'planned' | 'denied';

export interface CreatePlanInput {
  /** The composite tool, e.g. 'create_service'. */
  kind: string;
  caller: CallerRef;
  /** The tool's arguments, stored verbatim (needed to apply): never put secret values in a plan. */
  args: unknown;
  /** What would change: rendered manifests, pull-request contents, the step list shown to the caller. */
  artefacts: unknown;
  /** The policy verdict; any violation of severity 'deny' (or allowed: false) stores the plan as 'denied'. */
  verdict?: PolicyVerdict | null;
  /** Overrides the store's plan lifetime for this plan. */
  ttlMs?: number;
}

export interface Plan {
  /** 'plan_' + 20 random base32 characters (100 bits). */
  id: string;
  kind: string;
  caller: string;
  args: Json;
  artefacts: Json;
  verdict: PolicyVerdict | null;
  status: PlanStatus;
  createdAt: string;
  expiresAt: string;
  /** True when expiresAt has passed: such a plan can no longer start a run. */
  expired: boolean;
}

// ---------------------------------------------------------------------------------------------
// Runs and steps

/**
 * running: steps are being applied (or the process died: see resumableRuns).
 * rolling_back: a step failed and completed steps are being undone.
 * succeeded: every step is done. failed: a step failed; completed steps were undone where possible.
 */
/**
 * `canceled`: the caller canceled the run (ApplyOptions.cancel) and its completed steps were undone. It is stored as
 * `failed` with the error `canceled: …` (the runs CHECK predates it), and read back as `canceled`.
 */
export type RunStatus = 'running' | 'rolling_back' | 'succeeded' | 'failed' | 'canceled';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'undoing' | 'undone' | 'undo_failed';

export interface StepRecord {
  index: number;
  name: string;
  description: string;
  status: StepStatus;
  /** Times `do` was started (more than 1 after a resume re-ran an interrupted step). */
  attempts: number;
  /** What `do` returned, redacted. */
  output: Json | null;
  /** Why `do` failed, redacted. */
  error: string | null;
  errorCode: ErrorCode | null;
  /** Why `undo` failed, redacted. */
  undoError: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Run {
  /** 'run_' + 20 random base32 characters. */
  id: string;
  planId: string;
  kind: string;
  /** Who made the plan. */
  caller: string;
  /** Who applied it (the plan's caller unless startRun was told otherwise). */
  appliedBy: string;
  status: RunStatus;
  /** Why the run failed, redacted: `step <name>: <message>`. */
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** While a process is applying the run: until when its lease holds (it renews it while alive). */
  leaseExpiresAt: string | null;
}

export interface RunWithSteps extends Run {
  steps: StepRecord[];
}

export interface StartRunOptions {
  /** Who is applying, when not the plan's caller (e.g. an approver). Recorded on a new run only. */
  appliedBy?: CallerRef;
}

export interface StartedRun {
  run: RunWithSteps;
  /** False when the plan already had a run (a repeated or concurrent apply): that run is returned. */
  created: boolean;
}

/** What a step's `do` and `undo` receive. */
export interface StepContext {
  runId: string;
  planId: string;
  stepName: string;
  stepIndex: number;
  /**
   * `${runId}:${stepName}`: stable across retries and resumes of this step. Pass it to upstreams
   * that accept one (request ids, client tokens) or embed it in what you create so a retry finds it.
   */
  idempotencyKey: string;
  /** 1 on the first try; more when a resume re-runs a step that was interrupted. */
  attempt: number;
  plan: Plan;
  /** Outputs (as stored, redacted) of the steps before this one, by step name. */
  outputs: Record<string, Json>;
  signal: AbortSignal;
  /** Reports progress within the step (forwarded to onProgress). */
  progress(message: string): void;
}

export interface StepDefinition {
  /** Unique within the run, stable across code versions (resume matches steps by name and position). */
  name: string;
  /** One line for people, e.g. 'Create repository acme/payments'. */
  description: string;
  /**
   * Does the step. MUST be idempotent on retry: it may run again after a crash (see README). Returns JSON
   * that is stored redacted and handed to `undo` and later steps: identifiers, never secrets.
   */
  do(ctx: StepContext): Promise<unknown>;
  /** Reverses a done step, given its stored output. Must also be idempotent. */
  undo?(ctx: StepContext, output: Json | null): Promise<void>;
}

export interface ApplyOptions {
  onProgress?: (stepIndex: number, total: number, message: string) => void;
  /** Aborting stops before the next step and leaves the run resumable (it is not rolled back). */
  signal?: AbortSignal;
  /**
   * The caller's cancel: the step in flight finishes, no later step starts, the completed steps are undone as after
   * a failure, and the run ends `canceled`.
   */
  cancel?: AbortSignal;
  /**
   * When another process holds the run, wait for its lease to run out (it does when that process died)
   * and continue the run, instead of returning `busy`. For start-up resumes; `signal` ends the wait.
   */
  waitForLease?: boolean;
}

export interface LeftStep {
  step: string;
  /** no_undo: done, and the step has no undo. undo_failed: its undo threw (see error). */
  reason: 'no_undo' | 'undo_failed';
  error?: string;
}

export interface ApplyResult {
  runId: string;
  /**
   * succeeded / failed: the run is finished (possibly by an earlier call: applying twice returns the record).
   * running: another process holds the run, or `signal` aborted this call: apply again later to continue.
   */
  status: RunStatus;
  /** Steps done and kept, in order (on success: all of them). */
  done: string[];
  /** Steps that were done and then undone, in the order they were undone. */
  undone: string[];
  /** Steps whose effects remain after a failure: no undo, or the undo failed. */
  left: LeftStep[];
  /** The step that failed and why. */
  failed?: { step: string; error: string; code: ErrorCode };
  /** Steps found already done when this call started (a resume), which were not run again. */
  skipped: string[];
  /** True when this call found the run finished and ran nothing. */
  replayed: boolean;
  /** True when another process is applying the run right now (status 'running'). */
  busy: boolean;
  /** True when `signal` aborted this call between steps. */
  interrupted: boolean;
  run: RunWithSteps;
}

export interface ListRunsQuery {
  status?: RunStatus;
  caller?: CallerRef;
  /** 1-100, default 30. */
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as cursor for the next page; absent on the last page. */
  nextCursor?: string;
}

// ---------------------------------------------------------------------------------------------
// Audit

export interface AuditInput {
  caller: CallerRef;
  /** e.g. 'platform.create_service'. */
  tool: string;
  /** Stored redacted (core redactValue), with the values of `secretKeys` removed first. */
  args: unknown;
  /** Argument keys (at any depth) whose values are secret for this tool, e.g. ['value'] for a Vault write. */
  secretKeys?: readonly string[];
  planId?: string;
  /** The self-service run a step's write belongs to. */
  runId?: string;
  verdict?: PolicyVerdict | null;
  /** 'started' records the intent before a call runs; finishAudit then records its outcome. */
  result: 'started' | 'ok' | 'error';
  error?: string | Error;
  /** When it happened; defaults to now. */
  at?: Date | string | number;
}

/** What finishAudit records on a started entry. */
export interface AuditOutcome {
  result: 'ok' | 'error';
  error?: string | Error;
  /** Kept from the intent when absent. */
  planId?: string;
  verdict?: PolicyVerdict | null;
  /** When it finished; defaults to now. */
  at?: Date | string | number;
}

export interface AuditEntry {
  /** Monotonic sequence number. */
  seq: number;
  caller: string;
  tool: string;
  args: Json;
  planId: string | null;
  runId: string | null;
  verdict: PolicyVerdict | null;
  /** 'started': the call was recorded before it ran and its outcome never was (yet). */
  result: 'started' | 'ok' | 'error';
  error: string | null;
  at: string;
}

export interface AuditQuery {
  caller?: CallerRef;
  tool?: string;
  /** Inclusive. */
  since?: Date | string | number;
  /** Exclusive. */
  until?: Date | string | number;
  /** 1-500, default 50. */
  limit?: number;
  cursor?: string;
}

// ---------------------------------------------------------------------------------------------
// The store

export interface Store {
  /** 'sqlite' or 'postgres'. */
  readonly backend: 'sqlite' | 'postgres';

  createPlan(input: CreatePlanInput): Promise<Plan>;
  getPlan(id: string): Promise<Plan | undefined>;

  /**
   * The run of a plan, created on first call. Idempotent: the same plan id always gives the same run, also
   * when callers race (a unique constraint decides). Throws ToolError not_found (no such plan), policy_denied
   * (denied plan) or invalid_request (expired plan, when no run exists yet).
   */
  startRun(planId: string, options?: StartRunOptions): Promise<StartedRun>;
  getRun(id: string): Promise<RunWithSteps | undefined>;
  getRunForPlan(planId: string): Promise<RunWithSteps | undefined>;
  listRuns(query?: ListRunsQuery): Promise<Page<Run>>;
  /** Runs left running or rolling back (a process died mid-run): applyRun continues them. */
  resumableRuns(): Promise<Run[]>;

  /** Applies the steps of a run in order; see ApplyResult and README for the contract. */
  applyRun(run: Run | string, steps: readonly StepDefinition[], options?: ApplyOptions): Promise<ApplyResult>;

  recordAudit(input: AuditInput): Promise<AuditEntry>;
  /** Records the outcome of a 'started' entry; throws ToolError not_found when there is no such open entry. */
  finishAudit(seq: number, outcome: AuditOutcome): Promise<AuditEntry>;
  /** Newest first. */
  queryAudit(query?: AuditQuery): Promise<Page<AuditEntry>>;
  /** Every matching entry, oldest first, as JSON lines (each string ends with '\n'). */
  exportAudit(query?: Omit<AuditQuery, 'limit' | 'cursor'>): AsyncIterable<string>;

  /**
   * Retention: deletes audit entries older than `auditBefore` and plans that expired before
   * `expiredPlansBefore` and never started a run. Returns how many of each went.
   */
  prune(options: { auditBefore?: Date | string | number; expiredPlansBefore?: Date | string | number }): Promise<{
    audit: number;
    plans: number;
  }>;

  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… : use PostgreSQL. Defaults to process.env.DATABASE_URL when `env` is not false. */
  databaseUrl?: string;
  /** SQLite file (parent directories are created) or ':memory:'. Default defaultStatePath(): per user, never the working directory. */
  sqlitePath?: string;
  /** Read DATABASE_URL from the environment when databaseUrl is not given. Default true. */
  env?: boolean;
  /** Plan lifetime. Default 24 hours. */
  planTtlMs?: number;
  /** How long a process's hold on a run lasts without renewal. Default 30 s (renewed every third of it). */
  leaseMs?: number;
  /** The clock, for tests. */
  now?: () => number;
  /** PostgreSQL pool size. Default 5. */
  poolSize?: number;
  /** Where migrations, take-overs, failures and failed undos are logged. Default: nowhere. */
  log?: Logger;
}
