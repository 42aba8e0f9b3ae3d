#!/usr/bin/env node
import { runCli } from '@idp-mcp/core';
import { gateFromEnv } from '@idp-mcp/policy/lazy';
import { COMMAND_LOADERS, loadServers, SERVER_LOADERS } from './servers.ts';

const args = process.argv.slice(2);
const command = args[0] ? COMMAND_LOADERS[args[0]] : undefined;
if (command) {
  const io = {
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
  };
  process.exitCode = await (await command()).run(args.slice(1), io);
} else {
  const load = args[0] ? SERVER_LOADERS[args[0]] : undefined;
  const modules = load ? [await load()] : await loadServers();
  await runCli(modules, args, undefined, { gate: gateFromEnv(process.env) });
  if (!args[0] || ['--help', '-h', 'help'].includes(args[0])) {
    process.stdout.write(
      `\nOther commands:\n  a2a    the A2A supervisor in front of the platform (idp-mcp a2a --help)\n  agent  run the bundled headless agent on one request (idp-mcp agent --help)\n`,
    );
  }
}
