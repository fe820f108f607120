"""Lexical retrieval at scale: today's FTS5 query against two bounded routes, side by side.

Usage (from the repo root)::

    python benchmarks/lexical_scale.py --sizes 300k,1m --work-dir /tmp/lexscale \\
        --out-dir benchmarks/results/lexical-scale

Issue 14 sets retrieval p50 <= 50 ms at 1M chunks; the lexical side (FTS5's ``bm25()`` over an
OR of the question's terms, which scores every chunk holding any term) grows linearly and
misses it (docs/scale.md). This benchmark times the lexical search alone, without Chroma or the
model, on indexes of the synthetic corpus's chunk bodies:

- ``fts5``: today's query, ``LexicalIndex.search`` (index/lexical.py) on an FTS5 table built as
  the store builds it (the same schema and tokens, one transaction per 48 articles as
  ``Store.save`` writes, no ``optimize``);
- ``two-stage`` (route a): candidates = the best ``--candidates`` chunks by FTS5's ``bm25()``
  over the question's terms held by at most ``--share`` of the chunks (the rarest term if none
  is), then FTS5's BM25 formula (k1 1.2, b 0.75) computed over those candidates' rows with every
  term: document frequencies from ``chunks_vocab``, the average length from a running token
  total kept in ``meta`` (as ``chunk_count`` is);
- ``tantivy`` (route b): a tantivy index of the same bodies (whitespace tokenizer: the bodies are
  already this module's tokens), an OR of term queries, top-k by block-max WAND
  (``count=False``), chunk rowids from a fast field, chunk ids from the catalogue as today;
- ``tantivy+exact M``: tantivy's best M, re-scored with FTS5's formula (today's scores and order
  wherever today's best are among the M);
- ``store (fts5 + follower)``: what index/lexical.py ships, run on the same catalogue: FTS5 plus
  its tantivy follower in ``lexical-tantivy/`` beside it, built from every row by the first
  search (``follower_build_s``), then tantivy+exact 100. Afterwards ``--edits`` edits (one
  article's 3 rows deleted and inserted anew in one transaction, as ``Store.save`` does), each
  followed by a search, which first brings the follower up to date: ``edit_then_search``.

The corpus is ``benchmarks/synthetic.py``'s: BBC article ``i mod n`` with its person names
swapped and digits permuted (the same ``SyntheticCorpus.perturbation``), read from a store
catalogue of the whole corpus (``--catalogue``, opened read-only) instead of re-embedding it:
only the texts matter here. Each size is a fresh FTS5 database and tantivy index under
``--work-dir``, deleted afterwards unless ``--keep``.

Timing: the stand-alone questions of tests/eval/qa.json, each asked of every route in turn (the
order rotating from question to question) for ``--rounds`` rounds after 3 warm-up questions, so
the routes share the machine's load; p50/p95 per route, k = the retriever's depth (40).
Agreement with today's ranking: the share of questions whose top-5 holds the same *template*
chunks as FTS5's (synthetic copies of one BBC chunk tie, so chunk ids are compared through the
chunk they copy), and the same first one.

hit@5 (``--hits``): each route as the lexical index of a copy of a real store of the whole
corpus (``--hits-store``, only read) under ``retrieval_hits`` as ``newsqa eval`` computes it,
lexical and hybrid, on the seven BBC sets (loads the embedding model).

Hybrid (``--hybrid SIZE``): a real store of SIZE chunks written through ``Store.save``
(benchmarks/scale.py's ``fill``: Chroma, catalogue, FTS5; the model embeds the BBC corpus once,
cached) and ``HybridRetriever.search`` as ``newsqa ask`` runs it, the shipped lexical index and
FTS5 alone alternating question by question; the store is deleted afterwards (about 5 GB at
300k, 17 GB at 1M).

Needs ``tantivy`` (``pip install 'tantivy>=0.27'``). Writes ``<out-dir>/lexical_scale.json``
(rows merged by size) and ``lexical_scale.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from newsqa.index.settings import apply_process_defaults  # noqa: E402

apply_process_defaults()

from newsqa.index import lexical  # noqa: E402
from newsqa.index.embedding import cpu_description  # noqa: E402

K = 40  # assistant/retrieval.py DEPTH: what the hybrid retriever asks of the lexical index
GROUP = 48  # articles per transaction, as the indexer writes
BBC_SETS = ("qa", "check", "fresh", "multi", "blind", "holdout", "unseen")
K1, B = 1.2, 0.75


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def parse_size(s: str) -> int:
    s = s.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(s[-1], 1)
    return int(float(s.rstrip("km")) * mult)


# --- corpus -------------------------------------------------------------------------------


def templates(catalogue: Path) -> list:
    """The BBC articles of a store catalogue as ``synthetic.Template``s (texts only)."""
    from synthetic import Template

    conn = sqlite3.connect(f"file:{catalogue}?mode=ro", uri=True)
    arts = conn.execute(
        "SELECT id, source, title, text FROM articles WHERE source LIKE '%/bbc/%' ORDER BY source"
    ).fetchall()
    out = []
    for aid, source, title, text in arts:
        chunks = conn.execute(
            "SELECT start_at, end_at FROM chunks WHERE article_id = ? ORDER BY position", (aid,)
        ).fetchall()
        speakers = conn.execute("SELECT speaker FROM statements WHERE article_id = ?", (aid,))
        t = Template(source, title, text)
        t.chunks = chunks  # (start, end) only
        t.statements = [SimpleNamespace(speaker=s) for (s,) in speakers]
        out.append(t)
    conn.close()
    return out


def synthetic_rows(corpus, n_rows: int):
    """(article index, template chunk index, body) of the synthetic corpus, whole articles,
    until at least ``n_rows`` rows."""
    from synthetic import NAME_WORD

    offsets, total = [], 0
    for t in corpus.templates:
        offsets.append(total)
        total += len(t.chunks)
    rows, i = 0, 0
    while rows < n_rows:
        t = corpus.templates[i % len(corpus.templates)]
        swap, digits = corpus.perturbation(i)
        table = str.maketrans("0123456789", digits)

        def perturb(text: str, swap=swap, table=table) -> str:
            return NAME_WORD.sub(lambda m: swap.get(m.group(0), m.group(0)), text).translate(table)

        text, title = perturb(t.text), perturb(t.title)
        base = offsets[i % len(corpus.templates)]
        for pos, (start, end) in enumerate(t.chunks):
            yield i, base + pos, lexical.body(title, text[start:end])
        rows += len(t.chunks)
        i += 1


# --- indexes ------------------------------------------------------------------------------


def tantivy_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_integer_field("rid", indexed=True, fast=True)
    return sb.build()


class Builders:
    """An FTS5 catalogue (store schema) and a tantivy index of the same rows, built together."""

    def __init__(self, folder: Path) -> None:
        import tantivy

        folder.mkdir(parents=True, exist_ok=True)
        self.db = folder / "catalog.sqlite"
        self.tv = folder / "tantivy"
        self.tv.mkdir()
        self.conn = sqlite3.connect(self.db, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")  # build speed only; reads are unaffected
        self.conn.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
            " base INTEGER NOT NULL);" + lexical.SCHEMA
        )
        self.conn.execute("INSERT INTO meta VALUES ('chunk_count', 0), ('token_total', 0)")
        self.index = tantivy.Index(tantivy_schema(), path=str(self.tv))
        self.writer = self.index.writer(200_000_000, 1)
        self.pending: list[tuple[int, int, str]] = []
        self.article = -1
        self.articles = 0
        self.rows = 0
        self.fts_s = self.tv_s = 0.0

    def add(self, article: int, base: int, body: str) -> None:
        if article != self.article:
            self.article = article
            self.articles += 1
            if self.articles % GROUP == 0:
                self.flush()
        self.rows += 1
        self.pending.append((self.rows, base, body))

    def flush(self) -> None:
        import tantivy

        if not self.pending:
            return
        t = time.perf_counter()
        c = self.conn
        c.execute("BEGIN")
        c.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?)", ((r, f"c{r}", b) for r, b, _ in self.pending)
        )
        lexical.insert_rows(c, ((r, body) for r, _, body in self.pending))
        tokens = sum(body.count(" ") + 1 for _, _, body in self.pending if body)
        c.execute(
            "UPDATE meta SET value = value + ? WHERE key = 'chunk_count'", (len(self.pending),)
        )
        c.execute("UPDATE meta SET value = value + ? WHERE key = 'token_total'", (tokens,))
        c.execute("COMMIT")
        self.fts_s += time.perf_counter() - t
        t = time.perf_counter()
        for r, _, body in self.pending:
            d = tantivy.Document()
            d.add_text("body", body)
            d.add_integer("rid", r)
            self.writer.add_document(d)
        self.tv_s += time.perf_counter() - t
        self.pending = []

    def close(self) -> dict:
        self.flush()
        t = time.perf_counter()
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.tv_s += time.perf_counter() - t
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
        return {
            "rows": self.rows,
            "articles": self.articles,
            "fts5_build_s": round(self.fts_s, 1),
            "tantivy_build_s": round(self.tv_s, 1),
            "fts5_mb": round(du(self.db.parent) - du(self.tv), 1),
            "tantivy_mb": round(du(self.tv), 1),
        }


def du(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# --- the routes ---------------------------------------------------------------------------


class TwoStage(lexical.LexicalIndex):
    """Route (a): bounded candidates from the rare terms, then exact BM25 with every term."""

    def __init__(self, connect, share: float, candidates: int, token_total: int | None = None):
        super().__init__(connect)
        self.share = share
        self.candidates = candidates
        self.token_total = token_total  # else meta's running total

    def search(self, query, k, *, since=None, until=None):
        if since or until:
            return super().search(query, k, since=since, until=until)
        tokens = list(dict.fromkeys(lexical.tokenize(query)))
        if self._connect is None or not tokens or k <= 0:
            return []
        conn = self._connect()
        n, dfs = self.doc_freqs(tokens)
        seen = [t for t in tokens if dfs.get(t)]
        if not seen or not n:
            return []
        rare = [t for t in seen if dfs[t] <= self.share * n] or [min(seen, key=dfs.get)]
        got = conn.execute(
            "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
            (lexical._match(rare), self.candidates),
        )
        cands = [r for (r,) in got]
        return _with_ids(conn, exact_bm25(conn, n, dfs, seen, cands, k, self.token_total))


def exact_bm25(conn, n, dfs, seen, cands, k, token_total=None) -> list[tuple[float, int]]:
    """FTS5's ``bm25()`` (k1 1.2, b 0.75, its idf) of candidate rows, computed from their bodies:
    the ``k`` best as (score, rowid)."""
    if token_total is None:
        row = conn.execute("SELECT value FROM meta WHERE key = 'token_total'").fetchone()
        token_total = int(row[0])
    avgdl = token_total / n
    idf = {t: max(math.log((n - dfs[t] + 0.5) / (dfs[t] + 0.5)), 1e-6) for t in seen}
    scored = []
    marks = ",".join("?" * len(cands))
    for rowid, text in conn.execute(
        f"SELECT rowid, body FROM chunks_fts WHERE rowid IN ({marks})", cands
    ):
        words = text.split()
        tf = Counter(words)
        norm = K1 * (1 - B + B * len(words) / avgdl)
        s = sum(w * tf[t] * (K1 + 1) / (tf[t] + norm) for t, w in idf.items() if tf[t])
        scored.append((s, rowid))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored[:k]


def _with_ids(conn, top: list[tuple[float, int]]) -> list[tuple[str, float]]:
    if not top:
        return []
    marks = ",".join("?" * len(top))
    ids = dict(
        conn.execute(f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks})", [r for _, r in top])
    )
    return [(ids[r], float(s)) for s, r in top if r in ids and s > 0]


class Tantivy(lexical.LexicalIndex):
    """Route (b): tantivy's top-k (block-max WAND) over the same bodies; ids from the catalogue."""

    def __init__(self, connect, folder: Path) -> None:
        import tantivy

        super().__init__(connect)
        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(folder))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def search(self, query, k, *, since=None, until=None):
        if since or until:
            return super().search(query, k, since=since, until=until)
        tokens = list(dict.fromkeys(lexical.tokenize(query)))
        if self._connect is None or not tokens or k <= 0:
            return []
        tv = self.tantivy
        q = tv.Query.boolean_query(
            [(tv.Occur.Should, tv.Query.term_query(self.schema, "body", t)) for t in tokens]
        )
        hits = self.searcher.search(q, k, count=False).hits
        if not hits:
            return []
        rids = self.searcher.fast_field_values("rid", [a for _, a in hits])
        return _with_ids(self._connect(), [(s, r) for (s, _), r in zip(hits, rids, strict=True)])


