import { resolve } from 'node:path';
import { decodeCursor, encodeCursor, redactText, ToolError } from '@idp-mcp/core';
import { type Db, defaultStatePath, openPostgres, openSqlite } from './db.ts';
import { migrate } from './migrations.ts';
import type { Json, StoreOptions } from './types.ts';

/**
 * The A2A supervisor's tasks and push-notification configs, in the same database as plans and runs. A task is
 * kept whole as the protocol's JSON form (its history and artifacts included); the columns beside it are what
 * lookups need. Every read and write is scoped to one tenant and owner (the caller's subject): a caller never
 * sees another's tasks.
 */
export interface TaskScope {
  tenant: string;
  owner: string;
}

export interface TaskRecord {
  id: string;
  contextId: string;
  /** The protocol's state name, e.g. TASK_STATE_WORKING. */
  state: string;
  /** The status timestamp, epoch ms: the list order. */
  statusAt: number;
  /** The first message's id (kept from the first save): a repeated send finds its task by it. */
  messageId?: string;
  task: Json;
}

export interface TaskQuery {
  contextId?: string;
  state?: string;
  /** Only tasks whose status changed after this time (epoch ms). */
  statusAfter?: number;
  /** 1-100, default 50. */
  limit?: number;
  cursor?: string;
}

export interface TaskPage {
  tasks: Json[];
  nextCursor?: string;
  total: number;
}

export interface StoredPushConfig {
  config: Json;
  wireVersion: string;
}

const CURSOR = 'store.listTasks';

export class A2aTaskStore {
  readonly backend: 'sqlite' | 'postgres';
  readonly #db: Db;
  readonly #now: () => number;

  private constructor(db: Db, now: () => number) {
    this.#db = db;
    this.backend = db.dialect;
    this.#now = now;
  }

  /** Migrates the database and returns the task store over it. */
  static async open(db: Db, options: Pick<StoreOptions, 'now'> = {}): Promise<A2aTaskStore> {
    const now = options.now ?? Date.now;
    try {
      await migrate(db, undefined, now());
    } catch (error) {
      await db.close().catch(() => undefined);
      throw new ToolError(
        'upstream_unavailable',
        `the A2A task store could not be opened: ${redactText((error as Error).message)}`,
        { hint: 'check DATABASE_URL or the SQLite path: the database must be reachable and writable' },
      );
    }
    return new A2aTaskStore(db, now);
  }

