#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { policyGateFromEnv } from '@idp-mcp/policy';
import { argocdModule } from './index.ts';

await runCli([argocdModule], process.argv.slice(2), 'argocd', { gate: policyGateFromEnv(process.env) });
