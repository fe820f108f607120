"""Build an FTS5 lexical index of N rows (the corpus's chunk bodies repeated) and time queries."""

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, "/work/main")
from newsqa.index import lexical

N = int(sys.argv[1])
out = Path(sys.argv[2])
if not out.exists():
    src = sqlite3.connect("file:/tmp/full/catalog.sqlite?mode=ro", uri=True)
    bodies = [r[0] for r in src.execute("SELECT body FROM chunks_fts")]
    conn = sqlite3.connect(out)
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);" + lexical.SCHEMA
    )
    t = time.time()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO chunks VALUES (?, ?)", ((i, f"c{i}") for i in range(1, N + 1)))
    conn.executemany(
        "INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)",
        ((i, bodies[(i - 1) % len(bodies)]) for i in range(1, N + 1)),
    )
    conn.execute("INSERT INTO meta VALUES ('chunk_count', ?)", (str(N),))
    conn.execute("COMMIT")
    conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES('optimize')")
    conn.commit()
    print("built", N, "in", round(time.time() - t, 1), "s", flush=True)
