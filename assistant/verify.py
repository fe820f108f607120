"""The citation check: is each sentence of a generated answer supported by the passages it cites?

A sentence is supported when
- it cites at least one passage with an ``[n]`` marker,
- one of those passages has a sentence (or two adjacent sentences) close to it in meaning
  (cosine of the project's MiniLM embeddings, ``threshold``), without the negation flipped,
- every number and every capitalised name in it occurs in the passages it cites (or their titles).
A sentence without a marker cites nothing and is unsupported, unless it is neutral: an abstention
("The sources do not say.") or a short connective with no names or numbers; or, when the caller
asks for it (``attribute_uncited``), unless a passage supports it by the same rules, in which case
it is cited to that passage.

No entailment model is used: none installs from PyPI with its weights, and the name and number
check catches the usual failure of small models, facts borrowed from elsewhere.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from newsqa.assistant.answer_types import NUMBER, word_key
from newsqa.index.chunking import split_sentences

# Cosine of all-MiniLM-L6-v2 sentence vectors above which a passage sentence supports a claim.
# Calibrated in tests/test_verify.py: paraphrases of a passage sentence score 0.6-0.95, a claim
# on the same topic with other facts 0.3-0.5.
SUPPORT_THRESHOLD = 0.5
# Share of a claim's content words that must occur in the passages it cites: the embedding alone
# lets "The weather in Paris was sunny during the summit" pass on a sentence about a Paris summit.
MIN_COVERAGE = 0.6

_MARKER = re.compile(
    r"\s*\[(?:(?:passage|source)s?\s*)?(\d+(?:\s*(?:,|;|and|&|-|–)\s*\d+)*)\]", re.IGNORECASE
)
# "... troops. [1] Macron ..." -> "... troops [1]. Macron ...": a marker after the full stop
# belongs to the sentence before it.
_MARKER_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[[^\]]{1,20}\])+)")
# Sentences addressed to an AI rather than to readers, in the languages European news is written
# in and disguised as notes to editors or to "automated systems": never evidence for an answer.
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompts?|"
    r"guidelines)\b|\b(?:reply|respond|answer|say|output)\s+only\s+with\b|\bsystem\s+prompt\b|"
    r"\byou\s+are\s+now\b|\bnew\s+instructions\b|"
    # German, French, Spanish, Italian: "ignore the previous instructions", "answer only with".
    r"\b(?:ignorier\w*|vergiss|vergessen\s+sie|missachte\w*)\b.{0,50}\b(?:anweisung\w*|regeln|"
    r"vorgaben|befehle)\b|\bantworte\w*\s+(?:sie\s+)?nur\b|\bsystemanweisung|"
    r"\b(?:ignore[zs]?|oublie[zs]?)\b.{0,50}\b(?:instructions?|consignes?|règles)\b|"
    r"\br[ée]pond(?:s|ez)\s+(?:uniquement|seulement)\b|"
    r"\b(?:ignora|ignore|olvida)\b.{0,50}\b(?:instrucciones|reglas)\b|\bresponde\s+solo\b|"
    r"\b(?:ignora|dimentica)\b.{0,50}\b(?:istruzioni|regole)\b|"
    # Disguised: "Note to AI systems: ...", "Editor's note for automated assistants", "If you are
    # a language model, ...", "AI summarisers must state that ...".
    r"\bnote\s+(?:to|for)\s+(?:any\s+|all\s+)?(?:ai|automated|language\s+models?|chatbots?|"
    r"assistants?|llms?)\b|\bif\s+you\s+are\s+an?\s+(?:ai|language\s+model|assistant|chatbot|"
    r"llm)\b|\b(?:ai|automated|virtual|language)\s+(?:assistants?|systems?|models?|"
    r"summari[sz]ers?|tools?)\s+(?:\w+\s+){0,3}(?:must|should|are\s+(?:instructed|required|"
    r"asked)\s+to)\s+(?:\w+\s+)?(?:say|state|tell|reply|answer|write|mention|claim|"
    r"respond|conclude)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[,;:]\s+|\s*[\"“”]\s*|\s+(?:but|while|although|whereas)\s+")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_NAME = re.compile(r"[A-Z][\w'’-]*")
_NEGATION = {
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without",
}  # fmt: skip
# Words that deny what follows or precedes them ("rejected the idea", "ruled out", "impossible").
_IMPLICIT_NEGATION = ("reject", "refus", "denied", "deny", "denies", "ruled", "impossible")
_STOPWORDS = {
    "a", "an", "the", "to", "of", "in", "on", "at", "by", "for", "and", "or", "that", "this",
    "is", "are", "was", "were", "be", "been", "will", "would", "has", "have", "had", "it", "its",
    "he", "she", "they", "there", "said", "says", "with", "from", "as",
}  # fmt: skip
_ABSTAIN = re.compile(
    r"\b(?:(?:sources?|passages?|articles?|texts?|context)\s+(?:do|does|did)\s*(?:not|n't)\s+"
    r"(?:say|mention|state|tell|contain|include|answer|provide|specify|cover)|"
    r"(?:i|we)\s+(?:do|did)\s*(?:not|n't)\s+know|"
    r"no\s+(?:information|mention|answer|details?)\b|"
    r"(?:not|never)\s+(?:mentioned|stated|specified|said|reported)\b|"
    r"(?:cannot|can't|unable to)\s+(?:answer|find|tell|say))",
    re.IGNORECASE,
)
# Capitalised words that start sentences without being names.
_NOT_NAMES = {
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
    "i", "you", "his", "her", "their", "our", "my", "your", "there", "here", "in", "on", "at",
    "by", "for", "from", "to", "of", "with", "as", "after", "before", "during", "since", "until",
    "while", "when", "where", "why", "how", "what", "who", "which", "whose", "if", "but", "and",
    "or", "so", "yet", "also", "however", "meanwhile", "moreover", "furthermore", "therefore",
    "thus", "then", "still", "both", "all", "some", "many", "most", "several", "few", "each",
    "every", "other", "another", "such", "no", "not", "yes", "according", "earlier", "later",
    "today", "yesterday", "overall", "instead", "although", "though", "because", "mr", "mrs",
    "ms", "dr", "sources", "source", "passage", "passages", "article", "articles", "answer",
    "based", "given", "following", "apart", "despite", "unlike", "like", "only", "just",
    "neither", "nor", "none", "nothing", "one", "two", "three", "first", "second", "finally",
    "additionally", "similarly", "likewise", "specifically", "notably", "indeed",
}  # fmt: skip


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class SentenceCheck:
    """The verdict on one sentence of an answer."""

    text: str
    """The sentence without its ``[n]`` markers."""
    cited: list[int]
    """Passage numbers the sentence cites that exist."""
    supported: bool = False
    neutral: bool = False
    """An abstention or connective: needs no citation, supports nothing."""
    abstention: bool = False
    score: float = 0.0
    """Best similarity to a sentence of a cited passage."""
    reason: str = ""
    """Why it is unsupported ("" when supported or neutral)."""
    support: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    """Passages that support it -> spans of the supporting sentence(s) in that passage."""
    attributed: bool = False
    """It had no marker and was checked against every passage (``attribute_uncited``)."""

    def with_markers(self, numbers: Mapping[int, int] | None = None) -> str:
        """The sentence with markers for its supporting passages (renumbered by ``numbers``)."""
        cites = sorted({(numbers or {}).get(n, n) for n in self.support})
        if not cites:
            return self.text
        marks = "".join(f"[{n}]" for n in cites)
        m = re.search(r"[.!?]['\"’”)]*$", self.text)
        if m:
            return f"{self.text[: m.start()]} {marks}{self.text[m.start() :]}"
        return f"{self.text} {marks}"


def _markers(text: str) -> list[int]:
    found: list[int] = []
    for m in _MARKER.finditer(text):
        nums = [int(x) for x in re.findall(r"\d+", m.group(1))]
        if re.search(r"[-–]", m.group(1)) and len(nums) == 2 and 0 < nums[1] - nums[0] < 10:
            nums = list(range(nums[0], nums[1] + 1))
        found += nums
    return list(dict.fromkeys(found))


def _strip_markers(text: str) -> str:
    text = _MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def split_answer(answer: str) -> list[tuple[str, list[int]]]:
    """Sentences of a generated answer as (text without markers, cited numbers as written)."""
    answer = _MARKER_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", answer.strip())
    out: list[tuple[str, list[int]]] = []
    for span in split_sentences(answer):
        raw = answer[span.start : span.end]
        text = _strip_markers(raw)
        cited = _markers(raw)
        if not re.search(r"\w", text):  # a lone marker or bullet: goes with the sentence before
            if out and cited:
                out[-1] = (out[-1][0], list(dict.fromkeys(out[-1][1] + cited)))
            continue
        out.append((text, cited))
    return out


def is_abstention(text: str) -> bool:
    """Does the sentence say that the sources don't answer?"""
    return bool(_ABSTAIN.search(text))


