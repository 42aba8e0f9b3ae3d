import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2cServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ProviderName } from '../src/agent/index.ts';

/**
 * A scripted model behind each provider's own wire format, over real HTTP, so that the real SDKs are what the agent
 * talks to: the Anthropic Messages API (streamed as server-sent events, tool_use blocks with their input sent as
 * input_json_delta pieces), OpenAI chat completions (tool_calls with JSON-string arguments) and Bedrock's Converse
 * (toolUse / toolResult blocks). Each request is checked the way the real service would refuse it (auth header,
 * required fields, every tool result answering a tool call of the turn before) and answered 400 otherwise.
 */

/** What the script sees of one request, provider-neutral. */
export interface Seen {
  provider: ProviderName;
  system: string;
  tools: string[];
  /** The user's request (the first user message). */
  request: string;
  /** The tool results of the last turn, in order. */
  results: Array<{ text: string; isError: boolean }>;
  /** The number of model turns before this one. */
  turn: number;
}

export interface Reply {
  text?: string;
  calls?: Array<{ name: string; input: Record<string, unknown> }>;
}

export type Script = (seen: Seen) => Reply | Promise<Reply>;

export interface FakeLlm {
  /** HTTP/1.1, for the Anthropic and OpenAI SDKs. */
  url: string;
  /** Cleartext HTTP/2, for the Bedrock SDK (whose default handler speaks only HTTP/2). */
  h2url: string;
  /** Every request body received, per provider, as sent. */
  requests: Array<{ provider: ProviderName; path: string; body: Record<string, unknown> }>;
  problems: string[];
  script: Script;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
const tokens = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);

