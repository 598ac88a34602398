#!/usr/bin/env bash
# Installs the bundle (dist/livedesk) for the current user: the folder under
# ~/.local/lib/livedesk, `livedesk` on the PATH (~/.local/bin), the desktop entry and the icon.
# Usage: dist/livedesk/install-desktop.sh (the bundle it sits in), or
#        packaging/install-desktop.sh [BUNDLE_DIR] (default: dist/livedesk)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -x "$here/livedesk" ]; then default="$here"; else default="$here/../dist/livedesk"; fi
bundle="${1:-$default}"
[ -x "$bundle/livedesk" ] || { echo "No bundle at $bundle: run 'make package' first." >&2; exit 1; }
data="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$HOME/.local/lib" "$HOME/.local/bin" "$data/applications" "$data/icons/hicolor/scalable/apps"
rm -rf "$HOME/.local/lib/livedesk"
cp -a "$bundle" "$HOME/.local/lib/livedesk"
ln -sf "$HOME/.local/lib/livedesk/livedesk" "$HOME/.local/bin/livedesk"
sed "s|^Exec=livedesk|Exec=$HOME/.local/bin/livedesk|" "$here/livedesk.desktop" > "$data/applications/livedesk.desktop"
cp "$here/livedesk.svg" "$data/icons/hicolor/scalable/apps/livedesk.svg"
echo "Installed: $HOME/.local/bin/livedesk and the LiveDesk menu entry."
