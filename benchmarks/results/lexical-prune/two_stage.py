"""Candidates from the rare terms' postings, then exact BM25 (FTS5's formula) with all terms."""

import json
import math
import sqlite3
import statistics
import sys
import time
from collections import Counter

sys.path.insert(0, "/work/main")
from newsqa.index import lexical

db, share, M = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
idx = lexical.LexicalIndex(lambda: conn)
N = int(conn.execute("select value from meta where key='chunk_count'").fetchone()[0])
# Average row length: once here (the catalogue would keep a running total).
tot = (
    sum(len(b.split()) for (b,) in conn.execute("SELECT body FROM chunks_fts WHERE rowid <= 6944"))
    * N
    / min(N, 6944)
)
avgdl = tot / N
K1, B = 1.2, 0.75


def search(query, k):
    toks = lexical.tokenize(query)
    uniq = list(dict.fromkeys(toks))
    n, dfs = idx.doc_freqs(uniq)
    seen = [t for t in uniq if dfs.get(t, 0)]
    rare = [t for t in seen if dfs[t] <= share * n] or sorted(seen, key=dfs.get)[:1]
    if not rare:
        return []
    cands = [
        r
        for (r,) in conn.execute(
            "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
            (lexical._match(rare), M),
        )
    ]
    marks = ",".join("?" * len(cands))
    idf = {t: max(math.log((n - dfs[t] + 0.5) / (dfs[t] + 0.5)), 1e-6) for t in seen}
    qtf = {t: 1 for t in idf}  # _match quotes each token once
    scored = []
    for rowid, body in conn.execute(
        f"SELECT rowid, body FROM chunks_fts WHERE rowid IN ({marks})", cands
    ):
        words = body.split()
        tf = Counter(words)
        dl = len(words)
        s = sum(
            qtf[t] * idf[t] * tf[t] * (K1 + 1) / (tf[t] + K1 * (1 - B + B * dl / avgdl))
            for t in idf
            if tf[t]
        )
        scored.append((s, rowid))
    scored.sort(reverse=True)
    top = scored[:k]
    ids = (
        dict(
            conn.execute(
                f"SELECT rowid, id FROM chunks WHERE rowid IN ({','.join('?' * len(top))})",
                [r for _, r in top],
            ).fetchall()
        )
        if top
        else {}
    )
    return [(ids[r], s) for s, r in top]


qs = [q["question"] for q in json.load(open("/work/main/tests/eval/qa.json"))]
if "--agree" in sys.argv:
    same5 = same_top1 = 0
    for q in qs:
        a = [round(x, 3) for _, x in idx.search(q, 5)]
        b = [round(x, 3) for _, x in search(q, 5)]
        same5 += a == b
        same_top1 += a[:1] == b[:1]
    print(f"{db}: top-5 identical {same5}/{len(qs)}, top-1 {same_top1}/{len(qs)}")
    sys.exit()


def t(fn):
    for q in qs[:3]:
        fn(q)
    ts = []
    for q in qs[:40]:
        s = time.perf_counter()
        fn(q)
        ts.append(1000 * (time.perf_counter() - s))
    ts.sort()
    return round(statistics.median(ts), 1), round(ts[37], 1)


for _ in range(2):
    print(
        db.split("/")[-1],
        "full",
        t(lambda q: idx.search(q, 30)),
        f"two-stage share={share} M={M}",
        t(lambda q: search(q, 30)),
        flush=True,
    )
