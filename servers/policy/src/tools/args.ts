import { READ } from '@idp-mcp/core';
import type { validateText } from '@idp-mcp/policy';
import { DOMAINS } from '@idp-mcp/policy';
import * as z from 'zod';

/** Policy tools read local policies only: read-only, no outside world. */
export const LOCAL = { ...READ, openWorldHint: false };

export const domain = z.enum(DOMAINS as [string, ...string[]], { error: `must be one of ${DOMAINS.join(', ')}` });

/** The input of the tools that check a configuration text. */
export const configInput = {
  config: z.string().min(1).describe('The configuration text: YAML, JSON, HCL or Terraform plan JSON.'),
  domain: domain.optional().describe('Policy domain; detected from the content when omitted.'),
  filename: z.string().optional().describe('File name, used in results and to tell HCL (.tf) from YAML.'),
  environment: z.string().optional().describe('Target environment, e.g. "prod" (stricter GitOps rules).'),
};

/** validateText options from a configInput. */
export function checkOptions(input: {
  domain?: string | undefined;
  filename?: string | undefined;
  environment?: string | undefined;
}): Parameters<typeof validateText>[2] {
  return {
    ...(input.domain ? { domain: input.domain } : {}),
    ...(input.filename ? { filename: input.filename } : {}),
    ...(input.environment ? { context: { environment: input.environment } } : {}),
  };
}
