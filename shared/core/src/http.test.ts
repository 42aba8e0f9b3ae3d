import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ToolError } from './errors.ts';
import { createUpstreamFetch } from './http.ts';

/** A local server that answers each request with the next scripted reply. */
async function scripted(replies: Array<{ status: number; headers?: Record<string, string>; delayMs?: number }>) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.method ?? '');
    const reply = replies.shift() ?? { status: 200 };
    setTimeout(() => {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify({ status: reply.status }));
    }, reply.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const fast = { upstream: 'Demo', baseDelayMs: 1, maxDelayMs: 5 };

describe('createUpstreamFetch', () => {
  it('retries an idempotent call on 503 and returns the success', async () => {
    const { url, seen } = await scripted([{ status: 503 }, { status: 502 }, { status: 200 }]);
    const response = await createUpstreamFetch(fast)(url);
    expect(response.status).toBe(200);
    expect(seen).toEqual(['GET', 'GET', 'GET']);
  });

  it('never retries a non-idempotent call', async () => {
    const { url, seen } = await scripted([{ status: 503 }, { status: 200 }]);
    const response = await createUpstreamFetch(fast)(url, { method: 'POST', body: '{}' });
    expect(response.status).toBe(503);
    expect(seen).toEqual(['POST']);
  });

  it('honours Retry-After and gives up after the configured retries', async () => {
    const { url, seen } = await scripted([
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
    ]);
    const response = await createUpstreamFetch({ ...fast, retries: 2 })(url);
    expect(response.status).toBe(429);
    expect(seen).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond its limit', async () => {
    const { url, seen } = await scripted([{ status: 429, headers: { 'retry-after': '3600' } }, { status: 200 }]);
    const response = await createUpstreamFetch(fast)(url);
    expect(response.status).toBe(429);
    expect(seen).toHaveLength(1);
  });

  it('times out each attempt and reports a retryable timeout for reads', async () => {
    const { url, seen } = await scripted([
      { status: 200, delayMs: 500 },
      { status: 200, delayMs: 500 },
    ]);
    const call = createUpstreamFetch({ ...fast, timeoutMs: 50, retries: 1 })(url);
    await expect(call).rejects.toMatchObject({ code: 'timeout', retryable: true });
    expect(seen).toHaveLength(2);
  });

  it('reports a write that timed out as not safe to retry', async () => {
    const { url } = await scripted([{ status: 200, delayMs: 500 }]);
    const error = await createUpstreamFetch({ ...fast, timeoutMs: 50 })(url, { method: 'POST' }).catch((e) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ code: 'timeout', retryable: false });
    expect(error.hint).toMatch(/read the current state/);
  });

  it('stops at once when the caller cancels', async () => {
    const { url } = await scripted([{ status: 200, delayMs: 2_000 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by client')), 20);
    await expect(createUpstreamFetch(fast)(url, { signal: controller.signal })).rejects.toThrow('cancelled by client');
  });

  it('reports an unreachable upstream', async () => {
    const { url } = await scripted([]);
    const closed = url.replace(/:\d+\//, ':1/');
    await expect(createUpstreamFetch({ ...fast, retries: 0 })(closed)).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
  });
});
