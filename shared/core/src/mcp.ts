import {
  type CallToolResult,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
  type ServerContext,
  type StandardSchemaWithJSON,
} from '@modelcontextprotocol/server';
import { type Caller, tierAllows } from './caller.ts';
import { renderToolError, ToolError } from './errors.ts';
import type { Logger } from './log.ts';
import type { ResourceDefinition } from './module.ts';
import { MAX_RESPONSE_BYTES } from './output.ts';
import { redactText, redactValue } from './redact.ts';
import type { AnyTool, ToolContext } from './tool.ts';

/** Turns an upstream library's own error (octokit's RequestError, ...) into a ToolError, or undefined. */
export type ErrorMapper = (error: unknown) => ToolError | undefined;

/**
 * Wraps every call on its way to runTool: where the aggregator adds audit, rate limits and metrics.
 * `next` runs the call; an interceptor may refuse by returning an error result instead.
 */
export type ToolInterceptor = (
  call: { tool: AnyTool; args: Record<string, unknown>; ctx: ToolContext },
  next: () => Promise<CallToolResult>,
) => Promise<CallToolResult>;

export interface McpServerOptions {
  name: string;
  version: string;
  instructions?: string;
  tools: AnyTool[];
  resources?: ResourceDefinition[];
  caller: Caller;
  log: Logger;
  mapError?: ErrorMapper;
  intercept?: ToolInterceptor;
  /**
   * Whether tools may ask the client (elicitation, sampling). False over Streamable HTTP: each request gets
   * a fresh server, so the client's answer would reach another instance and the call would wait forever.
   */
  canAskClient?: boolean;
}

export const SERVER_VERSION = '0.1.0';

/**
 * Builds the MCP server one caller sees: only the tools its tier allows, each call run through
 * `runTool`. Built per request over HTTP and once per connection over stdio.
 */
export function buildMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: `idp-mcp-${options.name}`, version: options.version },
    {
      capabilities: { tools: {}, ...(options.resources?.length ? { resources: {} } : {}) },
      ...(options.instructions ? { instructions: options.instructions } : {}),
    },
  );
  const allowed = new Map<string, AnyTool>();
  for (const tool of options.tools) {
    if (!tierAllows(options.caller.tier, tool.tier)) continue;
    allowed.set(tool.name, tool);
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: listedOnly(tool.input),
        outputSchema: listedOnly(tool.output),
        annotations: { title: tool.title, ...tool.annotations },
      },
      // Never called: answerToolCalls answers tools/call; the registration lists the tool.
      () => {
        throw new Error(`tools/call for ${tool.name} bypassed answerToolCalls`);
      },
    );
  }
  answerToolCalls(server, allowed, options);
  for (const resource of options.resources ?? []) {
    server.registerResource(
      resource.name,
      new ResourceTemplate(resource.uriTemplate, { list: undefined }),
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      async (uri, variables, sdkContext) => {
        const values = Object.fromEntries(
          Object.entries(variables).map(([key, value]) => [key, Array.isArray(value) ? value.join('/') : value]),
        );
        try {
          const text = await resource.read(values, sdkContext.mcpReq.signal);
          return {
            contents: [{ uri: uri.href, mimeType: resource.mimeType, text: redactText(text, { labelled: false }) }],
          };
        } catch (error) {
          const toolError = toToolError(error, resource.name, options.log, options.mapError);
          if (toolError.code === 'not_found') throw new ResourceNotFoundError(uri.href, toolError.message);
          throw new ProtocolError(ProtocolErrorCode.InternalError, renderToolError(toolError));
        }
      },
    );
  }
  return server;
}

/**
 * tools/call answered by us as sent. The SDK checks a request's shape before any tools/call handler runs (even a
 * low-level one) and answers `arguments: "x"`, `[1]` or `null` with its own bare "Invalid tools/call request: [issue
 * JSON]" protocol error. So its handler is removed and the call reaches the server's fallback handler (both public
 * API), which sends every call through the interceptor to runTool: one error format (field and fix), and a refused
 * call is audited and rate limited like any other. tools/list stays the SDK's, from the registered tools.
 */
