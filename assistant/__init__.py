"""Answering: hybrid retrieval over the store, grounded answers with citations, chat history."""
