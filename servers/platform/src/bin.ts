#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { platformModule } from './index.ts';

await runCli([platformModule], process.argv.slice(2), 'platform', { gate: gateFromEnv(process.env) });
