#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { argocdModule } from './index.ts';

await runCli([argocdModule], process.argv.slice(2), 'argocd', { gate: gateFromEnv(process.env) });
