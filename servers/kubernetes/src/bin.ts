#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { kubernetesModule } from './index.ts';

await runCli([kubernetesModule], process.argv.slice(2), 'kubernetes', { gate: gateFromEnv(process.env) });
