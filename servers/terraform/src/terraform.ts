import { spawn } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isSecretKey, type Logger, redactText, registerSecret, ToolError } from '@idp-mcp/core';

/**
 * The only place that runs the terraform (or tofu) CLI: working directories confined to the allowed roots, the
 * child's environment (the server's own, so provider credentials pass through, never echoed), progress line by
 * line, cancellation (the child's process group gets SIGINT, then SIGKILL), a timeout, and error mapping.
 */

export const UPSTREAM = 'terraform';
/** How long terraform gets to stop cleanly (release its state lock) after SIGINT before it is killed. */
const KILL_GRACE_MS = 5000;
/** What one command may print before it is stopped: show -json of a large state is megabytes. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface TerraformOptions {
  /** terraform, tofu, or a path to either. */
  binary: string;
  /** Directories callers may name working directories in (resolved, symlinks followed). */
  roots: string[];
  timeoutMs: number;
  log: Logger;
  /** Variables added to the child's environment (the server's own environment is passed through). */
  env?: Record<string, string>;
}

export interface RunOptions {
  signal: AbortSignal;
  /** TF_WORKSPACE for this command: selects a workspace without changing the directory's selected one. */
  workspace?: string | undefined;
  /** Each line terraform prints on stdout, secrets masked: for progress notifications. */
  onLine?: (line: string) => void;
  /** Exit codes that are answers, not failures (fmt -check exits 3 when files need formatting). */
  okCodes?: number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Terraform exited with an error: its own words (secrets masked) and the command. */
export class TerraformError extends Error {
  readonly command: string;
  readonly exitCode: number;
  constructor(command: string, exitCode: number, message: string) {
    super(message);
    this.name = 'TerraformError';
    this.command = command;
    this.exitCode = exitCode;
  }
}

/**
 * Registers the values of credential-looking variables in the server's environment (AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, ARM_CLIENT_SECRET, TF_TOKEN_*, TF_VAR_db_password, ...) so no output, log or error repeats them.
 */
export function registerCredentialEnv(env: Record<string, string | undefined> = process.env): void {
  for (const [name, value] of Object.entries(env)) if (isSecretKey(name)) registerSecret(value);
}

export type Terraform = ReturnType<typeof createTerraform>;

export function createTerraform(options: TerraformOptions) {
  const rootsReady = Promise.all(
    options.roots.map(async (root) => {
      try {
        return await realpath(resolve(root));
      } catch {
        return undefined;
      }
    }),
  ).then((roots) => roots.filter((root): root is string => root !== undefined));

  /**
   * A working directory inside the allowed roots: `dir` absolute, or relative to the first root. Symlinks are
   * followed before the check, so a link inside a root that points outside it is refused.
   */
  async function workdir(dir: string): Promise<string> {
    const roots = await rootsReady;
    if (roots.length === 0) {
      throw new ToolError('upstream_unavailable', 'no allowed root exists: TERRAFORM_ROOTS names no directory', {
        upstream: UPSTREAM,
        hint: 'set TERRAFORM_ROOTS to the directories that hold your Terraform configurations',
        retryable: false,
      });
    }
    const wanted = isAbsolute(dir) ? dir : resolve(roots[0]!, dir);
    let real: string;
    try {
      real = await realpath(wanted);
    } catch {
      throw new ToolError('not_found', `dir: ${dir} does not exist`, {
        hint: `name a directory inside an allowed root (${roots.join(', ')}), absolute or relative to ${roots[0]}`,
      });
    }
    const inside = roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
    if (!inside) {
      throw new ToolError('forbidden', `dir: ${dir} is outside the allowed roots (symlinks are followed)`, {
        hint: `name a directory inside ${roots.join(' or ')}; TERRAFORM_ROOTS sets the roots`,
        retryable: false,
      });
    }
    if (!(await stat(real)).isDirectory()) {
      throw new ToolError('invalid_request', `dir: ${dir} is not a directory`, {
        hint: 'name the directory holding the .tf files',
      });
    }
    return real;
  }

  /** The path of a working directory as callers see it: relative to the first root where it is inside it. */
  async function display(real: string): Promise<string> {
    const roots = await rootsReady;
    const path = roots[0] === undefined ? real : relative(roots[0], real);
    return path === '' ? '.' : path.startsWith('..') ? real : path;
  }

  function run(cwd: string, args: string[], runOptions: RunOptions): Promise<RunResult> {
    const command = `${options.binary} ${args[0] ?? ''}`.trim();
    return new Promise<RunResult>((resolvePromise, reject) => {
      if (runOptions.signal.aborted) {
        reject(cancelled(command));
        return;
      }
      const env: Record<string, string | undefined> = {
        ...process.env,
        ...options.env,
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
        CHECKPOINT_DISABLE: '1',
      };
      if (runOptions.workspace) env.TF_WORKSPACE = runOptions.workspace;
      else delete env.TF_WORKSPACE;
      // Its own process group: a cancel reaches terraform's provisioners and providers too.
      const child = spawn(options.binary, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let bytes = 0;
      let pending = '';
      let stopped: Error | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (reason: Error) => {
        if (stopped || child.exitCode !== null) return;
        stopped = reason;
        signalGroup(child.pid, 'SIGINT');
        killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      };
      const onAbort = () => stop(cancelled(command));
      runOptions.signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () =>
          stop(
            new ToolError('timeout', `${command} ran longer than ${options.timeoutMs} ms and was stopped`, {
              upstream: UPSTREAM,
              hint: 'raise TERRAFORM_TIMEOUT_MS, or narrow the command (plan with target)',
            }),
          ),
        options.timeoutMs,
      );
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_OUTPUT_BYTES) {
          stop(
            new ToolError('response_too_large', `${command} printed more than ${MAX_OUTPUT_BYTES} bytes`, {
              hint: 'narrow the command (a single resource, a target)',
            }),
          );
          return;
        }
        into.push(chunk);
      };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));
      if (runOptions.onLine) {
        const onLine = runOptions.onLine;
        child.stdout.on('data', (chunk: Buffer) => {
          const lines = (pending + chunk.toString('utf8')).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) onLine(redactText(line, { labelled: false }));
        });
      }
      const finish = () => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        runOptions.signal.removeEventListener('abort', onAbort);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        finish();
        reject(
          error.code === 'ENOENT'
            ? new ToolError('upstream_unavailable', `the terraform binary ${options.binary} was not found`, {
                upstream: UPSTREAM,
                hint: 'install Terraform (or OpenTofu) or set TERRAFORM_BINARY to its path',
                retryable: false,
              })
            : error,
        );
      });
      child.on('close', (code) => {
        finish();
        if (stopped) {
          reject(stopped);
          return;
        }
        const result = {
          code: code ?? 1,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        };
        if (result.code === 0 || runOptions.okCodes?.includes(result.code)) {
          resolvePromise(result);
          return;
        }
        const said = (result.stderr.trim() || result.stdout.trim()).slice(-4000);
        reject(new TerraformError(command, result.code, redactText(said, { labelled: false })));
      });
    });
  }

  return {
    binary: options.binary,
    workdir,
    display,
    run,
    /** `-json` output of a command, parsed. */
    async json<T>(cwd: string, args: string[], runOptions: RunOptions): Promise<T> {
      const { stdout } = await run(cwd, args, runOptions);
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new ToolError('upstream_unavailable', `${options.binary} ${args.join(' ')} did not print JSON`, {
          upstream: UPSTREAM,
          hint: 'check that TERRAFORM_BINARY is Terraform >= 1.0 or OpenTofu',
          retryable: false,
        });
      }
    },
  };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function cancelled(command: string): ToolError {
  return new ToolError('invalid_request', `${command} was cancelled; terraform was stopped`, {
    hint: 'a cancelled apply may have changed some resources: check with list_resources and plan again',
    retryable: true,
  });
}

/** What terraform's own errors mean for a caller; the message is terraform's (secrets masked). */
export function mapTerraformError(error: unknown): ToolError | undefined {
  if (!(error instanceof TerraformError)) return undefined;
  const text = error.message;
  const needsInit =
    /terraform init|tofu init|Module not installed|Required plugins are not installed|Backend initialization required/i.test(
      text,
    );
  const locked = /Error acquiring the state lock/i.test(text);
  const stale = /Saved plan is stale/i.test(text);
  const code = locked || stale ? 'conflict' : 'invalid_request';
  const hint = needsInit
    ? 'call init on this directory first'
    : locked
      ? 'another terraform command holds the state lock: wait for it and retry'
      : stale
        ? 'the state changed since the plan was made: plan again and apply the new plan'
        : 'fix what terraform reports (validate shows every diagnostic) and call again';
  return new ToolError(code, `${error.command} failed (exit ${error.exitCode}):\n${text}`, {
    upstream: UPSTREAM,
    hint,
    retryable: locked,
  });
}
