"""docs/architecture.md names every module of the three packages, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "assistant", "newsqa")


def test_architecture_names_every_module_and_no_missing_one() -> None:
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `((?:index|assistant|newsqa)/[\w/]+\.py)` \| \S", doc, re.M))
    modules = {f"{pkg}/{p.name}" for pkg in PACKAGES for p in (REPO / pkg).glob("*.py")}
    assert not modules - table, f"modules without a row in the module table: {modules - table}"
    named = set(re.findall(r"`((?:index|assistant|newsqa|tests|benchmarks)/[\w/.]+\.\w+)`", doc))
    gone = {n for n in named if not (REPO / n).exists()}
    assert not gone, f"docs/architecture.md names files that do not exist: {gone}"
