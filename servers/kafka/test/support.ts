// Helpers the Kafka server's test files share: calling a tool and reading its result or error.
import type { ConnectedClient } from '@idp-mcp/testing/mcp';

export type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: unknown;
  _meta?: Record<string, unknown>;
};

export async function callTool(
  client: ConnectedClient,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Result> {
  return (await client.client.callTool({ name, arguments: args })) as Result;
}

/** structuredContent, or {} for an error result. */
export function sc(result: Result): Record<string, unknown> {
  return result.structuredContent ?? {};
}

/** The idp-mcp error metadata of an error result: code, retryable, retryAfterSeconds. */
export function errorMeta(result: Result) {
  return result._meta?.['idp-mcp/error'] as
    | { code: string; retryable: boolean; retryAfterSeconds?: number }
    | undefined;
}
