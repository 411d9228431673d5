#!/usr/bin/env bash
# Every test: type checks, the packaged extension, then one run of node's test runner over the unit, LSP, corpus,
# grammar, snippet, kernel and editor tests. Tests that need the corpus, root, Chromium or Neovim skip with a
# message outside CI and fail inside it (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p server
npx tsc -p client
npx tsc -p test
# The .vsix users install is the thing the editor tests run.
npm run --silent package >/dev/null
echo "packaged iptables-language.vsix ($(du -k iptables-language.vsix | cut -f1) KiB)"
if ! bash scripts/install-code-server.sh >/tmp/iptables-code-server-install.log 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    cat /tmp/iptables-code-server-install.log >&2
    echo "CI=true and the VS Code build for the editor tests could not be installed" >&2
    exit 1
  fi
  echo "NOTE: code-server could not be installed (see /tmp/iptables-code-server-install.log); the VS Code tests will be skipped."
fi
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
node --import tsx --test --test-concurrency=2 "${files[@]}"
# The kernel tests once more with iptables-nft, the default backend of current distributions: where it and
# iptables-legacy disagree, the linter says which one refuses.
echo "kernel tests with iptables-nft:"
IPTABLES_BACKEND=nft exec node --import tsx --test --test-concurrency=2 test/kernel/*.test.ts
