import { resolve } from 'node:path';
import { openPostgres, openSqlite } from './db.ts';
import { SqlStore } from './store.ts';
import type { Store, StoreOptions } from './types.ts';

export { type Db, openPostgres, openSqlite, type Queryable, toDollarParams } from './db.ts';
export { isId, newId } from './ids.ts';
export { MIGRATIONS, type Migration, migrate, migrationSql, schemaVersion } from './migrations.ts';
export { DEFAULT_LEASE_MS, DEFAULT_PLAN_TTL_MS, dropSecretKeys, SqlStore } from './store.ts';
export type * from './types.ts';

export const DEFAULT_SQLITE_PATH = '.idp-mcp/state.db';

/**
 * Opens the store and brings its schema up to date: PostgreSQL when `databaseUrl` (or, unless
 * `env: false`, the DATABASE_URL environment variable) is set, otherwise SQLite at `sqlitePath`
 * (default .idp-mcp/state.db relative to the working directory; ':memory:' for tests).
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const url = options.databaseUrl ?? (options.env === false ? undefined : process.env.DATABASE_URL || undefined);
  if (url) return SqlStore.open(openPostgres(url, options.poolSize), options);
  const path = options.sqlitePath ?? DEFAULT_SQLITE_PATH;
  return SqlStore.open(openSqlite(path === ':memory:' ? path : resolve(path)), options);
}
