import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { callerFromRoles } from '../src/caller.ts';
import { parseFlags, startServer } from '../src/cli.ts';
import { silentLogger } from '../src/log.ts';
import { buildMcpServer } from '../src/mcp.ts';
import type { ServerModule } from '../src/module.ts';
import { defineTool, READ } from '../src/tool.ts';
import { noPolicy } from './demo-module.ts';

/** A tool that asks the person (confirm) and the client's model (sample), and reports what came back. */
const ask = defineTool({
  name: 'ask',
  title: 'Ask',
  description: 'Asks for confirmation and a model answer.',
  toolset: 'basics',
  tier: 'read',
  annotations: READ,
  input: z.object({}),
  output: z.object({ confirmed: z.string(), sampled: z.string() }),
  handler: async (_input, ctx) => ({
    confirmed: String(await ctx.confirm('Apply it?')),
    sampled: String(await ctx.sample({ system: 'Be brief.', prompt: 'Say hi', maxTokens: 10 }, ctx.signal)),
  }),
});

describe('asking the client', () => {
  it('elicits a confirmation and samples the model when the client can', async () => {
    const server = buildMcpServer({
      name: 'ask',
      version: '1',
      tools: [ask],
      caller: callerFromRoles('local', ['viewer']),
      log: silentLogger,
    });
    const client = new Client(
      { name: 'asking-client', version: '1' },
      { capabilities: { elicitation: { form: {} }, sampling: {} } },
    );
    const seen: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      seen.push(`elicit:${request.params.message}`);
      return { action: 'accept', content: { confirm: true } };
    });
    client.setRequestHandler('sampling/createMessage', async (request) => {
      seen.push(`sample:${request.params.systemPrompt}`);
      return { role: 'assistant', model: 'scripted', content: { type: 'text', text: 'hi' } };
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    const result = await client.callTool({ name: 'ask', arguments: {} });
    expect(result.structuredContent).toEqual({ confirmed: 'true', sampled: 'hi' });
    expect(seen).toEqual(['elicit:Apply it?', 'sample:Be brief.']);
    await client.close();
  });

  it('answers undefined where the exchange cannot carry a request to the client (stateless HTTP)', async () => {
    const module: ServerModule = {
      name: 'ask',
      title: 'Ask',
      description: 'asks',
      toolsets: { basics: 'basics' },
      env: {},
      start: async () => ({ tools: [ask], upstream: { mode: 'live', url: 'none' }, close: async () => {} }),
    };
    const started = await startServer(
      module,
      parseFlags(['--transport', 'http', '--port', '0']),
      {},
      noPolicy,
      silentLogger,
    );
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
    const client = new Client(
      { name: 'asking-client', version: '1' },
      { capabilities: { elicitation: { form: {} }, sampling: {} } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(started.url!)));
    const result = await client.callTool({ name: 'ask', arguments: {} });
    expect(result.structuredContent).toEqual({ confirmed: 'undefined', sampled: 'undefined' });
    await client.close();
    await started.close();
  });
});
