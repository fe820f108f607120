import json
import sys

sys.path.insert(0, "/work/main")
from newsqa.index.settings import apply_process_defaults

apply_process_defaults()
from pathlib import Path

from newsqa.assistant.chain import Assistant
from newsqa.assistant.evaluation import retrieval_hits
from newsqa.index import lexical
from newsqa.index.embedding import Embedder
from newsqa.index.settings import Settings
from newsqa.index.store import Store

SHARES = [float(x) for x in sys.argv[1].split(",")]
store_dir = Path(sys.argv[2])
sets = sys.argv[3:]
settings = Settings(store=store_dir, sample_dir=None)
out = {}
with Store(store_dir) as store:
    assistant = Assistant(store, Embedder.from_settings(settings), settings)
    for path in sets:
        items = json.loads(Path(path).read_text())
        row = {}
        for share in SHARES:
            lexical.COMMON_SHARE = share
            hits = retrieval_hits(assistant, items, ("lexical", "hybrid"))
            row[f"share {share:g}"] = {m: round(r, 3) for m, r in hits.items()}
        lexical.COMMON_SHARE = 0.02
        out[Path(path).name] = row
        print(Path(path).name, json.dumps(row), flush=True)
json.dump(out, open("/tmp/h4/hits2.json", "w"), indent=2)
