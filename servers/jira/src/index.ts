import { ConfigError, type ServerModule } from '@idp-mcp/core';
import { getCurrentUser } from 'jira.js/cloud';
import { createJira, type Jira, type JiraAuth, mapJiraError } from './jira.ts';
import { agileTools } from './tools/agile.ts';
import { issueTools } from './tools/issues.ts';
import { projectTools } from './tools/projects.ts';
import { workflowTools } from './tools/workflow.ts';

export { adfToText, markdownToAdf } from './adf.ts';
export { createJira, type Jira, JiraHttpError, mapJiraError } from './jira.ts';

/** Every Jira tool, bound to one client. */
export function jiraTools(jira: Jira) {
  return [...issueTools(jira), ...workflowTools(jira), ...agileTools(jira), ...projectTools(jira)];
}

function authFrom(env: Record<string, string | undefined>): JiraAuth {
  if (env.JIRA_BEARER_TOKEN) return { type: 'bearer', token: env.JIRA_BEARER_TOKEN };
  if (env.JIRA_EMAIL && env.JIRA_API_TOKEN)
    return { type: 'basic', email: env.JIRA_EMAIL, apiToken: env.JIRA_API_TOKEN };
  throw new ConfigError(
    'jira: set JIRA_EMAIL and JIRA_API_TOKEN (an Atlassian API token) or JIRA_BEARER_TOKEN (an OAuth 2.0 access token), or run with --sandbox',
  );
}

export const jiraModule: ServerModule = {
  name: 'jira',
  title: 'Jira',
  description: 'JQL search, issues, transitions, comments, boards and sprints, projects on Jira Cloud (jira.js).',
  toolsets: {
    issues: 'search (JQL), read, create, update, assign, comment and transition issues',
    agile: 'boards, sprints and the active sprint with its issues',
    projects: 'projects and user lookup',
  },
  env: {
    JIRA_URL: {
      description:
        'Site URL, e.g. https://acme.atlassian.net (with an OAuth token: https://api.atlassian.com/ex/jira/CLOUD_ID)',
      required: true,
      format: 'url',
    },
    JIRA_EMAIL: { description: 'Account email for API-token (basic) authentication' },
    JIRA_API_TOKEN: { description: 'Atlassian API token of JIRA_EMAIL', secret: true },
    JIRA_BEARER_TOKEN: { description: 'OAuth 2.0 access token (instead of JIRA_EMAIL + JIRA_API_TOKEN)', secret: true },
    JIRA_TIMEOUT_MS: {
      description: 'Timeout of one Jira request in milliseconds',
      default: '15000',
      format: 'integer',
    },
  },
  async start({ env, sandbox, log }) {
    let baseUrl = env.JIRA_URL ?? '';
    let auth: JiraAuth;
    let stopFake = async () => {};
    if (sandbox) {
      const { startJiraFake } = await import('@idp-mcp/sandbox/jira');
      const fake = await startJiraFake({ validate: false });
      baseUrl = fake.url;
      auth = { type: 'basic', email: fake.email, apiToken: fake.token };
      stopFake = () => fake.close();
    } else {
      auth = authFrom(env);
    }
    const jira = createJira({ baseUrl, auth, timeoutMs: Number(env.JIRA_TIMEOUT_MS), log });
    return {
      tools: jiraTools(jira),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: baseUrl },
      mapError: mapJiraError,
      ready: async () => {
        await getCurrentUser(jira.client(AbortSignal.timeout(5000)));
        return true;
      },
      close: stopFake,
    };
  },
};
