#!/usr/bin/env bash
# The main job: build and package the extension, then show its analysis of the bundled examples.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent package
echo
echo "Packaged: $(ls -1 *.vsix) ($(du -k iptables-language.vsix | cut -f1) KiB)"
for f in examples/*; do
  echo
  echo "== iptables-lint $f"
  node bin/iptables-lint "$f" && echo "(no problems)" || true
done
echo
echo "== iptables-lint --format diff examples/common-mistakes.iptables   (the safe fixes, as a diff to review)"
node bin/iptables-lint --format diff examples/common-mistakes.iptables || true
echo
echo "== iptables-lint convert examples/wordpress-server.sh   (the script's rules as an iptables-restore file)"
node bin/iptables-lint convert examples/wordpress-server.sh | sed -n '/^\*filter/,/^COMMIT/p'
