import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags, type StartedServer, startServer } from '../src/cli.ts';
import { silentLogger } from '../src/log.ts';
import { demoModule, noPolicy } from './demo-module.ts';
import { healthz, httpRequest, MCP_HEADERS, rawExchange } from './raw-http.ts';

/**
 * Protocol fuzz of the HTTP endpoint (issue 16): generated requests with malformed framing, bad request
 * targets and headers, huge, deep and batched bodies, and slow clients. Whatever arrives, the server answers
 * within its timeouts with a 4xx or a 2xx, never a 5xx, never crashes, and keeps answering /healthz.
 * Seeded, so a failure replays; every exchange is bounded.
 */
const SEED = 16;
const CASES = 240;
const CONCURRENCY = 40;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rpc = (id: unknown, method: string, params: unknown = {}) => ({ jsonrpc: '2.0', id, method, params });
const initialize = rpc(1, 'initialize', {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'fuzz', version: '1' },
});

const TARGETS = [
  '/mcp',
  '/mcp?x=1',
  'http://[/mcp',
  'http://127.0.0.1/mcp',
  '*',
  '//evil.example/mcp',
  '/%ZZ',
  '/mcp/../mcp',
  '/.well-known/oauth-protected-resource/mcp',
  '/healthz?%',
  `/${'a'.repeat(8000)}`,
  '/m\u00e9cp',
  'mcp',
  '',
];
const METHODS = ['POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT', 'OPTIONS', 'HEAD', 'BREW', 'post'];
const HEADER_SETS: Array<Record<string, string>> = [
  MCP_HEADERS,
  MCP_HEADERS,
  { ...MCP_HEADERS, 'mcp-protocol-version': '2025-03-26' },
  { ...MCP_HEADERS, 'mcp-protocol-version': '9999-99-99' },
  { ...MCP_HEADERS, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': '\u0000' },
  { ...MCP_HEADERS, origin: 'null' },
  { ...MCP_HEADERS, origin: 'http://[' },
  { ...MCP_HEADERS, 'content-type': 'application/json; charset=utf-16' },
  { ...MCP_HEADERS, 'content-type': 'text/plain' },
  { ...MCP_HEADERS, accept: '*/*' },
  { ...MCP_HEADERS, authorization: 'Bearer x.y.z' },
  { ...MCP_HEADERS, 'x-long': 'x'.repeat(20_000) },
  {},
];
const BODIES: Array<() => string> = [
  () => JSON.stringify(initialize),
  () => JSON.stringify(rpc(2, 'tools/list')),
  () => JSON.stringify(rpc(3, 'tools/call', { name: 'echo', arguments: { message: 'hi' } })),
  () => JSON.stringify(rpc(4, 'tools/call', { name: 'echo', arguments: { message: 7, times: 'x' } })),
  () => JSON.stringify(rpc(5, 'tools/call', { name: 'huge', arguments: {} })),
  () => JSON.stringify(rpc(6, 'resources/read', { uri: 'demo://notes/../../etc' })),
  () => JSON.stringify(rpc(null, 'ping')),
  () => JSON.stringify(rpc({ nested: true }, 'ping')),
  () => JSON.stringify(Array.from({ length: 10 }, (_, index) => rpc(index, 'tools/list'))),
  () => JSON.stringify(Array.from({ length: 500 }, (_, index) => rpc(index, 'ping'))),
  () => JSON.stringify([initialize, rpc(2, 'ping')]),
  () => '[]',
  () => 'null',
  () => '42',
  () => '"just a string"',
  () => '{"jsonrpc":"2.0","id":1,"method":',
  () => `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
  () => `${'['.repeat(100_000)}`,
  () => JSON.stringify(rpc(7, 'ping', { pad: 'x'.repeat(1_200_000) })),
  () => '\u0000\u0001\u0002\uffff',
  () => '',
];

type Case = { name: string; chunks: Array<string | Buffer>; gapMs?: number };

function generate(next: () => number, port: number): Case[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const cases: Case[] = [];
  for (let index = 0; index < CASES; index++) {
    const kind = next();
    const target = pick(TARGETS);
    const method = pick(METHODS);
    const body = pick(BODIES)();
    const request = httpRequest(method, target, pick(HEADER_SETS), body, port);
    if (kind < 0.6) {
      cases.push({ name: `${method} ${target.slice(0, 40)} body ${body.slice(0, 40)}`, chunks: [request] });
    } else if (kind < 0.7) {
      // Framing: the head or body cut short, or a Content-Length that lies.
      const cut = Math.floor(next() * request.length);
      cases.push({ name: `truncated at ${cut}`, chunks: [request.slice(0, cut)] });
    } else if (kind < 0.78) {
      const lie = pick(['-1', '1e9', 'abc', '5, 6', '99999999999999999999']);
      cases.push({
        name: `content-length ${lie}`,
        chunks: [`POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: ${lie}\r\n\r\n{}`],
      });
    } else if (kind < 0.85) {
      const chunked = pick([
        '5\r\n{"a":\r\nZZ\r\n',
        'ffffffffffff\r\n{}\r\n0\r\n\r\n',
        '2\r\n{}\r\n0\r\n\r\n',
        '1;ext=\u0000\r\n{\r\n0\r\n\r\n',
      ]);
      cases.push({
        name: `chunked ${JSON.stringify(chunked)}`,
        chunks: [
          `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${chunked}`,
        ],
      });
    } else if (kind < 0.92) {
      const garbage = pick([
        'GET /healthz\r\n\r\n',
        'GET /healthz HTTP/9.9\r\n\r\n',
        '\r\n\r\n\r\n',
        `GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nno colon here\r\n\r\n`,
        `GET /healthz HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n`,
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]).toString('latin1'),
        `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
      ]);
      cases.push({ name: `garbage ${JSON.stringify(garbage.slice(0, 30))}`, chunks: [garbage] });
    } else {
      // A slow client: the request a few bytes at a time.
      const pieces = request.slice(0, 400).match(/[\s\S]{1,7}/g) ?? [];
      cases.push({ name: `slow ${method} ${target.slice(0, 20)}`, chunks: pieces, gapMs: 25 });
    }
  }
  return cases;
}

