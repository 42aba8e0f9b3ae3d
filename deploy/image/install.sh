#!/bin/sh
# The production install the image carries, made from a checkout: the workspace's runtime sources (no tests, no
# test helpers, no benchmarks) and only the production dependencies of the idp-mcp command, from the lockfile.
# The Dockerfile's build stage runs it; CI runs the same script into a temporary directory and starts the result
# (deploy/test/image.test.ts), because no Docker engine runs there.
#   sh deploy/image/install.sh <checkout> <destination>
set -eu
src=$(cd "$1" && pwd)
dest=$2
[ -e "$dest" ] && { echo "install.sh: $dest exists; give a new directory" >&2; exit 2; }
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
cd "$src"

# The workspace's manifests, every package's included, so the lockfile's importers match the workspace.
cp package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc "$dest/"
cp -R patches "$dest/patches"
for manifest in */package.json */*/package.json; do
  case "$manifest" in node_modules/* | */node_modules/* | .tools/*) continue ;; esac
  mkdir -p "$dest/$(dirname "$manifest")"
  cp "$manifest" "$dest/$manifest"
done

# Runtime sources: each package's src/ without tests (code and the data it reads, such as the sandbox's Terraform
# samples), the shipped policies, the vendored API descriptions the sandbox validates against. shared/testing and bench are never runtime dependencies.
for dir in shared/*/src servers/*/src a2a/src; do
  case "$dir" in shared/testing/*) continue ;; esac
  mkdir -p "$dest/$dir"
  (cd "$dir" && find . -type f ! -name '*.test.ts' ! -path '*/__snapshots__/*' -exec sh -c \
    'for f; do mkdir -p "$0/$(dirname "$f")" && cp "$f" "$0/$f"; done' "$dest/$dir" {} +)
done
cp -R policies "$dest/policies"
cp -R shared/vendor/specs shared/vendor/LICENSES shared/vendor/MANIFEST.json "$dest/shared/vendor/"

# Production dependencies of the idp-mcp command and the workspace packages it imports, exactly as locked.
cd "$dest"
pnpm install --prod --frozen-lockfile --prefer-offline --ignore-scripts --filter '@idp-mcp/cli...' >&2
