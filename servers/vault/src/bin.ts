#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { vaultModule } from './index.ts';

await runCli([vaultModule], process.argv.slice(2), 'vault');
