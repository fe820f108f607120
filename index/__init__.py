"""Ingestion: load articles, clean, chunk, embed and keep a Chroma store in step with them.

Nothing here imports ``assistant``: this package defines the store, the assistant reads it.
Importing it changes nothing in the process: the entry points call
``newsqa.index.settings.apply_process_defaults()`` (offline model hub, sleeping OpenMP threads,
no telemetry) before torch, OpenVINO or Chroma are imported.
"""
