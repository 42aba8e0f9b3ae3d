import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags, type StartedServer, startServer } from '../src/cli.ts';
import { ConfigError } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { demoModule, noPolicy } from './demo-module.ts';

const env = { DEMO_TOKEN: 'demo-secret-token-value' };
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('the HTTP endpoint', () => {
  let server: StartedServer;
  let base: string;

  beforeAll(async () => {
    server = await startServer(
      demoModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      env,
      noPolicy,
      silentLogger,
    );
    base = server.url!.replace(/\/mcp$/, '');
  });
  afterAll(() => server.close());

  it('binds loopback by default and serves health and readiness', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('answers a 2025-era initialize', async () => {
    const response = await fetch(`${base}/mcp`, { method: 'POST', headers: mcpHeaders, body: initialize });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"protocolVersion":"2025-11-25"');
  });

  it('rejects a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${base}/mcp`, { method: 'POST', headers: { ...mcpHeaders, ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(initialize);
      });
    expect(await status({ host: 'evil.example:80' })).toBe(403);
    expect(await status({ origin: 'https://evil.example' })).toBe(403);
  });

  it('refuses bodies over the limit', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1_100_000) } });
    const response = await fetch(`${base}/mcp`, { method: 'POST', headers: mcpHeaders, body });
    expect(response.status).toBe(413);
  });

  it('has nothing but /mcp, /healthz and /readyz', async () => {
    expect((await fetch(`${base}/other`)).status).toBe(404);
  });
});

describe('start-up errors', () => {
  it('names the missing credential variable', async () => {
    await expect(startServer(demoModule, parseFlags([]), {}, noPolicy, silentLogger)).rejects.toThrow(
      /DEMO_TOKEN is not set/,
    );
  });

  it('refuses a non-loopback bind without allowed hosts', async () => {
    const flags = parseFlags([
      '--transport',
      'http',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--dangerously-allow-unauthenticated',
    ]);
    await expect(startServer(demoModule, flags, env, noPolicy, silentLogger)).rejects.toThrow(/--allowed-hosts/);
  });

  it('explains bad flags', () => {
    expect(() => parseFlags(['--transport', 'carrier-pigeon'])).toThrow(
      new ConfigError('--transport: must be stdio or http'),
    );
    expect(() => parseFlags(['--port', 'abc'])).toThrow(/--port: must be a number/);
    expect(() => parseFlags(['--role', 'root'])).toThrow(/--role: must be one of viewer, developer, platform-admin/);
    expect(() => parseFlags(['--bogus'])).toThrow(/Unknown option '--bogus'.*--help/);
  });
});
