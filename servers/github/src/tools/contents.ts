import {
  DEFAULT_TEXT_LIMIT,
  defineTool,
  listArgs,
  nextCursorField,
  type PolicyGate,
  READ,
  ToolError,
  truncateText,
  WRITE,
} from '@idp-mcp/core';
import * as z from 'zod';
import { type GitHub, nextPageCursor, pageRequest } from '../github.ts';
import { branch, owner, path, ref, repo } from './args.ts';

const directoryEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'submodule']),
  size: z.number(),
});

export interface FileContent {
  path: string;
  sha: string;
  size: number;
  text: string;
}

type ContentResponse = Awaited<ReturnType<GitHub['rest']['repos']['getContent']>>['data'];

/** Reads one file as UTF-8 text; a directory or a binary file is a clear error. */
export async function readFile(
  github: GitHub,
  location: { owner: string; repo: string; path: string; ref?: string | undefined },
  signal: AbortSignal,
): Promise<FileContent> {
  const { data } = await github.rest.repos.getContent({
    owner: location.owner,
    repo: location.repo,
    path: location.path,
    ...(location.ref ? { ref: location.ref } : {}),
    request: { signal },
  });
  return decodeFile(data, location.path);
}

function decodeFile(data: ContentResponse, requestedPath: string): FileContent {
  if (Array.isArray(data) || data.type !== 'file') {
    throw new ToolError('invalid_request', `path: ${requestedPath} is a directory, not a file`, {
      hint: 'list it with get_file_contents and pick a file',
    });
  }
  const bytes = Buffer.from(data.content ?? '', 'base64');
  if (bytes.includes(0)) {
    throw new ToolError('invalid_request', `path: ${requestedPath} is a binary file (${data.size} bytes)`, {
      hint: 'only text files can be read here',
    });
  }
  return { path: data.path, sha: data.sha, size: data.size, text: bytes.toString('utf8') };
}

/**
 * Refuses, before any call, files the policies deny (policy_denied) or that must be checked and cannot be parsed:
 * workflows, Kubernetes / Argo CD / Flux / Strimzi manifests and Terraform, each in its own domain, in any repository.
 */
async function gateFiles(gate: PolicyGate, files: Array<{ path: string; content: string }>, tool: string) {
  // Loaded on the first write: a session that only reads never loads the YAML and HCL parsers.
  const { documentsOfFile, enforceDocuments } = await import('@idp-mcp/policy/enforce');
  const documents = (await Promise.all(files.map(documentsOfFile))).flat();
  await enforceDocuments(gate, documents, { tool: `github.${tool}` });
}

const GATED = 'Workflows, Kubernetes/Argo CD/Flux/Strimzi manifests and Terraform pass the policy gate first.';

