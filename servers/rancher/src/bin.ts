#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { rancherModule } from './index.ts';

await runCli([rancherModule], process.argv.slice(2), 'rancher', { gate: gateFromEnv(process.env) });