class TantivyExact(Tantivy):
    """Route (b'): tantivy's top ``candidates``, re-scored exactly with FTS5's formula (so the
    scores and ranking are today's wherever today's best are among the candidates)."""

    def __init__(self, connect, folder: Path, candidates: int, token_total: int | None = None):
        super().__init__(connect, folder)
        self.candidates = candidates
        self.token_total = token_total

    def search(self, query, k, *, since=None, until=None):
        if since or until:
            return lexical.LexicalIndex.search(self, query, k, since=since, until=until)
        tokens = list(dict.fromkeys(lexical.tokenize(query)))
        if self._connect is None or not tokens or k <= 0:
            return []
        tv = self.tantivy
        q = tv.Query.boolean_query(
            [(tv.Occur.Should, tv.Query.term_query(self.schema, "body", t)) for t in tokens]
        )
        hits = self.searcher.search(q, max(k, self.candidates), count=False).hits
        if not hits:
            return []
        cands = self.searcher.fast_field_values("rid", [a for _, a in hits])
        conn = self._connect()
        n, dfs = self.doc_freqs(tokens)
        seen = [t for t in tokens if dfs.get(t)]
        return _with_ids(conn, exact_bm25(conn, n, dfs, seen, cands, k, self.token_total))


# --- measuring ----------------------------------------------------------------------------


