#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { policyGateFromEnv } from '@idp-mcp/policy';
import { servers } from './servers.ts';

await runCli(servers, process.argv.slice(2), undefined, { gate: policyGateFromEnv(process.env) });
