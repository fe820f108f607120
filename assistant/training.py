"""Fit the answerer's sentence scorer and abstention policy on labelled data (``newsqa train``).

Data:
- SQuAD 2.0, the training subset in ../shared/train/squad2 (10 Wikipedia articles; CC BY-SA 4.0,
  Rajpurkar, Jia and Liang 2018). Each paragraph becomes an article, chunked and embedded by the
  indexer's own code; a question sees its paragraph among the best other paragraphs of the same
  Wikipedia article, in a store of their own (cached). Split by ARTICLE: the three
  of HELD_OUT are never fitted on; their paragraphs are halved (even/odd) into a calibration half
  (Platt scaling and the threshold) and a test half (the figures reported).
- Near misses made from answerable questions: a year, figure or name of the question swapped
  for another one from the same Wikipedia article, so the passage is about the subject and does
  not answer the question (unanswerable, label 0).
- Our own sets over the full corpus (tests/eval/*.json) when a store is given: FIT_SETS are
  fitted on; VALIDATION_SETS only measured.

Everything runs with a fixed seed; the retrieval and embedding of SQuAD are cached on disk.
"""

from __future__ import annotations

import gzip
import json
import pickle
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.documents import Document
from newsqa.assistant.evaluation import ece, mean
from newsqa.assistant.scorer import (
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    Abstention,
    AnswererModel,
    SentenceScorer,
    Trees,
    context_features,
    hand_scorer,
)
from newsqa.index.articles import Article
from newsqa.index.store import Store

REPO = Path(__file__).resolve().parents[1]
SQUAD = REPO.parent / "shared" / "train" / "squad2" / "train-v2.0-subset.json.gz"
EVAL_DIR = REPO / "tests" / "eval"
HELD_OUT = ("Spectre_(2015_film)", "Solar_energy", "To_Kill_a_Mockingbird")
FIT_SETS = ("qa", "check", "fresh", "multi")
VALIDATION_SETS = ("blind", "holdout", "unseen")
SEED = 20261201
PASSAGES = 6
# The share of answerable SQuAD questions also asked without their paragraph: a near miss.
DROPPED = 0.25
# Our own questions (FIT_SETS, about 270) weigh this much each in the abstention policy's fit,
# against about 7,000 SQuAD ones: news questions (speakers, follow-ups) that SQuAD lacks.
OWN_WEIGHT = 3.0
# The kinds of model tried for each part (fit_scorer, fit_abstention).
SCORER_KINDS = ("linear", "trees")
ABSTENTION_KINDS = ("linear", "trees")


# SQuAD as the answerer sees it --------------------------------------------------------------
@dataclass
class Item:
    """One labelled question."""

    question: str
    kind: str  # "squad", "squad-unanswerable", "swap" (a made near miss) or the set's kind
    split: str  # "train", "calib", "test"
    answers: list[list[str]]  # gold groups (every group needs a phrase); [] if unanswerable
    source: str = ""  # where it came from: a SQuAD article or an eval set
    article_id: str = ""  # SQuAD: the paragraph's article id
    starts: tuple[int, ...] = ()  # SQuAD: the answers' offsets in the paragraph
    evidence: tuple[str, ...] = ()  # eval sets: evidence files
    history: list[dict[str, str]] | None = None
    # "dropped": answers that must not be in the passages shown (else the item is skipped)
    absent: tuple[str, ...] = ()


def load_squad(path: Path = SQUAD) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)["data"]


def squad_articles(data: list[dict[str, Any]]) -> list[Article]:
    """One article per paragraph, titled with its Wikipedia article."""
    out = []
    for art in data:
        for pi, para in enumerate(art["paragraphs"]):
            source = f"squad:{art['title']}#{pi}"
            title = art["title"].replace("_", " ")
            out.append(Article(source, source, "", title, para["context"]))
    return out


