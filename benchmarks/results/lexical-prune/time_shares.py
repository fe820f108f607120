import json
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, "/work/main")
from newsqa.index import lexical

db = sys.argv[1]
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
idx = lexical.LexicalIndex(lambda: conn)
qs = [q["question"] for q in json.load(open("/work/main/tests/eval/qa.json"))][:40]


def t(share):
    lexical.COMMON_SHARE = share
    for q in qs[:3]:
        idx.search(q, 30)
    ts = []
    for q in qs:
        s = time.perf_counter()
        idx.search(q, 30)
        ts.append(1000 * (time.perf_counter() - s))
    ts.sort()
    return round(statistics.median(ts), 1), round(ts[int(0.95 * len(ts)) - 1], 1)


for share in (1.0, 0.1, 0.05, 1.0, 0.1, 0.05):
    print(db.split("/")[-1], "share", share, "lexical k=30 p50/p95 ms", t(share), flush=True)
