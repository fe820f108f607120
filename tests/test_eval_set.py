"""Validation of every evaluation set in tests/eval: qa.json, and the sets written later by
helpers who had not read the answerer (check, fresh, multi, blind, holdout, unseen, styles,
speakers, news2), to check that its rules generalise; the counts per kind apply to qa.json only.
styles.json's and news2.json's evidence includes articles of other news styles written for them
(``eval/articles/<file>.txt``, under tests/eval/articles); their near misses name the article
holding a plausible wrong answer (``topic_article``) and that answer (``planted``).
speakers.json's "speakers" questions list the speakers a complete answer names (``speakers``)
and those it must not name (``not_speakers``).

Checks the shape of every question (fields, types, kinds, answer groups,
follow-up histories) and, when the shared corpus is present next to the
repository (../shared/corpus), that every evidence file exists, that every
answer alternative occurs verbatim (case-insensitive, whitespace normalised)
in one of its evidence files, and that near-duplicate articles of an evidence
file are listed as evidence too.

Every failing check lists all offending questions by id, so one run shows
everything that needs fixing.
"""

import bisect
import functools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parent / "eval"
QA_PATH = EVAL_DIR / "qa.json"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

KINDS = ("seed", "fact", "say", "multi", "followup", "unanswerable", "nearmiss", "speakers", "when")
# Kinds with no answer: the question is about an indexed story that does not answer it.
NO_ANSWER_KINDS = ("unanswerable", "nearmiss")
MIN_COUNTS = {
    "seed": 12,
    "say": 18,
    "fact": 25,
    "multi": 10,
    "followup": 12,
    "unanswerable": 15,
}
MIN_TOTAL = 90
BBC_CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
# The styles of tests/eval/articles (styles.json, then news2.json, news3.json, news4.json).
STYLE_CATEGORIES = (
    "wire",
    "liveblog",
    "translated",
    "guillemets",
    "german-quotes",
    "currencies",
    "roundup",
    "encyclopedic",
    "us-newspaper",
    "indian-business",
    "anz-sport",
    "science",
    "court",
    # news4.json
    "obituary",
    "uk-politics",
    "match-report",
    "results",
    "local",
    # news5.json
    "cnn-world",
    "explainer",
    "health",
    "tech-launch",
    "us-court",
    "profile",
    # news6.json
    "central-bank",
    "diplomatic",
    "interview",
    "inquest",
    "transfer",
    # news7.json
    "legislature",
    "reaction",
    "election",
    "embargo-health",
    "rugby",
)
CATEGORIES = ("seed", *BBC_CATEGORIES, *STYLE_CATEGORIES, "none")
EVAL_ARTICLES = "eval/articles/"
REQUIRED_FIELDS = {
    "id": str,
    "kind": str,
    "question": str,
    "answers": list,
    "evidence": list,
    "category": str,
}
OPTIONAL_FIELDS = {
    "history": list,
    "speakers": list,
    "not_speakers": list,
    "planted": list,
    "topic_article": str,
    "short": bool,
    "unanswerable": bool,
    # A "when" gold the article gives as a weekday dated elsewhere in it: the words it does say.
    "derived_from": str,
}
ROLES = ("user", "assistant")
MAX_ALTERNATIVES = 3
# A date may be written in four ways ("27 October 1920", "October 27, 1920", ...): the first one
# as the article writes it, the others the same date as an answer may write it.
MAX_DATE_ALTERNATIVES = 4
MAX_ALTERNATIVE_WORDS = 6
# "say" questions about BBC articles, beyond the ten seed speakers.
MIN_BBC_SAY = 8
MIN_SEED_SAY = 10
MIN_FACTS_PER_CATEGORY = 5

# Trailing paragraphs of a file that are not part of the story (publisher's
# subscription pitch) and must never serve as evidence.
BOILERPLATE_TAIL = {
    "seed/nato-no-plans-to-send-troops-to-ukraine.txt": 4,
}

# Two articles whose word-trigram Jaccard similarity reaches this are the same
# story; if one is evidence, the other must be listed too.
NEAR_DUPLICATE_JACCARD = 0.9


def _fail(problems, what):
    if problems:
        pytest.fail(
            f"{what} ({len(problems)} problem(s)) in {QA_PATH}:\n  " + "\n  ".join(problems),
            pytrace=False,
        )