def squad_store(data: list[dict[str, Any]], embedder: Any, cache: Path) -> Store:
    """Every paragraph indexed by the real indexer into a store of its own under ``cache``
    (kept: the next run finds it unchanged and embeds nothing)."""
    from newsqa.index.indexer import Indexer, IndexReport
    from newsqa.index.settings import Settings

    path = cache / "squad-store"
    store = Store(path, write=True)
    with store.write_lock:
        Indexer(store, embedder, Settings(store=path, sample_dir=None))._index(
            list(squad_articles(data)), IndexReport(), None
        )
    return store


def squad_items(
    data: list[dict[str, Any]], rng: random.Random, dropped: float = DROPPED
) -> list[Item]:
    """SQuAD questions (split by article, held-out paragraphs halved) and made near misses:
    swapped ("swap") and answered from the other paragraphs only ("dropped", ``dropped`` of
    the answerable questions)."""
    items: list[Item] = []
    drop = random.Random(SEED + 1)
    for art in data:
        held = art["title"] in HELD_OUT
        paragraphs = art["paragraphs"]
        for pi, para in enumerate(paragraphs):
            split = ("calib" if pi % 2 == 0 else "test") if held else "train"
            aid = Article("", "", "", art["title"].replace("_", " "), para["context"]).article_id
            for qa in para["qas"]:
                answers = [a["text"] for a in qa["answers"]]
                items.append(
                    Item(
                        qa["question"],
                        "squad-unanswerable" if qa.get("is_impossible") else "squad",
                        split,
                        [answers] if answers else [],
                        art["title"],
                        aid,
                        tuple(a["answer_start"] for a in qa["answers"]),
                    )
                )
                if answers and (swapped := _swap(qa["question"], para, paragraphs, rng)):
                    items.append(Item(swapped, "swap", split, [], art["title"], aid))
                if answers and drop.random() < dropped:
                    # The retriever finds paragraphs about the subject, and this question's own
                    # is not among them: the near miss the answerer must not answer.
                    items.append(
                        Item(
                            qa["question"],
                            "dropped",
                            split,
                            [],
                            art["title"],
                            aid,
                            absent=tuple(answers),
                        )
                    )
    return items


_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_FIGURE = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][\w'’-]{3,}(?:\s+[A-Z][\w'’-]+)*")


def _swap(
    question: str, para: dict[str, Any], paragraphs: list[dict[str, Any]], rng: random.Random
):
    """The question with a year, figure or name it shares with its paragraph replaced by one of
    the same kind that only other paragraphs of the article mention: a near miss."""
    context = para["context"]
    others = " ".join(p["context"] for p in paragraphs if p is not para)
    for pattern in (_YEAR, _FIGURE, _NAME):
        mine = [m for m in pattern.finditer(question) if m.group(0) in context]
        pool = sorted(
            {m.group(0) for m in pattern.finditer(others)} - set(pattern.findall(context))
        )
        if mine and pool:
            m = rng.choice(mine)
            return question[: m.start()] + rng.choice(pool) + question[m.end() :]
    return None


def squad_docs(item: Item, retriever: Any, store: Store) -> list[Document]:
    """The passages the real retriever finds over all SQuAD paragraphs, the question's own
    paragraph always among them (in the last place when retrieval missed it); for a "dropped"
    near miss, never among them."""
    if item.kind == "dropped":
        docs = retriever.search(item.question, PASSAGES + 1)
        return [d for d in docs if d.metadata["article_id"] != item.article_id][:PASSAGES]
    docs = retriever.search(item.question, PASSAGES)
    if item.article_id and not any(d.metadata["article_id"] == item.article_id for d in docs):
        chunks = store.article_chunks([item.article_id])
        at = next((c for c in chunks if any(c.start <= s < c.end for s in item.starts)), chunks[0])
        score = docs[-1].metadata.get("score", 0.0) if docs else 0.0
        gold = Document(
            id=at.id,
            page_content=at.text,
            metadata={**at.metadata(), "chunk_id": at.id, "score": score},
        )
        docs = [*docs[: PASSAGES - 1], gold]
    return docs


