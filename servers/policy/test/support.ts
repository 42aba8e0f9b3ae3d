import { readFileSync } from 'node:fs';
import type { ConnectedClient } from '@idp-mcp/testing/mcp';

export const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
export const readFixture = (name: string) => readFileSync(fixture(name), 'utf8');

/** structuredContent of a successful call; fails the test with the tool's error text otherwise. */
export async function call<T = Record<string, unknown>>(
  mcp: ConnectedClient,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  const result = await mcp.client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}
