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
echo "== iptables-lint convert examples/wordpress-server.sh   (the script's rules as iptables-restore files, IPv4 then IPv6)"
node bin/iptables-lint convert examples/wordpress-server.sh 2>/dev/null | sed -n '/^\*filter/,/^COMMIT/p'
node bin/iptables-lint convert --ipv6 examples/wordpress-server.sh 2>/dev/null | sed -n '/^\*filter/,/^COMMIT/p'