def eval_items(names: Iterable[str], split: str) -> list[Item]:
    out = []
    for name in names:
        for q in json.loads((EVAL_DIR / f"{name}.json").read_text(encoding="utf-8")):
            out.append(
                Item(
                    q["question"],
                    q.get("kind", "?"),
                    split,
                    q.get("answers") or [] if q.get("evidence") else [],
                    name,
                    evidence=tuple(q.get("evidence") or ()),
                    history=q.get("history"),
                )
            )
    return out


# Running and labelling -----------------------------------------------------------------------
@dataclass
class Row:
    """One question as traced: its candidates' features and labels, its question features."""

    item: Item
    X: np.ndarray  # candidate features (first part)
    y: np.ndarray  # candidate holds a gold answer
    qx: np.ndarray
    correct: bool  # the composed answer holds the gold
    rule_abstain: bool
    ids: list[str] = field(default_factory=list)  # each candidate's article
    starts: list[int] = field(default_factory=list)  # ... and offset in it


def _holds(item: Item, cand: list[Any]) -> bool:
    source, aid, start, end, text = cand
    if item.starts:
        return aid == item.article_id and any(start <= s < end for s in item.starts)
    if not item.answers or not any(source.replace("\\", "/").endswith(e) for e in item.evidence):
        return False
    low = " ".join(text.lower().split())
    return any(" ".join(a.lower().split()) in low for g in item.answers for a in g)


def _correct(item: Item, answer: str) -> bool:
    low = " ".join(answer.lower().split())
    groups = item.answers
    return bool(groups) and all(any(" ".join(a.lower().split()) in low for a in g) for g in groups)


def trace(
    items: list[Item],
    answer: Callable[[Item], dict[str, Any] | None],
    answerer: Any,
    progress: Callable[[int, int], None] | None = None,
) -> list[Row]:
    """Answer every item with ``answer`` while ``answerer`` records its features."""
    rows = []
    for n, item in enumerate(items):
        answerer.trace = []
        try:
            answer(item)
        finally:
            got, answerer.trace = answerer.trace, None
        got = [t for t in got or [] if "parts" in t]  # not the speakers' choice (speaker_select)
        if got:
            t = got[-1]
            part = t["parts"][0]
            X = np.asarray(part["X"], dtype=np.float64).reshape(-1, len(SENTENCE_FEATURES))
            y = np.array([_holds(item, c) for c in part["cands"]], dtype=bool)
            rows.append(
                Row(
                    item,
                    X,
                    y,
                    np.asarray(t["qx"]),
                    _correct(item, t["answer"]),
                    t["rule_abstain"],
                    [c[1] for c in part["cands"]],
                    [int(c[2]) for c in part["cands"]],
                )
            )
        if progress:
            progress(n + 1, len(items))
    return rows


# Fitting ---------------------------------------------------------------------------------
# Boosted trees: few and shallow, so the model file stays small (tens of kB) and a question's
# candidates are scored in about a millisecond; no early stopping (it would draw its own split).
TREE_PARAMS = {
    "scorer": dict(max_iter=200, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=40),
    "abstention": dict(max_iter=80, learning_rate=0.05, max_leaf_nodes=6, min_samples_leaf=20),
}


def scorer_matrix(r: Row) -> np.ndarray:
    """A row's candidates as a tree scorer reads them: SCORER_COLUMNS."""
    return np.hstack([r.X, context_features(r.X, r.ids or None, r.starts or None)])