def questions() -> list[str]:
    items = json.loads((REPO / "tests" / "eval" / "qa.json").read_text(encoding="utf-8"))
    return [i["question"] for i in items if not i.get("history")]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, max(0, math.ceil(p * len(xs)) - 1))], 1)


def measure(routes: dict, qs: list[str], rounds: int) -> dict:
    names = list(routes)
    for q in qs[:3]:
        for r in routes.values():
            r.search(q, K)
    times: dict[str, list[float]] = {n: [] for n in names}
    results: dict[str, list] = {n: [] for n in names}
    for rnd in range(rounds):
        for j, q in enumerate(qs):
            shift = (j + rnd) % len(names)
            for n in names[shift:] + names[:shift]:
                t = time.perf_counter()
                got = routes[n].search(q, K)
                times[n].append(1000 * (time.perf_counter() - t))
                if rnd == 0:
                    results[n].append(got)
    return {
        n: {"p50": pct(times[n], 0.5), "p95": pct(times[n], 0.95), "results": results[n]}
        for n in names
    }


def edits(db: Path, shipped, qs: list[str], n: int) -> dict:
    """One article replaced (its rows deleted and inserted anew, as ``Store.save`` does), then a
    search, which brings the follower up to date first; beside a search with no edit before."""
    rw = sqlite3.connect(db, isolation_level=None)
    after, plain = [], []
    for i in range(n):
        q = qs[i % len(qs)]
        t = time.perf_counter()
        shipped.search(q, K)
        plain.append(1000 * (time.perf_counter() - t))
        start = 1 + (i * 7919) % 1000
        rows = rw.execute(
            "SELECT rowid, body FROM chunks_fts WHERE rowid BETWEEN ? AND ?", (start, start + 2)
        ).fetchall()
        top = rw.execute("SELECT max(rowid) FROM chunks").fetchone()[0]
        rw.execute("BEGIN")
        lexical.delete_rows(rw, [r for r, _ in rows])
        new = [(top + j + 1, body) for j, (_, body) in enumerate(rows)]
        rw.executemany(
            "INSERT INTO chunks SELECT ?, ?, base FROM chunks WHERE rowid = ?",
            [(r, f"c{r}", old) for (r, _), (old, _) in zip(new, rows, strict=True)],
        )
        rw.executemany("DELETE FROM chunks WHERE rowid = ?", [(r,) for r, _ in rows])
        lexical.insert_rows(rw, new)
        rw.execute("COMMIT")
        t = time.perf_counter()
        shipped.search(q, K)
        after.append(1000 * (time.perf_counter() - t))
    rw.close()
    return {
        "edits": n,
        "search p50/p95 ms": [pct(plain, 0.5), pct(plain, 0.95)],
        "edit then search p50/p95 ms": [pct(after, 0.5), pct(after, 0.95)],
    }


