import { resolve } from 'node:path';
import { redactText, ToolError } from '@idp-mcp/core';
import { type Db, defaultStatePath, openPostgres, openSqlite } from './db.ts';
import { SqlStore } from './store.ts';
import type { Store, StoreOptions } from './types.ts';

export { type Db, defaultStatePath, openPostgres, openSqlite, type Queryable, toDollarParams } from './db.ts';
export { isId, newId } from './ids.ts';
export { MIGRATIONS, type Migration, migrate, migrationSql, schemaVersion } from './migrations.ts';
export { DEFAULT_LEASE_MS, DEFAULT_PLAN_TTL_MS, dropSecretKeys, SqlStore } from './store.ts';
export type * from './types.ts';

/**
 * Opens the store and brings its schema up to date: PostgreSQL when `databaseUrl` (or, unless
 * `env: false`, the DATABASE_URL environment variable) is set, otherwise SQLite at `sqlitePath`
 * (default defaultStatePath(); ':memory:' for tests).
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const url = options.databaseUrl ?? (options.env === false ? undefined : process.env.DATABASE_URL || undefined);
  if (url) return SqlStore.open(openPostgres(url, options.poolSize), options, `PostgreSQL at ${describeUrl(url)}`);
  const given = options.sqlitePath ?? defaultStatePath();
  const path = given === ':memory:' ? given : resolve(given);
  let db: Db;
  try {
    db = openSqlite(path);
  } catch (error) {
    throw new ToolError(
      'upstream_unavailable',
      `the state store (SQLite at ${path}) could not be opened: ${redactText((error as Error).message)}`,
      { hint: 'check that the directory is writable, or set sqlitePath / DATABASE_URL' },
    );
  }
  return SqlStore.open(db, options, `SQLite at ${path}`);
}

/** host:port/database of a PostgreSQL URL, without credentials. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL (not a URL)';
  }
}

export {
  A2aTaskStore,
  openTaskStore,
  type StoredPushConfig,
  type TaskPage,
  type TaskQuery,
  type TaskRecord,
  type TaskScope,
} from './tasks.ts';
