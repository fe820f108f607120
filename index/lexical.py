"""The store's lexical (BM25) index over chunk texts, kept beside Chroma in the store directory.

Dense vectors miss rare names, numbers and exact words; BM25 finds them. bm25s (sparse matrices,
saved as .npy files) is rebuilt from the chunks after every change to the store and tagged with
the store version it reflects, so a reader can tell when it is stale.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# bm25s's English list has only 33 words; questions need the usual function words gone too.
_STOP = frozenset(STOPWORDS_EN) | frozenset(
    """a about above according after again against all also am an and any are as ask asked at be
because been before being below between both but by can could did do does doing down
during each few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself just many me more most much my myself no nor not now
of off on once only or other our ours ourselves out over own said same say says she should
so some such tell than that the their theirs them themselves then there these they this
those through to told too under until up very was we were what when where which while who
whom whose why will with would yes you your yours yourself yourselves""".split()
)
DIRNAME = "lexical"


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed words and whole numbers ("1.92", "15%"), minus stop words."""
    words = [w for w in _TOKEN.findall(text.lower().replace("’", "'")) if w not in _STOP]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    return _stemmer().stemWords(words)


class LexicalIndex:
    """BM25 over chunk ids; ``search`` returns (chunk id, score) best first."""

    def __init__(self, ids: list[str], model: bm25s.BM25 | None, version: int) -> None:
        self.ids = ids
        self.model = model
        self.version = version

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], version: int) -> LexicalIndex:
        if not ids:
            return cls([], None, version)
        model = bm25s.BM25()
        model.index([tokenize(t) or ["\x00"] for t in texts], show_progress=False)
        return cls(list(ids), model, version)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = tokenize(query)
        if self.model is None or not tokens:
            return []
        vocab = self.model.vocab_dict
        tokens = [t for t in tokens if t in vocab]
        if not tokens:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.model.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [
            (self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def save(self, store_dir: Path) -> None:
        target = store_dir / DIRNAME
        tmp = store_dir / (DIRNAME + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(
            json.dumps({"version": self.version, "ids": self.ids}), encoding="utf-8"
        )
        shutil.rmtree(target, ignore_errors=True)
        tmp.replace(target)

    @classmethod
    def load(cls, store_dir: Path) -> LexicalIndex | None:
        """The saved index, or None if there is none or it cannot be read."""
        target = store_dir / DIRNAME
        try:
            meta = json.loads((target / "ids.json").read_text(encoding="utf-8"))
            model = (
                bm25s.BM25.load(str(target), mmap=False, show_progress=False)
                if meta["ids"]
                else None
            )
        except (OSError, ValueError, KeyError):
            return None
        return cls(meta["ids"], model, int(meta["version"]))


def idf(index: LexicalIndex, tokens: Sequence[str]) -> np.ndarray:
    """Inverse document frequency of each stemmed token in the indexed chunks (0 if unseen)."""
    n = max(len(index.ids), 1)
    out = np.zeros(len(tokens), dtype=np.float32)
    if index.model is None:
        return out
    vocab = index.model.vocab_dict
    indptr = index.model.scores["indptr"]
    for i, t in enumerate(tokens):
        j = vocab.get(t)
        df = int(indptr[j + 1] - indptr[j]) if j is not None else 0
        out[i] = np.log(1 + (n - df + 0.5) / (df + 0.5))
    return out
