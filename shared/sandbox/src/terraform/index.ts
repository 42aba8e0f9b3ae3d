// The Terraform sandbox: not a fake but sample working directories for the real terraform CLI, copied to a private
// temporary directory so that plans and applies never touch the checkout. They use only what ships inside
// terraform (terraform_data, locals, outputs, local modules, workspaces): nothing is downloaded.
//   payments/  applied in workspaces default (dev) and staging; a local module, a sensitive output, a database
//              that var.engine_version replaces
//   checkout/  never applied, and not formatted (fmt shows the diff)
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TERRAFORM_SAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'sample');

/** A fresh copy of the sample working directories; `root` is what TERRAFORM_ROOTS names. */
export async function startTerraformSandbox(): Promise<{ root: string; close(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'idp-mcp-terraform-'));
  await cp(TERRAFORM_SAMPLE_DIR, root, { recursive: true });
  return { root, close: () => rm(root, { recursive: true, force: true }) };
}