def agreement(conn, ref: list, got: list) -> dict:
    """Top-5 template chunks equal to FTS5's, and the first one."""

    def bases(res):
        ids = [cid for cid, _ in res[:5]]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        b = dict(conn.execute(f"SELECT id, base FROM chunks WHERE id IN ({marks})", ids))
        return [b[i] for i in ids]

    same5 = same1 = 0
    for a, b in zip(ref, got, strict=True):
        ba, bb = bases(a), bases(b)
        same5 += set(ba) == set(bb)
        same1 += ba[:1] == bb[:1]
    return {"top5_same": round(same5 / len(ref), 3), "top1_same": round(same1 / len(ref), 3)}


def run_size(n_rows: int, corpus, args, qs: list[str]) -> dict:
    folder = args.work_dir / f"rows-{n_rows}"
    if folder.exists():
        shutil.rmtree(folder)
    row = {
        "size": n_rows,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "load_start": load(),
    }
    print(f"building {n_rows:,} rows in {folder}", flush=True)
    t = time.perf_counter()
    b = Builders(folder)
    for article, base, body in synthetic_rows(corpus, n_rows):
        b.add(article, base, body)
    row.update(b.close())
    row["build_s"] = round(time.perf_counter() - t, 1)
    print(f"built: {json.dumps(row)}", flush=True)
    conn = sqlite3.connect(f"file:{b.db}?mode=ro", uri=True, check_same_thread=False)
    routes = {"fts5": Fts5Only(lambda: conn)}
    for share, m in args.two_stage:
        routes[f"two-stage {share:g}/{m}"] = TwoStage(lambda: conn, share, m)
    routes["tantivy"] = Tantivy(lambda: conn, b.tv)
    for m in args.tantivy_exact:
        routes[f"tantivy+exact {m}"] = TantivyExact(lambda: conn, b.tv, m)
    row["tantivy_segments"] = routes["tantivy"].searcher.num_segments
    # The shipped index (index/lexical.py): FTS5 plus its tantivy follower beside the catalogue,
    # built from every row by the first search.
    shipped = lexical.LexicalIndex(lambda: conn)
    t = time.perf_counter()
    follower = shipped.follower()
    row["follower_build_s"] = round(time.perf_counter() - t, 1)
    if follower is not None:
        routes["store (fts5 + follower)"] = shipped
    got = measure(routes, qs, args.rounds)
    ref = got["fts5"]["results"]
    row["routes"] = {}
    for name, r in got.items():
        entry = {"p50": r["p50"], "p95": r["p95"]}
        if name != "fts5":
            entry.update(agreement(conn, ref, r["results"]))
        row["routes"][name] = entry
        print(f"{n_rows:,} {name}: {json.dumps(entry)}", flush=True)
    if follower is not None:  # after the agreement: edits replace rows
        row["edit_then_search"] = edits(b.db, shipped, qs, args.edits)
        print(f"{n_rows:,} one edit, then a search: {row['edit_then_search']}", flush=True)
    row["load_end"] = load()
    conn.close()
    if not args.keep:
        shutil.rmtree(folder)
    return row