describe('protocol fuzz of the HTTP endpoint', () => {
  let server: StartedServer;
  let base: string;
  let port: number;

  beforeAll(async () => {
    server = await startServer(
      demoModule,
      parseFlags(['--transport', 'http', '--port', '0', '--header-timeout', '300', '--request-timeout', '600']),
      { DEMO_TOKEN: 'demo-secret-token-value' },
      noPolicy,
      silentLogger,
    );
    base = new URL(server.url!).origin;
    port = Number(new URL(server.url!).port);
  });
  afterAll(() => server.close());

  it(`answers ${CASES} generated requests without a 5xx and keeps answering /healthz`, async () => {
    const cases = generate(random(SEED), port);
    const serverErrors: string[] = [];
    const slowHealth: number[] = [];
    const pending = [...cases];
    const worker = async () => {
      for (let fuzzCase = pending.shift(); fuzzCase; fuzzCase = pending.shift()) {
        const answer = await rawExchange(port, fuzzCase.chunks, { waitMs: 1000, gapMs: fuzzCase.gapMs ?? 0 });
        if (answer.statuses.some((status) => status >= 500)) {
          serverErrors.push(`${fuzzCase.name}: ${answer.text.slice(0, 300)}`);
        }
      }
    };
    // /healthz is asked throughout, beside the fuzz traffic: every answer within a second.
    let fuzzing = true;
    const prober = (async () => {
      while (fuzzing) {
        const started = performance.now();
        const status = await healthz(base, 1000).catch(() => 0);
        if (status !== 200) slowHealth.push(performance.now() - started);
        await new Promise((wake) => setTimeout(wake, 50));
      }
    })();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    fuzzing = false;
    await prober;
    expect(slowHealth).toEqual([]);
    expect(serverErrors).toEqual([]);

    const client = new Client({ name: 'after-fuzz', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url!)));
    const result = await client.callTool({ name: 'echo', arguments: { message: 'alive' } });
    expect(result.structuredContent).toEqual({ echoed: 'alive', length: 5 });
    await client.close();
  }, 30_000);
});
