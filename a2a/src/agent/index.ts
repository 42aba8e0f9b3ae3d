export {
  AGENT_ENV_HELP,
  type AgentOutcome,
  type AgentRun,
  type AgentSettings,
  type AgentStatus,
  type AgentStep,
  agentSettingsFromEnv,
  type Budget,
  DEFAULT_BUDGET,
  type HeldChange,
  runAgent,
  systemPrompt,
} from './agent.ts';
export { agentCommand, EXIT_CODES } from './cli.ts';
export type { CompleteRequest, Completion, LlmProvider, ToolCall, ToolResult, ToolSpec, Turn } from './llm.ts';
export {
  anthropicProvider,
  bedrockProvider,
  LLM_ENV_HELP,
  openAiProvider,
  PROVIDERS,
  type ProviderName,
  providerFromEnv,
} from './providers.ts';
export { type HostResult, type HostTool, platformHost, remoteHost, type ToolHost } from './tools.ts';
