import { connect, type Socket } from 'node:net';

/** What came back on one raw connection: the status of each response seen, and whether the server closed it. */
export interface RawAnswer {
  statuses: number[];
  text: string;
  closedByServer: boolean;
  elapsedMs: number;
}

/**
 * Writes bytes as they are (no client library fixing the framing up) and reads until the server closes the
 * connection or `waitMs` passes, whichever is first: every call is bounded.
 */
export function rawExchange(
  port: number,
  chunks: Array<string | Buffer>,
  options: { waitMs?: number; gapMs?: number } = {},
): Promise<RawAnswer> {
  const waitMs = options.waitMs ?? 1000;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let closedByServer = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1]));
      resolve({ statuses, text, closedByServer, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (data) => received.push(data));
    socket.on('error', () => {
      closedByServer = true;
      finish();
    });
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', () => {
      closedByServer = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (done || socket.destroyed) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((wake) => setTimeout(wake, options.gapMs));
      }
    });
  });
}

/** A complete HTTP/1.1 request with a correct Content-Length, for the cases whose framing is not under test. */
export function httpRequest(
  method: string,
  target: string,
  headers: Record<string, string>,
  body = '',
  port = 0,
): string {
  const lines = [`${method} ${target} HTTP/1.1`, `host: 127.0.0.1:${port}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body || method === 'POST') lines.push(`content-length: ${Buffer.byteLength(body)}`);
  lines.push('connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** GET /healthz with a deadline: the server must answer it from memory whatever else is going on. */
export async function healthz(base: string, timeoutMs = 2000): Promise<number> {
  const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status;
}
