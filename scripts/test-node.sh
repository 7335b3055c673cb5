#!/usr/bin/env bash
# Runs the tests on another Node.js major than the one installed, for the versions in
# package.json's engines: the npm package `node` (from the npm registry) brings that Node binary
# as a package, and npm exec puts it first on PATH, so vitest, its workers and every child process
# the tests start (the CLI's bin included) run on it.
#
#   scripts/test-node.sh 22                          the whole suite on Node 22
#   scripts/test-node.sh 24 test/cli/keygen.test.ts  some files on Node 24
set -euo pipefail
major="${1:-}"
case "$major" in
  20 | 22 | 24) shift ;;
  *)
    echo "usage: scripts/test-node.sh 20|22|24 [vitest arguments...]" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."
# The CLI tests run the compiled bin; tsc's output does not depend on the Node version.
npm run --silent build
exec npm exec --yes --package="node@$major" -- bash -c \
  'echo "Node $(node --version) at $(command -v node)" >&2 && exec node node_modules/vitest/vitest.mjs run "$@"' \
  test-node "$@"
