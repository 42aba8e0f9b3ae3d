#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { vaultModule } from './index.ts';

await runCli([vaultModule], process.argv.slice(2), 'vault', { gate: gateFromEnv(process.env) });