export async function startFakeLlm(script: Script): Promise<FakeLlm> {
  let ids = 0;
  const nextId = (prefix: string) => `${prefix}${++ids}`;
  const fake: FakeLlm = { url: '', h2url: '', requests: [], problems: [], script, close: async () => {} };

  const refuse = (res: ServerResponse, status: number, problem: string) => {
    fake.problems.push(problem);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: problem } }));
  };

  const anthropic = async (req: IncomingMessage, body: Json, res: ServerResponse) => {
    // The SDK sends the API key as a bearer token (1.x); the API also takes x-api-key.
    if (!req.headers['x-api-key'] && !String(req.headers.authorization ?? '').startsWith('Bearer ')) {
      return refuse(res, 401, 'anthropic: neither x-api-key nor a bearer token');
    }
    if (!req.headers['anthropic-version']) return refuse(res, 400, 'anthropic: no anthropic-version header');
    if (typeof body.model !== 'string' || typeof body.max_tokens !== 'number') {
      return refuse(res, 400, 'anthropic: model and max_tokens are required');
    }
    const messages = body.messages as Array<{ role: string; content: string | Json[] }>;
    const problem = checkPairs(
      messages.map((message) => ({
        role: message.role,
        calls: Array.isArray(message.content)
          ? message.content.filter((block) => block.type === 'tool_use').map((block) => String(block.id))
          : [],
        answers: Array.isArray(message.content)
          ? message.content.filter((block) => block.type === 'tool_result').map((block) => String(block.tool_use_id))
          : [],
      })),
    );
    if (problem) return refuse(res, 400, `anthropic: ${problem}`);
    const last = messages.at(-1)!;
    const first = messages[0]!;
    const seen: Seen = {
      provider: 'anthropic',
      system: String(body.system ?? ''),
      tools: ((body.tools ?? []) as Json[]).map((tool) => String(tool.name)),
      request: typeof first.content === 'string' ? first.content : '',
      results: Array.isArray(last.content)
        ? last.content
            .filter((block) => block.type === 'tool_result')
            .map((block) => ({ text: String(block.content), isError: block.is_error === true }))
        : [],
      turn: messages.filter((message) => message.role === 'assistant').length,
    };
    const reply = await fake.script(seen);
    const blocks: Json[] = [
      ...(reply.text ? [{ type: 'text', text: reply.text }] : []),
      ...(reply.calls ?? []).map((call) => ({
        type: 'tool_use',
        id: nextId('toolu_'),
        name: call.name,
        input: call.input,
      })),
    ];
    const stop = reply.calls?.length ? 'tool_use' : 'end_turn';
    const usage = { input_tokens: tokens(body), output_tokens: tokens(blocks) };
    if (body.stream !== true) return refuse(res, 400, 'anthropic: the agent is expected to stream');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (type: string, data: Json) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send('message_start', {
      message: {
        id: nextId('msg_'),
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
      },
    });
    blocks.forEach((block, index) => {
      if (block.type === 'text') {
        send('content_block_start', { index, content_block: { type: 'text', text: '' } });
        const text = String(block.text);
        const half = Math.ceil(text.length / 2);
        for (const piece of [text.slice(0, half), text.slice(half)]) {
          send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
        }
      } else {
        send('content_block_start', { index, content_block: { ...block, input: {} } });
        const json = JSON.stringify(block.input);
        const half = Math.ceil(json.length / 2);
        for (const piece of [json.slice(0, half), json.slice(half)]) {
          send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
        }
      }
      send('content_block_stop', { index });
    });
    send('message_delta', {
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    send('message_stop', {});
    res.end();
  };

  const openai = async (req: IncomingMessage, body: Json, res: ServerResponse) => {
    if (!String(req.headers.authorization ?? '').startsWith('Bearer ')) {
      return refuse(res, 401, 'openai: no bearer token');
    }
    if (typeof body.model !== 'string') return refuse(res, 400, 'openai: model is required');
    const messages = body.messages as Json[];
    if (messages[0]?.role !== 'system') return refuse(res, 400, 'openai: the system message comes first');
    // Each assistant message with tool_calls is followed by one tool message per call.
    const grouped: Array<{ role: string; calls: string[]; answers: string[] }> = [];
    for (const message of messages.slice(1)) {
      if (message.role === 'tool') {
        const previous = grouped.at(-1);
        if (previous?.role === 'user') previous.answers.push(String(message.tool_call_id));
        else grouped.push({ role: 'user', calls: [], answers: [String(message.tool_call_id)] });
      } else {
        grouped.push({
          role: String(message.role),
          calls: ((message.tool_calls ?? []) as Json[]).map((call) => String(call.id)),
          answers: [],
        });
      }
    }
    const problem = checkPairs(grouped);
    if (problem) return refuse(res, 400, `openai: ${problem}`);
    const trailing: Json[] = [];
    for (const message of [...messages].reverse()) {
      if (message.role !== 'tool') break;
      trailing.unshift(message);
    }
    const reply = await fake.script({
      provider: 'openai',
      system: String(messages[0]!.content),
      tools: ((body.tools ?? []) as Array<{ function: Json }>).map((tool) => String(tool.function.name)),
      request: String(messages[1]?.content ?? ''),
      results: trailing.map((message) => ({
        text: String(message.content),
        isError: String(message.content).startsWith('Error') || String(message.content).startsWith('Held'),
      })),
      turn: messages.filter((message) => message.role === 'assistant').length,
    });
    const toolCalls = (reply.calls ?? []).map((call) => ({
      id: nextId('call_'),
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.input) },
    }));
    const message = {
      role: 'assistant',
      content: reply.text ?? null,
      refusal: null,
      ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
    };
    const usage = { prompt_tokens: tokens(body), completion_tokens: tokens(message) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: nextId('chatcmpl-'),
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: toolCalls.length ? 'tool_calls' : 'stop' }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      }),
    );
  };

  const bedrock = async (req: IncomingMessage, body: Json, res: ServerResponse, modelId: string) => {
    // The SDK signs with SigV4; the fake checks that it did, not the signature.
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
      return refuse(res, 403, 'bedrock: the request is not SigV4-signed');
    }
    if (!modelId) return refuse(res, 400, 'bedrock: no model id in the path');
    const messages = body.messages as Array<{ role: string; content: Json[] }>;
    const problem = checkPairs(
      messages.map((message) => ({
        role: message.role,
        calls: message.content.flatMap((block) => (block.toolUse ? [String((block.toolUse as Json).toolUseId)] : [])),
        answers: message.content.flatMap((block) =>
          block.toolResult ? [String((block.toolResult as Json).toolUseId)] : [],
        ),
      })),
    );
    if (problem) return refuse(res, 400, `bedrock: ${problem}`);
    const last = messages.at(-1)!;
    const reply = await fake.script({
      provider: 'bedrock',
      system: ((body.system ?? []) as Json[]).map((block) => String(block.text)).join('\n'),
      tools: (((body.toolConfig as Json | undefined)?.tools ?? []) as Array<{ toolSpec: Json }>).map((tool) =>
        String(tool.toolSpec.name),
      ),
      request: String(messages[0]?.content[0]?.text ?? ''),
      results: last.content.flatMap((block) => {
        const result = block.toolResult as { content: Array<{ text: string }>; status?: string } | undefined;
        return result
          ? [{ text: result.content.map((part) => part.text).join(''), isError: result.status === 'error' }]
          : [];
      }),
      turn: messages.filter((message) => message.role === 'assistant').length,
    });
    const content = [
      ...(reply.text ? [{ text: reply.text }] : []),
      ...(reply.calls ?? []).map((call) => ({
        toolUse: { toolUseId: nextId('tooluse_'), name: call.name, input: call.input },
      })),
    ];
    const usage = { inputTokens: tokens(body), outputTokens: tokens(content) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        output: { message: { role: 'assistant', content } },
        stopReason: reply.calls?.length ? 'tool_use' : 'end_turn',
        usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
        metrics: { latencyMs: 1 },
      }),
    );
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: Json;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return refuse(res, 400, `${req.url}: the body is not JSON`);
      }
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const converse = /^\/model\/([^/]+)\/converse$/.exec(path);
      const answer = async () => {
        if (req.method === 'POST' && path === '/v1/messages') {
          fake.requests.push({ provider: 'anthropic', path, body });
          return anthropic(req, body, res);
        }
        if (req.method === 'POST' && path === '/v1/chat/completions') {
          fake.requests.push({ provider: 'openai', path, body });
          return openai(req, body, res);
        }
        if (req.method === 'POST' && converse) {
          fake.requests.push({ provider: 'bedrock', path, body });
          return bedrock(req, body, res, decodeURIComponent(converse[1]!));
        }
        refuse(res, 404, `no such endpoint: ${req.method} ${path}`);
      };
      answer().catch((error: unknown) => {
        if (!res.headersSent) refuse(res, 500, `the script failed: ${(error as Error).stack}`);
      });
    });
  };
  const server = createServer(handle);
  const h2c = createH2cServer((req, res) =>
    handle(req as unknown as IncomingMessage, res as unknown as ServerResponse),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  h2c.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => h2c.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.h2url = `http://127.0.0.1:${(h2c.address() as AddressInfo).port}`;
  fake.close = async () => {
    server.closeAllConnections();
    for (const session of sessions) session.destroy();
    await Promise.all([
      new Promise<void>((resolve) => server.close(() => resolve())),
      new Promise<void>((resolve) => h2c.close(() => resolve())),
    ]);
  };
  return fake;
}

