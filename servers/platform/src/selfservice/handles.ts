import type { backstageTools } from '@idp-mcp/backstage';
import type { AnyTool } from '@idp-mcp/core';
import type { githubTools } from '@idp-mcp/github';
import type { jiraTools } from '@idp-mcp/jira';
import type { kafkaTools } from '@idp-mcp/kafka';
import type { kubernetesTools } from '@idp-mcp/kubernetes';
import type { slackTools } from '@idp-mcp/slack';
import type { vaultTools } from '@idp-mcp/vault';
import type * as z from 'zod';
import { namespaced } from '../mount.ts';

/**
 * The tools of the mounted integrations that the composites call, as typed handles. A handle is the platform's
 * name for a server's tool (`<server>_<tool>`, as mount.ts names it) with that tool definition's type: its input
 * is z.input of the definition's input schema, its output z.output of its output schema. The types come from
 * the server's own tool list (`githubTools`, ... imported as types only: nothing of a server loads here), so a
 * renamed tool, a changed argument or a changed output shape is a type error in the composite that uses it.
 * At run time the invoker finds the mounted tool by the handle's name and reads its result through the tool's
 * output schema (steps.ts).
 */
export interface ToolHandle<T extends AnyTool = AnyTool> {
  /** The platform's name for the tool, e.g. github_create_branch. */
  readonly name: string;
  /** The server that has it, e.g. github. */
  readonly server: string;
  /** Never set: carries the tool definition's type. */
  readonly definition?: T;
}

export type InputOf<T extends AnyTool> = z.input<T['input']>;
export type OutputOf<T extends AnyTool> = z.output<T['output']>;

/** The tool definitions a server's tool-list function returns. */
// biome-ignore lint/suspicious/noExplicitAny: any argument list: only the tools returned matter
type ToolsOf<List extends (...args: any[]) => readonly AnyTool[]> = ReturnType<List>[number];

/** Handles of one server's tools: `server<typeof githubTools>('github')('create_branch')`. */
// biome-ignore lint/suspicious/noExplicitAny: any argument list: only the tools returned matter
function server<List extends (...args: any[]) => readonly AnyTool[]>(name: string) {
  return <N extends ToolsOf<List>['name']>(tool: N): ToolHandle<Extract<ToolsOf<List>, { name: N }>> => ({
    name: namespaced(name, tool),
    server: name,
  });
}

const github = server<typeof githubTools>('github');
const kubernetes = server<typeof kubernetesTools>('kubernetes');
const kafka = server<typeof kafkaTools>('kafka');
const backstage = server<typeof backstageTools>('backstage');
const slack = server<typeof slackTools>('slack');
const jira = server<typeof jiraTools>('jira');
const vault = server<typeof vaultTools>('vault');

/** Every tool a composite calls: reads while planning, steps and undos when applying. */
export const TOOLS = {
  getRepository: github('get_repository'),
  getFileContents: github('get_file_contents'),
  createRepository: github('create_repository'),
  createBranch: github('create_branch'),
  pushFiles: github('push_files'),
  listPullRequests: github('list_pull_requests'),
  createPullRequest: github('create_pull_request'),
  closePullRequest: github('close_pull_request'),
  deleteBranch: github('delete_branch'),
  archiveRepository: github('archive_repository'),
  deleteRepository: github('delete_repository'),
  onboardTeam: kubernetes('onboard_team'),
  deleteResource: kubernetes('delete_resource'),
  createKafkaTopic: kafka('create_kafka_topic'),
  deleteKafkaTopic: kafka('delete_kafka_topic'),
  registerLocation: backstage('register_location'),
  sendMessage: slack('send_message'),
  getChannelHistory: slack('get_channel_history'),
  createChannel: slack('create_channel'),
  createIssue: jira('create_issue'),
  searchIssues: jira('search_issues'),
  writeSecret: vault('write_secret'),
  deleteSecretVersions: vault('delete_secret_versions'),
};