export function contentTools(github: GitHub, gate: PolicyGate) {
  return [
    defineTool({
      name: 'get_file_contents',
      title: 'Get file or directory',
      description:
        'Read a text file (with its sha, needed to update it) or list a directory. Long files are cut: use start_line/end_line to read a part.',
      toolset: 'contents',
      tier: 'read',
      annotations: READ,
      input: z.object({
        owner,
        repo,
        path: path.default('').describe('File or directory path; empty for the repository root.'),
        ref,
        start_line: z.number().int().min(1).optional().describe('First line to return (1-based).'),
        end_line: z.number().int().min(1).optional().describe('Last line to return.'),
      }),
      output: z.object({
        type: z.enum(['file', 'dir']),
        path: z.string(),
        sha: z.string().optional(),
        size: z.number().optional(),
        content: z.string().optional(),
        truncated: z.boolean().optional(),
        entries: z.array(directoryEntry).optional(),
      }),
      handler: async (input, ctx) => {
        const { data } = await github.rest.repos.getContent({
          owner: input.owner,
          repo: input.repo,
          path: input.path,
          ...(input.ref ? { ref: input.ref } : {}),
          request: { signal: ctx.signal },
        });
        if (Array.isArray(data)) {
          return {
            type: 'dir' as const,
            path: input.path,
            entries: data.map((entry) => ({ name: entry.name, path: entry.path, type: entry.type, size: entry.size })),
          };
        }
        const file = decodeFile(data, input.path);
        let text = file.text;
        if (input.start_line !== undefined || input.end_line !== undefined) {
          const lines = text.split('\n');
          text = lines.slice((input.start_line ?? 1) - 1, input.end_line ?? lines.length).join('\n');
        }
        const capped = truncateText(text, {
          limit: DEFAULT_TEXT_LIMIT,
          hint: 'read the rest with start_line/end_line',
        });
        return {
          type: 'file' as const,
          path: file.path,
          sha: file.sha,
          size: file.size,
          content: capped.text,
          truncated: capped.truncated,
        };
      },
      render: (output) =>
        output.type === 'dir'
          ? `${output.path || '/'}:\n${(output.entries ?? []).map((entry) => `${entry.type === 'dir' ? 'd' : '-'} ${entry.path}`).join('\n')}`
          : `${output.path} (sha ${output.sha}, ${output.size} bytes)\n${output.content}`,
    }),
    defineTool({
      name: 'create_or_update_file',
      title: 'Create or update file',
      description: `Commit one text file to a branch. To update an existing file pass its current sha (from get_file_contents); without sha the file must not exist yet. ${GATED}`,
      toolset: 'contents',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        owner,
        repo,
        path: path.min(1),
        content: z.string().describe('The whole new file content (UTF-8 text).'),
        message: z.string().min(1).describe('Commit message.'),
        branch,
        sha: z
          .string()
          .regex(/^[0-9a-f]{40}$/, { error: 'must be the 40-character blob sha from get_file_contents' })
          .optional(),
      }),
      output: z.object({ path: z.string(), sha: z.string(), commit: z.string(), html_url: z.string().nullable() }),
      handler: async (input, ctx) => {
        await gateFiles(gate, [input], 'create_or_update_file');
        try {
          const { data } = await github.rest.repos.createOrUpdateFileContents({
            owner: input.owner,
            repo: input.repo,
            path: input.path,
            message: input.message,
            content: Buffer.from(input.content, 'utf8').toString('base64'),
            branch: input.branch,
            ...(input.sha ? { sha: input.sha } : {}),
            request: { signal: ctx.signal },
          });
          return {
            path: data.content?.path ?? input.path,
            sha: data.content?.sha ?? '',
            commit: data.commit.sha ?? '',
            html_url: data.content?.html_url ?? null,
          };
        } catch (error) {
          const status = (error as { status?: number }).status;
          if (status === 409 || (status === 422 && !input.sha)) {
            throw new ToolError(
              'conflict',
              `${input.path} on ${input.branch} ${input.sha ? 'changed since that sha' : 'already exists'}`,
              {
                hint: 'read it with get_file_contents and pass its current sha',
                retryable: false,
              },
            );
          }
          throw error;
        }
      },
    }),
    defineTool({
      name: 'push_files',
      title: 'Push files in one commit',
      description: `Commit several text files to a branch as a single commit (creates or replaces each path). The branch must exist: create it with create_branch. ${GATED}`,
      toolset: 'contents',
      tier: 'write',
      annotations: WRITE,
      input: z.object({
        owner,
        repo,
        branch,
        message: z.string().min(1).describe('Commit message.'),
        files: z
          .array(z.object({ path: path.min(1), content: z.string() }))
          .min(1)
          .max(100)
          .describe('Files to write, each with its whole content.'),
      }),
      output: z.object({ commit: z.string(), branch: z.string(), files: z.number() }),
      handler: async (input, ctx) => {
        await gateFiles(gate, input.files, 'push_files');
        const commit = await commitFiles(github, input, ctx.signal);
        return { commit, branch: input.branch, files: input.files.length };
      },
    }),
  ];
}

/** One commit with several files on top of a branch, through the Git data API; returns the commit sha. */
export async function commitFiles(
  github: GitHub,
  change: {
    owner: string;
    repo: string;
    branch: string;
    message: string;
    files: Array<{ path: string; content: string }>;
  },
  signal: AbortSignal,
): Promise<string> {
  const where = { owner: change.owner, repo: change.repo, request: { signal } };
  const head = await github.rest.git.getRef({ ...where, ref: `heads/${change.branch}` });
  const parent = await github.rest.git.getCommit({ ...where, commit_sha: head.data.object.sha });
  const tree = await github.rest.git.createTree({
    ...where,
    base_tree: parent.data.tree.sha,
    tree: change.files.map((file) => ({
      path: file.path,
      mode: '100644' as const,
      type: 'blob' as const,
      content: file.content,
    })),
  });
  const commit = await github.rest.git.createCommit({
    ...where,
    message: change.message,
    tree: tree.data.sha,
    parents: [parent.data.sha],
  });
  await github.rest.git.updateRef({ ...where, ref: `heads/${change.branch}`, sha: commit.data.sha });
  return commit.data.sha;
}

export function codeSearchTools(github: GitHub) {
  return [
    defineTool({
      name: 'search_code',
      title: 'Search code',
      description:
        'Search file contents across repositories with GitHub code search syntax, e.g. "image: org:acme path:deploy language:yaml". Returns matching files; read one with get_file_contents.',
      toolset: 'contents',
      tier: 'read',
      annotations: READ,
      input: z.object({ query: z.string().min(1).describe('GitHub code search query.'), ...listArgs }),
      output: z.object({
        total_count: z.number(),
        files: z.array(z.object({ repository: z.string(), path: z.string(), sha: z.string(), html_url: z.string() })),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const page = pageRequest('search_code', input.limit, input.cursor);
        const response = await github.rest.search.code({ q: input.query, ...page, request: { signal: ctx.signal } });
        return {
          total_count: response.data.total_count,
          files: response.data.items.map((item) => ({
            repository: item.repository.full_name,
            path: item.path,
            sha: item.sha,
            html_url: item.html_url,
          })),
          nextCursor: nextPageCursor('search_code', page, response.headers.link),
        };
      },
    }),
  ];
}
