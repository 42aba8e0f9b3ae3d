import type { Db } from './db.ts';

/**
 * The schema, as numbered migrations applied in order, once, on both databases. The SQL is the same
 * for both; the only dialect difference is the auto-increment key, written {{serial_key}}. Times are
 * milliseconds since the epoch (BIGINT), JSON is TEXT. Never edit a released migration: add one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'plans, runs, steps, audit',
    sql: `
CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  caller TEXT NOT NULL,
  args TEXT NOT NULL,
  artefacts TEXT NOT NULL,
  verdict TEXT,
  status TEXT NOT NULL CHECK (status IN ('planned', 'denied')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  plan_id TEXT NOT NULL UNIQUE REFERENCES plans (id),
  kind TEXT NOT NULL,
  caller TEXT NOT NULL,
  applied_by TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'rolling_back', 'succeeded', 'failed')),
  error TEXT,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX runs_by_status ON runs (status, created_at);
CREATE INDEX runs_by_caller ON runs (caller, created_at);

CREATE TABLE steps (
  run_id TEXT NOT NULL REFERENCES runs (id),
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'undoing', 'undone', 'undo_failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  output TEXT,
  error TEXT,
  error_code TEXT,
  undo_error TEXT,
  started_at BIGINT,
  finished_at BIGINT,
  PRIMARY KEY (run_id, idx),
  UNIQUE (run_id, name)
);

CREATE TABLE audit (
  seq {{serial_key}},
  caller TEXT NOT NULL,
  tool TEXT NOT NULL,
  args TEXT NOT NULL,
  plan_id TEXT,
  verdict TEXT,
  result TEXT NOT NULL CHECK (result IN ('ok', 'error')),
  error TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX audit_by_at ON audit (at, seq);
CREATE INDEX audit_by_caller ON audit (caller, at, seq);
CREATE INDEX audit_by_tool ON audit (tool, at, seq);
`,
  },
  {
    version: 2,
    name: 'audit intents',
    // A write's audit entry is recorded before it runs and finished after: finished_at stays NULL until then, and
    // such an entry reads as result 'started' (its result column holds a placeholder the CHECK allows).
    sql: `
ALTER TABLE audit ADD COLUMN finished_at BIGINT;
UPDATE audit SET finished_at = at;
`,
  },
  {
    version: 3,
    name: 'audit run ids',
    // A self-service step's write names the run it belongs to, besides the plan and its verdict.
    sql: `
ALTER TABLE audit ADD COLUMN run_id TEXT;
`,
  },
  {
    version: 4,
    name: 'a2a tasks and push configs',
    // The A2A supervisor's tasks (the protocol's JSON form, with history and artifacts), scoped by tenant and
    // owner (the caller's subject); message_id is the first message's id, so a repeated send finds its task.
    sql: `
CREATE TABLE a2a_tasks (
  tenant TEXT NOT NULL,
  owner TEXT NOT NULL,
  id TEXT NOT NULL,
  context_id TEXT NOT NULL,
  state TEXT NOT NULL,
  status_at BIGINT NOT NULL,
  message_id TEXT,
  task TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant, owner, id),
  UNIQUE (tenant, owner, message_id)
);
CREATE INDEX a2a_tasks_by_status_at ON a2a_tasks (tenant, owner, status_at, id);

CREATE TABLE a2a_push_configs (
  tenant TEXT NOT NULL,
  owner TEXT NOT NULL,
  task_id TEXT NOT NULL,
  id TEXT NOT NULL,
  config TEXT NOT NULL,
  wire_version TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant, owner, task_id, id)
);
`,
  },
];

const SERIAL_KEY = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

export function migrationSql(migration: Migration, dialect: Db['dialect']): string {
  return migration.sql.replaceAll('{{serial_key}}', SERIAL_KEY[dialect]);
}

/**
 * Brings the schema up to date; safe when several processes open the store at once (PostgreSQL: an
 * advisory lock; SQLite: BEGIN IMMEDIATE). Returns the versions it applied.
 */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
  now = Date.now(),
): Promise<number[]> {
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(7411005)');
    await db.exec(
      tx,
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const rows = await tx.all('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => Number(row.version)));
    const known = Math.max(0, ...migrations.map((migration) => migration.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new Error(
        `the database schema is at version ${newest}, newer than this version of idp-mcp knows (${known}): upgrade idp-mcp, or point it at another database`,
      );
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await db.exec(tx, migrationSql(migration, db.dialect));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        now,
      ]);
      applied.push(migration.version);
    }
  });
  return applied;
}

export async function schemaVersion(db: Db): Promise<number> {
  const rows = await db.all('SELECT MAX(version) AS version FROM schema_migrations');
  return Number(rows[0]?.version ?? 0);
}
