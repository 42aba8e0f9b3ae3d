#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { policyGateFromEnv } from '@idp-mcp/policy';
import { kafkaModule } from './index.ts';

await runCli([kafkaModule], process.argv.slice(2), 'kafka', { gate: policyGateFromEnv(process.env) });
