#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { platformModule } from './index.ts';

await runCli([platformModule], process.argv.slice(2), 'platform');