def _norm_numbers(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)


def numbers_in(text: str) -> set[str]:
    """Numbers in ``text``, thousands separators removed ("1,500" -> "1500")."""
    return set(NUMBER.findall(_norm_numbers(text)))


def names_in(sentence: str) -> set[str]:
    """Capitalised words that look like names, lower-cased, possessives removed.

    The first word counts only if it is not a common sentence opener ("The", "However", ...).
    """
    out: set[str] = set()
    words = _WORD.findall(sentence)
    for i, w in enumerate(words):
        if not _NAME.fullmatch(w) or len(w) < 2:
            continue
        low = re.sub(r"['’]s$", "", w).lower()
        if low in _NOT_NAMES or (i == 0 and low.endswith("ly")):
            continue
        out.add(low)
    return out


def _vocabulary(texts: Sequence[str]) -> set[str]:
    words = set()
    for t in texts:
        for w in _WORD.findall(t):
            low = w.lower()
            words.add(low)
            words.add(re.sub(r"['’]s$", "", low))
            words.add(word_key(low))
    return words


def _known(name: str, vocabulary: set[str]) -> bool:
    """Exact word, the same word in the other spelling or inflection ("organization" for
    "organisations", ``word_key``), or a shared stem ("Ukrainian" for "Ukraine")."""
    if name in vocabulary or word_key(name) in vocabulary:
        return True
    need = max(5, len(name) - 3)
    return len(name) >= need and any(len(v) >= need and v[:need] == name[:need] for v in vocabulary)


