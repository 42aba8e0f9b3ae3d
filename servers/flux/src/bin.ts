#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { fluxModule } from './index.ts';

await runCli([fluxModule], process.argv.slice(2), 'flux', { gate: gateFromEnv(process.env) });
