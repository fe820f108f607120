"""The app-only install (``./newsqa.sh``: ``pip install -e .`` with no extras) has what the
loaders import, for every file type.

Building a real venv per test session would mean installing torch, OpenVINO and Chroma again
(minutes of CPU on a shared 2-core machine, several GB). This check is as strict and cheap: the
loaders run on one file of every type in a fresh interpreter, and every distribution whose
modules that imported must be reachable from ``[project] dependencies`` through the installed
packages' own requirements (markers and extras evaluated as pip would, the test extra excluded).
An import that only the test extra brings (as ``lxml_html_clean`` was for trafilatura's HTML
path) fails it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]

LOAD_EVERY_TYPE = r"""
import json, sys, tempfile
from pathlib import Path
from importlib import metadata
from newsqa.index.articles import Article
from newsqa.index.loaders import load

body = " ".join(f"Sentence {i} of the story about the harbour reopening." for i in range(30))
d = Path(tempfile.mkdtemp())
(d / "a.txt").write_text("Title\n\n" + body)
(d / "b.md").write_text("# Title\n\n" + body)
(d / "c.html").write_text(
    "<html><head><title>Harbour</title>"
    '<meta property="article:published_time" content="2024-02-27"></head>'
    f"<body><article><h1>Harbour</h1><p>{body}</p></article></body></html>"
)
(d / "d.json").write_text(json.dumps({"title": "T", "text": body, "date": "27 Feb 2024"}))
(d / "e.jsonl").write_text(json.dumps({"title": "T", "text": body + " more"}) + "\n")
items = list(load([d], 10_000_000))
assert all(isinstance(i, Article) for i in items), items
roots = {name.split(".")[0] for name in sys.modules}
dists = metadata.packages_distributions()
print(json.dumps(sorted({dist for root in roots for dist in dists.get(root, [])})))
"""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def core_closure(extras: tuple[str, ...] = ()) -> set[str]:
    """Normalised names of every distribution ``pip install -e .[extras]`` brings, read from
    the installed packages' metadata."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    roots = list(project["dependencies"])
    for extra in extras:
        roots += project["optional-dependencies"][extra]
    visited: set[tuple[str, str]] = set()  # (distribution, extra or "")
    todo = [Requirement(r) for r in roots]
    while todo:
        req = todo.pop()
        name = _norm(req.name)
        new = {(name, e) for e in ("", *req.extras)} - visited
        if not new:
            continue
        visited |= new
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue  # a marker-less requirement for another platform, say
        for raw in dist.requires or []:
            sub = Requirement(raw)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for _, e in new):
                todo.append(sub)
    return {name for name, _ in visited}


def test_the_closure_tells_core_from_test_only() -> None:
    core = core_closure()
    assert {"trafilatura", "lxml-html-clean", "chromadb", "torch"} <= core
    assert "pytest" not in core and "playwright" not in core
    assert "pytest" in core_closure(("test",))


@pytest.mark.slow  # a fresh process imports every loader
def test_the_loaders_need_nothing_beyond_the_core_dependencies() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_EVERY_TYPE],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    used = {_norm(d) for d in json.loads(proc.stdout.strip().splitlines()[-1])}
    assert "lxml-html-clean" in used, "the HTML path no longer imports lxml_html_clean?"
    missing = used - core_closure() - {"newsqa"}
    assert not missing, f"imported by the loaders but not in the core dependencies: {missing}"