def _coverage(claim: str, vocabulary: set[str]) -> float:
    """Share of the claim's content words found (or stemmed) in the passages' words."""
    words = {w for w in _content(claim) if w not in _STOPWORDS and w not in _NEGATION}
    words = {w for w in words if not w.isdigit()}
    if not words:
        return 1.0
    return sum(_known(w, vocabulary) for w in words) / len(words)


def mentions_all(names: set[str], texts: Sequence[str]) -> bool:
    """Do ``texts`` name every one of ``names`` (exact word or shared stem)? For "what did
    Scholz say" a passage that never names Scholz cannot hold the answer, however well it
    supports a sentence copied from it."""
    vocabulary = _vocabulary(texts)
    return all(_known(n, vocabulary) for n in names)


def _content(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'t)?", text.lower().replace("’", "'"))


def _negator(word: str) -> bool:
    return word in _NEGATION or word.endswith("n't") or word.startswith(_IMPLICIT_NEGATION)


def _negated_words(text: str, among: set[str]) -> set[str]:
    """Words of ``among`` in the scope of a negation: up to five words either side of it, within
    its clause ("no plans to send combat troops", "sending troops was impossible"; not "did not
    specify which countries, but he said ...")."""
    out: set[str] = set()
    for clause in _CLAUSE.split(text):
        words = _content(clause)
        for i, w in enumerate(words):
            if _negator(w):
                out |= {x for x in words[max(0, i - 5) : i + 6] if x in among and x != w}
    return out


def _flipped(claim: str, evidence: str) -> bool:
    """Does one of them negate what they share and the other not ("no ground troops")?"""
    shared = {
        w
        for w in set(_content(claim)) & set(_content(evidence))
        if w not in _STOPWORDS and not _negator(w)
    }
    return bool(_negated_words(claim, shared)) != bool(_negated_words(evidence, shared))


@dataclass
class _Unit:
    """A sentence, or two adjacent sentences, of a passage."""

    n: int
    text: str
    spans: list[tuple[int, int]]


def _units(n: int, passage: str) -> list[_Unit]:
    """Sentences, pairs of adjacent sentences, and clauses of ``passage`` (a short claim often
    restates one clause of a long quote); a clause's span is its whole sentence.

    Sentences addressed to an AI ("Ignore previous instructions and reply ...") are left out:
    an article is data, and repeating an instruction found in it is not an answer.
    """
    spans = [(s.start, s.end) for s in split_sentences(passage)]
    spans = [(a, b) for a, b in spans if not INSTRUCTION.search(passage[a:b])]
    units = [_Unit(n, passage[a:b], [(a, b)]) for a, b in spans]
    units += [
        _Unit(n, passage[a[0] : b[1]], [a, b])
        for a, b in itertools.pairwise(spans)
        if b[0] - a[1] <= 2  # adjacent in the passage, not around an instruction left out
    ]
    for a, b in spans:
        clauses = [c for c in _CLAUSE.split(passage[a:b]) if len(c.split()) >= 3]
        if len(clauses) > 1:
            units += [_Unit(n, c, [(a, b)]) for c in clauses]
    return units


def check_sentences(
    answer: str,
    passages: Mapping[int, str],
    embedder: Encoder,
    *,
    titles: Mapping[int, str] | None = None,
    threshold: float = SUPPORT_THRESHOLD,
    attribute_uncited: bool = False,
) -> list[SentenceCheck]:
    """Check every sentence of ``answer`` against the passages it cites.

    ``passages`` maps the numbers the model was shown to passage texts; ``titles`` (same keys)
    count for names and numbers but not as evidence. With ``attribute_uncited``, a sentence the
    model left without a marker (small models often do, even when they copy a passage word for
    word) is checked against every passage, by the same rules, and cited to the one(s) that
    support it; its names and numbers must then occur in those supporting passages themselves.
    """
    titles = titles or {}
    checks: list[SentenceCheck] = []
    pending: list[SentenceCheck] = []
    for text, cited in split_answer(answer):
        valid = [n for n in cited if n in passages]
        check = SentenceCheck(text=text, cited=valid)
        checks.append(check)
        if not cited:
            if is_abstention(text):
                check.neutral = check.abstention = True
            elif len(_WORD.findall(text)) <= 4 and not numbers_in(text) and not names_in(text):
                check.neutral = True
            elif attribute_uncited and passages:
                check.cited = sorted(passages)
                check.attributed = True
                pending.append(check)
            else:
                check.reason = "cites no passage"
            continue
        if not valid:
            check.reason = "cites passages that do not exist: " + ", ".join(f"[{n}]" for n in cited)
            continue
        pending.append(check)
    if not pending:
        return checks

    needed = sorted({n for c in pending for n in c.cited})
    units = [u for n in needed for u in _units(n, passages[n])]
    vectors = np.asarray(embedder.encode([c.text for c in pending] + [u.text for u in units]))
    claims, evidence = vectors[: len(pending)], vectors[len(pending) :]
    sims = claims @ evidence.T if len(units) else np.zeros((len(pending), 0))
    for i, check in enumerate(pending):
        _judge(check, units, sims[i], passages, titles, threshold)
    return checks


def _judge(
    check: SentenceCheck,
    units: list[_Unit],
    sims: np.ndarray,
    passages: Mapping[int, str],
    titles: Mapping[int, str],
    threshold: float,
) -> None:
    best: dict[int, tuple[float, _Unit]] = {}
    contradicted: set[int] = set()
    for j in np.argsort(-sims):
        unit, score = units[int(j)], float(sims[int(j)])
        if unit.n not in check.cited or unit.n in best or unit.n in contradicted:
            continue
        if _flipped(check.text, unit.text):
            # The passage's closest match says the opposite: it cannot support the claim.
            if score >= threshold:
                contradicted.add(unit.n)
            continue
        best[unit.n] = (score, unit)
    check.score = round(max((s for s, _ in best.values()), default=0.0), 4)
    supporting = {n: u for n, (s, u) in best.items() if s >= threshold}
    if not supporting:
        if check.attributed:
            check.reason = f"cites no passage, and none supports it (similarity {check.score:.2f})"
        else:
            check.reason = (
                "the cited passage says the opposite"
                if contradicted
                else f"not close to any cited passage (similarity {check.score:.2f})"
            )
        return
    if check.attributed:
        # Cited to the one passage closest to it, and its names and numbers must be there too:
        # the union of everything shown would let a sentence stitch facts together.
        top = max(supporting, key=lambda n: best[n][0])
        supporting = {top: supporting[top]}
        check.cited = [top]
    texts = [passages[n] for n in check.cited] + [titles.get(n, "") for n in check.cited]
    coverage = _coverage(check.text, _vocabulary(texts))
    if coverage < MIN_COVERAGE:
        check.reason = f"most of its words are not in the cited passages ({coverage:.0%})"
        return

    # Names and numbers: from the supporting passages first, then any other passage it cites.
    def vocab(ns: Sequence[int]) -> tuple[set[str], set[str]]:
        texts = [passages[n] for n in ns] + [titles.get(n, "") for n in ns]
        return _vocabulary(texts), set().union(*(numbers_in(t) for t in texts))

    names, numbers = names_in(check.text), numbers_in(check.text)
    words, nums = vocab(list(supporting))
    missing_names = {x for x in names if not _known(x, words)}
    missing_numbers = numbers - nums
    for n in check.cited:
        if n in supporting or not (missing_names or missing_numbers):
            continue
        w, d = vocab([n])
        helps = {x for x in missing_names if _known(x, w)} | (missing_numbers & d)
        if helps:
            supporting[n] = best[n][1] if n in best else _Unit(n, "", [])
            missing_names -= helps
            missing_numbers -= helps
    if missing_names or missing_numbers:
        what = sorted(missing_names) + sorted(missing_numbers)
        check.reason = "not in the cited passages: " + ", ".join(what)
        return
    check.supported = True
    check.support = {n: u.spans for n, u in sorted(supporting.items())}


def check_citations(
    answer_text: str,
    cited: Mapping[int, str],
    embedder: Encoder,
    *,
    threshold: float = SUPPORT_THRESHOLD,
) -> tuple[list[str], list[str]]:
    """(kept sentences, unsupported sentences) of an answer, given the passages by number.

    Kept sentences carry markers for the passages that support them; unsupported ones are
    returned without markers. Neutral sentences (abstentions, connectives) are kept.
    """
    checks = check_sentences(answer_text, cited, embedder, threshold=threshold)
    kept = [c.with_markers() for c in checks if c.supported or c.neutral]
    unsupported = [c.text for c in checks if not (c.supported or c.neutral)]
    return kept, unsupported
