#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { pagerdutyModule } from './index.ts';

await runCli([pagerdutyModule], process.argv.slice(2), 'pagerduty', { gate: gateFromEnv(process.env) });
