import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlags, type StartedServer, startServer } from '../src/cli.ts';
import { silentLogger } from '../src/log.ts';
import { demoModule, noPolicy } from './demo-module.ts';

const env = { DEMO_TOKEN: 'demo-secret-token-value' };

async function connect(url: string, era: 'modern' | 'legacy') {
  const client = new Client(
    { name: 'core-test', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

describe.each(['modern', 'legacy'] as const)('a server over Streamable HTTP, %s era', (era) => {
  let server: StartedServer;
  let client: Client;

  beforeAll(async () => {
    server = await startServer(
      demoModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      env,
      noPolicy,
      silentLogger,
    );
    client = await connect(server.url!, era);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('negotiates the era', () => {
    expect(client.getProtocolEra()).toBe(era);
  });

  it('lists only tools the default developer role may call, with annotations and schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['echo', 'leak', 'huge', 'fail', 'slow_steps']);
    const echo = tools.find((tool) => tool.name === 'echo')!;
    expect(echo.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, title: 'Echo' });
    expect(echo.inputSchema.properties).toHaveProperty('message');
    expect(echo.outputSchema?.properties).toHaveProperty('echoed');
  });

  it('returns structuredContent with a text rendering', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi', times: 2 } });
    expect(result.structuredContent).toEqual({ echoed: 'hihi', length: 4 });
    expect(result.content).toEqual([{ type: 'text', text: '{"echoed":"hihi","length":4}' }]);
  });

  it('answers invalid input with an error naming the field', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi', times: 9 } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/times.*(<=3|too big)/i);
  });

  it('maps upstream failures to a coded, actionable tool error', async () => {
    const result = await client.callTool({ name: 'fail', arguments: { how: 'not_found' } });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([
      {
        type: 'text',
        text: 'not_found: Demo answered 404: no such thing\nFix: list things first\nRetry: not safe to repeat unchanged.',
      },
    ]);
    expect(result._meta?.['idp-mcp/error']).toEqual({ code: 'not_found', retryable: false });
  });

  it('hides unexpected errors: no stack, no secret, the process keeps serving', async () => {
    const result = await client.callTool({ name: 'fail', arguments: { how: 'crash' } });
    const text = JSON.stringify(result);
    expect(result.isError).toBe(true);
    expect(text).toContain('internal: fail failed unexpectedly');
    expect(text).not.toContain('demo-secret-token-value');
    expect(text).not.toContain('stack');
    expect((await client.callTool({ name: 'echo', arguments: { message: 'still up' } })).isError).toBeFalsy();
  });

  it('never returns a configured secret in tool output', async () => {
    const result = await client.callTool({ name: 'leak', arguments: {} });
    expect(result.structuredContent).toEqual({ value: 'token is [REDACTED]' });
    expect(JSON.stringify(result)).not.toContain('demo-secret-token-value');
  });

  it('refuses responses over 1 MiB with a hint to narrow the call', async () => {
    const result = await client.callTool({ name: 'huge', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/response_too_large.*narrow the call/);
  });

  it('sends progress notifications when asked', async () => {
    const updates: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await client.callTool(
      { name: 'slow_steps', arguments: { steps: 3 } },
      { onprogress: (update) => updates.push(update) },
    );
    expect(result.structuredContent).toEqual({ done: 3 });
    expect(updates).toEqual([
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
      { progress: 3, total: 3, message: 'step 3' },
    ]);
  });

  it('reads resources by URI template and reports a missing one', async () => {
    const note = await client.readResource({ uri: 'demo://notes/hello' });
    expect(note.contents).toEqual([{ uri: 'demo://notes/hello', mimeType: 'text/plain', text: 'hello world' }]);
    await expect(client.readResource({ uri: 'demo://notes/missing' })).rejects.toThrow(/note missing does not exist/);
  });
});

describe('tool exposure by role and flags', () => {
  async function toolNames(flags: string[]) {
    const server = await startServer(
      demoModule,
      parseFlags(['--transport', 'http', '--port', '0', ...flags]),
      env,
      noPolicy,
      silentLogger,
    );
    const client = await connect(server.url!, 'modern');
    try {
      return (await client.listTools()).tools.map((tool) => tool.name);
    } finally {
      await client.close();
      await server.close();
    }
  }

  it('shows a viewer only read tools and a platform admin everything', async () => {
    expect(await toolNames(['--role', 'viewer'])).toEqual(['echo', 'leak', 'huge', 'fail']);
    expect(await toolNames(['--role', 'platform-admin'])).toContain('drop_everything');
  });

  it('applies --read-only, --toolsets and --tools', async () => {
    expect(await toolNames(['--read-only', '--role', 'platform-admin'])).not.toContain('slow_steps');
    expect(await toolNames(['--toolsets', 'admin', '--role', 'platform-admin'])).toEqual(['drop_everything']);
    expect(await toolNames(['--tools', 'echo,leak'])).toEqual(['echo', 'leak']);
  });
});
