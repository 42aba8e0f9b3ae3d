/**
 * The agent's view of a language model: one provider-neutral turn of a tool-use conversation. Each provider
 * (providers.ts) translates this to and from its own wire format through its official SDK.
 */

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the tool's arguments (an object schema). */
  inputSchema: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResult {
  id: string;
  text: string;
  isError: boolean;
}

export type Turn =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; calls: ToolCall[] }
  | { role: 'tool'; results: ToolResult[] };

export interface CompleteRequest {
  system: string;
  turns: Turn[];
  tools: ToolSpec[];
  /** Output tokens this turn may use. */
  maxTokens: number;
  signal: AbortSignal;
}

export interface Completion {
  text: string;
  calls: ToolCall[];
  usage: { input: number; output: number };
}

export interface LlmProvider {
  /** e.g. `anthropic claude-sonnet-4-5`: for banners and logs, never a credential. */
  describe: string;
  complete(request: CompleteRequest): Promise<Completion>;
}
