#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { terraformModule } from './index.ts';

await runCli([terraformModule], process.argv.slice(2), 'terraform', { gate: gateFromEnv(process.env) });