def trees_from_sklearn(clf: Any) -> Trees:
    """A fitted binary HistGradientBoostingClassifier as plain arrays (scorer.Trees)."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    missing: list[bool] = []
    roots: list[int] = []
    depth = 0
    for (predictor,) in clf._predictors:
        nodes = predictor.nodes
        base = len(feature)
        roots.append(base)
        for nd in nodes:
            leaf = bool(nd["is_leaf"])
            feature.append(0 if leaf else int(nd["feature_idx"]))
            threshold.append(np.inf if leaf else float(nd["num_threshold"]))
            left.append(-1 if leaf else base + int(nd["left"]))
            right.append(-1 if leaf else base + int(nd["right"]))
            value.append(float(nd["value"]) if leaf else 0.0)
            missing.append(bool(nd["missing_go_to_left"]))
        depth = max(depth, int(nodes["depth"].max()))
    return Trees(
        np.array(feature, dtype=np.intp),
        np.array(threshold),
        np.array(left, dtype=np.intp),
        np.array(right, dtype=np.intp),
        np.array(value),
        np.array(missing, dtype=bool),
        np.array(roots, dtype=np.intp),
        float(np.ravel(clf._baseline_prediction)[0]),
        depth,
    )


def _boosted(X: np.ndarray, y: np.ndarray, part: str, weight: np.ndarray | None = None) -> Trees:
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(
        **TREE_PARAMS[part], l2_regularization=1.0, early_stopping=False, random_state=SEED
    ).fit(X, y, sample_weight=weight)
    trees = trees_from_sklearn(clf)
    # The flattened trees must give scikit-learn's own log-odds.
    check = X[: min(len(X), 500)]
    assert np.allclose(trees.raw(check), clf.decision_function(check), atol=1e-6)
    return trees


def fit_scorer(rows: list[Row], kind: str = "linear", own_weight: float = 1.0) -> SentenceScorer:
    """A model of "this sentence holds a gold answer", fitted on questions that have one:
    logistic regression over SENTENCE_FEATURES (``kind`` "linear") or boosted trees over
    SCORER_COLUMNS ("trees"); its log-odds mapped onto the hand-set score's scale by least
    squares."""
    from sklearn.linear_model import LogisticRegression

    use = [r for r in rows if r.y.any()]
    X = np.vstack([r.X for r in use])
    y = np.concatenate([r.y for r in use])
    hand = hand_scorer().score(X)
    if kind == "trees":
        weight = np.concatenate(
            [np.full(len(r.y), own_weight if r.item.source in FIT_SETS else 1.0) for r in use]
        )
        trees = _boosted(np.vstack([scorer_matrix(r) for r in use]), y, "scorer", weight)
        z = trees.raw(np.vstack([scorer_matrix(r) for r in use]))
        scale, offset = _onto(z, hand)
        zero = np.zeros(len(SENTENCE_FEATURES))
        return SentenceScorer(zero, 0.0, float(scale), float(offset), trees)
    lr = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED).fit(X, y)
    w, b = lr.coef_[0], float(lr.intercept_[0])
    scale, offset = _onto(X @ w + b, hand)
    return SentenceScorer(w, b, float(scale), float(offset))


def _onto(z: np.ndarray, hand: np.ndarray) -> tuple[float, float]:
    """The line that maps log-odds ``z`` onto the hand-set scores: least squares, or, where the
    two disagree so much that it would fall (it must keep the model's order), the line that
    matches their mean and spread."""
    scale, offset = np.polyfit(z, hand, 1)
    if scale <= 0:
        scale = float(np.std(hand) / (np.std(z) or 1.0))
        offset = float(np.mean(hand) - scale * np.mean(z))
    return float(scale), float(offset)


def top1(rows: list[Row], scorer: SentenceScorer) -> float:
    """Share of questions (with a gold sentence) whose best-scored sentence holds the answer."""
    use = [r for r in rows if r.y.any()]
    if not use:
        return float("nan")
    return float(
        np.mean(
            [r.y[int(np.argmax(scorer.score(r.X, r.ids or None, r.starts or None)))] for r in use]
        )
    )


def fit_abstention(
    train: list[Row],
    calib: list[Row],
    answered: float = 0.90,
    kind: str = "linear",
    own_weight: float = 1.0,
) -> Abstention:
    """A model of "the answer is correct" fitted on ``train`` (logistic regression, or boosted
    trees with ``kind`` "trees"); Platt-scaled on ``calib``; the threshold the highest
    confidence at which ``calib``'s answerable questions are still answered at least
    ``answered`` of the time."""
    from sklearn.linear_model import LogisticRegression

    X = np.vstack([r.qx for r in train])
    y = np.array([r.correct for r in train])
    weight = np.array([own_weight if r.item.source in FIT_SETS else 1.0 for r in train])
    trees = None
    if kind == "trees":
        trees = _boosted(X, y, "abstention", weight)
        w, b = np.zeros(len(QUESTION_FEATURES)), 0.0
        zc = trees.raw(np.vstack([r.qx for r in calib]))
    else:
        lr = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
        lr.fit(X, y, sample_weight=weight)
        w, b = lr.coef_[0], float(lr.intercept_[0])
        zc = np.array([r.qx @ w + b for r in calib])
    yc = np.array([r.correct for r in calib])
    platt = LogisticRegression(C=1e4, max_iter=2000, random_state=SEED).fit(zc[:, None], yc)
    a, c = float(platt.coef_[0][0]), float(platt.intercept_[0])
    conf = 1 / (1 + np.exp(-(a * zc + c)))
    answerable = np.array([bool(r.item.answers) for r in calib])
    ranked = np.sort(conf[answerable])
    # The (1 - answered) quantile of the answerable questions' confidence.
    k = int(np.floor((1 - answered) * len(ranked)))
    threshold = float(ranked[k]) if len(ranked) else 0.5
    return Abstention(w, b, a, c, round(threshold - 1e-6, 6), trees=trees)


def decisions(rows: list[Row], a: Abstention) -> np.ndarray:
    """Whether ``a`` abstains on each row."""
    miss, rule = QUESTION_FEATURES.index("missing"), QUESTION_FEATURES.index("rule")
    return np.array(
        [
            a.confidence(r.qx) < a.threshold or (a.veto and bool(r.qx[miss] or r.qx[rule]))
            for r in rows
        ]
    )


def right_decisions(rows: list[Row], a: Abstention) -> float:
    """Share of ``rows`` on which ``a`` answers a right answer or abstains from a wrong one."""
    off = decisions(rows, a)
    return float(np.mean([o != r.correct for o, r in zip(off, rows, strict=True)]))


def choose_veto(a: Abstention, rows: list[Row]) -> Abstention:
    """Keep the rules' vetoes (a name the articles never mention, no figure where one is asked
    ...) when they make more right decisions on ``rows`` (answer when right, abstain when not)
    while still answering at least 0.90 of the answerable questions."""
    best, best_score = a, -1.0
    for veto in (False, True):
        cand = replace(a, veto=veto)
        off = decisions(rows, cand)
        right = np.mean([o != r.correct for o, r in zip(off, rows, strict=True)])
        answered = np.mean([not o for o, r in zip(off, rows, strict=True) if r.item.answers])
        if answered >= 0.90 and right > best_score:
            best, best_score = cand, float(right)
    return best


# Metrics ---------------------------------------------------------------------------------
def metrics(rows: list[Row], model: AnswererModel | None) -> dict[str, float]:
    """correct, answered (answerable questions), abstention on unanswerable ones, ECE."""
    ans = [r for r in rows if r.item.answers]
    unans = [r for r in rows if not r.item.answers]
    if model is None or model.abstention is None:
        abstained = {id(r): r.rule_abstain for r in rows}
        conf = None
    else:
        conf = {id(r): model.abstention.confidence(r.qx) for r in rows}
        off = decisions(rows, model.abstention)
        abstained = {id(r): bool(o) for r, o in zip(rows, off, strict=True)}
    out = {
        "n": float(len(rows)),
        "correct": mean([r.correct and not abstained[id(r)] for r in ans]),
        "answered": mean([not abstained[id(r)] for r in ans]),
        "abstain_unans": mean([abstained[id(r)] for r in unans]),
    }
    if conf is not None:
        out["ece"] = ece([conf[id(r)] for r in rows], [r.correct for r in rows])
        out["auc"] = auc([conf[id(r)] for r in rows], [r.correct for r in rows])
    return out


def auc(score: list[float], label: list[bool]) -> float:
    """Area under the ROC curve: how often a right answer gets more confidence than a wrong one
    (0.5 is a coin)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(label, score)) if 0 < sum(label) < len(label) else float("nan")


