#!/usr/bin/env node
import { lazyGate, runCli } from '@idp-mcp/core';
import { argocdModule } from './index.ts';

await runCli([argocdModule], process.argv.slice(2), 'argocd', {
  gate: lazyGate(async () => (await import('@idp-mcp/policy')).policyGateFromEnv(process.env)),
});