def _norm(text):
    return re.sub(r"\s+", " ", text).strip().lower()


# Every set in tests/eval: qa.json is the development set, the others were written later.
SETS = sorted(p.name for p in EVAL_DIR.glob("*.json"))


@pytest.fixture(scope="module", params=SETS)
def items(request):
    path = EVAL_DIR / request.param
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        pytest.fail(f"evaluation set missing: {path}", pytrace=False)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        pytest.fail(f"{path} is not valid JSON: {exc}", pytrace=False)
    if not isinstance(data, list) or not data:
        pytest.fail(f"{path} must hold a non-empty JSON list", pytrace=False)
    bad = [
        f"item #{i} is {type(x).__name__}, not an object"
        for i, x in enumerate(data)
        if not isinstance(x, dict)
    ]
    _fail(bad, "non-object entries")
    return data


def _qid(item, index):
    qid = item.get("id")
    return qid if isinstance(qid, str) and qid else f"<item #{index}>"


@pytest.fixture(scope="module")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(
            f"shared corpus not found at {CORPUS}; "
            "corpus-dependent checks need ../shared/corpus beside the repo"
        )
    return CORPUS


def _no_answer(item):
    """Unanswerable and near-miss questions, and a "when" question marked unanswerable."""
    return item.get("kind") in NO_ANSWER_KINDS or item.get("unanswerable") is True


def _path(rel):
    """An evidence path: the corpus's, or an article of tests/eval/articles."""
    if rel.startswith(EVAL_ARTICLES):
        return EVAL_DIR / "articles" / rel[len(EVAL_ARTICLES) :]
    return CORPUS / rel


def _story_text(rel):
    """Text of an evidence file, without trailing boilerplate paragraphs."""
    text = _path(rel).read_text(encoding="utf-8", errors="replace")
    drop = BOILERPLATE_TAIL.get(rel, 0)
    if drop:
        paragraphs = [p for p in text.splitlines() if p.strip()]
        text = "\n".join(paragraphs[:-drop])
    return text


# ---------------------------------------------------------------- structure


def test_fields_and_types(items):
    problems = []
    for i, item in enumerate(items):
        qid = _qid(item, i)
        for field, typ in REQUIRED_FIELDS.items():
            if field not in item:
                problems.append(f"{qid}: missing field {field!r}")
            elif not isinstance(item[field], typ):
                problems.append(
                    f"{qid}: field {field!r} should be {typ.__name__}, "
                    f"got {type(item[field]).__name__}"
                )
        for field, typ in OPTIONAL_FIELDS.items():
            if field in item and not isinstance(item[field], typ):
                problems.append(f"{qid}: field {field!r} should be {typ.__name__}")
        unknown = set(item) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
        if unknown:
            problems.append(f"{qid}: unknown field(s) {sorted(unknown)}")
        for field in ("id", "question"):
            if isinstance(item.get(field), str) and not item[field].strip():
                problems.append(f"{qid}: empty {field!r}")
        if isinstance(item.get("kind"), str) and item["kind"] not in KINDS:
            problems.append(f"{qid}: unknown kind {item['kind']!r} (allowed: {KINDS})")
        if isinstance(item.get("category"), str) and item["category"] not in CATEGORIES:
            problems.append(f"{qid}: unknown category {item['category']!r} (allowed: {CATEGORIES})")
        for ev in item.get("evidence", []) if isinstance(item.get("evidence"), list) else []:
            if not isinstance(ev, str):
                problems.append(f"{qid}: evidence entry {ev!r} is not a string")
    _fail(problems, "malformed questions")


def test_ids_unique(items):
    counts = Counter(item.get("id") for item in items)
    dupes = [f"{qid!r} used {n} times" for qid, n in counts.items() if n > 1]
    _fail(dupes, "duplicate ids")


