#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { githubModule } from './index.ts';

await runCli([githubModule], process.argv.slice(2), 'github', { gate: gateFromEnv(process.env) });
