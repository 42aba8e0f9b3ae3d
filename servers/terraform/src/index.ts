import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerModule } from '@idp-mcp/core';
import { createTerraform, mapTerraformError, registerCredentialEnv } from './terraform.ts';
import { configTools } from './tools/config.ts';
import { planTools } from './tools/plans.ts';
import type { SavedPlan, TerraformToolsOptions } from './tools/shared.ts';
import { stateTools } from './tools/state.ts';

export { summarisePlan } from './plan.ts';
export { createTerraform, mapTerraformError, TerraformError } from './terraform.ts';

/** Every Terraform tool, bound to one CLI runner. */
export function terraformTools(options: TerraformToolsOptions) {
  return [...configTools(options), ...planTools(options), ...stateTools(options)];
}

export const terraformModule: ServerModule = {
  name: 'terraform',
  title: 'Terraform',
  description:
    'Terraform (or OpenTofu) working directories: fmt, validate, init, policy-checked plans, state, graph, workspaces, outputs; apply of an allowed plan (admin).',
  toolsets: {
    config: 'fmt, validate, init and the dependency graph',
    plans: 'plan (with the policy verdict), page through a plan, apply an allowed plan (admin)',
    state: 'resources and their attributes in state, outputs, workspaces',
  },
  env: {
    TERRAFORM_ROOTS: {
      description: 'Directories whose working directories callers may name, comma-separated (nothing outside them)',
      required: true,
      format: 'list',
    },
    TERRAFORM_BINARY: { description: 'The CLI to run: terraform, tofu, or a path to either', default: 'terraform' },
    TERRAFORM_TIMEOUT_MS: {
      description: 'Longest one terraform command may run, in milliseconds',
      default: '1800000',
      format: 'integer',
    },
    TERRAFORM_INIT_BACKEND: {
      description: 'true lets init configure the backend (remote state); default false: init -backend=false',
      default: 'false',
    },
    TERRAFORM_ENVIRONMENT: {
      description: "Environment named in policy checks and the audit log (default: the plan's workspace)",
    },
    TERRAFORM_PLAN_DIR: {
      description: 'Where saved plans are written (they hold sensitive values; default: a private temporary directory)',
    },
  },
  async start({ env, sandbox, log, gate, world }) {
    let roots = (env.TERRAFORM_ROOTS ?? '')
      .split(',')
      .map((root) => root.trim())
      .filter(Boolean);
    if (sandbox) {
      const { startTerraformSandbox } = await import('@idp-mcp/sandbox/terraform');
      roots = [(await world.shared('terraform', startTerraformSandbox)).root];
    }
    // Provider credentials (AWS_SECRET_ACCESS_KEY, TF_TOKEN_*, ...) reach terraform; their values never reach output.
    registerCredentialEnv();
    const ownPlanDir = !env.TERRAFORM_PLAN_DIR;
    const planDir = env.TERRAFORM_PLAN_DIR || (await mkdtemp(join(tmpdir(), 'idp-mcp-tfplans-')));
    const terraform = createTerraform({
      binary: env.TERRAFORM_BINARY!,
      roots,
      timeoutMs: Number(env.TERRAFORM_TIMEOUT_MS),
      log,
    });
    const plans = new Map<string, SavedPlan>();
    const initialised = new Map<string, Promise<unknown>>();
    return {
      tools: terraformTools({
        terraform,
        gate,
        planDir,
        plans,
        environment: env.TERRAFORM_ENVIRONMENT,
        initBackend: env.TERRAFORM_INIT_BACKEND === 'true',
        // The sandbox's sample directories need no download: they are initialised on first use.
        ...(sandbox
          ? {
              prepare: async (dir: string, signal: AbortSignal) => {
                if (existsSync(join(dir, '.terraform'))) return;
                let done = initialised.get(dir);
                if (!done) {
                  done = terraform.run(dir, ['init', '-input=false', '-no-color', '-backend=false'], { signal });
                  initialised.set(dir, done);
                }
                await done;
              },
            }
          : {}),
      }),
      upstream: { mode: sandbox ? 'sandbox' : 'live', url: `file://${roots.join(',')}` },
      mapError: mapTerraformError,
      ready: async () => {
        await terraform.run(roots[0] ?? tmpdir(), ['version'], { signal: AbortSignal.timeout(10_000) });
        return true;
      },
      close: async () => {
        if (ownPlanDir) await rm(planDir, { recursive: true, force: true });
      },
    };
  },
};
