#!/usr/bin/env bash
# Start a real Chroma server (`chroma run` from .venv) on loopback with a temp data path, for the
# tests that need one (tests/test_server_store.py). Prints `URL PID DATA_DIR` once the server
# answers its heartbeat; the caller stops it with `kill PID` and removes DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
data="$(mktemp -d "${TMPDIR:-/tmp}/newsqa-chroma.XXXXXX")"
.venv/bin/chroma run --host 127.0.0.1 --port "$port" --path "$data" >"$data.log" 2>&1 &
pid=$!
for _ in $(seq 120); do
    if .venv/bin/python -c "import sys, urllib.request
urllib.request.urlopen('http://127.0.0.1:$port/api/v2/heartbeat', timeout=2)" 2>/dev/null; then
        echo "http://127.0.0.1:$port $pid $data"
        exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
done
echo "chroma run did not start on 127.0.0.1:$port:" >&2
tail -20 "$data.log" >&2 || true
kill "$pid" 2>/dev/null || true
rm -rf "$data" "$data.log"
exit 1
