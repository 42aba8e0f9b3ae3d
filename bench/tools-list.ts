import { loadServers } from '@idp-mcp/cli';
import { connectClient } from '@idp-mcp/testing/mcp';
import { encode } from 'gpt-tokenizer';

/**
 * What each server's tools/list costs a model: tools, characters and tokens of the JSON a client
 * receives (name, title, description, input and output schemas, annotations). Counted with
 * gpt-tokenizer's o200k_base encoding; Claude's tokenizer is not published, so treat the figures
 * as relative sizes, not an exact bill.
 */
export interface ToolsListSize {
  server: string;
  profile: string;
  tools: number;
  characters: number;
  tokens: number;
  /** Tokens of what clients usually put in the model's context: name, description, input schema. */
  modelTokens: number;
}

export async function measureToolsList(): Promise<ToolsListSize[]> {
  const sizes: ToolsListSize[] = [];
  for (const module of await loadServers()) {
    const profiles: Array<[string, string[]]> = [
      ['default (platform-admin)', ['--role', 'platform-admin']],
      ['read-only', ['--read-only']],
    ];
    if (module.defaultToolsets)
      profiles.push(['--toolsets all (platform-admin)', ['--toolsets', 'all', '--role', 'platform-admin']]);
    for (const [profile, args] of profiles) {
      const connected = await connectClient(module, { args: ['--sandbox', ...args] });
      try {
        const { tools } = await connected.client.listTools();
        const json = JSON.stringify(tools);
        const modelFacing = JSON.stringify(
          tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
        );
        sizes.push({
          server: module.name,
          profile,
          tools: tools.length,
          characters: json.length,
          tokens: encode(json).length,
          modelTokens: encode(modelFacing).length,
        });
      } finally {
        await connected.close();
      }
    }
  }
  return sizes;
}
