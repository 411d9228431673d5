#!/usr/bin/env bash
# Installs a real VS Code (code-server, from npm) into .cache/code-server for the end-to-end tests, offline:
# Debian's Chromium and ripgrep come from apt, and @vscode/ripgrep's download is answered from a local cache
# seeded with Debian's rg. Reused on later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.100.3
DEST=.cache/code-server
BIN="$DEST/node_modules/.bin/code-server"
if [ -x "$BIN" ] && [ "$("$BIN" --version 2>/dev/null | head -1 | cut -d' ' -f1)" = "$VERSION" ]; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi

missing=()
for p in chromium ripgrep libkrb5-dev; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "Needs Debian packages: ${missing[*]} (run as root or install them)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Which @vscode/ripgrep code-server's VS Code uses, and which ripgrep release that version downloads.
(cd "$work" && npm pack "code-server@$VERSION" >/dev/null 2>&1 && tar xzf "code-server-$VERSION.tgz")
RG_PKG=$(node -e "const s=require('$work/package/lib/vscode/npm-shrinkwrap.json');console.log(s.packages['node_modules/@vscode/ripgrep'].version)")
(cd "$work" && npm pack "@vscode/ripgrep@$RG_PKG" >/dev/null 2>&1 && mkdir rg && tar xzf "vscode-ripgrep-$RG_PKG.tgz" -C rg)
RG_RELEASE=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$work/rg/package/lib/postinstall.js")
TMP_ROOT=${TMPDIR:-/tmp}
CACHE="$TMP_ROOT/vscode-ripgrep-cache-$RG_PKG"
mkdir -p "$CACHE" "$work/rgbin"
cp "$(command -v rg)" "$work/rgbin/rg"
tar czf "$CACHE/ripgrep-$RG_RELEASE-x86_64-unknown-linux-musl.tar.gz" -C "$work/rgbin" rg
echo "Seeded $CACHE with Debian's ripgrep as $RG_RELEASE"

mkdir -p "$DEST"
# npm runs a dependency's install scripts only when the project allows them: code-server's postinstall installs
# VS Code's own modules (and builds the native ones), argon2 is its password hashing.
echo '{"name":"code-server-cache","private":true,"allowScripts":{"code-server":true,"argon2":true}}' > "$DEST/package.json"
(cd "$DEST" && npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --no-save "code-server@$VERSION")
"$BIN" --version
