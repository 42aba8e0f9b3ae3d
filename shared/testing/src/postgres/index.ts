import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL server for tests: initdb into a temp directory, pg_ctl start on a free port,
 * listening on 127.0.0.1 only with its socket in that directory. As root (initdb refuses root) it runs
 * as the `postgres` user the Debian package creates. Or IDP_MCP_TEST_DATABASE_URL names a server to
 * use instead (its user needs CREATEDB). Fails loudly, never skips, when no server can start.
 */
export interface TestPostgres {
  /** A new, empty database on the server: its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.IDP_MCP_TEST_DATABASE_URL;
  if (external) return onServer(external, async () => undefined);

  const bin = findBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'idp-mcp-pg-'));
  const data = join(dir, 'data');
  const user = process.getuid?.() === 0 ? serverUser() : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (command: string, args: string[]) =>
    exec(user ? 'runuser' : join(bin, command), user ? ['-u', user.name, '--', join(bin, command), ...args] : args);

  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '40', '-o', settings, 'start']);
    return onServer(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => {
      await run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });
  } catch (error) {
    const log = join(dir, 'server.log');
    const tail = existsSync(log) ? `\nserver log:\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL could not start for the tests: ${(error as Error).message}${tail}`);
  }
}

async function onServer(adminUrl: string, shutdown: () => Promise<void>): Promise<TestPostgres> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let n = 0;
  const prefix = `idp_store_${process.pid}`;
  return {
    createDatabase: async () => {
      const name = `${prefix}_${++n}`;
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    stop: async () => {
      await admin.end().catch(() => undefined);
      await shutdown();
    },
  };
}

function findBinaries(): string {
  const candidates = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((version) => /^\d+$/.test(version))
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : [];
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/<version>/bin: ' +
        'install them (Debian: apt-get install -y postgresql), set PG_BIN to their directory, ' +
        'or set IDP_MCP_TEST_DATABASE_URL to a server the tests may create databases on',
    );
  }
  return found;
}

/** initdb refuses to run as root: the server runs as the `postgres` user (Debian's package creates it). */
function serverUser(): { name: string; uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!line || uid === undefined || gid === undefined) {
    throw new Error(
      'the tests run as root and PostgreSQL refuses to: no `postgres` user to run it as (apt-get install -y postgresql creates one)',
    );
  }
  return { name: 'postgres', uid: Number(uid), gid: Number(gid) };
}

function exec(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 50_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || stdout || error.message}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
