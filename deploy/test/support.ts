import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const root = new URL('../../', import.meta.url).pathname;
const cli = new URL('../../servers/cli/src/main.ts', import.meta.url).pathname;

/** A command's stdout; a failure carries its stderr. */
export async function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** `idp-mcp policy validate` over files: the project's own CI gate, exit code and output. */
export async function policyValidate(files: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'policy', 'validate', ...files.flatMap((file) => ['--file', file])],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: stdout + stderr }),
    );
  });
}

export function requireTool(command: string, args: string[], why: string): Promise<void> {
  return run(command, args).then(
    () => undefined,
    () => {
      throw new Error(`${command} is not on PATH: install it to run these tests (${why})`);
    },
  );
}
