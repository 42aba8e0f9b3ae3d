import { spawnSync } from 'node:child_process';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseFlags, type StartedServer, startServer } from '../src/cli.ts';
import { silentLogger } from '../src/log.ts';
import type { ServerModule } from '../src/module.ts';
import { defineTool, READ } from '../src/tool.ts';
import { demoModule, noPolicy } from './demo-module.ts';
import { healthz, httpRequest, MCP_HEADERS, rawExchange } from './raw-http.ts';

/**
 * Issue 16: one request must never take the server down, and every resource a client can hold (connections,
 * time, batch work, response bytes, concurrent calls) has a limit.
 */
const env = { DEMO_TOKEN: 'demo-secret-token-value' };
const running: StartedServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function serve(args: string[] = [], module: ServerModule = demoModule) {
  const server = await startServer(
    module,
    parseFlags(['--transport', 'http', '--port', '0', ...args]),
    env,
    noPolicy,
    silentLogger,
  );
  running.push(server);
  const url = new URL(server.url!);
  return { server, base: url.origin, port: Number(url.port) };
}

async function mcpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'hardening-test', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const legacyRequest = (id: number, method: string) => ({ jsonrpc: '2.0', id, method, params: {} });

/** Posts a 2025-era message (or batch) and returns the JSON-RPC messages of the SSE answer. */
async function postLegacy(base: string, body: unknown) {
  const response = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, 'mcp-protocol-version': '2025-03-26' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const messages = text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)) as { id: number; result?: unknown; error?: { message: string } });
  return { status: response.status, text, messages };
}

