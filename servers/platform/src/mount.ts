import {
  type AnyTool,
  type Exposure,
  type Logger,
  loadEnv,
  type PolicyGate,
  type ResourceDefinition,
  type SandboxWorld,
  type ServerInstance,
  type ServerModule,
} from '@idp-mcp/core';

/**
 * Integration servers mounted in-process. Each runs live when its required credentials are set and
 * against its sandbox fake otherwise (or always, with --sandbox). Its tools are renamed
 * `<server>_<tool>` and carry the server's error mapping with them, so they can run anywhere.
 */
export interface MountedServer {
  name: string;
  title: string;
  mode: 'sandbox' | 'live' | 'mixed' | 'unavailable';
  /** Where it points, for the banner; never with credentials. */
  url: string;
  tools: AnyTool[];
  resources: ResourceDefinition[];
  close?: () => Promise<void>;
  /** Why it is unavailable. */
  problem?: string;
}

export function namespaced(server: string, name: string): string {
  return `${server}_${name}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
}

/** A copy of a server's tool under the platform's name for it, mapping its upstream errors itself. */
export function mountTool(server: string, tool: AnyTool, mapError: ServerInstance['mapError']): AnyTool {
  return {
    ...tool,
    name: namespaced(server, tool.name),
    toolset: server,
    handler: async (input, ctx) => {
      try {
        return await tool.handler(input, ctx);
      } catch (error) {
        throw mapError?.(error) ?? error;
      }
    },
  };
}

/** A server's resource under the platform's name for it, mapping its upstream errors itself (as mountTool). */
function mountResource(
  server: string,
  resource: ResourceDefinition,
  mapError: ServerInstance['mapError'],
): ResourceDefinition {
  return {
    ...resource,
    name: namespaced(server, resource.name),
    read: async (variables, signal) => {
      try {
        return await resource.read(variables, signal);
      } catch (error) {
        throw mapError?.(error) ?? error;
      }
    },
  };
}

export async function mountServers(
  modules: ServerModule[],
  options: {
    environment: Record<string, string | undefined>;
    forceSandbox: boolean;
    log: Logger;
    gate: PolicyGate;
    exposure: Exposure;
    /** One sandbox world for every integration, so their fakes see each other. */
    world: SandboxWorld;
  },
): Promise<MountedServer[]> {
  return Promise.all(
    modules.map(async (module): Promise<MountedServer> => {
      const configured =
        module.isConfigured?.(options.environment) ??
        Object.entries(module.env).every(
          ([name, spec]) => !spec.required || Boolean(options.environment[name]?.trim()),
        );
      const sandbox = options.forceSandbox || !configured;
      const log = options.log.child(module.name);
      try {
        const env = loadEnv(module, options.environment, { sandbox });
        const instance = await module.start({
          env,
          sandbox,
          log,
          gate: options.gate,
          exposure: options.exposure,
          world: options.world,
        });
        return {
          name: module.name,
          title: module.title,
          mode: instance.upstream.mode,
          url: instance.upstream.url,
          tools: instance.tools.map((tool) => mountTool(module.name, tool, instance.mapError)),
          resources: (instance.resources ?? []).map((resource) =>
            mountResource(module.name, resource, instance.mapError),
          ),
          close: () => instance.close(),
        };
      } catch (error) {
        log.error('integration could not start; its tools are left out', { error: (error as Error).message });
        return {
          name: module.name,
          title: module.title,
          mode: 'unavailable',
          url: '',
          tools: [],
          resources: [],
          problem: (error as Error).message,
        };
      }
    }),
  );
}
