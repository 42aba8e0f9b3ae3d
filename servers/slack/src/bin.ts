#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { slackModule } from './index.ts';

await runCli([slackModule], process.argv.slice(2), 'slack', { gate: gateFromEnv(process.env) });
