#!/bin/sh
# The full fault-injection run: kills the platform (SIGKILL) at every step of create_service, not only the slice CI
# runs, and checks every side effect exists exactly once after resume (servers/platform/test/crash.test.ts).
set -eu
cd "$(dirname "$0")/.."
IDP_MCP_CRASH_ALL=1 exec sh scripts/with-node.sh vitest run servers/platform/test/crash.test.ts
