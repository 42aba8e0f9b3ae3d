import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags, type StartedServer, startServer } from '../src/cli.ts';
import { silentLogger } from '../src/log.ts';
import { registerSecret } from '../src/redact.ts';
import { demoModule, noPolicy } from './demo-module.ts';

/** Stands for a value JSON.stringify cannot write (it overflows the stack): the request body carries `DEEP` instead. */
const DEEP_PLACEHOLDER = 'deep-arguments-placeholder';
const DEEP = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

const errorOf = (result: { _meta?: Record<string, unknown> }) =>
  result._meta?.['idp-mcp/error'] as { code?: string; retryable?: boolean } | undefined;
const textOf = (result: { content?: unknown }) => (result.content as Array<{ text?: string }>)[0]?.text ?? '';

describe('the one call path, through a real client', () => {
  let server: StartedServer;
  let client: Client;
  const quoted = 'pa"ss\\word-Zq9';
  const short = '1234';

  beforeAll(async () => {
    registerSecret(quoted);
    registerSecret(short);
    server = await startServer(
      demoModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      { DEMO_TOKEN: 'demo-secret-token-value' },
      noPolicy,
      silentLogger,
    );
    client = new Client({ name: 'core-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    const deepFetch: typeof fetch = (url, init) =>
      fetch(url, {
        ...init,
        ...(typeof init?.body === 'string' ? { body: init.body.replace(`"${DEEP_PLACEHOLDER}"`, DEEP) } : {}),
      });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url!), { fetch: deepFetch }));
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('answers bad input on a direct call with our error: code, field, fix and retry advice', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi', times: 9 } });
    expect(result.isError).toBe(true);
    expect(errorOf(result)).toEqual({ code: 'invalid_request', retryable: false });
    expect(textOf(result)).toMatch(/^invalid_request: invalid arguments for echo: times: /);
    expect(textOf(result)).toContain("Fix: correct the named arguments; the tool's input schema lists each one");
    expect(textOf(result)).toContain('Retry: not safe to repeat unchanged.');
  });

  it('refuses arguments nested 5,000 deep before the handler runs', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi', extra: DEEP_PLACEHOLDER } });
    expect(errorOf(result)?.code).toBe('invalid_request');
    expect(textOf(result)).toContain('invalid arguments for echo: extra.a.a.…: nested more than 64 levels deep');
    expect(result.structuredContent).toBeUndefined();
  });

  it('masks a registered secret that holds a quote and a backslash', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: `say ${quoted}` } });
    expect(result.structuredContent).toEqual({ echoed: 'say [REDACTED]', length: 4 + quoted.length });
    const wire = JSON.stringify(result);
    expect(wire).not.toContain(quoted);
    expect(wire).not.toContain(JSON.stringify(quoted).slice(1, -1));
  });

  it('leaves numbers and keys alone when a short secret also occurs in them', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: `${'x'.repeat(1229)}:${short}` } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ echoed: `${'x'.repeat(1229)}:[REDACTED]`, length: 1234 });
  });
});

describe('a tools/call whose arguments are not an object, through a real client', () => {
  let server: StartedServer;
  let client: Client;
  // The client checks what it sends: the request leaves with a marker the fetch swaps for the raw JSON.
  const RAW = { string: '"x"', array: '[1]', null: 'null' } as const;

  beforeAll(async () => {
    server = await startServer(
      demoModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      { DEMO_TOKEN: 'demo-secret-token-value' },
      noPolicy,
      silentLogger,
    );
    client = new Client({ name: 'core-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    const rawFetch: typeof fetch = (url, init) => {
      let body = init?.body;
      if (typeof body === 'string') {
        for (const [marker, raw] of Object.entries(RAW)) body = body.replace(`{"raw-arguments":"${marker}"}`, raw);
      }
      return fetch(url, { ...init, body });
    };
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url!), { fetch: rawFetch }));
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it.each(Object.keys(RAW))('answers arguments: %s in runTool format', async (marker) => {
    const result = await client.callTool({ name: 'echo', arguments: { 'raw-arguments': marker } });
    expect(result.isError).toBe(true);
    expect(errorOf(result)).toEqual({ code: 'invalid_request', retryable: false });
    expect(textOf(result)).toMatch(/^invalid_request: invalid arguments for echo: \(arguments\): .*expected object/);
    expect(textOf(result)).toContain("Fix: correct the named arguments; the tool's input schema lists each one");
  });
});