/** Roles alternate from a user message, and every tool result answers a call of the assistant turn just before. */
function checkPairs(messages: Array<{ role: string; calls: string[]; answers: string[] }>): string | undefined {
  if (messages[0]?.role !== 'user') return 'the first message must be the user’s';
  for (const [index, message] of messages.entries()) {
    if (index > 0 && message.role === messages[index - 1]!.role) return `two ${message.role} messages in a row`;
    if (message.answers.length === 0) continue;
    const asked = messages[index - 1]?.calls ?? [];
    const missing = asked.filter((id) => !message.answers.includes(id));
    const stray = message.answers.filter((id) => !asked.includes(id));
    if (missing.length || stray.length) {
      return `tool results [${message.answers.join(', ')}] do not answer the calls [${asked.join(', ')}]`;
    }
  }
  return undefined;
}

/** The environment that points the agent's provider at the fake. */
export function envFor(provider: ProviderName, fake: FakeLlm): Record<string, string> {
  if (provider === 'anthropic') {
    return { AGENT_LLM: 'anthropic', ANTHROPIC_API_KEY: 'sk-ant-fake-key-0123456789', ANTHROPIC_BASE_URL: fake.url };
  }
  if (provider === 'openai') {
    return {
      AGENT_LLM: 'openai',
      AGENT_MODEL: 'gpt-fake',
      OPENAI_API_KEY: 'sk-fake-key-0123456789',
      OPENAI_BASE_URL: `${fake.url}/v1`,
    };
  }
  return {
    AGENT_LLM: 'bedrock',
    AGENT_MODEL: 'anthropic.claude-fake-v1:0',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.h2url,
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key-0123456789',
  };
}
