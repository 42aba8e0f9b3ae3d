#!/bin/sh
# Runs a command with the project's Node (>= 22.12) and pnpm first on PATH.
# scripts/setup.sh installs them into .tools/ when the machine's own Node is older.
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$root/.tools/node_modules/.bin:$root/node_modules/.bin:$PATH"
export PATH
exec "$@"
