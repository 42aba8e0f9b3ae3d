import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '@idp-mcp/testing/postgres';
import { openStore, type Store, type StoreOptions } from '../src/index.ts';

/** Where a test's store lives: a fresh SQLite file or a fresh PostgreSQL database. */
export interface Target {
  /** The options that open this store (also handed to child processes as JSON). */
  options: StoreOptions;
  open(extra?: StoreOptions): Promise<Store>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  setup(): Promise<void>;
  teardown(): Promise<void>;
  fresh(): Promise<Target>;
}

function target(options: StoreOptions): Target {
  return { options, open: (extra = {}) => openStore({ ...options, env: false, ...extra }) };
}

export function sqliteBackend(): Backend {
  let dir = '';
  let n = 0;
  return {
    name: 'sqlite',
    setup: async () => {
      dir = mkdtempSync(join(tmpdir(), 'idp-mcp-store-'));
    },
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
    fresh: async () => target({ sqlitePath: join(dir, `state-${++n}`, 'state.db') }),
  };
}

/**
 * A server that cannot start fails every PostgreSQL test with the reason (a failing beforeAll would
 * make vitest report the tests as skipped).
 */
export function postgresBackend(): Backend {
  let server: TestPostgres | undefined;
  let failure: Error | undefined;
  return {
    name: 'postgres',
    setup: async () => {
      try {
        server = await startPostgres();
      } catch (error) {
        failure = error as Error;
      }
    },
    teardown: async () => server?.stop(),
    fresh: async () => {
      if (!server) throw failure ?? new Error('PostgreSQL was not started');
      return target({ databaseUrl: await server.createDatabase() });
    },
  };
}

/** A fresh directory for side-effect files. */
export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'idp-mcp-effects-'));
}