# The whole run --------------------------------------------------------------------------
def run_training(
    *,
    sample: int | None = None,
    store_path: Path | None = None,
    cache: Path | None = None,
    log: Callable[[str], None] = print,
) -> tuple[AnswererModel, dict[str, dict[str, dict[str, float]]]]:
    """Fit both parts; returns the model and held-out figures, rules against fitted.

    ``sample`` caps the SQuAD questions per split (train, calib, test); ``store_path`` adds our
    own sets over the full corpus (fitted on FIT_SETS, measured on VALIDATION_SETS).
    """
    from newsqa.assistant.answerer import ExtractiveAnswerer
    from newsqa.index.embedding import Embedder
    from newsqa.index.settings import Settings

    rng = random.Random(SEED)
    settings = Settings(sample_dir=None, **({"store": store_path} if store_path else {}))
    embedder = Embedder.from_settings(settings)
    data = load_squad()
    cache = cache or Path("/tmp/newsqa-train-cache")
    mem = squad_store(data, embedder, cache)
    from newsqa.assistant.retrieval import HybridRetriever

    retriever = HybridRetriever(store=mem, embedder=embedder, k=PASSAGES)
    items = squad_items(data, rng)
    by_split: dict[str, list[Item]] = {}
    for it in items:
        by_split.setdefault(it.split, []).append(it)
    for split, its in by_split.items():
        if sample and len(its) > sample:
            by_split[split] = random.Random(SEED).sample(its, sample)
    squad = [it for split in ("train", "calib", "test") for it in by_split.get(split, [])]
    own = eval_items(FIT_SETS, "train") + eval_items(VALIDATION_SETS, "test") if store_path else []

    hand = AnswererModel(hand_scorer(), None, {})
    local = ExtractiveAnswerer(store=mem, embedder=embedder, retriever=retriever, model=hand)

    def ask_squad(it: Item) -> dict[str, Any] | None:
        docs = squad_docs(it, retriever, mem)
        if it.absent:
            # A "dropped" near miss whose answer another paragraph also gives is no near miss.
            texts = mem.article_texts(sorted({d.metadata["article_id"] for d in docs}))
            low = " ".join(t.lower() for t in texts.values())
            if any(a.lower() in low for a in it.absent):
                return None
        return local.invoke({"question": it.question, "standalone": it.question, "docs": docs})

    store = assistant = None
    if store_path:
        from newsqa.assistant.chain import Assistant
        from newsqa.index.store import Store

        store = Store(store_path)
        assistant = Assistant(store, embedder, settings)

    def run(model: AnswererModel, label: str) -> list[Row]:
        local.model = model
        step = max(len(squad) // 10, 1)
        rows = trace(
            squad,
            ask_squad,
            local,
            lambda n, t: log(f"{label}: SQuAD {n}/{t}") if n % step == 0 else None,
        )
        if assistant is not None:
            assistant.extractive.model = model
            rows += trace(
                own, lambda it: assistant.ask(it.question, it.history), assistant.extractive
            )
            log(f"{label}: our sets {len(own)}")
        return rows

    try:
        before = run(hand, "rules")
        fit = [r for r in before if r.item.split == "train"]
        held = [r for r in before if r.item.split == "calib"]
        # Each kind of model against the hand-set weights, on the calibration half: the best
        # one that finds the answer's sentence more often is kept.
        tried = {"hand-set": hand.scorer, **{k: fit_scorer(fit, k) for k in SCORER_KINDS}}
        found = {k: top1(held, s) for k, s in tried.items()}
        log("top-1 on the calibration half: " + ", ".join(f"{k} {v:.3f}" for k, v in found.items()))
        best = max(found, key=lambda k: (found[k], k == "hand-set"))
        kept = "calibration top-1 " + ", ".join(f"{k} {v:.3f}" for k, v in found.items())
        scorer, after = hand.scorer, before
        if best != "hand-set":
            # A better first sentence is not yet a better answer: the reply quotes the
            # sentences within the selection margins of the best. The new scorer is kept only
            # if the composed answers of the calibration half are right more often too.
            tried_rows = run(AnswererModel(tried[best], None, {}), best)
            now, was = (
                mean([r.correct for r in rs if r.item.split == "calib" and r.item.answers])
                for rs in (tried_rows, before)
            )
            kept += f"; composed answers right {best} {now:.3f}, hand-set {was:.3f}"
            log(f"calibration half, composed answers right: {best} {now:.3f}, hand-set {was:.3f}")
            if now > was:
                scorer, after = tried[best], tried_rows
        kept = f"{'hand-set' if after is before else best} ({kept})"
        # Every tried scorer's top-1 on both SQuAD halves (the test half only reported).
        squad_top1 = {
            split: {
                k: round(top1([r for r in before if r.item.split == split and r.item.starts], s), 4)
                for k, s in tried.items()
            }
            for split in ("calib", "test")
        }
    finally:
        mem.close()
        if store is not None:
            store.close()
    train = [r for r in after if r.item.split == "train"]
    calib = [r for r in after if r.item.split == "calib"]
    veto_rows = [r for r in train if r.item.source in FIT_SETS] or calib
    policies = {
        k: choose_veto(fit_abstention(train, calib, kind=k, own_weight=OWN_WEIGHT), veto_rows)
        for k in ABSTENTION_KINDS
    }
    # Kept: the policy that decides right (answers when right, abstains when not) most often
    # on the calibration half; a tie keeps the first, the linear one.
    right = {k: right_decisions(calib, a) for k, a in policies.items()}
    log(
        "right decisions on the calibration half: "
        + ", ".join(f"{k} {v:.3f}" for k, v in right.items())
    )
    policy = max(right, key=lambda k: (right[k], -ABSTENTION_KINDS.index(k)))
    abstention = policies[policy]
    if cache:
        # The traces, for reading the fitted parts' decisions without running them again.
        (cache / "rows.pkl").write_bytes(pickle.dumps({"before": before, "after": after}))
    info = {
        "trained_on": "SQuAD 2.0 train subset (CC BY-SA 4.0, Rajpurkar, Jia and Liang 2018), "
        f"articles other than {', '.join(HELD_OUT)}; near misses made from them"
        + (f"; tests/eval {', '.join(FIT_SETS)}" if store_path else ""),
        "calibrated_on": "even paragraphs of the held-out SQuAD articles",
        "seed": SEED,
        "sample": sample,
        "scorer": kept,
        "scorer_top1_squad": squad_top1,
        "abstention": f"{policy} (calibration right decisions "
        + ", ".join(f"{k} {v:.3f}" for k, v in right.items())
        + ")",
    }
    model = AnswererModel(scorer, abstention, info)
    report = _report(before, after, model)
    model.info["held_out"] = report
    return model, report


def _report(before: list[Row], after: list[Row], model: AnswererModel) -> dict[str, Any]:
    """Held-out figures per group: the rules, the fitted model, and trivial baselines."""
    groups: dict[str, tuple[list[Row], list[Row]]] = {}
    for b, a in zip(before, after, strict=True):
        if b.item.split == "train":
            continue
        name = (
            "squad-" + b.item.split
            if b.item.kind.startswith(("squad", "swap", "dropped"))
            else b.item.source
        )
        groups.setdefault(name, ([], []))
        groups[name][0].append(b)
        groups[name][1].append(a)
    out: dict[str, Any] = {}
    dense = SentenceScorer(np.eye(len(SENTENCE_FEATURES))[SENTENCE_FEATURES.index("dense")])
    for name, (rb, ra) in groups.items():
        always = {**metrics(ra, None), "answered": 1.0, "abstain_unans": 0.0}
        always["correct"] = mean([r.correct for r in ra if r.item.answers])
        out[name] = {
            "rules": metrics(rb, None),
            "fitted": metrics(ra, model),
            "always_answer": always,
            "top1_rules": top1(rb, hand_scorer()),
            "top1_dense": top1(rb, dense),
            "top1_fitted": top1(rb, model.scorer),
        }
    return out
