import type { ServerModule } from '@idp-mcp/core';
import { BackstageClient, mapBackstageError } from './backstage.ts';
import { catalogTools } from './tools/catalog.ts';
import { scaffolderTools } from './tools/scaffolder.ts';
import { searchTools } from './tools/search.ts';

export { BackstageClient, backstageHttpError, mapBackstageError } from './backstage.ts';

/** Every Backstage tool, bound to one client. */
export function backstageTools(backstage: BackstageClient) {
  return [...catalogTools(backstage), ...scaffolderTools(backstage), ...searchTools(backstage)];
}

export const backstageModule: ServerModule = {
  name: 'backstage',
  title: 'Backstage',
  description:
    'Software catalog (query, entities with relations, register catalog-info.yaml) and scaffolder (templates, tasks).',
  toolsets: {
    catalog: 'list, search and read catalog entities; register and refresh locations',
    scaffolder: 'templates, their parameters, running them, and following tasks',
    search: 'knowledge search over TechDocs, the catalog and other collators; TechDocs pages by entity',
  },
  env: {
    BACKSTAGE_URL: {
      description: 'Backstage backend base URL, e.g. https://backstage.acme.internal',
      required: true,
      format: 'url',
    },
    BACKSTAGE_TOKEN: { description: 'A Backstage static service token or user token', secret: true, required: true },
    BACKSTAGE_TIMEOUT_MS: {
      description: 'Timeout of one Backstage request in milliseconds',
      default: '15000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log, world }) {
    let baseUrl = env.BACKSTAGE_URL!;
    let token = env.BACKSTAGE_TOKEN!;
    if (sandbox) {
      const { startBackstageFake } = await import('@idp-mcp/sandbox/backstage');
      const { readGitHubUrl, startGitHubFake } = await import('@idp-mcp/sandbox/github');
      // Catalog files live in the sandbox's GitHub, as a real Backstage reads them from GitHub.
      const github = await world.shared('github', () => startGitHubFake({ validate: false }));
      const fake = await world.shared('backstage', () =>
        startBackstageFake({ validate: false, readUrl: (url) => readGitHubUrl(github.state, url) }),
      );
      baseUrl = fake.url;
      token = fake.token;
    }
    const backstage = new BackstageClient({ baseUrl, token, timeoutMs: Number(env.BACKSTAGE_TIMEOUT_MS), log });
    return {
      tools: backstageTools(backstage),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: baseUrl },
      mapError: mapBackstageError,
      ready: async () => {
        await backstage.get(
          '/api/catalog/entities/by-query',
          { limit: '1', fields: 'kind' },
          AbortSignal.timeout(5000),
        );
        return true;
      },
      close: async () => {},
    };
  },
};
