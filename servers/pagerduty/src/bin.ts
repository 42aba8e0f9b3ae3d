#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { pagerdutyModule } from './index.ts';

await runCli([pagerdutyModule], process.argv.slice(2), 'pagerduty');
