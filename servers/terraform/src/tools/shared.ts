import type { PolicyGate, ToolContext } from '@idp-mcp/core';
import * as z from 'zod';
import type { PlanSummary } from '../plan.ts';
import type { Terraform } from '../terraform.ts';

export const dirArg = z
  .string()
  .min(1)
  .describe(
    'Working directory holding the .tf files: relative to the first allowed root (e.g. "payments"), or absolute inside one.',
  );

export const workspaceArg = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,90}$/, { error: 'must be a workspace name (letters, digits, - and _)' })
  .optional()
  .describe("Workspace to use (default: the directory's selected workspace); list_workspaces lists them.");

/** A plan the plan tool saved: apply takes its id. */
export interface SavedPlan {
  id: string;
  /** The working directory (real path). */
  dir: string;
  workspace: string | undefined;
  environment: string;
  file: string;
  createdAt: string;
  summary: PlanSummary;
  allowed: boolean;
}

export interface TerraformToolsOptions {
  terraform: Terraform;
  gate: PolicyGate;
  /** Where saved plans are written (private to this server). */
  planDir: string;
  plans: Map<string, SavedPlan>;
  /** Environment named in policy checks when a plan names none. */
  environment: string | undefined;
  /** Whether init configures the backend (TERRAFORM_INIT_BACKEND). */
  initBackend: boolean;
  /** Runs before a tool uses a directory (the sandbox initialises its sample directories on first use). */
  prepare?: (dir: string, signal: AbortSignal) => Promise<void>;
}

/** Progress from terraform's output lines, as MCP progress notifications (a no-op when the client asked for none). */
export function lineProgress(ctx: ToolContext): (line: string) => void {
  let lines = 0;
  return (line) => void ctx.progress(++lines, undefined, line.slice(0, 200));
}

export async function workdirOf(options: TerraformToolsOptions, dir: string, signal: AbortSignal): Promise<string> {
  const real = await options.terraform.workdir(dir);
  await options.prepare?.(real, signal);
  return real;
}
