#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { servers } from './servers.ts';

await runCli(servers, process.argv.slice(2));
