import { defineTool, listArgs, nextCursorField, offsetPage, READ, truncateText, WRITE } from '@idp-mcp/core';
import * as z from 'zod';
import { dirArg, lineProgress, type TerraformToolsOptions, workdirOf } from './shared.ts';

interface ValidateJson {
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: Array<{
    severity: string;
    summary: string;
    detail?: string;
    range?: { filename: string; start: { line: number } };
  }>;
}

const EDGE = /^\s*"([^"]+)"\s*->\s*"([^"]+)"/;
/** Terraform's graph names nodes "[root] aws_x.y (expand)" in older versions: the address is what a model needs. */
const nodeName = (node: string) =>
  node
    .replace(/^\[root\]\s*/, '')
    .replace(/\s*\((expand|close)\)$/, '')
    .trim();

/** Configuration: format, validate, initialise, and the dependency graph. */
export function configTools(options: TerraformToolsOptions) {
  const { terraform } = options;
  return [
    defineTool({
      name: 'fmt',
      title: 'Check formatting',
      description:
        'Check whether .tf files are in canonical format (terraform fmt -check, recursive) and show the diff that would fix them. Changes nothing.',
      toolset: 'config',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({
        dir: dirArg,
        diff: z.boolean().default(true).describe('Include the unified diff of each file that needs formatting.'),
      }),
      output: z.object({
        formatted: z.boolean().describe('true when every file is already formatted'),
        files: z.array(z.string()).describe('files that need formatting'),
        diff: z.string().optional(),
      }),
      handler: async (input, ctx) => {
        const dir = await workdirOf(options, input.dir, ctx.signal);
        const listed = await terraform.run(dir, ['fmt', '-check', '-list=true', '-recursive', '-no-color'], {
          signal: ctx.signal,
          okCodes: [3],
        });
        const files = listed.stdout.split('\n').filter((line) => line.trim() !== '');
        if (files.length === 0 || !input.diff) return { formatted: files.length === 0, files };
        const { stdout } = await terraform.run(dir, ['fmt', '-check', '-diff', '-recursive', '-no-color'], {
          signal: ctx.signal,
          okCodes: [3],
        });
        // fmt names each file on a line of its own before its diff: the diff alone is kept.
        const lines = stdout.split('\n');
        const diff = lines
          .filter((line, index) => !(files.includes(line) && lines[index + 1]?.startsWith('--- ')))
          .join('\n');
        return {
          formatted: false,
          files,
          diff: truncateText(diff, { hint: 'call with diff: false for the file list, or fix files one by one' }).text,
        };
      },
    }),
    defineTool({
      name: 'validate',
      title: 'Validate configuration',
      description:
        'Validate a configuration (terraform validate): syntax, references, types and provider schemas, without reading state or calling a cloud API. Returns each diagnostic with file and line. Needs init first.',
      toolset: 'config',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({ dir: dirArg }),
      output: z.object({
        valid: z.boolean(),
        errors: z.number(),
        warnings: z.number(),
        diagnostics: z.array(
          z.object({
            severity: z.string(),
            summary: z.string(),
            detail: z.string().optional(),
            at: z.string().optional().describe('file:line'),
          }),
        ),
      }),
      handler: async (input, ctx) => {
        const dir = await workdirOf(options, input.dir, ctx.signal);
        // validate -json exits 1 on an invalid configuration: the JSON is the answer either way.
        const { stdout } = await terraform.run(dir, ['validate', '-json', '-no-color'], {
          signal: ctx.signal,
          okCodes: [1],
        });
        let result: ValidateJson;
        try {
          result = JSON.parse(stdout) as ValidateJson;
        } catch {
          throw new Error(`terraform validate printed no JSON: ${stdout.slice(0, 500)}`);
        }
        return {
          valid: result.valid,
          errors: result.error_count,
          warnings: result.warning_count,
          diagnostics: result.diagnostics.slice(0, 50).map((d) => ({
            severity: d.severity,
            summary: d.summary,
            ...(d.detail ? { detail: d.detail.slice(0, 1000) } : {}),
            ...(d.range ? { at: `${d.range.filename}:${d.range.start.line}` } : {}),
          })),
        };
      },
    }),
    defineTool({
      name: 'init',
      title: 'Initialise a working directory',
      description:
        'Initialise a working directory (terraform init): install modules and providers. The backend stays off (local only) unless the server is configured to initialise it. Streams progress.',
      toolset: 'config',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      input: z.object({
        dir: dirArg,
        upgrade: z.boolean().default(false).describe('Upgrade modules and providers to the newest allowed versions.'),
      }),
      output: z.object({
        backend: z.boolean().describe('whether the backend was initialised'),
        log: z.string().describe("terraform's output, trimmed"),
      }),
      handler: async (input, ctx) => {
        const dir = await terraform.workdir(input.dir);
        const args = ['init', '-input=false', '-no-color'];
        if (!options.initBackend) args.push('-backend=false');
        if (input.upgrade) args.push('-upgrade');
        const { stdout } = await terraform.run(dir, args, { signal: ctx.signal, onLine: lineProgress(ctx) });
        return {
          backend: options.initBackend,
          log: truncateText(stdout.trim(), { limit: 4000, keep: 'tail', hint: 'only the end is shown' }).text,
        };
      },
    }),
    defineTool({
      name: 'graph',
      title: 'Dependency graph',
      description:
        'The dependency graph of a configuration as a compact edge list: "a -> b" means a depends on b. Use it to see what a change to one resource touches.',
      toolset: 'config',
      tier: 'read',
      annotations: { ...READ, openWorldHint: false },
      input: z.object({
        dir: dirArg,
        resource: z
          .string()
          .min(1)
          .optional()
          .describe('Only edges from or to this address, e.g. aws_db_instance.main.'),
        ...listArgs,
        limit: listArgs.limit.default(100),
      }),
      output: z.object({
        edges: z.array(z.string()),
        total: z.number(),
        nextCursor: nextCursorField,
      }),
      handler: async (input, ctx) => {
        const dir = await workdirOf(options, input.dir, ctx.signal);
        const { stdout } = await terraform.run(dir, ['graph'], { signal: ctx.signal });
        const edges = [
          ...new Set(
            stdout.split('\n').flatMap((line) => {
              const match = EDGE.exec(line);
              if (!match) return [];
              const [from, to] = [nodeName(match[1]!), nodeName(match[2]!)];
              if (from === to || /^(root|provider\[|meta\.|var\.|local\.|output\.)/.test(to)) return [];
              if (input.resource && from !== input.resource && to !== input.resource) return [];
              return [`${from} -> ${to}`];
            }),
          ),
        ].sort();
        const page = offsetPage('graph', edges, input, { dir: input.dir, resource: input.resource ?? '' });
        return { edges: page.items, total: page.total, nextCursor: page.nextCursor };
      },
    }),
  ];
}