def test_counts_per_kind():
    items = json.loads(QA_PATH.read_text(encoding="utf-8"))  # the minimums are qa.json's
    counts = Counter(item.get("kind") for item in items)
    problems = [
        f"kind {kind!r}: {counts.get(kind, 0)} question(s), need at least {n}"
        for kind, n in MIN_COUNTS.items()
        if counts.get(kind, 0) < n
    ]
    if len(items) < MIN_TOTAL:
        problems.append(f"{len(items)} questions in total, need at least {MIN_TOTAL}")
    say = [x for x in items if x.get("kind") == "say"]
    seed_say = sum(1 for x in say if x.get("category") == "seed")
    if seed_say < MIN_SEED_SAY:
        problems.append(
            f"{seed_say} 'say' questions about the seed article, need at least {MIN_SEED_SAY}"
        )
    if len(say) - seed_say < MIN_BBC_SAY:
        problems.append(
            f"{len(say) - seed_say} 'say' questions about BBC articles, need at least {MIN_BBC_SAY}"
        )
    facts = Counter(x.get("category") for x in items if x.get("kind") == "fact")
    for cat in BBC_CATEGORIES:
        if facts.get(cat, 0) < MIN_FACTS_PER_CATEGORY:
            problems.append(
                f"{facts.get(cat, 0)} 'fact' questions in {cat!r}, "
                f"need at least {MIN_FACTS_PER_CATEGORY}"
            )
    _fail(problems, "too few questions")


def test_history_only_and_always_on_followups(items):
    problems = []
    for i, item in enumerate(items):
        qid = _qid(item, i)
        history = item.get("history")
        if item.get("kind") != "followup":
            if "history" in item:
                problems.append(f"{qid}: kind {item.get('kind')!r} must not have a history")
            continue
        if not isinstance(history, list) or not history:
            problems.append(f"{qid}: followup needs a non-empty 'history' list")
            continue
        for t, turn in enumerate(history):
            if not isinstance(turn, dict) or set(turn) != {"role", "content"}:
                problems.append(
                    f"{qid}: history[{t}] must be an object with exactly "
                    f"'role' and 'content', got {turn!r}"
                )
                continue
            if turn["role"] not in ROLES:
                problems.append(f"{qid}: history[{t}] role {turn['role']!r} not in {ROLES}")
            if not isinstance(turn["content"], str) or not turn["content"].strip():
                problems.append(f"{qid}: history[{t}] has empty content")
        roles = [t.get("role") for t in history if isinstance(t, dict)]
        if roles and roles[0] != "user":
            problems.append(f"{qid}: history must start with a user turn")
        if roles and roles[-1] != "assistant":
            problems.append(f"{qid}: history must end with an assistant turn")
    _fail(problems, "bad follow-up histories")


def test_answer_groups_shape(items):
    problems = []
    for i, item in enumerate(items):
        qid = _qid(item, i)
        kind, answers = item.get("kind"), item.get("answers")
        if not isinstance(answers, list):
            continue  # reported by test_fields_and_types
        if _no_answer(item):
            expected = 0
        elif kind == "speakers":
            expected = len(item.get("speakers") or [])
        elif kind == "multi":
            expected = 2
        else:  # one fact; a follow-up or fact question may ask for two things of one fact
            expected = min(max(len(answers), 1), 2)
        if len(answers) != expected:
            problems.append(
                f"{qid}: kind {kind!r} needs {expected} answer group(s), has {len(answers)}"
            )
        for g, group in enumerate(answers):
            most = MAX_DATE_ALTERNATIVES if kind == "when" else MAX_ALTERNATIVES
            if not isinstance(group, list) or not 1 <= len(group) <= most:
                problems.append(
                    f"{qid}: answers[{g}] must be a list of 1-{most} alternatives, got {group!r}"
                )
                continue
            for alt in group:
                if not isinstance(alt, str) or not alt.strip():
                    problems.append(
                        f"{qid}: answers[{g}] has an empty or non-string alternative {alt!r}"
                    )
                    continue
                if alt != alt.strip():
                    problems.append(f"{qid}: alternative {alt!r} has surrounding spaces")
                words = len(alt.split())
                if words > MAX_ALTERNATIVE_WORDS:
                    problems.append(
                        f"{qid}: alternative {alt!r} has {words} words "
                        f"(max {MAX_ALTERNATIVE_WORDS})"
                    )
            if len({_norm(a) for a in group if isinstance(a, str)}) != len(group):
                problems.append(f"{qid}: answers[{g}] repeats an alternative: {group!r}")
        # In a multi question one fact must not satisfy the other group for free.
        groups = [
            [_norm(a) for a in g if isinstance(a, str)] for g in answers if isinstance(g, list)
        ]
        for g1, a_group in enumerate(groups):
            for g2, b_group in enumerate(groups):
                if g1 == g2:
                    continue
                for a in a_group:
                    for b in b_group:
                        if a in b:
                            problems.append(
                                f"{qid}: alternative {a!r} of answers[{g1}] "
                                f"occurs inside {b!r} of answers[{g2}]"
                            )
    _fail(problems, "bad answer groups")


