#!/usr/bin/env bash
# The packaged console's self-test, headless, as on a machine without Python: a clean
# environment (no venv, no PYTHONPATH, PATH of the system only), fresh config and data folders,
# run from outside the source tree. Also runs one subcommand (`report` on an empty show's
# journal is not needed: `--help` lists the subcommands). Prints the bundle's size.
# Usage: packaging/smoke-test.sh [BUNDLE_DIR]   (default: dist/livedesk)
set -euo pipefail
bundle="$(cd "${1:-dist/livedesk}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() {
  (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" LANG=C.UTF-8 \
    QT_QPA_PLATFORM=offscreen LIVEDESK_CONFIG_DIR="$work/config" LIVEDESK_DATA_DIR="$work/data" \
    "$bundle/livedesk" "$@")
}
run --help | grep -q "report" || { echo "the bundle's livedesk --help lists no subcommands" >&2; exit 1; }
run --self-test --screenshot "$work/console.png" > "$work/self-test.json"
cat "$work/self-test.json"
grep -q '"self_test": "passed"' "$work/self-test.json"
[ -s "$work/console.png" ]
ls "$bundle"/_internal/fonts/NotoSansCJK-Regular.ttc > /dev/null || { echo "the bundle carries no CJK font" >&2; exit 1; }
echo "bundle size: $(du -sh "$bundle" | cut -f1)"