function answerToolCalls(server: McpServer, tools: Map<string, AnyTool>, options: McpServerOptions): void {
  server.server.removeRequestHandler('tools/call');
  server.server.fallbackRequestHandler = async (request, sdkContext) => {
    if (request.method !== 'tools/call') throw new ProtocolError(ProtocolErrorCode.MethodNotFound, 'Method not found');
    const params = (isObject(request.params) ? request.params : {}) as Record<string, unknown>;
    if (typeof params.name !== 'string') {
      return toolErrorResult(
        new ToolError('invalid_request', 'invalid tools/call request: name: expected the name of a tool', {
          retryable: false,
          hint: 'send params.name, one of the names tools/list returns',
        }),
      );
    }
    const tool = tools.get(params.name);
    if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${params.name} not found`);
    const ctx = toolContext(sdkContext, options.caller, options.log, options.canAskClient ?? true);
    // Not always an object: runTool's input check names the problem, in the format of every other bad argument.
    const args = (params.arguments === undefined ? {} : params.arguments) as Record<string, unknown>;
    return invokeTool(tool, args, ctx, options);
  };
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A schema the SDK lists but does not check: tools/call is answered by answerToolCalls, and runTool does the
 * validating (our error shape: code, field, fix, retry advice), for direct calls and call_tool alike. The SDK only
 * reads its JSON Schema, the tool's own (tools/list is unchanged); `validate` passes every value through, should any
 * SDK path still call it.
 * The `$schema` URL is left out of tools/list: it tells a model nothing and costs about 14 tokens per schema.
 * The SDK converts every schema on every tools/list, and over HTTP each request builds a server of its own: the
 * wrapper is made once per schema and converts once per target (frozen, so no caller can change another's copy).
 */
function listedOnly(schema: AnyTool['input']): StandardSchemaWithJSON<Record<string, unknown>> {
  const made = LISTED.get(schema);
  if (made) return made;
  const json = schema['~standard'].jsonSchema;
  const converted = new Map<string, Record<string, unknown>>();
  const convert = (io: 'input' | 'output', options: { target: string }) => {
    const key = `${io} ${options.target}`;
    let document = converted.get(key);
    if (!document) {
      const { $schema: _uri, ...rest } = json[io](options);
      document = deepFreeze(rest);
      converted.set(key, document);
    }
    return document;
  };
  const listed: StandardSchemaWithJSON<Record<string, unknown>> = {
    '~standard': {
      version: 1,
      vendor: 'idp-mcp',
      // The protocol carries arguments as a JSON object; runTool checks everything else.
      validate: (value: unknown) => ({ value: value as Record<string, unknown> }),
      jsonSchema: {
        input: (options) => convert('input', options),
        output: (options) => convert('output', options),
      },
    },
  };
  LISTED.set(schema, listed);
  return listed;
}

const LISTED = new WeakMap<AnyTool['input'], StandardSchemaWithJSON<Record<string, unknown>>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function toolContext(sdkContext: ServerContext, caller: Caller, log: Logger, canAskClient: boolean): ToolContext {
  const progressToken = sdkContext.mcpReq._meta?.progressToken;
  return {
    signal: sdkContext.mcpReq.signal,
    caller,
    log,
    confirm: async (message) => {
      if (!canAskClient) return undefined;
      let answer: Awaited<ReturnType<ServerContext['mcpReq']['elicitInput']>>;
      try {
        answer = await sdkContext.mcpReq.elicitInput({
          mode: 'form',
          message,
          requestedSchema: {
            type: 'object',
            properties: { confirm: { type: 'boolean', title: 'Confirm', description: message } },
            required: ['confirm'],
          },
        });
      } catch {
        return undefined;
      }
      return answer.action === 'accept' && answer.content?.confirm === true;
    },
    sample: async (request, signal) => {
      if (!canAskClient) return undefined;
      let result: Awaited<ReturnType<ServerContext['mcpReq']['requestSampling']>>;
      try {
        result = await sdkContext.mcpReq.requestSampling(
          {
            systemPrompt: request.system,
            messages: [{ role: 'user', content: { type: 'text', text: request.prompt } }],
            maxTokens: request.maxTokens,
          },
          { signal },
        );
      } catch (error) {
        if (signal.aborted) throw error;
        return undefined;
      }
      const blocks = Array.isArray(result.content) ? result.content : [result.content];
      const text = blocks.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
      return text || undefined;
    },
    progress: async (progress, total, message) => {
      if (progressToken === undefined) return;
      await sdkContext.mcpReq.notify({
        method: 'notifications/progress',
        params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
      });
    },
  };
}

/** A call through the interceptor (when there is one) to runTool: direct calls and call_tool alike. */
export function invokeTool(
  tool: AnyTool,
  args: Record<string, unknown>,
  ctx: ToolContext,
  path: { mapError?: ErrorMapper | undefined; intercept?: ToolInterceptor | undefined } = {},
): Promise<CallToolResult> {
  const run = () => runTool(tool, args, ctx, path.mapError);
  return path.intercept ? path.intercept({ tool, args, ctx }, run) : run();
}

/**
 * The one path every tool call takes, direct or through a dispatcher: tier check, input check (shape limits, then the
 * tool's schema), handler, output check, redaction of secret values, the response size cap, and errors turned into
 * tool errors a model can act on.
 */
export async function runTool(
  tool: AnyTool,
  args: Record<string, unknown>,
  ctx: ToolContext,
  mapError?: ErrorMapper,
): Promise<CallToolResult> {
  try {
    if (!tierAllows(ctx.caller.tier, tool.tier)) {
      throw new ToolError(
        'forbidden',
        `${tool.name} needs the ${tool.tier} tier; your roles grant ${ctx.caller.tier}`,
        {
          hint: 'ask a platform admin for a role that grants it',
        },
      );
    }
    const problem = argumentsProblem(args);
    if (problem) {
      throw new ToolError('invalid_request', `invalid arguments for ${tool.name}: ${problem}`, {
        retryable: false,
        hint: "send the arguments the tool's input schema lists, as plain values; no tool takes anything this deep or large",
      });
    }
    const input = tool.input.safeParse(args);
    if (!input.success) {
      throw new ToolError(
        'invalid_request',
        `invalid arguments for ${tool.name}: ${describeIssues(input.error.issues)}`,
        {
          retryable: false,
          hint: "correct the named arguments; the tool's input schema lists each one",
        },
      );
    }
    const result = await tool.handler(input.data, ctx);
    const parsed = tool.output.safeParse(result);
    if (!parsed.success) {
      throw new Error(`output of ${tool.name} does not match its schema: ${parsed.error.message}`);
    }
    // Value by value, never on the serialized text: a secret is masked however JSON would escape it, and a short
    // one that also occurs in a number or a key leaves them alone.
    const structured = JSON.stringify(redactValue(parsed.data, { labelled: false, keys: false }));
    const text = tool.render ? redactText(tool.render(parsed.data), { labelled: false }) : structured;
    const bytes = Buffer.byteLength(structured) + (tool.render ? Buffer.byteLength(text) : 0);
    if (bytes > MAX_RESPONSE_BYTES) {
      throw new ToolError('response_too_large', `${tool.name} produced ${bytes} bytes, over the 1 MiB limit`, {
        retryable: false,
        hint: 'narrow the call: a smaller limit, a path, a filter or fewer lines',
      });
    }
    return { content: [{ type: 'text', text }], structuredContent: JSON.parse(structured) };
  } catch (error) {
    return toolErrorResult(toToolError(error, tool.name, ctx.log, mapError));
  }
}

/** Deeper than any tool's arguments need: a model never sends this on purpose. */
export const MAX_ARGUMENT_DEPTH = 64;
/** Arguments larger than a response may be (counting string lengths, keys and values) are refused. */
export const MAX_ARGUMENT_BYTES = MAX_RESPONSE_BYTES;

/**
 * Why arguments are too deep or too large to handle, or undefined when they are not. Walks without recursion, so
 * arguments nested thousands deep are measured, not followed into a stack overflow (zod, JSON.stringify and the
 * audit log would be).
 */
export function argumentsProblem(args: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value: args, path: [] }];
  let bytes = 0;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') bytes += value.length;
    else bytes += 8;
    if (bytes > MAX_ARGUMENT_BYTES) return `(arguments): over the ${MAX_ARGUMENT_BYTES}-byte limit`;
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_ARGUMENT_DEPTH) {
      return `${[...path.slice(0, 3), '…'].join('.')}: nested more than ${MAX_ARGUMENT_DEPTH} levels deep`;
    }
    for (const [key, item] of Object.entries(value)) {
      bytes += key.length;
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}

/** A tool error as a call result: the text a model reads, the code in _meta, the error kept for dispatchers. */
export function toolErrorResult(toolError: ToolError): CallToolResult {
  const result: CallToolResult = {
    isError: true,
    content: [{ type: 'text', text: renderToolError(toolError) }],
    _meta: {
      'idp-mcp/error': {
        code: toolError.code,
        retryable: toolError.retryable,
        ...(toolError.retryAfterSeconds !== undefined ? { retryAfterSeconds: toolError.retryAfterSeconds } : {}),
        ...(toolError.details !== undefined ? { details: toolError.details } : {}),
      },
    },
  };
  Object.defineProperty(result, TOOL_ERROR, { value: toolError, enumerable: false });
  return result;
}

const TOOL_ERROR = Symbol('idp-mcp.toolError');

/** The ToolError behind an error result of runTool, for dispatchers (call_tool) that pass it on unchanged. */
export function toolErrorOf(result: CallToolResult): ToolError | undefined {
  return (result as { [TOOL_ERROR]?: ToolError })[TOOL_ERROR];
}

function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(arguments)'}: ${issue.message}`)
    .join('; ');
}

/** Any thrown value as a ToolError; unexpected ones are logged in full and shown without internals. */
export function toToolError(error: unknown, where: string, log: Logger, mapError?: ErrorMapper): ToolError {
  if (error instanceof ToolError) return redacted(error);
  const mapped = mapError?.(error);
  if (mapped) return redacted(mapped);
  log.error('unexpected error', { where, error: error instanceof Error ? error.stack : String(error) });
  return new ToolError('internal', `${where} failed unexpectedly; the server log has the details`, {
    retryable: false,
  });
}

function redacted(error: ToolError): ToolError {
  const message = redactText(error.message);
  if (message === error.message) return error;
  return new ToolError(error.code, message, {
    retryable: error.retryable,
    hint: error.hint,
    retryAfterSeconds: error.retryAfterSeconds,
    upstream: error.upstream,
    status: error.status,
    details: error.details,
  });
}