def test_evidence_and_category_consistent(items):
    problems = []
    for i, item in enumerate(items):
        qid = _qid(item, i)
        kind, cat = item.get("kind"), item.get("category")
        evidence = item.get("evidence") if isinstance(item.get("evidence"), list) else []
        answers = item.get("answers") if isinstance(item.get("answers"), list) else []
        if _no_answer(item):
            if answers:
                problems.append(f"{qid}: unanswerable question has answers {answers!r}")
            if evidence:
                problems.append(f"{qid}: unanswerable question has evidence {evidence!r}")
            if cat != "none":
                problems.append(f"{qid}: unanswerable question needs category 'none', has {cat!r}")
            continue
        if not evidence:
            problems.append(f"{qid}: answerable question has no evidence")
        if cat == "none":
            problems.append(f"{qid}: answerable question has category 'none'")
        if kind == "seed" and cat != "seed":
            problems.append(f"{qid}: seed question needs category 'seed', has {cat!r}")
        if len(set(evidence)) != len(evidence):
            problems.append(f"{qid}: evidence lists a file twice")
        for ev in evidence:
            if not isinstance(ev, str):
                continue
            parts = ev.split("/")
            if ev.startswith("/") or ".." in parts or not ev.endswith(".txt"):
                problems.append(
                    f"{qid}: evidence {ev!r} must be a relative .txt path inside the corpus"
                )
                continue
            if ev.startswith(EVAL_ARTICLES) and len(parts) == 3:
                if cat not in STYLE_CATEGORIES and cat not in BBC_CATEGORIES:
                    problems.append(f"{qid}: {ev!r} needs a style category, has {cat!r}")
                continue
            ev_cat = (
                "seed"
                if parts[0] == "seed" and len(parts) == 2
                else (parts[1] if parts[0] == "bbc" and len(parts) == 3 else None)
            )
            if ev_cat is None:
                problems.append(
                    f"{qid}: evidence {ev!r} is not seed/<file> or bbc/<category>/<file>"
                )
            elif ev_cat != cat:
                problems.append(
                    f"{qid}: evidence {ev!r} is in {ev_cat!r} but the "
                    f"question's category is {cat!r}"
                )
    _fail(problems, "inconsistent evidence/category")


# ------------------------------------------------------- against the corpus


def test_evidence_files_exist(items, corpus):
    problems = []
    for i, item in enumerate(items):
        for ev in item.get("evidence") or []:
            if isinstance(ev, str) and not _path(ev).is_file():
                problems.append(f"{_qid(item, i)}: evidence file {ev!r} not found under {corpus}")
    _fail(problems, "missing evidence files")


def test_boilerplate_tail_is_the_subscription_pitch(corpus):
    problems = []
    for rel, n in BOILERPLATE_TAIL.items():
        path = corpus / rel
        if not path.is_file():
            problems.append(f"{rel}: file not found")
            continue
        paragraphs = [p for p in path.read_text(encoding="utf-8").splitlines() if p.strip()]
        tail = " ".join(paragraphs[-n:]).lower()
        head = " ".join(paragraphs[:-n]).lower()
        if "subscri" not in tail or "subscri" in head:
            problems.append(
                f"{rel}: expected the subscription pitch to be exactly "
                f"the last {n} paragraphs; update BOILERPLATE_TAIL"
            )
    _fail(problems, "seed boilerplate changed")


def test_every_alternative_occurs_in_evidence(items, corpus):
    cache = {}
    problems = []
    for i, item in enumerate(items):
        qid = _qid(item, i)
        evidence = [
            ev for ev in item.get("evidence") or [] if isinstance(ev, str) and _path(ev).is_file()
        ]
        if not evidence:
            continue  # reported elsewhere
        for ev in evidence:
            if ev not in cache:
                cache[ev] = _norm(_story_text(ev))
        for g, group in enumerate(item.get("answers") or []):
            if item.get("kind") == "when" and isinstance(group, list):
                # The rest rewrite the same date; a derived one, the words it comes from.
                group = [item["derived_from"]] if item.get("derived_from") else group[:1]
            for alt in group if isinstance(group, list) else []:
                if not isinstance(alt, str) or not alt.strip():
                    continue
                if not any(_norm(alt) in cache[ev] for ev in evidence):
                    problems.append(
                        f"{qid}: answers[{g}] phrase {alt!r} occurs in none "
                        f"of its evidence files {evidence}"
                    )
    _fail(problems, "answer phrases not found verbatim in evidence")


