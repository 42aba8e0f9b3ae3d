#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { kafkaModule } from './index.ts';

await runCli([kafkaModule], process.argv.slice(2), 'kafka', { gate: gateFromEnv(process.env) });
