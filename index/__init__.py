"""Ingestion: load articles, clean, chunk, embed and keep a Chroma store in step with them.

Nothing here imports ``assistant``: this package defines the store, the assistant reads it.
"""
