#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { policyModule } from './index.ts';

await runCli([policyModule], process.argv.slice(2), 'policy');
