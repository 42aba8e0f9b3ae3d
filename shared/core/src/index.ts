export { AUTH_ENV_HELP, type HttpIdentity, httpIdentity, type OidcConfig, oidcConfigFromEnv } from './auth/index.ts';
export { type Caller, callerFromRoles, ROLES, type Role, TIERS, type Tier, tierAllows } from './caller.ts';
export { type Flags, parseFlags, runCli, type StartedServer, serverUsage, startServer, usage } from './cli.ts';
export { ConfigError, type Exposure, loadEnv, selectTools } from './config.ts';
export {
  codeForStatus,
  ERROR_CODES,
  type ErrorCode,
  isIdempotentMethod,
  parseRetryAfter,
  renderToolError,
  ToolError,
  type ToolErrorOptions,
  upstreamHttpError,
} from './errors.ts';
export {
  createJsonClient,
  createUpstreamFetch,
  DEFAULT_TIMEOUT_MS,
  type FetchFunction,
  type JsonClient,
  type JsonFailure,
  type JsonRequestOptions,
  type QueryValue,
  type UpstreamFetchOptions,
} from './http.ts';
export { createLogger, type Logger, type LogLevel, silentLogger } from './log.ts';
export {
  argumentsProblem,
  buildMcpServer,
  type ErrorMapper,
  invokeTool,
  MAX_ARGUMENT_BYTES,
  MAX_ARGUMENT_DEPTH,
  type McpServerOptions,
  runTool,
  SERVER_VERSION,
  type ToolInterceptor,
  toolErrorOf,
  toolErrorResult,
  toToolError,
} from './mcp.ts';
export type {
  EnvVarSpec,
  ResourceDefinition,
  ServerCommand,
  ServerInstance,
  ServerModule,
  StartOptions,
} from './module.ts';
export {
  age,
  DEFAULT_TEXT_LIMIT,
  decodeCursor,
  encodeCursor,
  listArgs,
  MAX_RESPONSE_BYTES,
  nextCursorField,
  offsetPage,
  type Truncated,
  tailLines,
  truncateText,
} from './output.ts';
export {
  enforcePolicy,
  lazyGate,
  type PolicyContext,
  type PolicyDomain,
  type PolicyGate,
  type PolicyVerdict,
  type PolicyViolation,
  refuseDenied,
  verdictOf,
  verdictOutput,
} from './policy.ts';
export { isSecretKey, REDACTED, type RedactOptions, redactText, redactValue, registerSecret } from './redact.ts';
export { createSandboxWorld, type SandboxWorld } from './sandbox.ts';
export {
  type AnyTool,
  DESTRUCTIVE,
  defineTool,
  READ,
  type ToolAnnotations,
  type ToolContext,
  type ToolDefinition,
  WRITE,
} from './tool.ts';
export {
  type Authenticate,
  AuthenticationError,
  DEFAULT_MAX_BODY_BYTES,
  type HttpServeOptions,
  serveHttp,
  serveStdioServer,
} from './transports.ts';
