#!/usr/bin/env bash
# The whole test suite (what CI runs via .ci/run). Installs what the browser test of the chat console needs first,
# idempotently: Chromium (Debian package, only when root; otherwise it says what to install) and playwright-core
# (npm ci in e2e/). Extra arguments go to Maven, e.g. `bash scripts/test.sh -pl server -Dtest=BrowserConsoleTest`.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "scripts/test.sh: installing ${missing[*]} (apt)"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    echo "scripts/test.sh: the browser test needs ${missing[*]}: sudo apt-get install -y ${missing[*]}" >&2
    echo "scripts/test.sh: (or set SPEECHBOT_SKIP_BROWSER_TEST=1 to skip that one test on purpose)" >&2
  fi
fi

if command -v npm >/dev/null 2>&1; then
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

exec mvn -B -ntp verify "$@"
