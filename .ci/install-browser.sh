#!/usr/bin/env bash
# Install Debian's chromium for the browser test (Playwright drives it by its executable path:
# Playwright's own browser download cannot work here). Quiet, and always exits 0: where no
# browser can be installed, tests/test_browser.py skips and says why.
set -u

for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
        echo "browser: $(command -v "$name")" >&2
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser: no apt-get here; install chromium yourself (or set NEWSQA_CHROMIUM)" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "browser: not root and no password-less sudo; cannot apt-get install chromium" >&2
        exit 0
    fi
fi

log="$(mktemp -t newsqa-chromium.XXXXXX.log)"
echo "browser: installing chromium with apt-get (log: $log)..." >&2
if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 &&
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        chromium >>"$log" 2>&1; then
    echo "browser: installed $(command -v chromium)" >&2
else
    echo "browser: apt-get install chromium failed (see $log); the browser test will skip" >&2
fi
exit 0
