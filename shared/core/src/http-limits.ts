import type { ServerResponse } from 'node:http';

/** What one HTTP client may hold of the server: time, connections, batch work, response bytes, concurrent calls. */
export interface HttpLimits {
  /** Milliseconds a client has to send its request headers (slow-header clients are cut off). */
  headersTimeoutMs: number;
  /** Milliseconds a client has to send its whole request, body included; the server's answer may take longer. */
  requestTimeoutMs: number;
  /**
   * Milliseconds an idle keep-alive connection stays open. Longer than clients' own idle timeouts (undici: 4 s),
   * so a loaded client never sends on a connection the server is closing.
   */
  keepAliveTimeoutMs: number;
  /** Connections open at once; further ones are closed on arrival. */
  maxConnections: number;
  /** Requests one keep-alive connection may carry before the server closes it. */
  maxRequestsPerConnection: number;
  /** Messages in one JSON-RPC batch (only 2025-03-26 clients batch; later revisions removed batches). */
  maxBatch: number;
  /** Bytes of response one batch may produce; the requests past it are answered with an error. */
  maxBatchResponseBytes: number;
  /** MCP requests one caller may have in flight at once (callers are token subjects, or remote addresses). */
  maxInflightPerCaller: number;
  /** MCP requests the server works on at once, all callers together; later ones wait their turn, in order. */
  maxConcurrentRequests: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 15_000,
  maxConnections: 1000,
  maxRequestsPerConnection: 1000,
  maxBatch: 10,
  maxBatchResponseBytes: 4 * 1024 * 1024,
  maxInflightPerCaller: 32,
  maxConcurrentRequests: 4,
};

/**
 * Far deeper than any MCP message nests, so the call path still answers deep arguments with its own precise
 * error (it refuses past 64 levels); far deeper JSON would exhaust the stack of recursive walks after parsing.
 */
export const MAX_JSON_DEPTH = 10_000;

/** Whether JSON text nests arrays and objects deeper than `limit`; one pass over the text, strings skipped. */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

/**
 * In-flight MCP requests per caller key. A request over the limit is refused at once (429) rather than
 * queued: a queue would hold the client's body and socket, the very things the limit protects.
 */
export class InflightLimiter {
  private readonly counts = new Map<string, number>();
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  /** A release function when the caller is under its limit, undefined when over. */
  acquire(key: string): (() => void) | undefined {
    const count = this.counts.get(key) ?? 0;
    if (count >= this.limit) return undefined;
    this.counts.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}

/** How long a request keeps its turn before giving it back while it goes on (a stream, a slow upstream). */
export const TURN_MS = 1000;

/**
 * Turns to work on MCP requests, taken in arrival order. The process has one event loop: a hundred requests
 * started at once run their steps interleaved, and a /healthz probe (or any other request) waits behind all of them
 * in every pass of the loop. With a few turns, each pass holds a few requests' steps. A turn is given back when the
 * request ends, or after TURN_MS if it runs longer (an open stream, a slow upstream), so no request holds one for
 * long; a request waiting for a turn has been read already, so a slow client never holds one at all.
 */
export class Turns {
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private readonly limit: number;
  private readonly turnMs: number;
  constructor(limit: number, turnMs = TURN_MS) {
    this.limit = limit;
    this.turnMs = turnMs;
  }

  /** Resolves with the function that gives the turn back (once; later calls do nothing). */
  async take(): Promise<() => void> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    const giveBack = () => {
      if (given) return;
      given = true;
      clearTimeout(timer);
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
    const timer = setTimeout(giveBack, this.turnMs);
    timer.unref();
    return giveBack;
  }
}

/**
 * Caps the bytes one batch's answer writes. The SDK writes each answer of a batch as one SSE event (one chunk);
 * an event that would cross the budget is replaced by a small JSON-RPC error for the same request id, so every
 * request still gets exactly one answer and the stream ends normally.
 */
export function capBatchResponse(res: ServerResponse, maxBytes: number): void {
  let sent = 0;
  const write = res.write.bind(res) as (chunk: string | Uint8Array) => boolean;
  res.write = ((chunk: string | Uint8Array) => {
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (sent + size <= maxBytes) {
      sent += size;
      return write(chunk);
    }
    const id = sseResponseId(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    if (id === undefined) return true;
    const error = {
      jsonrpc: '2.0',
      id,
      error: {
        code: -32000,
        message: `this answer would take the batch's response over the ${maxBytes}-byte limit for one batch (--max-batch-response-bytes): send this request on its own`,
      },
    };
    return write(`event: message\ndata: ${JSON.stringify(error)}\n\n`);
  }) as typeof res.write;
}

function sseResponseId(event: string): string | number | undefined {
  const data = event.split('\n').find((line) => line.startsWith('data: '));
  if (!data) return undefined;
  try {
    const message = JSON.parse(data.slice(6)) as { id?: unknown };
    return typeof message.id === 'string' || typeof message.id === 'number' ? message.id : undefined;
  } catch {
    return undefined;
  }
}
