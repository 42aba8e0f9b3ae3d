import type { Exposure } from './config.ts';
import type { Logger } from './log.ts';
import type { ErrorMapper, ToolInterceptor } from './mcp.ts';
import type { PolicyGate } from './policy.ts';
import type { SandboxWorld } from './sandbox.ts';
import type { AnyTool } from './tool.ts';

/**
 * What every integration server exports: a description for --help, the environment it reads,
 * and a start function that returns its tools bound to a live upstream (or the sandbox fake).
 */
export interface EnvVarSpec {
  description: string;
  /** Masked in logs and errors; never printed. */
  secret?: boolean;
  /** Must be set unless the server runs with --sandbox. */
  required?: boolean;
  default?: string;
  /** 'url' values must parse as http(s) URLs; 'integer' as whole numbers. */
  format?: 'url' | 'integer' | 'list';
}

export interface ServerModule {
  /** The server's name on the command line and its tool-name prefix in the aggregator. */
  name: string;
  title: string;
  /** One line for --help. */
  description: string;
  /** Toolset name -> what it contains. */
  toolsets: Record<string, string>;
  /** Toolsets on when --toolsets is not given; all of them when absent. */
  defaultToolsets?: string[];
  env: Record<string, EnvVarSpec>;
  /**
   * Whether the environment points this server at a real upstream. The platform runs it against its
   * sandbox otherwise. Default: every required variable is set.
   */
  isConfigured?(env: Record<string, string | undefined>): boolean;
  start(options: StartOptions): Promise<ServerInstance>;
  /**
   * One-shot commands besides serving, e.g. `idp-mcp policy validate --file x.yaml`: each gets the
   * arguments after its name and returns the process exit code.
   */
  commands?: Record<string, ServerCommand>;
}

export interface ServerCommand {
  /** One line for --help. */
  description: string;
  run(args: string[], io: { stdout: (text: string) => void; stderr: (text: string) => void }): Promise<number>;
}

export interface StartOptions {
  /** Validated environment: every declared variable, defaults applied. */
  env: Record<string, string | undefined>;
  /** Run against the in-process fake with sample data; no credentials needed. */
  sandbox: boolean;
  log: Logger;
  /** Checks configuration-carrying writes; servers that write manifests must call enforcePolicy with it. */
  gate: PolicyGate;
  /** --read-only, --toolsets, --tools: a server that reaches tools indirectly (call_tool) must honour them. */
  exposure: Exposure;
  /** In sandbox mode, where to get fakes from: servers started together share them. */
  world: SandboxWorld;
}

export interface ResourceDefinition {
  name: string;
  title: string;
  description: string;
  /** RFC 6570 template, e.g. 'github://repos/{owner}/{repo}/readme'. */
  uriTemplate: string;
  mimeType: string;
  read(variables: Record<string, string>, signal: AbortSignal): Promise<string>;
}

export interface ServerInstance {
  tools: AnyTool[];
  resources?: ResourceDefinition[];
  /** For the start banner and /readyz: what this instance talks to, never with credentials. */
  upstream: { mode: 'sandbox' | 'live' | 'mixed'; url: string };
  /** Extra start-banner lines, e.g. which integrations are live and which are sandboxed. */
  banner?: string[];
  /** Cheap check that the upstream is usable; /readyz reports it. */
  ready?(): Promise<boolean>;
  /** Maps the upstream library's errors to ToolErrors, in one place per server. */
  mapError?: ErrorMapper;
  /** Wraps every call (audit, rate limits, metrics); see ToolInterceptor. */
  intercept?: ToolInterceptor;
  close(): Promise<void>;
}
