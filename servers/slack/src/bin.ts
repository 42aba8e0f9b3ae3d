#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { slackModule } from './index.ts';

await runCli([slackModule], process.argv.slice(2), 'slack');
