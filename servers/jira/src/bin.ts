#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { jiraModule } from './index.ts';

await runCli([jiraModule], process.argv.slice(2), 'jira');
