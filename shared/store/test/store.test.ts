import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyVerdict } from '@idp-mcp/core';
import { createLogger, ToolError } from '@idp-mcp/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditInput,
  defaultStatePath,
  isId,
  MIGRATIONS,
  migrate,
  openPostgres,
  openSqlite,
  openStore as openStoreWith,
  openTaskStore,
  type StepDefinition,
  type Store,
  type StoreOptions,
  schemaVersion,
} from '../src/index.ts';
import { type Backend, postgresBackend, sqliteBackend, type Target, workDir } from './backends.ts';
import { FILE_STEPS, fileSteps, lines } from './fixtures/steps.ts';

const CHILD = fileURLToPath(new URL('./fixtures/apply-child.ts', import.meta.url));
const HOUR = 60 * 60 * 1000;

const allow: PolicyVerdict = { allowed: true, violations: [], gate: 'test' };
const warnOnly: PolicyVerdict = {
  allowed: true,
  violations: [{ rule: 'labels', severity: 'warn', message: 'add a team label' }],
  gate: 'test',
};
const deny: PolicyVerdict = {
  allowed: false,
  violations: [{ rule: 'replicas', severity: 'deny', message: 'at least 2 replicas', field: 'spec.replicas' }],
  gate: 'test',
};

async function rejection(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ToolError) return error;
    throw error;
  }
  throw new Error('expected a ToolError, got success');
}

/** Steps that record, in memory, what ran. */
function recordingSteps(names: string[], options: { failAt?: string; noUndo?: string[]; undoFails?: string[] } = {}) {
  const log: string[] = [];
  const steps: StepDefinition[] = names.map((name) => ({
    name,
    description: `step ${name}`,
    do: async (ctx) => {
      log.push(`do ${name}`);
      if (name === options.failAt) throw new ToolError('upstream_unavailable', `${name} broke: token=hunter2secret`);
      return { name, key: ctx.idempotencyKey, before: Object.keys(ctx.outputs) };
    },
    ...(options.noUndo?.includes(name)
      ? {}
      : {
          undo: async (_ctx, output) => {
            log.push(`undo ${name} ${JSON.stringify(output)}`);
            if (options.undoFails?.includes(name)) throw new Error(`undo of ${name} broke`);
          },
        }),
  }));
  return { steps, log };
}

/** Runs test/fixtures/apply-child.ts in a separate Node process. */
const children = new Set<ChildProcess>();

