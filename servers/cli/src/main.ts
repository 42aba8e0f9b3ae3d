#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { loadServers, SERVER_LOADERS } from './servers.ts';

const args = process.argv.slice(2);
const load = args[0] ? SERVER_LOADERS[args[0]] : undefined;
const modules = load ? [await load()] : await loadServers();

await runCli(modules, args, undefined, { gate: gateFromEnv(process.env) });
