"""Unchanged re-index as a process: ``newsqa index CORPUS... --store COPY`` on a store that already
holds every article, timed from outside (wall, CPU of the child, its peak RSS).

Usage (from the repo root)::

    python benchmarks/reindex_process.py --store /tmp/full [--runs 5] [--first-index 98.4]
        [--tree OLD_CHECKOUT] PATH...

The store is copied first (it is never written). One untimed run comes first: it upgrades a store
made before the catalogue kept file fingerprints, and warms the page cache like the timed runs
after it. ``--tree`` runs the code of another checkout (a ``git archive`` of an older commit)
instead of the installed one, for a side-by-side comparison on the same machine at the same
time; the two are run alternately. ``--first-index`` (seconds; the ingestion benchmark's first
index of the corpus) turns the times into a share. Results: a table on stdout and
``benchmarks/results/reindex-process.json``/``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT = REPO_ROOT / "benchmarks" / "results"
TARGET_PCT = 3.0


def cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def package_tree(checkout: Path, dest: Path) -> Path:
    """The ``newsqa`` package laid out from a checkout (pyproject's package-dir mapping)."""
    root = dest / "pkg"
    shutil.copytree(checkout / "newsqa", root / "newsqa")
    for sub in ("index", "assistant", "prompts"):
        shutil.copytree(checkout / sub, root / "newsqa" / sub)
    return root


def command(paths: list[str], store: Path, tree: Path | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    cli = ["-m", "newsqa.cli", "index", *paths, "--store", str(store), "--quiet"]
    if tree is None:
        return [sys.executable, *cli], env
    # -S: no site, so the editable install's finder does not shadow the other tree.
    env["PYTHONPATH"] = f"{tree}{os.pathsep}{sysconfig.get_paths()['purelib']}"
    return [sys.executable, "-S", *cli], env


def run_once(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Run outside the repo: its newsqa/ folder would shadow the tree under test.
    out = subprocess.run(
        cmd, env=env, capture_output=True, text=True, check=False, cwd=tempfile.gettempdir()
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0 or " 0 added, 0 updated" not in " " + out.stdout:
        raise SystemExit(
            f"not an unchanged re-index (exit {out.returncode}):\n{out.stdout}{out.stderr}"
        )
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "rss_mb": after.ru_maxrss / 1024,  # the largest child so far (a lower bound per run)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--store", type=Path, required=True, help="a store holding PATH...")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--first-index", type=float, default=None, help="seconds")
    parser.add_argument("--tree", type=Path, default=None, help="another checkout to compare")
    parser.add_argument("--out-dir", type=Path, default=OUT)
    args = parser.parse_args()
    paths = [str(Path(p).resolve()) for p in args.paths]
    with tempfile.TemporaryDirectory(prefix="newsqa-reindex-") as tmp:
        variants: dict[str, tuple[list[str], dict[str, str]]] = {}
        for name, tree in (("this tree", None), ("--tree", args.tree)):
            if name == "--tree" and tree is None:
                continue
            store = Path(tmp) / f"store-{len(variants)}"
            shutil.copytree(args.store, store)
            pkg = package_tree(tree, Path(tmp) / "tree") if tree else None
            variants[name] = command(paths, store, pkg)
            run_once(*variants[name])  # untimed: upgrade, fingerprints, page cache
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        for _ in range(args.runs):
            for name, (cmd, env) in variants.items():
                runs[name].append(run_once(cmd, env))
    summary = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "paths": paths,
        "first_index_seconds": args.first_index,
        "tree": str(args.tree) if args.tree else None,
        "variants": {},
    }
    lines = [
        f"Unchanged re-index as a process, {summary['date']}, {summary['cpu_model']} "
        f"({summary['cores']} cores, load {summary['loadavg'][0]:.1f}), {args.runs} runs each:",
        "",
        "| code | wall p50 (min-max) | CPU p50 | share of the first index (wall p50) |",
        "|---|---|---|---|",
    ]
    for name, got in runs.items():
        wall = statistics.median(r["wall"] for r in got)
        cpu = statistics.median(r["cpu"] for r in got)
        share = 100 * wall / args.first_index if args.first_index else None
        summary["variants"][name] = {"runs": got, "wall_p50": wall, "cpu_p50": cpu, "pct": share}
        label = name if name == "this tree" else f"{args.tree}"
        lines.append(
            f"| {label} | {wall:.2f} s ({min(r['wall'] for r in got):.2f}-"
            f"{max(r['wall'] for r in got):.2f}) | {cpu:.2f} s | "
            + (f"{share:.1f}% (target <= {TARGET_PCT:g}%)" if share is not None else "-")
            + " |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "reindex-process.json").write_text(json.dumps(summary, indent=2) + "\n")
    (args.out_dir / "reindex-process.md").write_text(text)


if __name__ == "__main__":
    main()
