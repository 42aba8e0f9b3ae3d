import * as z from 'zod';
import { ToolError } from './errors.ts';

/** Output discipline: every list is paginated with an opaque cursor, every long text is capped. */

export const MAX_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_TEXT_LIMIT = 20_000;

/** Arguments every list tool takes. */
export const listArgs = {
  limit: z.number().int().min(1).max(100).default(30).describe('Maximum items to return (1-100).'),
  cursor: z.string().optional().describe('nextCursor from the previous call, to get the next page.'),
};

export const nextCursorField = z
  .string()
  .optional()
  .describe('Pass as cursor to get the next page; absent on the last page.');

/**
 * A cursor is opaque to the model: base64url JSON of whatever the upstream needs to resume
 * (a page number, an offset, an upstream token). The tool name is inside, so a cursor from
 * another tool is rejected instead of silently misread.
 */
export function encodeCursor(tool: string, position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ t: tool, ...position })).toString('base64url');
}

export function decodeCursor<T extends Record<string, unknown>>(
  tool: string,
  cursor: string | undefined,
  /**
   * The type of each field the position must have: a forged cursor with the right tool name but values of other
   * types (which would reach a query or an upstream as they are) is refused like any other. `?` marks a field that
   * may be absent.
   */
  fields: Record<string, 'string' | 'number' | 'string?' | 'number?'> = {},
): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown } & T;
    const typed = Object.entries(fields).every(([field, type]) => {
      const value = decoded?.[field];
      return type.endsWith('?') ? value === undefined || typeof value === type.slice(0, -1) : typeof value === type;
    });
    if (decoded?.t === tool && typed) return decoded;
  } catch {
    // fall through to the error below
  }
  throw new ToolError('invalid_request', `cursor: not a cursor returned by ${tool}`, {
    hint: 'pass the nextCursor value from the previous call of this tool unchanged, or omit cursor to start over',
  });
}

/**
 * One page of a list an upstream returns whole (Argo CD applications, Kafka topics, Vault keys, Rancher clusters),
 * with an offset cursor. `scope` (e.g. a mount and path) is kept in the cursor, so a cursor cannot be replayed against
 * a list of other arguments.
 */
export function offsetPage<T>(
  tool: string,
  items: readonly T[],
  input: { limit: number; cursor?: string | undefined },
  scope: Record<string, string> = {},
): { items: T[]; nextCursor: string | undefined; total: number } {
  const position = decodeCursor<{ offset: number; scope?: Record<string, string> }>(tool, input.cursor, {
    offset: 'number',
  });
  if (position && JSON.stringify(position.scope ?? {}) !== JSON.stringify(scope)) {
    throw new ToolError('invalid_request', 'cursor: belongs to the same tool called with other arguments', {
      hint: 'pass the same arguments as the call that returned the cursor, or omit cursor',
      retryable: false,
    });
  }
  const offset = position?.offset ?? 0;
  const end = offset + input.limit;
  return {
    items: items.slice(offset, end),
    nextCursor:
      end < items.length
        ? encodeCursor(tool, { offset: end, ...(Object.keys(scope).length ? { scope } : {}) })
        : undefined,
    total: items.length,
  };
}

export interface Truncated {
  text: string;
  truncated: boolean;
  /** Characters left out. */
  omitted: number;
}

/**
 * Caps text at `limit` characters with an explicit marker saying how much was cut and how to narrow
 * the call. `keep: 'tail'` keeps the end (logs: the failure is usually last).
 */
export function truncateText(
  text: string,
  options: { limit?: number; keep?: 'head' | 'tail'; hint: string },
): Truncated {
  const limit = options.limit ?? DEFAULT_TEXT_LIMIT;
  if (text.length <= limit) return { text, truncated: false, omitted: 0 };
  const omitted = text.length - limit;
  const marker = `[truncated: ${omitted.toLocaleString('en-US')} characters omitted; ${options.hint}]`;
  const kept = options.keep === 'tail' ? text.slice(text.length - limit) : text.slice(0, limit);
  return {
    text: options.keep === 'tail' ? `${marker}\n${kept}` : `${kept}\n${marker}`,
    truncated: true,
    omitted,
  };
}

/** Keeps the last `lines` lines of a text (for logs). */
export function tailLines(text: string, lines: number): string {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all.slice(-lines).join('\n');
}

/** How long ago a timestamp was, in the largest unit under two of the next: 90s, 45m, 5h, 3d; '' when unknown. */
export function age(timestamp: unknown, now = Date.now()): string {
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(time)) return '';
  const seconds = Math.max(0, Math.floor((now - time) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
