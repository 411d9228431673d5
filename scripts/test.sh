#!/usr/bin/env bash
# Every test: type checks, the build, then one run of node's test runner over unit, LSP, corpus, kernel and
# editor tests. Tests that need the corpus, root or Chromium skip with a message outside CI and fail inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p server
npx tsc -p client
node scripts/build.mjs
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
exec node --import tsx --test --test-concurrency=2 "${files[@]}"