describe('one bad request never takes the server down', () => {
  it('answers 400 to a request target that is not a path, and keeps serving', async () => {
    const { server, base, port } = await serve();
    const answer = await rawExchange(port, [
      `GET http://[/mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`,
    ]);
    expect(answer.statuses).toEqual([400]);
    expect(answer.text).toContain('request target');
    const absolute = await rawExchange(port, [
      httpRequest('POST', `http://127.0.0.1:${port}/mcp`, MCP_HEADERS, '{}', port),
    ]);
    expect(absolute.statuses).toEqual([400]);
    expect(await healthz(base)).toBe(200);
    const client = await mcpClient(server.url!);
    expect((await client.callTool({ name: 'echo', arguments: { message: 'still here' } })).isError).toBeFalsy();
    await client.close();
  });

  it('refuses JSON nested deeper than any MCP message with a clear 400', async () => {
    const { base } = await serve();
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const response = await fetch(`${base}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: deep });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/nested deeper than \d+ levels/);
    expect(await healthz(base)).toBe(200);
  });

  it('a process that serves logs an uncaught error and keeps running', () => {
    const script = `
      import { keepServingOnUncaughtErrors } from ${JSON.stringify(new URL('../src/cli.ts', import.meta.url).href)};
      keepServingOnUncaughtErrors({ error: (message, fields) => console.log('LOGGED', message, fields.error) });
      setTimeout(() => { throw new Error('boom from a timer'); }, 1);
      Promise.reject(new Error('boom from a promise'));
      setTimeout(() => console.log('STILL SERVING'), 50);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(child.stdout).toContain('LOGGED uncaught error, still serving Error: boom from a timer');
    expect(child.stdout).toContain('LOGGED uncaught error, still serving Error: boom from a promise');
    expect(child.stdout).toContain('STILL SERVING');
    expect(child.status).toBe(0);
  });
});

describe('JSON-RPC batches (2025-03-26 clients only; later revisions removed them)', () => {
  it('refuses a batch over --max-batch, naming the limit', async () => {
    const { base } = await serve();
    const batch = Array.from({ length: 11 }, (_, index) => legacyRequest(index + 1, 'ping'));
    const answer = await postLegacy(base, batch);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('11 messages; the limit is 10 (--max-batch)');
    const small = await postLegacy(base, batch.slice(0, 10));
    expect(small.status).toBe(200);
    expect(small.messages.map((message) => message.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('answers a batch whose responses outgrow --max-batch-response-bytes with an error per request left', async () => {
    const { base } = await serve(['--max-batch-response-bytes', '1000']);
    const batch = [legacyRequest(1, 'ping'), legacyRequest(2, 'tools/list'), legacyRequest(3, 'tools/list')];
    const answer = await postLegacy(base, batch);
    expect(answer.status).toBe(200);
    expect(answer.text.length).toBeLessThan(2000);
    const byId = new Map(answer.messages.map((message) => [message.id, message]));
    expect([...byId.keys()].sort()).toEqual([1, 2, 3]);
    expect(byId.get(1)?.result).toEqual({});
    for (const id of [2, 3]) {
      expect(byId.get(id)?.error?.message).toMatch(
        /over the 1000-byte limit for one batch \(--max-batch-response-bytes\)/,
      );
    }
  });
});

describe('slow and greedy clients', () => {
  it('closes a connection that does not finish its headers within --header-timeout', async () => {
    const { base, port } = await serve(['--header-timeout', '300']);
    const answer = await rawExchange(port, ['GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n'], { waitMs: 5000 });
    expect(answer.closedByServer).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(4000);
    expect(await healthz(base)).toBe(200);
  });

  it('closes a connection that does not finish its body within --request-timeout', async () => {
    const { base, port } = await serve(['--request-timeout', '500']);
    const head = `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: 100\r\n\r\n`;
    const answer = await rawExchange(port, [head, '{"jsonrpc":'], { waitMs: 5000 });
    expect(answer.closedByServer).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(4000);
    expect(await healthz(base)).toBe(200);
  });

  it('keeps idle keep-alive connections for --keep-alive-timeout, longer than clients do (no close-while-sending race)', async () => {
    const { port } = await serve(['--keep-alive-timeout', '7000']);
    const answer = await rawExchange(port, [`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`], {
      waitMs: 300,
    });
    expect(answer.text.toLowerCase()).toContain('keep-alive: timeout=7');
    const defaults = await serve();
    const byDefault = await rawExchange(defaults.port, [`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`], {
      waitMs: 300,
    });
    expect(byDefault.text.toLowerCase()).toContain('keep-alive: timeout=15');
  });

  it('drops connections over --max-connections and serves again once they go', async () => {
    const { base, port } = await serve(['--max-connections', '3']);
    const held = [1, 2, 3].map(() => rawExchange(port, ['GET /healthz HTTP/1.1\r\n'], { waitMs: 1500 }));
    await new Promise((wake) => setTimeout(wake, 200));
    const refused = await rawExchange(port, [httpRequest('GET', '/healthz', {}, '', port)], { waitMs: 1000 });
    expect(refused.statuses).toEqual([]);
    expect(refused.closedByServer).toBe(true);
    await Promise.all(held);
    expect(await healthz(base)).toBe(200);
  });

  it('closes a keep-alive connection after --max-requests-per-connection requests', async () => {
    const { port } = await serve(['--max-requests-per-connection', '2']);
    const get = `GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`;
    const answer = await rawExchange(port, [get, get, get], { waitMs: 800, gapMs: 50 });
    expect(answer.statuses).toEqual([200, 200, 503]);
    expect(answer.text.split('HTTP/1.1')[2]?.toLowerCase()).toContain('connection: close');
  });
});

describe('concurrent calls per caller', () => {
  /** A tool that holds its call open until the test lets go: deterministic "in flight". */
  function blockingModule() {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const module: ServerModule = {
      ...demoModule,
      async start() {
        return {
          upstream: { mode: 'sandbox', url: 'http://demo.invalid' },
          close: async () => {},
          tools: [
            defineTool({
              name: 'hold',
              title: 'Hold',
              description: 'Waits until the test releases it.',
              toolset: 'basics',
              tier: 'read',
              annotations: READ,
              input: z.object({}),
              output: z.object({ held: z.boolean() }),
              handler: async () => {
                started++;
                await released;
                return { held: true };
              },
            }),
          ],
        };
      },
    };
    return { module, release, started: () => started };
  }

  it('starts at most --max-concurrent-requests calls at once, and a long call gives its turn back', async () => {
    const blocking = blockingModule();
    const { server, base } = await serve(['--max-concurrent-requests', '1'], blocking.module);
    const clients = await Promise.all([1, 2].map(() => mcpClient(server.url!)));
    const held = clients.map((client) => client.callTool({ name: 'hold', arguments: {} }));
    await expect.poll(blocking.started, { timeout: 3000 }).toBe(1);
    await new Promise((wake) => setTimeout(wake, 300));
    // The second waits its turn; /healthz does not wait for turns.
    expect(blocking.started()).toBe(1);
    expect(await healthz(base)).toBe(200);
    // The first still runs after its turn (1 s): it gives the turn back, so the second starts.
    await expect.poll(blocking.started, { timeout: 3000 }).toBe(2);
    blocking.release();
    for (const call of held) expect((await call).isError).toBeFalsy();
    await Promise.all(clients.map((client) => client.close()));
  });

  it('refuses a call over --max-inflight-per-caller with 429 while /healthz and finished calls go on', async () => {
    const blocking = blockingModule();
    const { server, base } = await serve(['--max-inflight-per-caller', '2'], blocking.module);
    const clients = await Promise.all([1, 2, 3].map(() => mcpClient(server.url!)));
    const held = clients.slice(0, 2).map((client) => client.callTool({ name: 'hold', arguments: {} }));
    await expect.poll(blocking.started, { timeout: 3000 }).toBe(2);
    await expect(clients[2]!.callTool({ name: 'hold', arguments: {} })).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/2 requests in flight already.*--max-inflight-per-caller/),
    });
    expect(await healthz(base)).toBe(200);
    blocking.release();
    for (const call of held) expect((await call).isError).toBeFalsy();
    expect((await clients[2]!.callTool({ name: 'hold', arguments: {} })).isError).toBeFalsy();
    await Promise.all(clients.map((client) => client.close()));
  });
});
