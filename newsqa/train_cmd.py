"""``newsqa train``: fit the extractive answerer's scorer and abstention policy (fixed seed).

Register it in newsqa/cli.py with ``app.command("train")(train_cmd)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def train_cmd(
    sample: Annotated[
        int | None,
        typer.Option("--sample", help="at most N SQuAD questions per split (train, calib, test)"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="model file [default: assistant/models/answerer.json]"),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="a store of ../shared/corpus: adds tests/eval sets"),
    ] = None,
    cache: Annotated[
        Path | None, typer.Option("--cache", help="where SQuAD's embeddings are cached")
    ] = Path("/tmp/newsqa-train-cache"),
) -> None:
    """Fit the answerer on SQuAD 2.0 (and our sets with --store); print held-out figures."""
    from newsqa.assistant.scorer import MODEL_PATH, save_model
    from newsqa.assistant.training import run_training

    model, report = run_training(
        sample=sample, store_path=store, cache=cache, log=lambda m: typer.echo(m, err=True)
    )
    target = out or MODEL_PATH
    save_model(model, target)
    for name, r in report.items():
        typer.echo(f"\n{name}")
        for who in ("always_answer", "rules", "fitted"):
            m = r[who]
            figures = " ".join(
                f"{k} {m[k]:.2f}" for k in ("correct", "answered", "abstain_unans", "ece") if k in m
            )
            typer.echo(f"  {who:14} n {int(m['n'])} {figures}")
        typer.echo(
            "  top-1 sentence: dense {top1_dense:.2f} rules {top1_rules:.2f} "
            "fitted {top1_fitted:.2f}".format(**r)
        )
    typer.echo(f"\nwrote {target}")
    typer.echo(json.dumps({"threshold": model.abstention.threshold if model.abstention else None}))
