"""Cold `newsqa ask` of two checkouts in pairs, alternating order: the f372702 before/after.

    python benchmarks/results/query-xeon/cold_pairs.py --store S --tree OLD [--pairs 15]

Both this checkout and OLD are laid out as packages and compiled ahead, then run with
``python -S`` outside the repo (as ``benchmarks/query.py --tree`` runs them), with no baseline
between them, so the pairs are seconds apart. OLD for f372702: ``git archive HEAD | tar -x -C
OLD`` then ``git show f372702^:newsqa/cli.py > OLD/newsqa/cli.py`` and the same for
``index/names.py``. Prints the medians and the paired differences.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
from reindex_process import package_tree  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--store", type=Path, required=True)
parser.add_argument("--tree", type=Path, required=True)
parser.add_argument("--pairs", type=int, default=15)
parser.add_argument("--question", default="Who won the Spirit awards?")
args = parser.parse_args()
purelib = sysconfig.get_paths()["purelib"]
ask = ["-m", "newsqa", "ask", args.question, "--json", "--store", str(args.store)]
ask += ["--llm", "extractive"]
with tempfile.TemporaryDirectory() as tmp:
    trees = {
        "this checkout": package_tree(ROOT, Path(tmp) / "new"),
        "--tree": package_tree(args.tree, Path(tmp) / "old"),
    }
    for pkg in trees.values():
        compileall.compile_dir(pkg, quiet=1)
    times: dict[str, list[float]] = {name: [] for name in trees}
    print("load average", [round(x, 2) for x in os.getloadavg()])
    for i in range(args.pairs):
        for name in list(trees) if i % 2 == 0 else list(trees)[::-1]:
            env = {**os.environ, "PYTHONPATH": f"{trees[name]}{os.pathsep}{purelib}"}
            env["HF_HUB_OFFLINE"] = "1"
            t = time.perf_counter()
            subprocess.run([sys.executable, "-S", *ask], env=env, cwd=tmp, check=True,
                           capture_output=True)  # fmt: skip
            times[name].append(time.perf_counter() - t)
    print("load average", [round(x, 2) for x in os.getloadavg()])
new, old = times["this checkout"], times["--tree"]
diff = [n - o for n, o in zip(new, old, strict=True)]
for name, xs in times.items():
    print(f"{name}: median {statistics.median(xs):.2f} s, mean {statistics.mean(xs):.2f} s")
print(
    f"paired (this - tree): median {statistics.median(diff):+.3f} s, mean "
    f"{statistics.mean(diff):+.3f} s; this checkout faster in {sum(d < 0 for d in diff)} of "
    f"{len(diff)}"
)
