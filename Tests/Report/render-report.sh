#!/usr/bin/env bash
# Renders a report.html to a PNG with headless Chromium, to look at it as a person would.
#   Tests/Report/render-report.sh FOLDER/report.html [OUT.png] [WIDTH] [HEIGHT]
# Debian: apt-get install -y chromium. The page is self-contained, so the render needs no network;
# --no-sandbox is needed when running as root (CI containers).
set -euo pipefail
page=${1:?usage: render-report.sh FOLDER/report.html [OUT.png] [WIDTH] [HEIGHT]}
out=${2:-${page%.html}.png}
width=${3:-1280}
height=${4:-4000}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "render-report.sh: no chromium on PATH (Debian: apt-get install -y chromium)" >&2; exit 1; }
[ -f "$page" ] || { echo "render-report.sh: $page: no such file" >&2; exit 1; }
abs=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --disable-dev-shm-usage \
  --window-size="$width,$height" --screenshot="$(realpath -m "$out")" "file://$abs" 2>/dev/null
echo "rendered $page to $out (${width}x${height})"
