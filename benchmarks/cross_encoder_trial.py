"""A cross-encoder re-ranker, tried: does it find the answer's sentence more often?

Usage (from the repo root; about 45 minutes on 2 cores with AMX, longer on AVX2-only CPUs)::

    python benchmarks/cross_encoder_trial.py --store STORE [--work /tmp/ce-trial]

1. Traces the committed answerer over the SQuAD 2.0 subset (``assistant.training``: train,
   calibration and test halves; CC BY-SA 4.0, see assistant/models/README.md) and over our sets
   (tests/eval, answered from ``STORE``, an index of ../shared/corpus and tests/eval/articles):
   every candidate sentence of every question, its hand-set score and whether it holds a gold
   answer.
2. Fine-tunes the bundled all-MiniLM-L6-v2 as a cross-encoder (question and sentence read
   together, a one-unit head on [CLS]) on the train half's answerable questions only: low-rank
   adapters (rank 8) on every linear layer of the encoder, a group per question of the
   sentence holding the answer and 7 others (the 5 best-scored wrong ones and 2 at random),
   softmax and binary cross-entropy, 2 epochs, seed 20261201.
3. Scores the 12 best-scored candidates of each held-out question and reports how often the
   top sentence holds the answer: hand-set score, cross-encoder alone, and the hand-set score
   plus ``w`` x sigmoid(cross-encoder) over the 8 best, for several ``w``.

Results: a table on stdout and ``benchmarks/results/cross_encoder_trial.json``. Not adopted
(docs/answerer.md, 2026-12-03 tenth session): it helps on the SQuAD halves, not on news.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "cross_encoder_trial.json"
SEED = 20261201
RANK = 8
GROUP = 8
EPOCHS = 2
TOP = 12
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 3.0)
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def trace_rows(work: Path, store_path: Path, sets: list[str]) -> list[dict[str, Any]]:
    """Every question's candidates (text, hand score, holds the gold), cached in ``work``."""
    cached = work / "trace.jsonl"
    if cached.exists():
        return [json.loads(line) for line in cached.open(encoding="utf-8")]
    from newsqa.assistant import training
    from newsqa.assistant.answerer import ExtractiveAnswerer
    from newsqa.assistant.chain import Assistant
    from newsqa.assistant.retrieval import HybridRetriever
    from newsqa.assistant.scorer import SENTENCE_FEATURES, load_model
    from newsqa.index.embedding import Embedder
    from newsqa.index.settings import Settings
    from newsqa.index.store import Store

    model = load_model()
    rows: list[dict[str, Any]] = []

    def run(items: list[Any], answer: Any, answerer: Any) -> None:
        for n, item in enumerate(items):
            if n % 500 == 0:
                print(f"traced {n}/{len(items)}", flush=True)
            answerer.trace = []
            try:
                answer(item)
            finally:
                got, answerer.trace = answerer.trace, None
            got = [t for t in got or [] if "parts" in t]
            if not got:
                continue
            part = got[-1]["parts"][0]
            X = np.asarray(part["X"]).reshape(-1, len(SENTENCE_FEATURES))
            rows.append(
                {
                    "q": item.question,
                    "kind": item.kind,
                    "split": item.split,
                    "answerable": bool(item.answers),
                    "y": [bool(training._holds(item, c)) for c in part["cands"]],
                    "hand": model.scorer.score(X).tolist(),
                    "texts": [c[4] for c in part["cands"]],
                }
            )

    settings = Settings(sample_dir=None, store=store_path)
    embedder = Embedder.from_settings(settings)
    data = training.load_squad()
    squad = training.squad_store(data, embedder, Path("/tmp/newsqa-train-cache"))
    retriever = HybridRetriever(store=squad, embedder=embedder, k=training.PASSAGES)
    local = ExtractiveAnswerer(store=squad, embedder=embedder, retriever=retriever)
    items = [
        it for it in training.squad_items(data, random.Random(training.SEED)) if it.kind == "squad"
    ]
    run(
        items,
        lambda it: local.invoke(
            {
                "question": it.question,
                "standalone": it.question,
                "docs": training.squad_docs(it, retriever, squad),
            }
        ),
        local,
    )
    assistant = Assistant(Store(store_path), embedder, settings)
    run(
        training.eval_items(sets, "ours"),
        lambda it: assistant.ask(it.question, it.history),
        assistant.extractive,
    )
    work.mkdir(parents=True, exist_ok=True)
    with cached.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return rows


def _encoder() -> tuple[Any, Any, list[tuple[str, Any]], Any]:
    """The bundled MiniLM with a low-rank adapter on each target layer, and a head."""
    import torch
    from newsqa.index.embedding import model_path
    from torch import nn
    from transformers import AutoModel, AutoTokenizer

    class LoRA(nn.Module):
        def __init__(self, base: nn.Linear, r: int) -> None:
            super().__init__()
            self.base = base
            self.A = nn.Parameter(torch.randn(r, base.in_features) / math.sqrt(base.in_features))
            self.B = nn.Parameter(torch.zeros(base.out_features, r))

        def forward(self, x: Any) -> Any:
            return self.base(x) + (x @ self.A.T) @ self.B.T

    tok = AutoTokenizer.from_pretrained(model_path())
    bert = AutoModel.from_pretrained(model_path(), add_pooling_layer=False)
    for p in bert.parameters():
        p.requires_grad_(False)
    adapters = []
    for li, layer in enumerate(bert.encoder.layer):
        for name in TARGETS:
            parent = layer
            *path, leaf = name.split(".")
            for part in path:
                parent = getattr(parent, part)
            lora = LoRA(getattr(parent, leaf), RANK)
            setattr(parent, leaf, lora)
            adapters.append((f"{li}.{name}", lora))
    return bert, tok, adapters, nn.Linear(bert.config.hidden_size, 1)


