import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectUrl } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, run } from './support.ts';

/**
 * No Docker engine runs here, so CI builds what the image copies: deploy/image/install.sh, the script the
 * Dockerfile's build stage runs, into a temporary directory. Then it starts the platform from that install as the
 * image's entrypoint does (`idp-mcp platform --transport http`), as an unprivileged user that cannot write the
 * install (the image's read-only root filesystem), and asks /healthz, /readyz and /mcp.
 */
const parent = mkdtempSync(join(tmpdir(), 'idp-mcp-image-'));
const app = join(parent, 'app');
const asRoot = process.getuid?.() === 0;
let child: ChildProcess | undefined;
let url: string;
let output = '';

beforeAll(async () => {
  chmodSync(parent, 0o755);
  await run('sh', [join(root, 'deploy/image/install.sh'), root, app]);
  const main = join(app, 'servers/cli/src/main.ts');
  const args = [main, 'platform', '--transport', 'http', '--port', '0'];
  // The image's user is not root and owns nothing in /app: as nobody here, when this test runs as root.
  const [command, commandArgs] = asRoot
    ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args]]
    : [process.execPath, args];
  child = spawn(command as string, commandArgs as string[], {
    cwd: '/',
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', IDP_MCP_STATE: ':memory:' },
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the platform did not start:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Streamable HTTP: (http:\/\/\S+)\/mcp/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child?.stdout?.on('data', read);
    child?.stderr?.on('data', read);
    child?.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited with ${code}:\n${output}`));
    });
  });
}, 180_000);

afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(parent, { recursive: true, force: true });
});

describe('the production install the image carries', () => {
  it('holds runtime code only: no tests, test helpers, benchmarks or dev dependencies', () => {
    expect(existsSync(join(app, 'servers/platform/src/index.ts'))).toBe(true);
    expect(existsSync(join(app, 'policies/kubernetes/kubernetes.rego'))).toBe(true);
    expect(existsSync(join(app, 'servers/platform/test'))).toBe(false);
    expect(existsSync(join(app, 'shared/testing/src'))).toBe(false);
    expect(existsSync(join(app, 'bench/load.ts'))).toBe(false);
    for (const dev of ['vitest', '@biomejs/biome', 'typescript']) {
      expect(existsSync(join(app, 'node_modules', dev))).toBe(false);
    }
    expect(existsSync(join(app, 'servers/platform/node_modules/@idp-mcp/testing'))).toBe(false);
  });

  it('starts the platform with --transport http and answers /healthz and /readyz', async () => {
    for (const probe of ['/healthz', '/readyz']) {
      const response = await fetch(`${url}${probe}`);
      expect(`${probe} ${response.status}`).toBe(`${probe} 200`);
    }
    expect(output).toContain(`file://${app}/policies`);
  });

  it('serves MCP on /mcp to a real client (loopback bind: the local role, no identity provider)', async () => {
    const client = await connectUrl(`${url}/mcp`);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['platform_status', 'create_service']));
    } finally {
      await client.close();
    }
  });

  it('is the install the Dockerfile copies into the distroless Node 24 runtime as a non-root user', () => {
    const dockerfile = readFileSync(join(root, 'deploy/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN sh deploy\/image\/install\.sh \/src \/app/);
    expect(dockerfile).toMatch(/^FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot/m);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
  });
});
