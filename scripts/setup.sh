#!/bin/sh
# One-time set-up: a Node >= 22.12 and pnpm, then the workspace's dependencies.
# Uses the machine's Node when it is new enough; otherwise installs Node 24 LTS and pnpm
# from the npm registry into .tools/ (nothing outside the project is touched).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
node_ok() {
  command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'
}
if ! node_ok || ! command -v pnpm >/dev/null 2>&1; then
  echo "setup: installing Node 24 and pnpm into .tools/ (the machine's Node is $(node --version 2>/dev/null || echo missing))" >&2
  npm install --silent --no-save --prefix "$root/.tools" node@24 pnpm@12.21.0 >&2
fi
exec sh scripts/with-node.sh pnpm install --frozen-lockfile=${CI:-false}