function applyInChild(config: Record<string, unknown>) {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    }),
  );
  return {
    /** Waits until the child writes `marker` (it is then inside the step that writes it). */
    async reached(marker: string): Promise<void> {
      while (!existsSync(marker)) {
        if (exit) throw new Error(`the child exited (${exit.code ?? exit.signal}) before ${marker}:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(readFileSync(marker, 'utf8')).toBe(String(child.pid));
    },
    async kill(): Promise<NodeJS.Signals | number | null> {
      child.kill('SIGKILL');
      const { code, signal } = await exited;
      return signal ?? code;
    },
    /** The child's stdout once it exits successfully. */
    async result(): Promise<string> {
      const { code, signal } = await exited;
      if (code !== 0) throw new Error(`the child failed (${code ?? signal}):\n${stderr}`);
      return stdout;
    },
  };
}

const SCHEMA_COLUMNS = {
  a2a_push_configs: ['tenant', 'owner', 'task_id', 'id', 'config', 'wire_version', 'created_at'],
  a2a_tasks: [
    'tenant',
    'owner',
    'id',
    'context_id',
    'state',
    'status_at',
    'message_id',
    'task',
    'created_at',
    'updated_at',
  ],
  audit: ['seq', 'caller', 'tool', 'args', 'plan_id', 'verdict', 'result', 'error', 'at', 'finished_at', 'run_id'],
  plans: ['id', 'kind', 'caller', 'args', 'artefacts', 'verdict', 'status', 'created_at', 'expires_at'],
  runs: [
    'id',
    'plan_id',
    'kind',
    'caller',
    'applied_by',
    'status',
    'error',
    'lease_owner',
    'lease_expires_at',
    'created_at',
    'updated_at',
    'finished_at',
  ],
  schema_migrations: ['version', 'name', 'applied_at'],
  steps: [
    'run_id',
    'idx',
    'name',
    'description',
    'status',
    'attempts',
    'output',
    'error',
    'error_code',
    'undo_error',
    'started_at',
    'finished_at',
  ],
};

const backends: Backend[] = [sqliteBackend(), postgresBackend()];

describe.each(backends)('store on $name', (backend) => {
  let target: Target;
  const open: Store[] = [];
  const openStore = async (extra: StoreOptions = {}) => {
    const store = await target.open(extra);
    open.push(store);
    return store;
  };

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  afterEach(async () => {
    // A test that failed half way may leave a child hanging in a step.
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  const fresh = async (extra: StoreOptions = {}) => {
    target = await backend.fresh();
    return openStore(extra);
  };

  it('applies every migration once and opens again without reapplying', async () => {
    const store = await fresh();
    expect(store.backend).toBe(backend.name);
    const again = await openStore();
    expect(again.backend).toBe(backend.name);
    // Both opens see the latest schema; a third migrate has nothing left to do.
    const db = target.options.sqlitePath
      ? openSqlite(target.options.sqlitePath)
      : openPostgres(target.options.databaseUrl!);
    try {
      expect(await schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
      expect(await migrate(db)).toEqual([]);
      const tables = await db.all(
        backend.name === 'sqlite'
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
          : "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      );
      expect(tables.map((row) => row.name)).toEqual([
        'a2a_push_configs',
        'a2a_tasks',
        'audit',
        'plans',
        'runs',
        'schema_migrations',
        'steps',
      ]);
      // The same columns, in the same order, on both databases.
      const columns: Record<string, string[]> = {};
      for (const { name } of tables) {
        const rows = await db.all(
          backend.name === 'sqlite'
            ? `SELECT name FROM pragma_table_info('${String(name)}') ORDER BY cid`
            : `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${String(name)}' ORDER BY ordinal_position`,
        );
        columns[String(name)] = rows.map((row) => String(row.name));
      }
      expect(columns).toEqual(SCHEMA_COLUMNS);
    } finally {
      await db.close();
    }
  });

  it('refuses a database whose schema is newer than this code', async () => {
    await fresh();
    const db = target.options.sqlitePath
      ? openSqlite(target.options.sqlitePath)
      : openPostgres(target.options.databaseUrl!);
    try {
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [999, 'future', 0]);
    } finally {
      await db.close();
    }
    const error = await rejection(target.open());
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('the database schema is at version 999, newer than this version of idp-mcp knows');
  });

  it('opens concurrently from several connections without migrating twice', async () => {
    target = await backend.fresh();
    const stores = await Promise.all([openStore(), openStore(), openStore()]);
    const plan = await stores[2]!.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    expect((await stores[0]!.getPlan(plan.id))?.id).toBe(plan.id);
  });

  it('stores a plan under an unguessable id and reads it back', async () => {
    const store = await fresh();
    const plan = await store.createPlan({
      kind: 'create_kafka_topic',
      caller: { id: 'alice' },
      args: { name: 'orders', partitions: 6 },
      artefacts: { manifests: [{ kind: 'KafkaTopic', metadata: { name: 'orders' } }] },
      verdict: warnOnly,
    });
    expect(isId('plan', plan.id)).toBe(true);
    expect(plan.status).toBe('planned');
    expect(plan.expired).toBe(false);
    const other = await store.createPlan({ kind: 'x', caller: 'alice', args: {}, artefacts: {} });
    expect(other.id).not.toBe(plan.id);
    const read = await store.getPlan(plan.id);
    expect(read).toEqual(plan);
    expect(read?.args).toEqual({ name: 'orders', partitions: 6 });
    expect(read?.verdict).toEqual(warnOnly);
    expect(Date.parse(read!.expiresAt) - Date.parse(read!.createdAt)).toBe(24 * HOUR);
    expect(await store.getPlan('plan_doesnotexist234567')).toBeUndefined();
  });

  it('stores a denied plan as denied and never applies it', async () => {
    const store = await fresh();
    const plan = await store.createPlan({
      kind: 'create_service',
      caller: 'alice',
      args: {},
      artefacts: {},
      verdict: deny,
    });
    expect(plan.status).toBe('denied');
    const error = await rejection(store.startRun(plan.id));
    expect(error.code).toBe('policy_denied');
    expect(error.message).toContain('denied');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual(deny);
    expect(await store.getRunForPlan(plan.id)).toBeUndefined();
    // A deny violation counts even when the gate said allowed.
    const sneaky = await store.createPlan({
      kind: 'create_service',
      caller: 'alice',
      args: {},
      artefacts: {},
      verdict: { ...deny, allowed: true },
    });
    expect(sneaky.status).toBe('denied');
    const fine = await store.createPlan({ kind: 'x', caller: 'a', args: {}, artefacts: {}, verdict: allow });
    expect(fine.status).toBe('planned');
  });

  it('refuses to start an expired plan, but a run started in time stays resumable', async () => {
    let now = Date.parse('2026-03-01T12:00:00Z');
    const store = await fresh({ now: () => now, planTtlMs: HOUR });
    const plan = await store.createPlan({ kind: 'onboard_team', caller: 'alice', args: {}, artefacts: {} });
    const started = await store.createPlan({ kind: 'onboard_team', caller: 'alice', args: {}, artefacts: {} });
    const short = await store.createPlan({ kind: 'x', caller: 'alice', args: {}, artefacts: {}, ttlMs: 1000 });
    expect(plan.expiresAt).toBe('2026-03-01T13:00:00.000Z');
    expect(short.expiresAt).toBe('2026-03-01T12:00:01.000Z');
    const { run } = await store.startRun(started.id);

    now += HOUR;
    expect((await store.getPlan(plan.id))?.expired).toBe(true);
    const error = await rejection(store.startRun(plan.id));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/plan plan_\w+ expired at 2026-03-01T13:00:00.000Z/);
    expect(error.hint).toContain('new plan');
    expect(await store.getRunForPlan(plan.id)).toBeUndefined();

    const again = await store.startRun(started.id);
    expect(again).toMatchObject({ created: false, run: { id: run.id } });
    const { steps } = recordingSteps(['a']);
    expect((await store.applyRun(again.run, steps)).status).toBe('succeeded');
  });

  it('says clearly when a plan or run does not exist', async () => {
    const store = await fresh();
    expect((await rejection(store.startRun('plan_aaaaaaaaaaaaaaaaaaaa'))).code).toBe('not_found');
    expect((await rejection(store.applyRun('run_aaaaaaaaaaaaaaaaaaaa', recordingSteps(['a']).steps))).code).toBe(
      'not_found',
    );
    expect(await store.getRun('run_aaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
  });

  it('applies steps in order, passing idempotency keys and earlier outputs, and reports progress', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: { n: 1 }, artefacts: {} });
    const { run, created } = await store.startRun(plan.id, { appliedBy: 'bob' });
    expect(created).toBe(true);
    expect(isId('run', run.id)).toBe(true);
    expect(run).toMatchObject({ status: 'running', caller: 'alice', appliedBy: 'bob', planId: plan.id, steps: [] });
    const { steps, log } = recordingSteps(['repo', 'topic', 'catalog']);
    const progress: Array<[number, number, string]> = [];
    const result = await store.applyRun(run, steps, {
      onProgress: (i, total, message) => progress.push([i, total, message]),
    });
    expect(log).toEqual(['do repo', 'do topic', 'do catalog']);
    expect(result).toMatchObject({
      runId: run.id,
      status: 'succeeded',
      done: ['repo', 'topic', 'catalog'],
      undone: [],
      left: [],
      skipped: [],
      replayed: false,
      busy: false,
    });
    expect(result.failed).toBeUndefined();
    expect(progress.map(([i, total]) => [i, total])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(progress[0]![2]).toBe('repo: step repo');
    const stored = await store.getRun(run.id);
    expect(stored?.status).toBe('succeeded');
    expect(stored?.finishedAt).not.toBeNull();
    expect(stored?.leaseExpiresAt).toBeNull();
    expect(stored?.steps.map((step) => [step.index, step.name, step.status, step.attempts])).toEqual([
      [0, 'repo', 'done', 1],
      [1, 'topic', 'done', 1],
      [2, 'catalog', 'done', 1],
    ]);
    expect(stored?.steps[2]?.output).toEqual({ name: 'catalog', key: `${run.id}:catalog`, before: ['repo', 'topic'] });
  });

  it('is idempotent: the same plan applied twice gives the same run and runs nothing again', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { steps, log } = recordingSteps(['a', 'b']);
    const first = await store.startRun(plan.id);
    const firstResult = await store.applyRun(first.run, steps);
    const second = await store.startRun(plan.id);
    expect(second.created).toBe(false);
    expect(second.run.id).toBe(first.run.id);
    const secondResult = await store.applyRun(second.run, steps);
    expect(secondResult).toMatchObject({ status: 'succeeded', replayed: true, done: ['a', 'b'] });
    expect(secondResult.run).toEqual(firstResult.run);
    expect(log).toEqual(['do a', 'do b']);
    expect((await store.listRuns()).items).toHaveLength(1);
  });

  it('gives racing applies of one plan one run, and runs each step once', async () => {
    target = await backend.fresh();
    const stores = await Promise.all([openStore(), openStore(), openStore()]);
    const plan = await stores[0]!.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const dir = workDir();
    try {
      const starts = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3]!.startRun(plan.id)));
      expect(new Set(starts.map((start) => start.run.id)).size).toBe(1);
      expect(starts.filter((start) => start.created)).toHaveLength(1);

      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => stores[i % 3]!.applyRun(starts[i]!.run, fileSteps(dir))),
      );
      for (const result of results) expect(result.runId).toBe(starts[0]!.run.id);
      // One call applied it; the others found it taken (busy) or already finished (replayed).
      expect(results.filter((result) => !result.busy && !result.replayed)).toHaveLength(1);
      expect(lines(dir, 'attempts.log')).toEqual(['create_repository', 'create_topic', 'register_catalog']);
      expect(lines(dir, 'effects.log')).toHaveLength(3);
      expect((await stores[1]!.getRun(starts[0]!.run.id))?.status).toBe('succeeded');
      expect((await stores[2]!.listRuns()).items).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('undoes completed steps in reverse order on a failure, and reports what was left', async () => {
    const logged: string[] = [];
    const store = await fresh({ log: createLogger('store', { level: 'debug', write: (line) => logged.push(line) }) });
    const plan = await store.createPlan({ kind: 'provision_database', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const { steps, log } = recordingSteps(['vault_policy', 'notify', 'database', 'credentials', 'never'], {
      failAt: 'credentials',
      noUndo: ['notify'],
      undoFails: ['database'],
    });
    const result = await store.applyRun(run, steps);
    expect(log).toEqual([
      'do vault_policy',
      'do notify',
      'do database',
      'do credentials',
      `undo database ${JSON.stringify({ name: 'database', key: `${run.id}:database`, before: ['vault_policy', 'notify'] })}`,
      `undo vault_policy ${JSON.stringify({ name: 'vault_policy', key: `${run.id}:vault_policy`, before: [] })}`,
    ]);
    expect(result.status).toBe('failed');
    expect(result.done).toEqual(['vault_policy', 'notify', 'database']);
    expect(result.undone).toEqual(['vault_policy']);
    expect(result.left).toEqual([
      { step: 'notify', reason: 'no_undo' },
      { step: 'database', reason: 'undo_failed', error: 'undo of database broke' },
    ]);
    expect(result.failed).toEqual({
      step: 'credentials',
      error: 'credentials broke: token=[REDACTED]',
      code: 'upstream_unavailable',
    });
    const stored = await store.getRun(run.id);
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toBe('step credentials: credentials broke: token=[REDACTED]');
    expect(stored?.steps.map((step) => step.status)).toEqual(['undone', 'done', 'undo_failed', 'failed', 'pending']);
    expect(stored?.steps[2]?.undoError).toBe('undo of database broke');
    const records = logged.map((line) => JSON.parse(line) as { level: string; msg: string; step?: string });
    expect(records.filter((r) => r.level !== 'info').map((r) => [r.level, r.msg, r.step])).toEqual([
      ['warn', 'a step failed; undoing the completed steps', 'credentials'],
      ['error', 'undo failed: its effects remain', 'database'],
    ]);
    expect(logged.join('\n')).not.toContain('hunter2');
    // A failed run is finished: applying again replays the record and runs nothing.
    const again = await store.applyRun(run.id, steps);
    expect(again).toMatchObject({ replayed: true, status: 'failed', undone: ['vault_policy'] });
    expect(log).toHaveLength(6);
    expect(await store.resumableRuns()).toEqual([]);
  });

  it('stops between steps when aborted, leaving the run resumable, then continues where it stopped', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const controller = new AbortController();
    const { steps, log } = recordingSteps(['a', 'b', 'c']);
    const interrupted = await store.applyRun(run, steps, {
      signal: controller.signal,
      onProgress: (i) => {
        if (i === 1) controller.abort();
      },
    });
    // b was started when the abort came; it finished; c never started.
    expect(interrupted).toMatchObject({ status: 'running', interrupted: true, done: ['a', 'b'] });
    expect((await store.resumableRuns()).map((r) => r.id)).toEqual([run.id]);
    const resumed = await store.applyRun(run, steps);
    expect(resumed).toMatchObject({ status: 'succeeded', skipped: ['a', 'b'], done: ['a', 'b', 'c'] });
    expect(log).toEqual(['do a', 'do b', 'do c']);
    expect(await store.resumableRuns()).toEqual([]);
  });

  it('on cancel lets the step in flight finish, starts no later step, undoes the done ones and ends canceled', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const cancel = new AbortController();
    const { steps, log } = recordingSteps(['a', 'b', 'c', 'd'], { noUndo: ['a'] });
    const canceled = await store.applyRun(run, steps, {
      cancel: cancel.signal,
      onProgress: (i) => {
        if (i === 2) cancel.abort();
      },
    });
    expect(canceled).toMatchObject({
      status: 'canceled',
      done: ['a', 'b', 'c'],
      undone: ['c', 'b'],
      left: [{ step: 'a', reason: 'no_undo' }],
      interrupted: false,
    });
    expect(canceled.failed).toBeUndefined();
    expect(log.map((entry) => entry.split(' ').slice(0, 2).join(' '))).toEqual([
      'do a',
      'do b',
      'do c',
      'undo c',
      'undo b',
    ]);
    expect(canceled.run.steps.map((step) => step.status)).toEqual(['done', 'undone', 'undone', 'pending']);
    expect((await store.getRun(run.id))?.status).toBe('canceled');
    expect(await store.resumableRuns()).toEqual([]);
    // Applying it again replays the canceled run: nothing runs.
    expect(await store.applyRun(run, steps)).toMatchObject({ status: 'canceled', replayed: true });
    expect(log).toHaveLength(5);
  });

  it('refuses to resume a run with different steps', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const controller = new AbortController();
    controller.abort();
    await store.applyRun(run, recordingSteps(['a', 'b']).steps, { signal: controller.signal });
    const error = await rejection(store.applyRun(run, recordingSteps(['a', 'c']).steps));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('[a, b]');
    // The refusal released the run: the right steps continue it.
    expect((await store.applyRun(run, recordingSteps(['a', 'b']).steps)).status).toBe('succeeded');
  });

  it('resumes after the applying process is killed mid-step, running no step twice', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const dir = workDir();
    try {
      const child = applyInChild({ options: target.options, runId: run.id, dir, steps: { hangAt: 'create_topic' } });
      // Wait until the child is inside create_topic (its effect made, its result not yet recorded), then kill it.
      await child.reached(join(dir, 'started-create_topic'));
      expect(await child.kill()).toBe('SIGKILL');

      const left = await store.getRun(run.id);
      expect(left?.status).toBe('running');
      expect(left?.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
        ['create_repository', 'done', 1],
        ['create_topic', 'running', 1],
        ['register_catalog', 'pending', 0],
      ]);
      expect((await store.resumableRuns()).map((r) => r.id)).toEqual([run.id]);

      // The killed process's lease has not run out, but it was on this host and is gone: no need to wait.
      expect(left?.leaseExpiresAt).not.toBeNull();
      const later = await openStore();
      const result = await later.applyRun(run.id, fileSteps(dir));
      expect(result).toMatchObject({
        status: 'succeeded',
        skipped: ['create_repository'],
        done: ['create_repository', 'create_topic', 'register_catalog'],
      });
      // create_repository ran once; create_topic was re-run (same idempotency key) and found its effect.
      expect(lines(dir, 'attempts.log')).toEqual([
        'create_repository',
        'create_topic',
        'create_topic',
        'register_catalog',
      ]);
      expect(lines(dir, 'effects.log')).toEqual(FILE_STEPS.map((name) => `${run.id}:${name}`));
      expect(result.run.steps.map((step) => step.attempts)).toEqual([1, 2, 1]);
      expect(await later.resumableRuns()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finishes a rollback that a killed process left half done', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const dir = workDir();
    try {
      const child = applyInChild({
        options: target.options,
        runId: run.id,
        dir,
        steps: { failAt: 'register_catalog', hangUndoAt: 'create_topic' },
      });
      await child.reached(join(dir, 'started-undo-create_topic'));
      expect(await child.kill()).toBe('SIGKILL');

      const left = await store.getRun(run.id);
      expect(left?.status).toBe('rolling_back');
      expect(left?.steps.map((step) => step.status)).toEqual(['done', 'undoing', 'failed']);
      expect((await store.resumableRuns()).map((r) => r.id)).toEqual([run.id]);

      const result = await store.applyRun(run.id, fileSteps(dir));
      expect(result).toMatchObject({
        status: 'failed',
        done: ['create_repository', 'create_topic'],
        undone: ['create_topic', 'create_repository'],
        left: [],
        failed: { step: 'register_catalog', error: 'register_catalog failed', code: 'internal' },
      });
      // No do ran again; the interrupted undo was repeated (undo must be idempotent too), the other ran once.
      expect(lines(dir, 'attempts.log')).toEqual(['create_repository', 'create_topic', 'register_catalog']);
      expect(lines(dir, 'undone.log')).toEqual(['create_topic', 'create_topic', 'create_repository']);
      expect(await store.resumableRuns()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives processes racing to apply one plan one run, and runs each step once', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const dir = workDir();
    try {
      const children = Array.from({ length: 4 }, () => applyInChild({ options: target.options, planId: plan.id, dir }));
      const outcomes = await Promise.all(children.map((child) => child.result()));
      const results = outcomes.map((out) => JSON.parse(out) as { runId: string; status: string; busy: boolean });
      expect(new Set(results.map((result) => result.runId)).size).toBe(1);
      expect(results.filter((result) => result.status === 'succeeded').length).toBeGreaterThanOrEqual(1);
      // Whoever lost the race saw the run busy (then it finished), or finished already.
      const run = await store.getRunForPlan(plan.id);
      expect(run?.status).toBe('succeeded');
      expect((await store.listRuns()).items).toHaveLength(1);
      expect(lines(dir, 'attempts.log')).toEqual(FILE_STEPS);
      expect(lines(dir, 'effects.log')).toEqual(FILE_STEPS.map((name) => `${run!.id}:${name}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits out a lease held from another host, then takes the run over', async () => {
    let now = Date.now();
    const store = await fresh({ now: () => now });
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const db = target.options.sqlitePath
      ? openSqlite(target.options.sqlitePath)
      : openPostgres(target.options.databaseUrl!);
    try {
      await db.run('UPDATE runs SET lease_owner = ?, lease_expires_at = ? WHERE id = ?', [
        'some-other-host/4242/lease_abcdefghijkl',
        now + 30_000,
        run.id,
      ]);
    } finally {
      await db.close();
    }
    const { steps, log } = recordingSteps(['a']);
    expect(await store.applyRun(run, steps)).toMatchObject({ busy: true, status: 'running' });
    expect(log).toEqual([]);
    now += 30_000;
    expect(await store.applyRun(run, steps)).toMatchObject({ busy: false, status: 'succeeded' });
    expect(log).toEqual(['do a']);
  });

  it('stops writing when another process took the run over after its lease ran out', async () => {
    target = await backend.fresh();
    const slowStore = await openStore();
    const lateStore = await openStore({ now: () => Date.now() + HOUR });
    const plan = await slowStore.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await slowStore.startRun(plan.id);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const slow = slowStore.applyRun(run, [
      {
        name: 'one',
        description: 'stalls past its lease',
        do: async () => {
          entered();
          await gate;
          return { by: 'slow' };
        },
      },
    ]);
    await inside;
    const late = await lateStore.applyRun(run, [{ name: 'one', description: 'x', do: async () => ({ by: 'late' }) }]);
    expect(late).toMatchObject({ status: 'succeeded', busy: false });
    release();
    const stale = await slow;
    expect(stale).toMatchObject({ busy: true, status: 'succeeded' });
    const final = await slowStore.getRun(run.id);
    expect(final?.steps.map((step) => [step.status, step.attempts, step.output])).toEqual([
      ['done', 2, { by: 'late' }],
    ]);
  });

  it('opens PostgreSQL when DATABASE_URL is set, unless told not to read the environment', async () => {
    const fresh = await backend.fresh();
    const url = fresh.options.databaseUrl;
    const sqlitePath = join(workDir(), 'nested', 'state.db');
    const saved = process.env.DATABASE_URL;
    try {
      if (url) process.env.DATABASE_URL = url;
      else delete process.env.DATABASE_URL;
      const store = await openStoreWith({ sqlitePath });
      open.push(store);
      expect(store.backend).toBe(backend.name);
      const local = await openStoreWith({ sqlitePath, env: false });
      open.push(local);
      expect(local.backend).toBe('sqlite');
      expect(existsSync(sqlitePath)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      rmSync(dirname(dirname(sqlitePath)), { recursive: true, force: true });
    }
  });

  it('waits for a lease to run out when asked to, then continues the run', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const db = target.options.sqlitePath
      ? openSqlite(target.options.sqlitePath)
      : openPostgres(target.options.databaseUrl!);
    try {
      await db.run('UPDATE runs SET lease_owner = ?, lease_expires_at = ? WHERE id = ?', [
        'some-other-host/4242/lease_abcdefghijkl',
        Date.now() + 300,
        run.id,
      ]);
    } finally {
      await db.close();
    }
    const { steps, log } = recordingSteps(['a', 'b']);
    const result = await store.applyRun(run, steps, { waitForLease: true });
    expect(result).toMatchObject({ status: 'succeeded', busy: false, done: ['a', 'b'] });
    expect(log).toEqual(['do a', 'do b']);
  });

  it('keeps going when a progress listener throws', async () => {
    const store = await fresh();
    const plan = await store.createPlan({ kind: 'create_service', caller: 'alice', args: {}, artefacts: {} });
    const { run } = await store.startRun(plan.id);
    const result = await store.applyRun(run, recordingSteps(['a', 'b']).steps, {
      onProgress: () => {
        throw new Error('listener broke');
      },
    });
    expect(result.status).toBe('succeeded');
  });

  it('prunes old audit entries and expired plans that never ran', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const store = await fresh({ now: () => now, planTtlMs: HOUR });
    const unused = await store.createPlan({ kind: 'x', caller: 'alice', args: {}, artefacts: {} });
    const used = await store.createPlan({ kind: 'x', caller: 'alice', args: {}, artefacts: {} });
    await store.startRun(used.id);
    await store.recordAudit({ caller: 'alice', tool: 't', args: { n: 1 }, result: 'ok' });
    now += 2 * HOUR;
    const fresher = await store.createPlan({ kind: 'x', caller: 'alice', args: {}, artefacts: {} });
    await store.recordAudit({ caller: 'alice', tool: 't', args: { n: 2 }, result: 'ok' });
    expect(await store.prune({ auditBefore: now - HOUR, expiredPlansBefore: now })).toEqual({ audit: 1, plans: 1 });
    expect(await store.getPlan(unused.id)).toBeUndefined();
    expect(await store.getPlan(used.id)).toBeDefined();
    expect(await store.getPlan(fresher.id)).toBeDefined();
    expect((await store.queryAudit()).items.map((entry) => entry.args)).toEqual([{ n: 2 }]);
    expect(await store.prune({})).toEqual({ audit: 0, plans: 0 });
  });

  it('lists runs by status and caller, newest first, in pages', async () => {
    let now = Date.parse('2026-03-01T12:00:00Z');
    const store = await fresh({ now: () => now });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      now += 1000;
      const plan = await store.createPlan({ kind: 'x', caller: i % 2 ? 'bob' : 'alice', args: {}, artefacts: {} });
      const { run } = await store.startRun(plan.id);
      ids.push(run.id);
      if (i < 3) await store.applyRun(run, recordingSteps(['a']).steps);
    }
    const first = await store.listRuns({ limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    const second = await store.listRuns({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const third = await store.listRuns({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeUndefined();
    expect((await store.listRuns({ status: 'succeeded' })).items.map((r) => r.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await store.listRuns({ status: 'running' })).items.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect((await store.listRuns({ caller: { id: 'bob' } })).items.map((r) => r.id)).toEqual([ids[3], ids[1]]);
    expect((await store.listRuns({ caller: 'bob', status: 'running' })).items.map((r) => r.id)).toEqual([ids[3]]);
    expect((await rejection(store.listRuns({ cursor: 'nonsense' }))).code).toBe('invalid_request');
    const detail = await store.getRun(ids[0]!);
    expect(detail?.steps.map((step) => step.name)).toEqual(['a']);
  });

  it('records audit entries with secrets redacted', async () => {
    const store = await fresh();
    const entry = await store.recordAudit({
      caller: { id: 'alice' },
      tool: 'vault.write_secret',
      args: {
        path: 'payments/db',
        value: 'plain-looking-value',
        nested: { password: 'hunter2', note: 'use ghp_abcdefghijklmnopqrstuvwxyz0123456789' },
        list: [{ Value: 'also secret' }],
      },
      secretKeys: ['value'],
      planId: 'plan_aaaaaaaaaaaaaaaaaaaa',
      runId: 'run_aaaaaaaaaaaaaaaaaaaa',
      verdict: warnOnly,
      result: 'error',
      error: new Error('Vault answered 403 for token hvs.abcdefghijklmnopqrstuvwxyz'),
      at: '2026-03-01T12:00:00Z',
    });
    expect(entry).toEqual({
      seq: expect.any(Number),
      caller: 'alice',
      tool: 'vault.write_secret',
      args: {
        path: 'payments/db',
        value: '[REDACTED]',
        nested: { password: '[REDACTED]', note: 'use [REDACTED]' },
        list: [{ Value: '[REDACTED]' }],
      },
      planId: 'plan_aaaaaaaaaaaaaaaaaaaa',
      runId: 'run_aaaaaaaaaaaaaaaaaaaa',
      verdict: warnOnly,
      result: 'error',
      error: 'Vault answered 403 for token [REDACTED]',
      at: '2026-03-01T12:00:00.000Z',
    });
    const [stored] = (await store.queryAudit()).items;
    expect(stored).toEqual(entry);
    expect(JSON.stringify(stored)).not.toMatch(/hunter2|plain-looking|also secret|ghp_|hvs\./);
    expect(
      (await rejection(store.recordAudit({ caller: 'a', tool: 't', args: {}, result: 'ok', at: 'soon' }))).code,
    ).toBe('invalid_request');
    const wrong = { caller: 'a', tool: 't', args: {}, result: 'maybe' } as unknown as AuditInput;
    expect((await rejection(store.recordAudit(wrong))).message).toContain("result must be 'started', 'ok' or 'error'");
    expect((await rejection(store.recordAudit({ caller: '', tool: 't', args: {}, result: 'ok' }))).code).toBe(
      'invalid_request',
    );
  });

  it('records an intent before a call and its outcome after, once', async () => {
    const store = await fresh();
    const intent = await store.recordAudit({
      caller: 'alice',
      tool: 'vault.write_secret',
      args: { path: 'payments/db', password: 'hunter2' },
      result: 'started',
    });
    expect(intent).toMatchObject({ result: 'started', error: null, args: { password: '[REDACTED]' } });
    expect((await store.queryAudit()).items[0]?.result).toBe('started');
    const finished = await store.finishAudit(intent.seq, {
      result: 'error',
      error: 'Vault answered 403 for token hvs.abcdefghijklmnopqrstuvwxyz',
      planId: 'plan_aaaaaaaaaaaaaaaaaaaa',
    });
    expect(finished).toEqual({
      ...intent,
      result: 'error',
      error: 'Vault answered 403 for token [REDACTED]',
      planId: 'plan_aaaaaaaaaaaaaaaaaaaa',
    });
    expect((await store.queryAudit()).items).toEqual([finished]);
    expect((await rejection(store.finishAudit(intent.seq, { result: 'ok' }))).code).toBe('not_found');
  });

  it('pages audit entries newest first, filters them, and exports them as JSON lines', async () => {
    const store = await fresh();
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 7; i++) {
      await store.recordAudit({
        caller: i % 2 ? 'bob' : 'alice',
        tool: i < 4 ? 'platform.create_service' : 'platform.onboard_team',
        args: { i },
        result: 'ok',
        at: new Date(base + Math.floor(i / 2) * 60_000),
      });
    }
    const seen: number[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await store.queryAudit({ limit: 3, ...(cursor ? { cursor } : {}) });
      sizes.push(page.items.length);
      seen.push(...page.items.map((entry) => (entry.args as { i: number }).i));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);

    const byBob = await store.queryAudit({ caller: 'bob' });
    expect(byBob.items.map((e) => (e.args as { i: number }).i)).toEqual([5, 3, 1]);
    const onboard = await store.queryAudit({ tool: 'platform.onboard_team', caller: 'alice' });
    expect(onboard.items.map((e) => (e.args as { i: number }).i)).toEqual([6, 4]);
    const window = await store.queryAudit({
      since: new Date(base + 60_000),
      until: new Date(base + 3 * 60_000).toISOString(),
    });
    expect(window.items.map((e) => (e.args as { i: number }).i)).toEqual([5, 4, 3, 2]);
    expect(
      (await rejection(store.queryAudit({ cursor: (await store.listRuns()).nextCursor ?? 'eyJ0IjoieCJ9' }))).code,
    ).toBe('invalid_request');
    expect((await rejection(store.queryAudit({ limit: 0 }))).code).toBe('invalid_request');

    const exported: string[] = [];
    for await (const line of store.exportAudit({ caller: 'alice' })) exported.push(line);
    expect(exported.every((line) => line.endsWith('\n'))).toBe(true);
    expect(exported.map((line) => JSON.parse(line).args.i)).toEqual([0, 2, 4, 6]);
  });

  it('exports more entries than one page holds, oldest first', async () => {
    const store = await fresh();
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 1203; i++) {
      await store.recordAudit({ caller: 'alice', tool: 't', args: { i }, result: 'ok', at: base + (i % 600) });
    }
    const order: number[] = [];
    for await (const line of store.exportAudit()) order.push(JSON.parse(line).args.i);
    expect(order).toHaveLength(1203);
    expect(new Set(order).size).toBe(1203);
    const expected = Array.from({ length: 1203 }, (_, i) => i).sort((x, y) => (x % 600) - (y % 600) || x - y);
    expect(order).toEqual(expected);
  });
});

describe('openStore', () => {
  it('says which store could not be opened, without the password', async () => {
    const error = await rejection(openStoreWith({ databaseUrl: 'postgres://idp:s3cretpw@127.0.0.1:1/idp_mcp' }));
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain('the state store (PostgreSQL at 127.0.0.1:1/idp_mcp) could not be opened');
    expect(error.message).not.toContain('s3cretpw');
    expect(error.hint).toContain('DATABASE_URL');
  });

  it('says when the SQLite file cannot be created', async () => {
    const dir = workDir();
    try {
      writeFileSync(join(dir, 'a-file'), '');
      const error = await rejection(openStoreWith({ sqlitePath: join(dir, 'a-file', 'state.db'), env: false }));
      expect(error.code).toBe('upstream_unavailable');
      expect(error.message).toContain(`SQLite at ${join(dir, 'a-file', 'state.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates the SQLite file readable by its owner only', async () => {
    const dir = workDir();
    try {
      const path = join(dir, '.idp-mcp', 'state.db');
      const store = await openStoreWith({ sqlitePath: path, env: false });
      await store.createPlan({ kind: 'x', caller: 'alice', args: {}, artefacts: {} });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, '.idp-mcp')).mode & 0o777).toBe(0o700);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens its SQLite file in the per-user state directory by default, never the working directory', async () => {
    const dir = workDir();
    const saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = dir;
    try {
      expect(defaultStatePath()).toBe(join(dir, 'idp-mcp', 'state.db'));
      const store = await openStoreWith({ env: false });
      await store.close();
      const tasks = await openTaskStore({});
      await tasks.close();
      expect(statSync(join(dir, 'idp-mcp', 'state.db')).isFile()).toBe(true);
      expect(existsSync(join(process.cwd(), '.idp-mcp'))).toBe(false);
      expect(defaultStatePath({ XDG_STATE_HOME: 'relative' })).toMatch(/\/\.local\/state\/idp-mcp\/state\.db$/);
    } finally {
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps :memory: stores apart', async () => {
    const a = await openStoreWith({ sqlitePath: ':memory:', env: false });
    const b = await openStoreWith({ sqlitePath: ':memory:', env: false });
    try {
      const plan = await a.createPlan({ kind: 'x', caller: 'alice', args: {}, artefacts: {} });
      expect(await a.getPlan(plan.id)).toBeDefined();
      expect(await b.getPlan(plan.id)).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
