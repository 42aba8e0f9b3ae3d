import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { ToolError } from '@idp-mcp/core';
import pg from 'pg';

/**
 * The user's own place for the SQLite file, never the working directory (a desktop client starts servers from /):
 * $XDG_STATE_HOME/idp-mcp/state.db, else ~/.local/state/idp-mcp/state.db.
 */
export function defaultStatePath(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state'), 'idp-mcp', 'state.db');
}

/**
 * The little a store needs from a database: queries with `?` placeholders (rewritten to $n for
 * PostgreSQL) and transactions. Both drivers run the same SQL.
 */
export type Param = string | number | null;
export type Row = Record<string, unknown>;

export interface Queryable {
  all(sql: string, params?: readonly Param[]): Promise<Row[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

export interface Db extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs fn in one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: one pooled connection). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements without parameters (migrations). */
  exec(tx: Queryable, sql: string): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// SQLite: node:sqlite is synchronous; a queue keeps a transaction's statements together even when
// the code between them awaits.

const queues = new Map<string | symbol, Promise<void>>();

export function openSqlite(path: string): Db {
  // The state holds the audit log: readable by its owner only (SQLite gives -wal and -shm the same mode).
  const created = path !== ':memory:' && !existsSync(path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(path);
  if (created) chmodSync(path, 0o600);
  // Never wait inside SQLite: node:sqlite would block the event loop (every request) while another process holds the
  // file. Statements wait for the lock in short non-blocking retries instead (whenFree), then fail clearly.
  db.exec('PRAGMA busy_timeout = 1000');
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 0');

  // One queue per file for every connection of this process: node:sqlite blocks the thread while it
  // waits for a lock, so a second connection waiting on the first in the same thread would never see
  // it finish. Other processes are waited for (busy_timeout).
  const key = path === ':memory:' ? Symbol(path) : path;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return next;
  };
  const direct: Queryable = {
    all: async (sql, params = []) => db.prepare(sql).all(...(params as SQLInputValue[])) as Row[],
    run: async (sql, params = []) => Number(db.prepare(sql).run(...(params as SQLInputValue[])).changes),
  };
  const free = <T>(fn: () => Promise<T>) => whenFree(path, fn);
  let closed = false;
  return {
    dialect: 'sqlite',
    all: (sql, params) => serial(() => free(() => direct.all(sql, params))),
    run: (sql, params) => serial(() => free(() => direct.run(sql, params))),
    transaction: (fn) =>
      serial(async () => {
        // Holding the write lock from BEGIN IMMEDIATE on, no statement of the transaction waits for another process.
        await free(async () => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    exec: async (_tx, sql) => {
      db.exec(sql);
    },
    close: () =>
      serial(async () => {
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
}

/** How long a statement waits for another process to let go of the SQLite file before it fails. */
export const SQLITE_LOCK_WAIT_MS = 2_000;
const SQLITE_BUSY = 5;

/**
 * Runs `attempt` until the file is free (SQLITE_BUSY: another process holds it), retrying after short sleeps that
 * leave the event loop free, for at most SQLITE_LOCK_WAIT_MS; then fails with `upstream_unavailable`, retry-safe:
 * the statement did not run.
 */
async function whenFree<T>(path: string, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      return await attempt();
    } catch (error) {
      if ((error as { errcode?: number }).errcode !== SQLITE_BUSY) throw error;
      if (Date.now() >= deadline) {
        throw new ToolError(
          'upstream_unavailable',
          `the state store (SQLite at ${path}) is locked by another process; nothing was written`,
          {
            upstream: 'the state store',
            retryable: true,
            retryAfterSeconds: 1,
            hint: 'retry shortly; if it persists, find the program holding the file (another idp-mcp, a sqlite3 shell)',
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** `?` placeholders to `$1, $2, …` (the store's SQL never has `?` inside literals). */
export function toDollarParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function openPostgres(url: string, poolSize = 5): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's connection dropping (server restart) must not crash the process.
  pool.on('error', () => undefined);
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    all: async (sql, params = []) => (await client.query(toDollarParams(sql), params as Param[])).rows as Row[],
    run: async (sql, params = []) => (await client.query(toDollarParams(sql), params as Param[])).rowCount ?? 0,
  });
  const direct = on(pool);
  return {
    dialect: 'postgres',
    all: direct.all,
    run: direct.run,
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    exec: async (tx, sql) => {
      await tx.run(sql);
    },
    close: () => pool.end(),
  };
}