def _logits(bert: Any, tok: Any, head: Any, dtype: Any, qs: list[str], ss: list[str]) -> Any:
    import torch

    enc = tok(qs, ss, return_tensors="pt", padding=True, truncation="only_second", max_length=128)
    with torch.autocast("cpu", dtype=dtype, enabled=dtype != torch.float32):
        cls = bert(**enc).last_hidden_state[:, 0]
    return head(cls.float()).squeeze(-1)


def train_and_score(rows: list[dict[str, Any]], dtype: Any) -> dict[int, list[float]]:
    """Fit on the train half; the cross-encoder's logits for the TOP best-scored candidates of
    every other row, by row index."""
    import torch
    from torch import nn

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    groups = []
    for r in rows:
        if r["split"] != "train" or not any(r["y"]):
            continue
        order = np.argsort(-np.array(r["hand"]))
        pos = next(int(i) for i in order if r["y"][i])
        neg = [int(i) for i in order if not r["y"][i]]
        if not neg:
            continue
        hard, rest = neg[:5], neg[5:]
        negs = hard + rng.sample(rest, min(len(rest), GROUP - 1 - len(hard)))
        groups.append((r["q"], [r["texts"][pos]] + [r["texts"][i] for i in negs]))
    bert, tok, adapters, head = _encoder()
    params = [p for _, lo in adapters for p in (lo.A, lo.B)]
    opt = torch.optim.AdamW(
        [{"params": params, "lr": 1e-3}, {"params": list(head.parameters()), "lr": 3e-3}],
        weight_decay=0.01,
    )
    steps = len(groups) * EPOCHS // 4
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * max(0.0, 1 - s / steps)
    )
    bert.train()
    step, t0 = 0, time.time()
    while step < steps:
        rng.shuffle(groups)
        for at in range(0, len(groups) - 3, 4):
            if step >= steps:
                break
            batch = groups[at : at + 4]
            z = _logits(
                bert,
                tok,
                head,
                dtype,
                [q for q, ss in batch for _ in ss],
                [s for _, ss in batch for s in ss],
            )
            loss = 0.0
            for g, (_, ss) in enumerate(batch):
                zg = z[g * len(ss) : (g + 1) * len(ss)]
                y = torch.zeros(len(ss))
                y[0] = 1
                loss = loss + nn.functional.binary_cross_entropy_with_logits(zg, y)
                loss = loss + nn.functional.cross_entropy(
                    zg[None], torch.zeros(1, dtype=torch.long)
                )
            (loss / len(batch)).backward()
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 200 == 0:
                print(f"step {step}/{steps} loss {loss.item() / 4:.3f} {time.time() - t0:.0f}s")
    bert.eval()
    out = {}
    with torch.inference_mode():
        for i, r in enumerate(rows):
            if r["split"] == "train" or not any(r["y"]):
                continue
            order = np.argsort(-np.array(r["hand"]))[:TOP]
            texts = [r["texts"][j] for j in order]
            z = _logits(bert, tok, head, dtype, [r["q"]] * len(texts), texts)
            scores = np.full(len(r["hand"]), -math.inf)
            scores[order] = z.numpy()
            out[i] = scores.tolist()
    return out


def top1(rows: list[dict[str, Any]], ce: dict[int, list[float]], w: float, alone: bool) -> float:
    hits = []
    for i, r in enumerate(rows):
        if i not in ce:
            continue
        hand, z = np.array(r["hand"]), np.array(ce[i])
        best = np.argsort(-hand)[:8]
        if alone:
            s = z
        else:
            s = hand.copy()
            s[best] += w / (1 + np.exp(-z[best]))
        hits.append(r["y"][int(np.argmax(s))])
    return float(np.mean(hits)) if hits else math.nan


def _ours(kind: str) -> Any:
    return lambda r: r["split"] == "ours" and r["kind"] == kind


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("/tmp/ce-trial"))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--sets", nargs="*", help="our sets to read (default: every tests/eval set)")
    args = ap.parse_args()
    from newsqa.index.embedding import choose_precision, cpu_description

    cpu = cpu_description()
    print(f"CPU: {cpu}; load average {os.getloadavg()}", flush=True)
    sets = args.sets or [Path(p).stem for p in sorted(glob.glob(str(REPO / "tests/eval/*.json")))]
    rows = trace_rows(args.work, args.store, sets)
    dtype = choose_precision("auto")
    t0 = time.time()
    ce = train_and_score(rows, dtype)
    minutes = (time.time() - t0) / 60
    slices = {
        "SQuAD calibration half": lambda r: r["split"] == "calib",
        "SQuAD test half": lambda r: r["split"] == "test",
        **{f"our sets, {k}": _ours(k) for k in ("fact", "say", "multi", "followup", "when")},
        "our sets, all": lambda r: r["split"] == "ours",
    }
    table = []
    for name, keep in slices.items():
        sub = {i: z for i, z in ce.items() if keep(rows[i])}
        line = {
            "slice": name,
            "n": len(sub),
            "hand-set": top1(rows, sub, 0.0, False),
            "cross-encoder alone": top1(rows, sub, 0.0, True),
            **{f"hand + {w} x ce": top1(rows, sub, w, False) for w in WEIGHTS[1:]},
        }
        table.append(line)
    cols = list(table[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for line in table:
        print(
            "| "
            + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in line.values())
            + " |"
        )
    args.out.write_text(
        json.dumps(
            {
                "cpu": cpu,
                "precision": str(dtype),
                "train_minutes": round(minutes, 1),
                "table": table,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
