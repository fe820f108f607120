"""A deterministic synthetic news corpus of any size, for the scale benchmark (benchmarks/scale.py).

Embedding a million chunks takes hours on 2 cores, so only the base corpus is embedded, once,
by the indexer's own chunk-and-embed steps (``templates``); the vectors are cached as ``.npy``
files. Synthetic article ``i`` is template ``i mod n`` with:

- its person names swapped among the corpus's person names (the words of the speakers the
  statement extractor found), one consistent swap per article, for a name of the same length;
- its numbers shifted digit by digit (a per-article permutation of 1-9, 0 kept: no leading
  zeros appear);
- its chunk and sentence vectors perturbed by Gaussian noise (cosine about 0.98 to the real
  vector) and renormalised.

Same-length swaps keep every offset exact (chunks, sentences, statements), so each synthetic
article is stored as the indexer would store that text, without re-chunking. Everything is a
function of ``(seed, i)``: the same call gives the same article in any process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from newsqa.index.articles import Article, content_hash
from newsqa.index.names import name_key
from newsqa.index.statements import Statement
from newsqa.index.store import NewArticle, NewChunk

NOISE = 0.01  # per dimension: |noise| about 0.2 over 384 dimensions, cosine about 0.98
NAME_WORD = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
DIGIT = re.compile(r"[0-9]")
CACHE_VERSION = 1


@dataclass
class Template:
    """One real article as the indexer stores it: chunks with vectors, and statements."""

    source: str
    title: str
    text: str
    date: str = ""
    url: str = ""
    chunks: list[NewChunk] = field(default_factory=list)
    statements: list[Any] = field(default_factory=list)


def embed_templates(
    files: Sequence[Path], embedder: Any, settings: Any, group: int = 48
) -> list[Template]:
    """Load, chunk and embed ``files`` exactly as ``newsqa index`` does (the indexer's own
    ``_start``/``_rows`` steps, headline prefix and late-chunked sentence vectors included),
    without writing a store."""
    from newsqa.index.indexer import Indexer
    from newsqa.index.loaders import load

    indexer = Indexer(None, embedder, settings)  # type: ignore[arg-type]  # never writes
    articles = [a for a in load(files, settings.max_file_bytes) if isinstance(a, Article)]
    out: list[Template] = []
    for g in range(0, len(articles), group):
        _, rows, _ = indexer._rows(indexer._start(articles[g : g + group]), {})
        out.extend(
            Template(r.source, r.title, r.text, r.date, r.url, r.chunks, r.statements) for r in rows
        )
    return out


def cache_key(files: Sequence[Path], embedder_description: str, settings: Any) -> str:
    """What the cached vectors depend on: the files, the model and precision, the chunking."""
    h = hashlib.sha256()
    for part in (
        CACHE_VERSION,
        embedder_description,
        settings.chunk_tokens,
        settings.chunk_overlap_tokens,
    ):
        h.update(f"{part}\x00".encode())
    for f in files:
        h.update(f"{f.name}:{f.stat().st_size}\x00".encode())
    return h.hexdigest()[:16]


def save_templates(templates: Sequence[Template], folder: Path) -> None:
    """Chunk vectors and sentence vectors as ``.npy``, the rest as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "chunk_vectors.npy", np.stack([c.vector for t in templates for c in t.chunks]))
    np.save(
        folder / "sentence_vectors.npy",
        np.concatenate([c.sentence_vectors for t in templates for c in t.chunks]),
    )
    meta = [
        {
            "source": t.source,
            "title": t.title,
            "text": t.text,
            "date": t.date,
            "url": t.url,
            "chunks": [[c.start, c.end, [list(s) for s in c.spans]] for c in t.chunks],
            "statements": [dataclasses.asdict(s) for s in t.statements],
        }
        for t in templates
    ]
    (folder / "templates.json").write_text(json.dumps(meta), encoding="utf-8")


