"""LangChain's standard test suites (langchain-tests) for the pieces newsqa exposes as LangChain
components: the retriever, the embeddings and the in-process chat model.

The retriever runs over a real store on a temp dir with the fake embedder (fast); the
embeddings' integration suite loads the real model (``integration``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeEmbedder
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests
from newsqa.assistant.llm import LlamaCppChatModel
from newsqa.assistant.retrieval import HybridRetriever
from newsqa.index.embedding import Embedder
from newsqa.index.settings import Settings

STORIES = {
    "trams": "Glimmerton trams return\n\nTrams returned to Glimmerton on Saturday. The council "
    "said the line cost 96 million pounds. Passengers cheered the first tram.",
    "ferry": "Ferry crews strike\n\nFerry workers in Port Zorbex walked out on Monday. The union "
    "said 312 crew members joined. Crossings to the islands stopped.",
    "bakery": "Gloxin bakery opens\n\nThe Gloxin bakery opened on Friday. Its owner said the "
    "tram stop outside brought customers. Queues formed before dawn.",
    "regatta": "Quillon regatta cancelled\n\nThe Quillon regatta was cancelled after storms. "
    "Organisers said 47 boats had entered. The tram to the harbour ran empty.",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from newsqa.index.indexer import Indexer
    from newsqa.index.store import Store

    root = tmp_path_factory.mktemp("standard")
    folder = root / "articles"
    folder.mkdir()
    for name, text in STORIES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    settings = Settings(store=root / "store", sample_dir=None)
    with Store(settings.store, write=True) as st:
        Indexer(st, FakeEmbedder(), settings).index_paths([folder])
    with Store(settings.store, write=False) as st:
        yield st


class TestHybridRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _store(self, store: Any) -> None:
        self._open_store = store

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"store": self._open_store, "embedder": FakeEmbedder()}

    @property
    def retriever_query_example(self) -> str:
        return "tram"


class TestEmbedderUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[Embedder]:
        return Embedder

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"backend": "auto", "precision": "auto"}


@pytest.mark.integration
class TestEmbedderIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[Embedder]:
        return Embedder

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {}


class TestLlamaCppChatModelUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[LlamaCppChatModel]:
        return LlamaCppChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        # Nothing is loaded until the first call, so no model file is needed here.
        return {"model_path": str(Path("/nonexistent/SmolLM2-135M-Instruct.gguf"))}