  /** Inserts or replaces a task; the first save's message id stays. */
  async save(scope: TaskScope, record: TaskRecord): Promise<void> {
    const now = this.#now();
    await this.#db.run(
      `INSERT INTO a2a_tasks (tenant, owner, id, context_id, state, status_at, message_id, task, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, owner, id) DO UPDATE SET context_id = excluded.context_id, state = excluded.state,
         status_at = excluded.status_at, task = excluded.task, updated_at = excluded.updated_at`,
      [
        scope.tenant,
        scope.owner,
        record.id,
        record.contextId,
        record.state,
        record.statusAt,
        record.messageId ?? null,
        JSON.stringify(record.task),
        now,
        now,
      ],
    );
  }

  async load(scope: TaskScope, id: string): Promise<Json | undefined> {
    const rows = await this.#db.all('SELECT task FROM a2a_tasks WHERE tenant = ? AND owner = ? AND id = ?', [
      scope.tenant,
      scope.owner,
      id,
    ]);
    return rows[0] ? (JSON.parse(String(rows[0].task)) as Json) : undefined;
  }

  /** The task a message with this id started, if any. */
  async findByMessageId(scope: TaskScope, messageId: string): Promise<Json | undefined> {
    const rows = await this.#db.all('SELECT task FROM a2a_tasks WHERE tenant = ? AND owner = ? AND message_id = ?', [
      scope.tenant,
      scope.owner,
      messageId,
    ]);
    return rows[0] ? (JSON.parse(String(rows[0].task)) as Json) : undefined;
  }

  /** Newest status first; `total` counts every match, not just this page. */
  async list(scope: TaskScope, query: TaskQuery = {}): Promise<TaskPage> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 100);
    const where = ['tenant = ?', 'owner = ?'];
    const params: Array<string | number> = [scope.tenant, scope.owner];
    if (query.contextId) {
      where.push('context_id = ?');
      params.push(query.contextId);
    }
    if (query.state) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.statusAfter !== undefined) {
      where.push('status_at > ?');
      params.push(query.statusAfter);
    }
    const counted = await this.#db.all(`SELECT COUNT(*) AS n FROM a2a_tasks WHERE ${where.join(' AND ')}`, params);
    const position = decodeCursor<{ s: number; i: string }>(CURSOR, query.cursor, { s: 'number', i: 'string' });
    if (position) {
      where.push('(status_at < ? OR (status_at = ? AND id < ?))');
      params.push(position.s, position.s, position.i);
    }
    const rows = await this.#db.all(
      `SELECT id, status_at, task FROM a2a_tasks WHERE ${where.join(' AND ')} ORDER BY status_at DESC, id DESC LIMIT ?`,
      [...params, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = rows.length > limit ? page.at(-1) : undefined;
    return {
      tasks: page.map((row) => JSON.parse(String(row.task)) as Json),
      total: Number(counted[0]?.n ?? 0),
      ...(last ? { nextCursor: encodeCursor(CURSOR, { s: Number(last.status_at), i: String(last.id) }) } : {}),
    };
  }

  /** Tasks of every owner left in one of these states (a process died while they ran), oldest first. */
  async inState(states: readonly string[]): Promise<Array<{ scope: TaskScope; task: Json }>> {
    if (states.length === 0) return [];
    const rows = await this.#db.all(
      `SELECT tenant, owner, task FROM a2a_tasks WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY status_at, id`,
      [...states],
    );
    return rows.map((row) => ({
      scope: { tenant: String(row.tenant), owner: String(row.owner) },
      task: JSON.parse(String(row.task)) as Json,
    }));
  }

  async savePushConfig(scope: TaskScope, taskId: string, id: string, stored: StoredPushConfig): Promise<void> {
    await this.#db.run(
      `INSERT INTO a2a_push_configs (tenant, owner, task_id, id, config, wire_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, owner, task_id, id) DO UPDATE SET config = excluded.config, wire_version = excluded.wire_version`,
      [scope.tenant, scope.owner, taskId, id, JSON.stringify(stored.config), stored.wireVersion, this.#now()],
    );
  }

  async loadPushConfigs(scope: TaskScope, taskId: string): Promise<StoredPushConfig[]> {
    const rows = await this.#db.all(
      'SELECT config, wire_version FROM a2a_push_configs WHERE tenant = ? AND owner = ? AND task_id = ? ORDER BY created_at, id',
      [scope.tenant, scope.owner, taskId],
    );
    return rows.map((row) => ({
      config: JSON.parse(String(row.config)) as Json,
      wireVersion: String(row.wire_version),
    }));
  }

  /** Deletes one config, or every config of the task when `id` is absent. */
  async deletePushConfig(scope: TaskScope, taskId: string, id?: string): Promise<void> {
    await this.#db.run(
      `DELETE FROM a2a_push_configs WHERE tenant = ? AND owner = ? AND task_id = ?${id === undefined ? '' : ' AND id = ?'}`,
      [scope.tenant, scope.owner, taskId, ...(id === undefined ? [] : [id])],
    );
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

/** Opens the task store where openStore opens the platform's state: PostgreSQL at `databaseUrl`, else SQLite. */
export function openTaskStore(options: Pick<StoreOptions, 'databaseUrl' | 'sqlitePath' | 'poolSize' | 'now'>) {
  const path = options.sqlitePath ?? defaultStatePath();
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize)
    : openSqlite(path === ':memory:' ? path : resolve(path));
  return A2aTaskStore.open(db, options);
}
