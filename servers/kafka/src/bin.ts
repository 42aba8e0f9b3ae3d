#!/usr/bin/env node
import { lazyGate, runCli } from '@idp-mcp/core';
import { kafkaModule } from './index.ts';

await runCli([kafkaModule], process.argv.slice(2), 'kafka', {
  gate: lazyGate(async () => (await import('@idp-mcp/policy')).policyGateFromEnv(process.env)),
});
