// Vault's HTTP routing in front of the spec-checked fake. Vault serves its API under /v1, accepts the LIST verb and
// `GET ...?list=true` alike for list operations (adding the trailing slash; vault/http/logical.go), and takes secret
// paths with slashes in them (`secret/metadata/payments/payments-api/`). An OpenAPI document cannot express that, so
// this front rewrites each request line to the spec's form and passes everything else through byte for byte.
//
// It works on raw TCP because Node's HTTP parser refuses methods it does not know, LIST among them (it answers 400
// before any handler runs); Vault's Go server accepts any method token. Requests with a chunked body switch the
// connection to plain pass-through (no client of ours sends one with a list call).
import { createConnection, createServer, type Socket } from 'node:net';

export interface FrontRequest {
  method: string;
  path: string;
  query: string;
}

export interface VaultFront {
  url: string;
  received: FrontRequest[];
  close(): Promise<void>;
}

const LIST_VALUES = new Set(['true', '1', 't', 'TRUE', 'True']);
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * `isKvV2(mount)` says which first path segments are KV v2 mounts: their list paths get the secret path as one
 * encoded segment, so `{path}` in `/{kv_v2_mount_path}/metadata/{path}/` matches nested paths.
 */
export async function startVaultFront(targetPort: number, isKvV2: (mount: string) => boolean): Promise<VaultFront> {
  const received: FrontRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    let buffer = Buffer.alloc(0);
    let bodyLeft = 0;
    let passThrough = false;
    client.on('data', (chunk: Buffer) => {
      if (passThrough) {
        upstream.write(chunk);
        return;
      }
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length > 0) {
        if (bodyLeft > 0) {
          const part = buffer.subarray(0, bodyLeft);
          upstream.write(part);
          bodyLeft -= part.length;
          buffer = buffer.subarray(part.length);
          continue;
        }
        const end = buffer.indexOf(HEAD_END);
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + HEAD_END.length);
        const [requestLine = '', ...headerLines] = head.split('\r\n');
        const rewritten = rewriteRequestLine(requestLine, isKvV2, received);
        upstream.write(`${[rewritten, ...headerLines].join('\r\n')}\r\n\r\n`, 'latin1');
        const lengthHeader = headerLines.find((line) => /^content-length:/i.test(line));
        bodyLeft = lengthHeader ? Number(lengthHeader.split(':')[1]) : 0;
        if (headerLines.some((line) => /^transfer-encoding:\s*chunked/i.test(line))) {
          passThrough = true;
          upstream.write(buffer);
          buffer = Buffer.alloc(0);
        }
      }
    });
    upstream.pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', done).on('error', done);
    upstream.on('close', done).on('error', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function rewriteRequestLine(line: string, isKvV2: (mount: string) => boolean, received: FrontRequest[]): string {
  const [method = '', target = '/', version = 'HTTP/1.1'] = line.split(' ');
  const url = new URL(target, 'http://vault.invalid');
  received.push({ method, path: url.pathname, query: url.search });
  // Outside /v1 Vault has no API: the fake's own 404 answers it.
  if (!url.pathname.startsWith('/v1/')) return line;
  let path = url.pathname.slice(3);
  let forwardMethod = method;
  const isList = method === 'LIST' || (method === 'GET' && LIST_VALUES.has(url.searchParams.get('list') ?? ''));
  if (isList) {
    forwardMethod = 'GET';
    url.searchParams.set('list', 'true');
    path = listPath(path, isKvV2);
  }
  const query = url.searchParams.size > 0 ? `?${url.searchParams}` : '';
  return `${forwardMethod} ${path}${query} ${version}`;
}

function listPath(path: string, isKvV2: (mount: string) => boolean): string {
  const [, mount, action, ...rest] = path.replace(/\/+$/, '').split('/');
  if (mount && action === 'metadata' && isKvV2(mount)) {
    const secretPath = rest.join('/');
    return secretPath === '' ? `/${mount}/metadata/` : `/${mount}/metadata/${encodeURIComponent(secretPath)}/`;
  }
  return path.endsWith('/') ? path : `${path}/`;
}
