#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { argocdModule } from './index.ts';

await runCli([argocdModule], process.argv.slice(2), 'argocd');
