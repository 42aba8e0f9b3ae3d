import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackstageFake, startBackstageFake } from '@idp-mcp/sandbox/backstage';
import { type GitHubFake, readGitHubUrl, SANDBOX_TOKEN, startGitHubFake } from '@idp-mcp/sandbox/github';
import { type JiraFake, startJiraFake } from '@idp-mcp/sandbox/jira';
import { type KubernetesFake, startKubernetesFake } from '@idp-mcp/sandbox/kubernetes';
import { type SlackFake, startSlackFake } from '@idp-mcp/sandbox/slack';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/**
 * The world a crash test runs in: the upstreams (GitHub, Backstage, Slack, Jira, Kubernetes fakes) live in the test
 * process and outlive every platform process, as the real ones would; each platform process is a child on one
 * state file.
 */
export interface CrashWorld {
  github: GitHubFake;
  backstage: BackstageFake;
  slack: SlackFake;
  jira: JiraFake;
  kubernetes: KubernetesFake;
  dir: string;
  /**
   * Kills a platform process (SIGKILL) at the next request matching `method` and `path`: `after` the upstream has
   * answered it, before the answer reaches the process (the change happened and the process never learns it did),
   * or `before` the upstream sees it (the step started and changed nothing). The process killed is `pid`, or when
   * absent the newest platform process at that moment (one started after the trap was set, resuming at start-up).
   */
  killAt(
    fake: FakeName,
    match: { method: string; path: string | RegExp },
    options?: { when?: 'before' | 'after'; pid?: number },
  ): Promise<void>;
  /** A platform process (stdio) on the world's state file; `args` are extra CLI flags, `env` extra variables. */
  platform(args?: string[], env?: Record<string, string>): Promise<Platform>;
  close(): Promise<void>;
}

export interface Platform {
  client: Client;
  pid: number;
  stderr: () => string;
  kill(): Promise<void>;
  close(): Promise<void>;
}

export type FakeName = 'github' | 'backstage' | 'slack' | 'jira' | 'kubernetes';

interface Trap {
  method: string;
  path: string | RegExp;
  when: 'before' | 'after';
  pid: () => number | undefined;
  sprung: () => void;
}

/** The trap matching a request, taken off the list. */
function spring(traps: Trap[], method: string | undefined, url: string | undefined, when: Trap['when']) {
  const path = new URL(url ?? '/', 'http://proxy.invalid').pathname;
  const index = traps.findIndex(
    (trap) =>
      trap.when === when &&
      trap.method === method &&
      (typeof trap.path === 'string' ? trap.path === path : trap.path.test(path)),
  );
  if (index < 0) return false;
  const [trap] = traps.splice(index, 1);
  const pid = trap!.pid();
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  trap!.sprung();
  return true;
}

/** A pass-through proxy in front of a fake that can spring a trap (see killAt). */
async function startProxy(target: string, traps: Trap[]): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    if (spring(traps, incoming.method, incoming.url, 'before')) {
      incoming.resume();
      outgoing.destroy();
      return;
    }
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (spring(traps, incoming.method, incoming.url, 'after')) {
            outgoing.destroy();
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          outgoing.end(Buffer.concat(chunks));
        });
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const bin = new URL('../src/bin.ts', import.meta.url).pathname;

export async function startCrashWorld(): Promise<CrashWorld> {
  const github = await startGitHubFake({ validate: false });
  const backstage = await startBackstageFake({ validate: false, readUrl: (url) => readGitHubUrl(github.state, url) });
  const slack = await startSlackFake({ validate: false });
  const jira = await startJiraFake({ validate: false });
  const kubernetes = await startKubernetesFake({ validate: false, seed: 'empty' });
  const dir = mkdtempSync(join(tmpdir(), 'idp-mcp-crash-'));
  const traps: Record<FakeName, Trap[]> = { github: [], backstage: [], slack: [], jira: [], kubernetes: [] };
  const fakes = { github, backstage, slack, jira, kubernetes };
  const proxies = Object.fromEntries(
    await Promise.all(
      (Object.keys(fakes) as FakeName[]).map(async (name) => [name, await startProxy(fakes[name].url, traps[name])]),
    ),
  ) as Record<FakeName, { url: string; server: Server }>;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubernetes.kubeconfig.replace(kubernetes.url, proxies.kubernetes.url), { mode: 0o600 });
  let newest: number | undefined;
  return {
    github,
    backstage,
    slack,
    jira,
    kubernetes,
    dir,
    killAt(fake, match, { when = 'after', pid } = {}) {
      return new Promise((sprung) => traps[fake].push({ ...match, when, pid: () => pid ?? newest, sprung }));
    },
    async platform(args = [], extra = {}) {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [bin, ...args],
        env: {
          ...(process.env as Record<string, string>),
          IDP_MCP_LOG_LEVEL: 'info',
          IDP_MCP_STATE: join(dir, 'state.db'),
          PLATFORM_INTEGRATIONS: 'github,kubernetes,backstage,slack,jira',
          KUBECONFIG: kubeconfig,
          GITHUB_API_URL: proxies.github.url,
          GITHUB_TOKEN: SANDBOX_TOKEN,
          BACKSTAGE_URL: proxies.backstage.url,
          BACKSTAGE_TOKEN: backstage.token,
          SLACK_API_URL: `${proxies.slack.url}/`,
          SLACK_BOT_TOKEN: slack.token,
          JIRA_URL: proxies.jira.url,
          JIRA_EMAIL: jira.email,
          JIRA_API_TOKEN: jira.token,
          ...extra,
        },
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const client = new Client({ name: 'crash-test', version: '1.0.0' });
      const connected = client.connect(transport);
      // Spawned by now (connect starts the transport before its first wait): a trap set for the newest process
      // catches the runs it resumes at start-up, before the handshake.
      newest = transport.pid ?? undefined;
      await connected;
      const pid = transport.pid!;
      newest = pid;
      return {
        client,
        pid,
        stderr: () => stderr,
        async kill() {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
          await client.close().catch(() => {});
        },
        close: () => client.close(),
      };
    },
    async close() {
      for (const { server } of Object.values(proxies)) server.closeAllConnections();
      await Promise.all([
        ...Object.values(proxies).map(({ server }) => new Promise((resolve) => server.close(resolve))),
        github.close(),
        backstage.close(),
        slack.close(),
        jira.close(),
        kubernetes.close(),
      ]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