def _shingles(text):
    words = re.findall(r"\w+", text.lower())
    return frozenset(map(" ".join, zip(words, words[1:], words[2:], strict=False)))


@functools.cache
def _corpus_shingles(corpus: Path) -> tuple[dict[str, frozenset[str]], list[str], list[int]]:
    """Every corpus article's word 3-gram set, read once for all sets; the names sorted by the
    size of their set (with the sizes), so a scan looks only at articles of a size that can
    reach the Jaccard threshold."""
    shingles = {
        p.relative_to(corpus).as_posix(): _shingles(p.read_text(encoding="utf-8", errors="replace"))
        for p in corpus.rglob("*.txt")
    }
    by_size = sorted(shingles, key=lambda rel: (len(shingles[rel]), rel))
    return shingles, by_size, [len(shingles[rel]) for rel in by_size]


@functools.cache
def _near_duplicates(corpus: Path, ev: str) -> tuple[str, ...]:
    """Corpus articles whose 3-gram Jaccard similarity with ``ev`` reaches the threshold.
    Exact: J(A, B) >= t needs t*|A| <= |B| <= |A|/t, so only that size window is compared."""
    shingles, by_size, sizes = _corpus_shingles(corpus)
    mine = shingles[ev]
    if not mine:
        return ()
    lo = bisect.bisect_left(sizes, NEAR_DUPLICATE_JACCARD * len(mine))
    hi = bisect.bisect_right(sizes, len(mine) / NEAR_DUPLICATE_JACCARD)
    twins = []
    for other in by_size[lo:hi]:
        theirs = shingles[other]
        shared = len(mine & theirs)  # |A | B| = |A| + |B| - |A & B|: no union is built
        if other != ev and shared / (len(mine) + len(theirs) - shared) >= NEAR_DUPLICATE_JACCARD:
            twins.append(other)
    return tuple(sorted(twins))


def test_near_duplicates_of_evidence_are_listed(items, corpus):
    used = {
        ev
        for item in items
        for ev in item.get("evidence") or []
        if isinstance(ev, str) and (corpus / ev).is_file() and not ev.startswith(EVAL_ARTICLES)
    }
    twins = {ev: dup for ev in used if (dup := _near_duplicates(corpus, ev))}
    problems = []
    for i, item in enumerate(items):
        evidence = set(item.get("evidence") or [])
        for ev in sorted(evidence & set(twins)):
            for other in twins[ev]:
                if other not in evidence:
                    problems.append(
                        f"{_qid(item, i)}: evidence {ev!r} has a "
                        f"near-duplicate {other!r} that is not listed"
                    )
    _fail(problems, "near-duplicate articles missing from evidence")


def test_planted_and_speakers_occur_in_their_articles(items, corpus):
    problems = []
    for i, item in enumerate(items):
        qid = _qid(item, i)
        topic = item.get("topic_article")
        if item.get("planted") and not (isinstance(topic, str) and _path(topic).is_file()):
            problems.append(f"{qid}: planted answers need an existing topic_article, got {topic!r}")
        elif item.get("planted"):
            text = _norm(_story_text(topic))
            problems += [
                f"{qid}: planted {p!r} not in {topic}"
                for p in item["planted"]
                if _norm(p) not in text
            ]
        names = (item.get("speakers") or []) + (item.get("not_speakers") or [])
        texts = [_norm(_story_text(ev)) for ev in item.get("evidence") or [] if _path(ev).is_file()]
        for name in names:
            if texts and not any(_norm(name) in t for t in texts):
                problems.append(f"{qid}: speaker {name!r} is in none of its evidence files")
        if item.get("kind") == "speakers" and not item.get("speakers"):
            problems.append(f"{qid}: a speakers question needs its required speakers")
    _fail(problems, "planted answers or speakers not found")