class Fts5Only(lexical.LexicalIndex):
    """Today's query: FTS5's bm25() over every match, never the follower."""

    def follower(self):
        return None


def hits(args) -> dict:
    """hit@5 of each route as the lexical index of a copy of a real store (the original is only
    read): the copy is opened for writing, which gives its catalogue the follower's log."""
    from newsqa.assistant.chain import Assistant
    from newsqa.assistant.evaluation import load_set, retrieval_hits
    from newsqa.index.embedding import Embedder
    from newsqa.index.settings import Settings
    from newsqa.index.store import Store

    copy = args.work_dir / "hits-store"
    folder = args.work_dir / "hits-tantivy"
    for d in (copy, folder):
        if d.exists():
            shutil.rmtree(d)
    shutil.copytree(args.hits_store, copy)
    folder.mkdir(parents=True)
    cat = sqlite3.connect(f"file:{copy / 'catalog.sqlite'}?mode=ro", uri=True)
    import tantivy

    index = tantivy.Index(tantivy_schema(), path=str(folder))
    w = index.writer(100_000_000, 1)
    for rowid, body in cat.execute("SELECT rowid, body FROM chunks_fts"):
        d = tantivy.Document()
        d.add_text("body", body)
        d.add_integer("rid", rowid)
        w.add_document(d)
    w.commit()
    w.wait_merging_threads()
    # The store keeps no token total in its meta: counted here for the prototypes.
    total = sum(len(b.split()) for (b,) in cat.execute("SELECT body FROM chunks_fts"))
    cat.close()
    settings = Settings(store=copy, sample_dir=None)
    out: dict = {}
    with Store(copy, write=True) as store:
        assistant = Assistant(store, Embedder.from_settings(settings), settings)
        shipped = store.lexical
        connect = shipped._connect
        routes = {"fts5": Fts5Only(connect), "tantivy": Tantivy(connect, folder)}
        for m in args.tantivy_exact:
            routes[f"tantivy+exact {m}"] = TantivyExact(connect, folder, m, total)
        for share, m in args.two_stage:
            routes[f"two-stage {share:g}/{m}"] = TwoStage(connect, share, m, total)
        if shipped.follower() is not None:
            routes["store (fts5 + follower)"] = shipped
        for name in BBC_SETS:
            items = load_set(REPO / "tests" / "eval" / f"{name}.json")
            out[name] = {}
            for route, idx in routes.items():
                store.lexical = idx
                got = retrieval_hits(assistant, items, ("lexical", "hybrid"))
                out[name][route] = {m: round(v, 3) for m, v in got.items()}
            store.lexical = shipped
            print(f"hit@5 {name}: {json.dumps(out[name])}", flush=True)
    shutil.rmtree(folder)
    shutil.rmtree(copy)
    return out


