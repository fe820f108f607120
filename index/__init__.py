"""Ingestion: load articles, clean, chunk, embed and keep a Chroma store in step with them.

Nothing here imports ``assistant``: this package defines the store, the assistant reads it.
"""

import os
import sys

# Before torch, transformers or Chroma are imported (anything of newsqa imports this first):
# nothing may try the network, and OpenMP threads sleep rather than spin when idle. Spinning
# threads make a 2-core machine shared with anything else (Chroma's writer thread, the app's
# other requests, other programs) stall: a question took 600-900 ms to embed instead of 25-30,
# and indexing lost most of bf16's lead (benchmarks/results/ingest-*).
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": "PASSIVE",
}.items():
    os.environ.setdefault(_name, _value)

# OpenVINO's model converter (the embedding backend, index/embedding.py) reports usage to Google
# Analytics unless a consent file in the user's home says no. newsqa makes no network calls, so
# the telemetry package is made unimportable; OpenVINO then uses its own no-op stub.
sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]
