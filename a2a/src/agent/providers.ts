import Anthropic from '@anthropic-ai/sdk';
import {
  type Message as BedrockMessage,
  BedrockRuntimeClient,
  type ContentBlock,
  ConverseCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { ConfigError, registerSecret } from '@idp-mcp/core';
import OpenAI from 'openai';
import type { CompleteRequest, Completion, LlmProvider, ToolCall } from './llm.ts';

export const PROVIDERS = ['anthropic', 'openai', 'bedrock'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The agent's model settings, as `AGENT_LLM` and the providers' own variables give them. */
export const LLM_ENV_HELP = `  AGENT_LLM                anthropic | openai | bedrock (default: anthropic when ANTHROPIC_API_KEY is set,
                           openai when OPENAI_API_KEY or OPENAI_BASE_URL is set; bedrock only when named)
  AGENT_MODEL              the model (default claude-sonnet-4-5 for anthropic; required for openai and bedrock)
  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
                           the Anthropic Messages API
  OPENAI_API_KEY, OPENAI_BASE_URL
                           any OpenAI-compatible chat completions endpoint (OpenAI, Azure OpenAI v1, Ollama, vLLM,
                           LiteLLM); the key may be left out when OPENAI_BASE_URL names a local server
  AWS_REGION, AWS_ENDPOINT_URL_BEDROCK_RUNTIME
                           Amazon Bedrock (Converse API) with the default AWS credential chain (IRSA on EKS)`;

const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-5';

/**
 * The provider the environment names, or undefined when no model is configured at all (the agent then says so).
 * A named provider with a missing setting is a ConfigError naming the variable.
 */
export function providerFromEnv(env: Record<string, string | undefined>): LlmProvider | undefined {
  const named = env.AGENT_LLM?.trim();
  if (named && !(PROVIDERS as readonly string[]).includes(named)) {
    throw new ConfigError(`AGENT_LLM: must be one of ${PROVIDERS.join(', ')}, not ${JSON.stringify(named)}`);
  }
  const name: ProviderName | undefined =
    (named as ProviderName | undefined) ??
    (env.ANTHROPIC_API_KEY ? 'anthropic' : env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? 'openai' : undefined);
  if (!name) return undefined;
  for (const secret of [env.ANTHROPIC_API_KEY, env.OPENAI_API_KEY, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN]) {
    if (secret) registerSecret(secret);
  }
  const model = env.AGENT_MODEL?.trim() || (name === 'anthropic' ? DEFAULT_ANTHROPIC_MODEL : undefined);
  if (!model) throw new ConfigError(`AGENT_MODEL: set the model ${name} should use`);
  if (name === 'anthropic') {
    if (!env.ANTHROPIC_API_KEY) throw new ConfigError('ANTHROPIC_API_KEY: required for AGENT_LLM=anthropic');
    return anthropicProvider({
      model,
      apiKey: env.ANTHROPIC_API_KEY,
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
    });
  }
  if (name === 'openai') {
    if (!env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
      throw new ConfigError('OPENAI_API_KEY: required for AGENT_LLM=openai (or OPENAI_BASE_URL for a local server)');
    }
    return openAiProvider({
      model,
      // Local OpenAI-compatible servers (Ollama, vLLM) take no key; the SDK insists on one.
      apiKey: env.OPENAI_API_KEY || 'none',
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    });
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('AWS_REGION: required for AGENT_LLM=bedrock');
  return bedrockProvider({
    model,
    region,
    ...(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ? { endpoint: env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME } : {}),
    // Keys given in this environment are used as given; otherwise the default chain (IRSA, profiles, IMDS).
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
  });
}

const parseArguments = (raw: string): Record<string, unknown> => {
  try {
    const value = JSON.parse(raw || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {}
  // The model wrote no JSON object: the tool's validation answers naming the problem.
  return { arguments: raw };
};

/** The Anthropic Messages API, streamed (SSE) and accumulated by the SDK. */
export function anthropicProvider(options: { model: string; apiKey: string; baseURL?: string }): LlmProvider {
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 2,
  });
  return {
    describe: `anthropic ${options.model}`,
    async complete(request: CompleteRequest): Promise<Completion> {
      const messages: Anthropic.MessageParam[] = request.turns.map((turn) => {
        if (turn.role === 'user') return { role: 'user', content: turn.text };
        if (turn.role === 'assistant') {
          return {
            role: 'assistant',
            content: [
              ...(turn.text ? [{ type: 'text' as const, text: turn.text }] : []),
              ...turn.calls.map((call) => ({
                type: 'tool_use' as const,
                id: call.id,
                name: call.name,
                input: call.input,
              })),
            ],
          };
        }
        return {
          role: 'user',
          content: turn.results.map((result) => ({
            type: 'tool_result' as const,
            tool_use_id: result.id,
            content: result.text,
            is_error: result.isError,
          })),
        };
      });
      const message = await client.messages
        .stream(
          {
            model: options.model,
            max_tokens: request.maxTokens,
            system: request.system,
            messages,
            tools: request.tools.map((tool) => ({
              name: tool.name,
              description: tool.description,
              input_schema: tool.inputSchema as Anthropic.Tool.InputSchema,
            })),
          },
          { signal: request.signal },
        )
        .finalMessage();
      const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
      const calls: ToolCall[] = message.content.flatMap((block) =>
        block.type === 'tool_use'
          ? [{ id: block.id, name: block.name, input: (block.input ?? {}) as Record<string, unknown> }]
          : [],
      );
      return { text, calls, usage: { input: message.usage.input_tokens, output: message.usage.output_tokens } };
    },
  };
}

/** Any OpenAI-compatible chat completions endpoint, with function tools. */
export function openAiProvider(options: { model: string; apiKey: string; baseURL?: string }): LlmProvider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 2,
  });
  return {
    describe: `openai-compatible ${options.model}${options.baseURL ? ` at ${new URL(options.baseURL).host}` : ''}`,
    async complete(request: CompleteRequest): Promise<Completion> {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: request.system }];
      for (const turn of request.turns) {
        if (turn.role === 'user') messages.push({ role: 'user', content: turn.text });
        else if (turn.role === 'assistant') {
          messages.push({
            role: 'assistant',
            content: turn.text || null,
            ...(turn.calls.length
              ? {
                  tool_calls: turn.calls.map((call) => ({
                    id: call.id,
                    type: 'function' as const,
                    function: { name: call.name, arguments: JSON.stringify(call.input) },
                  })),
                }
              : {}),
          });
        } else {
          for (const result of turn.results) {
            messages.push({ role: 'tool', tool_call_id: result.id, content: result.text });
          }
        }
      }
      const completion = await client.chat.completions.create(
        {
          model: options.model,
          messages,
          max_completion_tokens: request.maxTokens,
          tools: request.tools.map((tool) => ({
            type: 'function' as const,
            function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
          })),
        },
        { signal: request.signal },
      );
      const message = completion.choices[0]?.message;
      const calls: ToolCall[] = (message?.tool_calls ?? []).flatMap((call) =>
        call.type === 'function'
          ? [{ id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) }]
          : [],
      );
      return {
        text: message?.content ?? '',
        calls,
        usage: { input: completion.usage?.prompt_tokens ?? 0, output: completion.usage?.completion_tokens ?? 0 },
      };
    },
  };
}

