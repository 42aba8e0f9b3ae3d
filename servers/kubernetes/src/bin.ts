#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { policyGateFromEnv } from '@idp-mcp/policy';
import { kubernetesModule } from './index.ts';

await runCli([kubernetesModule], process.argv.slice(2), 'kubernetes', { gate: policyGateFromEnv(process.env) });
