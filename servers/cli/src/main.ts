#!/usr/bin/env node
import { lazyGate, runCli } from '@idp-mcp/core';
import { loadServers, SERVER_LOADERS } from './servers.ts';

const args = process.argv.slice(2);
const load = args[0] ? SERVER_LOADERS[args[0]] : undefined;
const modules = load ? [await load()] : await loadServers();

const gate = lazyGate(async () => (await import('@idp-mcp/policy')).policyGateFromEnv(process.env));

await runCli(modules, args, undefined, { gate });
