import type { Role } from './caller.ts';
import type { EnvVarSpec, ServerModule } from './module.ts';
import { registerSecret } from './redact.ts';
import type { AnyTool } from './tool.ts';

/** A start-up problem the user fixes by changing a flag or an environment variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks a server's declared environment. Every problem is reported at once, each naming
 * the variable and what to set. Secret values are registered for redaction before anything logs.
 */
export function loadEnv(
  module: Pick<ServerModule, 'name' | 'env'>,
  source: Record<string, string | undefined>,
  options: { sandbox: boolean },
): Record<string, string | undefined> {
  const problems: string[] = [];
  const env: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(module.env)) {
    const raw = source[name]?.trim() || undefined;
    if (spec.secret) registerSecret(raw);
    const value = raw ?? spec.default;
    if (value === undefined) {
      if (spec.required && !options.sandbox) {
        problems.push(
          `${name} is not set: ${spec.description} (or run with --sandbox to try ${module.name} without it)`,
        );
      }
      continue;
    }
    const formatProblem = checkFormat(name, value, spec);
    if (formatProblem) problems.push(formatProblem);
    env[name] = value;
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `${module.name}: ${problems.length === 1 ? problems[0] : `\n  - ${problems.join('\n  - ')}`}`,
    );
  }
  return env;
}

function checkFormat(name: string, value: string, spec: EnvVarSpec): string | undefined {
  if (spec.format === 'url') {
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      return `${name} must be an http(s) URL, e.g. ${spec.default ?? 'https://host/api'}; got ${spec.secret ? 'a value' : JSON.stringify(value)}`;
    }
  }
  if (spec.format === 'integer' && !/^\d+$/.test(value)) {
    return `${name} must be a whole number; got ${JSON.stringify(value)}`;
  }
  return undefined;
}

export interface Exposure {
  readOnly?: boolean;
  /** --role: the local caller's role, which the process's own work (resuming runs) acts with. */
  role?: Role;
  /** Toolset allow list ('all' for every toolset); the module's defaults when absent. */
  toolsets?: string[];
  /** Tool allow list; all tools of the chosen toolsets when absent. */
  tools?: string[];
}

/** Applies --read-only, --toolsets and --tools. An unknown name stops start-up with the valid ones listed. */
export function selectTools(
  module: Pick<ServerModule, 'name' | 'toolsets' | 'defaultToolsets'>,
  tools: AnyTool[],
  exposure: Exposure,
): AnyTool[] {
  const toolsetNames = Object.keys(module.toolsets);
  const undeclared = tools.filter((tool) => !toolsetNames.includes(tool.toolset));
  if (undeclared.length > 0) {
    throw new Error(`${module.name}: tools ${undeclared.map((tool) => tool.name).join(', ')} name undeclared toolsets`);
  }
  const toolNames = tools.map((tool) => tool.name);
  const requested = exposure.toolsets?.includes('all') ? toolsetNames : exposure.toolsets;
  const unknownToolsets = (requested ?? []).filter((name) => !toolsetNames.includes(name));
  if (unknownToolsets.length > 0) {
    throw new ConfigError(
      `--toolsets: ${module.name} has no toolset ${unknownToolsets.join(', ')}; choose from ${toolsetNames.join(', ')}`,
    );
  }
  const unknownTools = (exposure.tools ?? []).filter((name) => !toolNames.includes(name));
  if (unknownTools.length > 0) {
    throw new ConfigError(
      `--tools: ${module.name} has no tool ${unknownTools.join(', ')}; choose from ${toolNames.join(', ')}`,
    );
  }
  const toolsets = requested ?? (exposure.tools ? undefined : module.defaultToolsets);
  return tools.filter(
    (tool) =>
      (!exposure.readOnly || tool.tier === 'read') &&
      (!toolsets || toolsets.includes(tool.toolset)) &&
      (!exposure.tools || exposure.tools.includes(tool.name)),
  );
}
