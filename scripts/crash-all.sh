#!/bin/sh
# The full fault-injection run: besides the slice CI runs (one run per flow killed after every step in turn), kills a
# fresh run of create_service, onboard_team and provision_database (SIGKILL) before and after each step, and checks
# every side effect exists exactly once after resume (servers/platform/test/crash.test.ts).
set -eu
cd "$(dirname "$0")/.."
IDP_MCP_CRASH_ALL=1 exec sh scripts/with-node.sh vitest run servers/platform/test/crash.test.ts
