#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { backstageModule } from './index.ts';

await runCli([backstageModule], process.argv.slice(2), 'backstage', { gate: gateFromEnv(process.env) });
