#!/usr/bin/env node
import { lazyGate, runCli } from '@idp-mcp/core';
import { kubernetesModule } from './index.ts';

await runCli([kubernetesModule], process.argv.slice(2), 'kubernetes', {
  gate: lazyGate(async () => (await import('@idp-mcp/policy')).policyGateFromEnv(process.env)),
});