def hybrid(args, qs: list[str]) -> dict:
    """Hybrid retrieval as ``newsqa ask`` runs it (``HybridRetriever.search``, k = top_k, the
    question embedded each time) in a real store of ``--hybrid`` chunks written through
    ``Store.save`` (benchmarks/scale.py's ``fill``: Chroma, catalogue, FTS5), with the shipped
    lexical index (FTS5 + follower) and with FTS5 alone, alternating question by question."""
    import newsqa.index.embedding as embedding_mod
    import scale
    from newsqa.assistant.chain import Assistant
    from newsqa.index.embedding import Embedder
    from newsqa.index.settings import Settings
    from newsqa.index.store import Store
    from synthetic import SyntheticCorpus, cached_templates

    target = parse_size(args.hybrid)
    embedder = Embedder.from_settings(Settings(sample_dir=None))
    files = sorted(scale.CORPUS.rglob("*.txt"))
    templates, _ = cached_templates(files, embedder, Settings(sample_dir=None), scale.CACHE_DIR)
    corpus = SyntheticCorpus(templates, seed=args.seed)
    path = args.work_dir / "hybrid-store"
    if path.exists():
        shutil.rmtree(path)
    row: dict = {
        "target": target,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "load_start": load(),
    }
    settings = Settings(store=path, sample_dir=None, llm="extractive")
    try:
        with Store(path, write=True) as store:
            chunks, write_s = scale.fill(store, corpus, target)
            row.update(chunks=store.chunk_count(), write_s=round(write_s, 1))
            print(f"hybrid: {chunks:,} chunks written in {write_s:.0f} s", flush=True)
            retriever = Assistant(store, embedder, settings).retriever
            k = settings.top_k
            shipped = store.lexical
            routes = {"store (fts5 + follower)": shipped, "fts5": Fts5Only(shipped._connect)}
            t = time.perf_counter()
            if shipped.follower() is None:
                raise SystemExit("no follower: is tantivy installed?")
            row["follower_build_s"] = round(time.perf_counter() - t, 1)
            for q in qs[:3]:
                for idx in routes.values():
                    store.lexical = idx
                    retriever.search(q, k, "hybrid")
            times: dict[str, list[float]] = {n: [] for n in routes}
            alone: dict[str, list[float]] = {n: [] for n in routes}
            same = 0
            for j, q in enumerate(qs):
                got = {}
                for name in list(routes)[:: 1 if j % 2 == 0 else -1]:
                    store.lexical = routes[name]
                    embedding_mod._cached_query_impl.cache_clear()
                    t = time.perf_counter()
                    got[name] = [d.id for d in retriever.search(q, k, "hybrid")]
                    times[name].append(1000 * (time.perf_counter() - t))
                    t = time.perf_counter()
                    routes[name].search(q, K)
                    alone[name].append(1000 * (time.perf_counter() - t))
                same += len({tuple(v) for v in got.values()}) == 1
            store.lexical = shipped
            row["routes"] = {
                n: {
                    "hybrid p50/p95 ms": [pct(times[n], 0.5), pct(times[n], 0.95)],
                    "lexical alone p50/p95 ms": [pct(alone[n], 0.5), pct(alone[n], 0.95)],
                }
                for n in routes
            }
            row["same_passages"] = round(same / len(qs), 3)
            row["store_mb"] = round(du(path), 1)
    finally:
        shutil.rmtree(path, ignore_errors=True)
    row["load_end"] = load()
    print(f"hybrid: {json.dumps(row)}", flush=True)
    return row


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def render(data: dict) -> str:
    lines = [
        "# Lexical search at scale: FTS5 today, two-stage (route a), tantivy (route b)",
        "",
        f"- CPU: {data['cpu']}",
        f"- commands: {'; '.join(f'`{c}`' for c in data['commands'])}",
        f"- k = {K}; p50/p95 over {data['questions']} stand-alone questions of qa.json x "
        f"{data['rounds']} rounds, routes in rotating order per question",
        "- agreement: share of questions whose top-5 (top-1) holds the same template chunks "
        "as FTS5's",
        "",
        "| rows | route | p50 ms | p95 ms | top-5 same | top-1 same | build s | MB | load |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in sorted(data["rows"].values(), key=lambda r: r["size"]):
        for name, r in row["routes"].items():
            build = {"fts5": row["fts5_build_s"], "tantivy": row["tantivy_build_s"]}.get(name, "")
            mb = {"fts5": row["fts5_mb"], "tantivy": row["tantivy_mb"]}.get(name, "")
            lines.append(
                f"| {row['rows']:,} | {name} | {r['p50']} | {r['p95']} | "
                f"{r.get('top5_same', '')} | {r.get('top1_same', '')} | {build} | {mb} | "
                f"{row['load_start']} -> {row['load_end']} |"
            )
    follow = [
        r for r in sorted(data["rows"].values(), key=lambda r: r["size"]) if "edit_then_search" in r
    ]
    if follow:
        lines += [
            "",
            "The shipped follower (index/lexical.py): built from every row by the first search, "
            "then one edit (an article's 3 rows replaced in one transaction) followed by a search, "
            "which brings the follower up to date first, beside a search with no edit before:",
            "",
            "| rows | follower build s | search p50/p95 ms | edit, then search p50/p95 ms |",
            "|---:|---:|---|---|",
        ]
        for r in follow:
            e = r["edit_then_search"]
            lines.append(
                f"| {r['rows']:,} | {r['follower_build_s']} | "
                f"{' / '.join(map(str, e['search p50/p95 ms']))} | "
                f"{' / '.join(map(str, e['edit then search p50/p95 ms']))} |"
            )
    if data.get("hybrid"):
        lines += [
            "",
            "Hybrid retrieval as `newsqa ask` runs it (k = top_k, the question embedded each time) "
            "in a real store written through `Store.save`, the two lexical indexes alternating "
            "question by question:",
            "",
            "| chunks | lexical index | hybrid p50 / p95 ms | lexical alone (k=40) p50 / p95 ms "
            "| same passages | load |",
            "|---:|---|---|---|---:|---|",
        ]
        for h in sorted(data["hybrid"].values(), key=lambda r: r["chunks"]):
            for name, r in h["routes"].items():
                lines.append(
                    f"| {h['chunks']:,} | {name} | "
                    f"{' / '.join(map(str, r['hybrid p50/p95 ms']))} | "
                    f"{' / '.join(map(str, r['lexical alone p50/p95 ms']))} | "
                    f"{h['same_passages']} | {h['load_start']} -> {h['load_end']} |"
                )
    if data.get("hits"):
        routes = list(next(iter(data["hits"].values())))
        lines += [
            "",
            "hit@5 on the BBC sets (whole-corpus store), lexical / hybrid:",
            "",
            "| set | " + " | ".join(routes) + " |",
            "|---|" + "---|" * len(routes),
        ]
        for name, r in data["hits"].items():
            lines.append(
                f"| {name} | "
                + " | ".join(f"{r[x]['lexical']} / {r[x]['hybrid']}" for x in routes)
                + " |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="300k,1m")
    ap.add_argument("--work-dir", type=Path, default=Path("/tmp/lexical-scale"))
    ap.add_argument("--out-dir", type=Path, default=REPO / "benchmarks/results/lexical-scale")
    ap.add_argument("--catalogue", type=Path, default=Path("/tmp/store-main/catalog.sqlite"))
    ap.add_argument("--hits-store", type=Path, default=Path("/tmp/store-main"))
    ap.add_argument("--hits", action="store_true", help="hit@5 on the BBC sets (loads the model)")
    ap.add_argument("--questions", type=int, default=200, help="at most this many (all: 140)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--two-stage",
        default="0.05:300,0.05:1000",
        help="share:candidates pairs for route (a), comma-separated",
    )
    ap.add_argument(
        "--tantivy-exact",
        default="100",
        help="candidates from tantivy re-scored with FTS5's formula, comma-separated",
    )
    ap.add_argument(
        "--hybrid",
        default="",
        help="also hybrid retrieval in a real store of this many chunks (model, Chroma)",
    )
    ap.add_argument("--edits", type=int, default=20, help="edits before a search (follower)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    try:
        import tantivy  # noqa: F401
    except ImportError:
        sys.exit("lexical_scale.py needs tantivy: pip install 'tantivy>=0.27'")
    args.two_stage = [
        (float(a), int(b)) for a, b in (x.split(":") for x in args.two_stage.split(","))
    ]
    args.tantivy_exact = [int(x) for x in args.tantivy_exact.split(",") if x.strip()]
    args.work_dir.mkdir(parents=True, exist_ok=True)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    print(f"CPU: {cpu_description()}; load average {load()}", flush=True)
    out_json = args.out_dir / "lexical_scale.json"
    data = json.loads(out_json.read_text()) if out_json.exists() else {"rows": {}}
    qs = questions()[: args.questions]
    data.update(cpu=cpu_description(), questions=len(qs), rounds=args.rounds)
    cmd = "python benchmarks/lexical_scale.py " + " ".join(sys.argv[1:])
    data["commands"] = list(dict.fromkeys([*data.get("commands", []), cmd]))
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if sizes:
        from synthetic import SyntheticCorpus

        corpus = SyntheticCorpus(templates(args.catalogue), seed=args.seed)
        for n in sizes:
            row = run_size(n, corpus, args, qs)
            data["rows"][str(n)] = row
            out_json.write_text(json.dumps(data, indent=2))
            (args.out_dir / "lexical_scale.md").write_text(render(data))
    if args.hybrid:
        row = hybrid(args, qs)
        data.setdefault("hybrid", {})[str(row["target"])] = row
        out_json.write_text(json.dumps(data, indent=2))
    if args.hits:
        data["hits"] = hits(args)
        data["hits_load"] = load()
    out_json.write_text(json.dumps(data, indent=2))
    (args.out_dir / "lexical_scale.md").write_text(render(data))
    print(render(data), flush=True)


if __name__ == "__main__":
    main()