/** Amazon Bedrock's Converse API: one request and answer shape for every model Bedrock hosts. */
export function bedrockProvider(options: {
  model: string;
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}): LlmProvider {
  const client = new BedrockRuntimeClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
  });
  return {
    describe: `bedrock ${options.model} (${options.region})`,
    async complete(request: CompleteRequest): Promise<Completion> {
      const messages: BedrockMessage[] = request.turns.map((turn) => {
        if (turn.role === 'user') return { role: 'user', content: [{ text: turn.text }] };
        if (turn.role === 'assistant') {
          return {
            role: 'assistant',
            content: [
              ...(turn.text ? [{ text: turn.text }] : []),
              ...turn.calls.map((call) => ({
                toolUse: { toolUseId: call.id, name: call.name, input: call.input as never },
              })),
            ],
          };
        }
        return {
          role: 'user',
          content: turn.results.map((result) => ({
            toolResult: {
              toolUseId: result.id,
              content: [{ text: result.text }],
              status: result.isError ? ('error' as const) : ('success' as const),
            },
          })),
        };
      });
      const response = await client.send(
        new ConverseCommand({
          modelId: options.model,
          system: [{ text: request.system }],
          messages,
          toolConfig: {
            tools: request.tools.map((tool) => ({
              toolSpec: {
                name: tool.name,
                description: tool.description,
                inputSchema: { json: tool.inputSchema as never },
              },
            })),
          },
          inferenceConfig: { maxTokens: request.maxTokens },
        }),
        { abortSignal: request.signal },
      );
      const content: ContentBlock[] = response.output?.message?.content ?? [];
      return {
        text: content.flatMap((block) => (block.text !== undefined ? [block.text] : [])).join('\n'),
        calls: content.flatMap((block) =>
          block.toolUse
            ? [
                {
                  id: block.toolUse.toolUseId ?? '',
                  name: block.toolUse.name ?? '',
                  input: (block.toolUse.input ?? {}) as Record<string, unknown>,
                },
              ]
            : [],
        ),
        usage: { input: response.usage?.inputTokens ?? 0, output: response.usage?.outputTokens ?? 0 },
      };
    },
  };
}
