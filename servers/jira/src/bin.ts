#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { jiraModule } from './index.ts';

await runCli([jiraModule], process.argv.slice(2), 'jira', { gate: gateFromEnv(process.env) });
