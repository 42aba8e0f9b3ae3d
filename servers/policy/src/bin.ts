#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { policyModule } from './index.ts';

await runCli([policyModule], process.argv.slice(2), 'policy', { gate: gateFromEnv(process.env) });