def load_templates(folder: Path) -> list[Template]:
    """The templates ``save_templates`` wrote."""
    vectors = np.load(folder / "chunk_vectors.npy")
    sentences = np.load(folder / "sentence_vectors.npy")
    meta = json.loads((folder / "templates.json").read_text(encoding="utf-8"))
    out, c, s = [], 0, 0
    for m in meta:
        chunks = []
        for start, end, spans in m["chunks"]:
            n = len(spans)
            chunks.append(
                NewChunk(start, end, vectors[c], [tuple(x) for x in spans], sentences[s : s + n])
            )
            c, s = c + 1, s + n
        statements = [Statement(**x) for x in m["statements"]]
        out.append(
            Template(m["source"], m["title"], m["text"], m["date"], m["url"], chunks, statements)
        )
    return out


def cached_templates(
    files: Sequence[Path], embedder: Any, settings: Any, cache_dir: Path
) -> tuple[list[Template], float | None]:
    """Templates from the cache, or embedded and cached; with the seconds embedding took
    (None when they came from the cache)."""
    import time

    folder = cache_dir / cache_key(files, embedder.describe(), settings)
    if (folder / "templates.json").exists():
        return load_templates(folder), None
    started = time.perf_counter()
    templates = embed_templates(files, embedder, settings)
    seconds = time.perf_counter() - started
    save_templates(templates, folder)
    return templates, seconds


def name_pool(templates: Sequence[Template]) -> dict[int, list[str]]:
    """The words of the corpus's person names (its statements' speakers), by length."""
    words: dict[int, set[str]] = {}
    for t in templates:
        for s in t.statements:
            for w in NAME_WORD.findall(s.speaker):
                words.setdefault(len(w), set()).add(w)
    return {n: sorted(ws) for n, ws in words.items()}


def _noisy(v: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    x = v + rng.normal(0.0, noise, v.shape).astype(np.float32)
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


class SyntheticCorpus:
    """Article ``i`` of the synthetic corpus, for any ``i``; deterministic in ``(seed, i)``."""

    def __init__(self, templates: Sequence[Template], seed: int = 0, noise: float = NOISE) -> None:
        if not templates:
            raise ValueError("no templates")
        self.templates = list(templates)
        self.seed = seed
        self.noise = noise
        self.pool = name_pool(self.templates)
        self._names = {w for ws in self.pool.values() for w in ws}

    def perturbation(self, i: int) -> tuple[dict[str, str], str]:
        """Article ``i``'s name swap (word -> word) and digit map (a str.translate table)."""
        t = self.templates[i % len(self.templates)]
        rnd = random.Random(f"{self.seed}:{i}")
        swap = {}
        for w in sorted(set(NAME_WORD.findall(t.text + "\n" + t.title)) & self._names):
            others = [x for x in self.pool[len(w)] if x != w]
            swap[w] = rnd.choice(others) if others else w
        digits = list("123456789")
        rnd.shuffle(digits)
        return swap, "0" + "".join(digits)

    def article(self, i: int) -> NewArticle:
        """Synthetic article ``i``, ready for ``Store.save``."""
        t = self.templates[i % len(self.templates)]
        swap, digits = self.perturbation(i)
        table = str.maketrans("0123456789", digits)

        def perturb(text: str) -> str:
            return NAME_WORD.sub(lambda m: swap.get(m.group(0), m.group(0)), text).translate(table)

        text, title = perturb(t.text), perturb(t.title)
        rng = np.random.default_rng([self.seed, i])
        chunks = [
            NewChunk(
                c.start,
                c.end,
                _noisy(c.vector, rng, self.noise),
                c.spans,
                _noisy(c.sentence_vectors, rng, self.noise),
            )
            for c in t.chunks
        ]
        statements = [
            dataclasses.replace(
                s,
                speaker=perturb(s.speaker),
                speaker_key=name_key(perturb(s.speaker)),
                role=perturb(s.role),
                organisation=perturb(s.organisation),
                text=perturb(s.text),
            )
            for s in t.statements
        ]
        key = f"synthetic:{self.seed}:{i}"
        return NewArticle(
            id=content_hash(key, title, text),
            source=f"synthetic/{self.seed}/{i:07d}.txt",
            key=key,
            path="",
            title=title,
            text=text,
            date=t.date,
            url="",
            chunks=chunks,
            statements=statements,
        )

    def articles(self, start: int = 0) -> Iterator[NewArticle]:
        """Articles ``start``, ``start + 1``, ... without end."""
        i = start
        while True:
            yield self.article(i)
            i += 1
