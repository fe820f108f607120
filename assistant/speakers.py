"""Answers over several speakers, from the statements stored at index time.

"Which leaders ruled out sending troops?", "Who disagreed with Macron?", "How did party leaders
react to ...?", "What did the two managers say?": one line per speaker (name, role, their words
quoted or reported, the citation), grouped under the position when the question asks who agreed,
disagreed or ruled something out; a speaker whose statement does not take that position is not
listed under it. "When did X ...?" questions answer with the day the statement was made.

Statements come from the articles retrieval found (``Store.statements(article_ids=...)``); each
is cited through the stored passage that holds it.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from typing import Any

import numpy as np
from langchain_core.documents import Document
from newsqa.assistant import speaker_select
from newsqa.assistant.answer_types import word_keys
from newsqa.assistant.citations import citation, result
from newsqa.assistant.condense import people
from newsqa.index.chunking import split_sentences
from newsqa.index.dates import EXPLICIT, RELATIVE, article_date, human
from newsqa.index.entries import entries
from newsqa.index.names import (
    HONORIFICS,
    NAME_RUN_RX,
    fold,
    is_function_word,
    is_role_word,
    name_tokens,
    speaker_identities,
)
from newsqa.index.statements import STANCE_VERBS, is_organisation

# Verbs of a question that asks for people's statements ("Which leaders ruled out ...", "Who
# warned ..."): the stance verbs statements are extracted by, the speech verbs that make a claim
# (not "announced", "wrote" or "asked": acts a fact answers), and verbs of attack or doubt that
# report a position in other words ("Who attacked Labour's record?").
_POSITION_VERBS = (
    {v for v in STANCE_VERBS if v.split()[0].endswith("ed")}
    | set(
        "said say told claimed insisted argued warned urged stressed suggested admitted "
        "predicted promised pledged vowed conceded acknowledged maintained commented responded "
        "replied ruled rule reacted react spoke spoken paid gave expressed voiced "
        "questioned attacked accused challenged doubted disputed slammed blasted tipped "
        "cautioned hailed complained described lambasted explained quoted".split()
    )
    # "called for" takes a position; "called the police" does not.
    | {"called for", "called on", "hit out", "hit back", "lashed out", "rounded on", "played down"}
    # "Who thought the referee got it wrong?", "Who stood up for ...", "poured scorn on".
    | {"thought", "believed", "felt", "stood up for", "poured scorn", "stopped short"}
    | {"came out against", "come out against", "came out in favour", "spoke up for"}
)
# ... and their -ing forms: "Which musicians are backing ...".
_POSITION_VERBS |= {v[:-2] + "ing" for v in _POSITION_VERBS if v.endswith("ed")}
_VERB_ALT = "|".join(sorted(_POSITION_VERBS, key=len, reverse=True))
# "Which (European) leaders ...", "Which law lords ...", "Which WMC executives ...".
_WHICH_PLURAL = re.compile(
    # The group is a lower-case plural ("Which leaders ..."), never a name ("What did Moyes say").
    # Right after "Which", a capitalised one is a party's or a nation's people ("Which
    # Conservatives said ..."); after "What did" it is a name ("What did Moyes say").
    # "Which Conservative MPs ...": a plural of capitals is a group too (MPs, MEPs, CEOs).
    r"^\s*(?:which\s+(?=(?-i:[A-Z][a-z]+s)\s)|(?:which|what)\s+(?:[\w'’-]+\s+){0,4}?"
    r"(?=(?-i:[a-z]|[A-Z]{2,}s\b)))"
    r"(?P<group>[a-z][\w-]*s|[a-z][\w-]*(?:men|people))\b(?!\s+(?:is|was)\b)"
    rf"(?:,\s*or\s+[\w\s]+,)?\s+"
    # "Which members of the bank's board voted ...", "Which officials at the talks argued ...".
    r"(?:(?:of|at|in|from|on|for|with)\s+(?:[\w'’.&-]+\s+){1,6}?)?"
    rf"(?:\w+\s+){{0,2}}?(?P<verb>{_VERB_ALT})\b",
    re.IGNORECASE,
)
# "Who disagreed with Macron?", "Who paid tribute to ...", "Who has spoken out against ...".
_WHO_VERB = re.compile(
    # "Who at Tallis Copper explained ...", "Who is quoted about ...".
    # "Who outside the bank complained ...", "Who, apart from the delegation, spoke up ...".
    r"^\s*who(?:\s*,[^,?]{1,80},)?\s+"
    r"(?:(?:at|from|for|in|outside|inside|within|among)\s+(?:the\s+)?"
    r"(?:[^\W\d_][\w'’&.-]*\s+){1,4})?"
    rf"(?:else\s+)?(?:has\s+|have\s+|had\s+|also\s+|is\s+|was\s+|were\s+|been\s+)*"
    rf"(?P<verb>{_VERB_ALT})\b",
    re.IGNORECASE,
)
# "How did party leaders react to ...", "What did European leaders / the two managers say ...".
_PLURAL_SUBJECT = re.compile(
    r"^\s*(?:how|what)\s+(?:did|do|have|has)\s+(?P<subject>.+?)\s+(?:say|said|react|reacted|"
    r"respond|responded|think|tell|told|make\s+of)\b",
    re.IGNORECASE,
)
_GROUP_NOUN = re.compile(
    r"\b(?:leaders|politicians|ministers|managers|executives|officials|lords|critics|"
    r"countries|governments|parties|people|experts|analysts|members|chiefs|players|coaches|"
    r"stars|others|everyone|anyone|both|two|three|several|each|speakers|figures|mps|"
    r"bosses|leaders'|rivals|colleagues|unions|companies|firms|banks|sides)\b",
    re.IGNORECASE,
)
_AND_NAMES = re.compile(r"\b(?:and|&)\b")
_NOT_PLURAL = {"this", "was", "has", "his", "its", "does", "news", "always", "series", "less"}
# A position the question asks about, with the cue words of a statement that takes it.
# "against" after a verb ("spoke out against", "voted against"); "the case against X" is a noun.
_NEGATIVE_Q = re.compile(
    # Verbs, not nouns: "backed Lord Butler's criticism" and "opposition parties" ask for no
    # refusal.
    r"\b(?:ruled?\s+out|rule\s+out|reject(?:s|ed|ing)?\b|oppos(?:e|es|ed|ing)\b|(?:out|voted?|"
    r"spoke|spoken|argued|campaigned|were|was|is|are)\s+against|disagree\w*|refus\w*|not\b|"
    r"n't\b|no\s+plans|incompatible|object(?:ed|ing)\b|critici[sz](?:e|es|ed|ing)\b|"
    r"condemn\w*|spoken\s+out)",
    re.IGNORECASE,
)
_NEGATIVE_S = re.compile(
    r"\b(?:no|not|never|nothing|none|ruled\s+out|rule\s+out|reject\w*|refus\w*|oppos\w*|"
    r"against|impossible|incompatible|unacceptable|deny|denied|n't|cannot|dismiss\w*|"
    r"condemn\w*|criticis\w*|criticiz\w*|wrong|unlawful|should\s+be\s+rejected|too\s+low)\b|"
    r"n't\b",
    re.IGNORECASE,
)
# "nothing can be ruled out", "did not rule out": a negated refusal keeps the door open.
_OPEN = re.compile(
    r"\b(?:nothing|not|n't|never|cannot|can't|won't)\b[^.;]{0,25}?\b(?:ruled?\s+out|rule\s+out|"
    r"exclud\w*|reject\w*)",
    re.IGNORECASE,
)
# "... say after Newcastle beat Bolton": words said after an event react to it.
_SUBORDINATE = re.compile(
    r"\b(?:after|when|because|since|following|before|while|once)\b.*$", re.IGNORECASE
)
_REACTION = re.compile(
    r"\b(?:react\w*|tribute|comment\w*|respond\w*|response|reaction|spoken|spoke|view|views|"
    r"after)\b",
    re.IGNORECASE,
)
_ASKS_POSITION = re.compile(
    r"\b(?:ruled?\s+out|rule\s+out|reject\w*|oppos\w*|disagree\w*|agree\w*|support\w*|"
    r"back\w*|against|refus\w*)\b",
    re.IGNORECASE,
)
# "disagreed with Macron", "react to Lord Callaghan's death": the person the question is about,
# not one of its answers.
# "Who said/warned ... that ...": a question about one claim rather than a position many took.
_CLAIM_VERBS = {"said", "warned", "argued", "urged"}
_STANCE_LABEL = re.compile(
    r"\b(?:ruled?\s+out|rule\s+out|reject\w*|oppos\w*|disagree\w*|refus\w*|against|"
    r"critici\w*|object\w*)",
    re.IGNORECASE,
)
_STANCE_LABELS = {
    "ruled ": "Ruled it out",
    "rule o": "Ruled it out",
    "reject": "Rejected it",
    "oppose": "Opposed it",
    "opposi": "Opposed it",
    "disagr": "Disagreed",
    "refuse": "Refused",
    "agains": "Spoke against it",
    "critic": "Criticised it",
    "object": "Objected",
}
_OBJECT_PERSON = re.compile(
    r"\b(?:with|to|against|about|on)\s+(?P<who>(?:[A-Z][\w'’.-]+\s*)+)|"
    # "Did other countries back Macron's position?": whose position it is.
    r"\b(?P<owner>(?:[A-Z][\w.-]+\s+)*[A-Z][\w.-]+)['’]s\s+(?:position|view|stance|line|plan|"
    r"proposals?|idea|suggestion|call|remarks?|comments?|words|claims?|criticism|attack|"
    r"decision|offer|bid|move|ruling|report|plans)\b",
    re.UNICODE,
)
_WHEN = re.compile(r"^\s*(?:when|on\s+what\s+(?:date|day)|what\s+(?:date|day))\b", re.IGNORECASE)
_SIMILAR = re.compile(r"(?i)\b(?:similar|same|like|comparable)\s+(?:position|view|stance|line)")
# Verbs that report with "that" ("said that ..."); others take their object ("called him ...").
_SAY_THAT = {
    "said",
    "says",
    "added",
    "announced",
    "suggested",
    "noted",
    "warned",
    "stated",
    "insisted",
    "argued",
    "explained",
    "claimed",
    "stressed",
    "reminded",
    "admitted",
    "confirmed",
    "declared",
    "predicted",
    "revealed",
    "wrote",
    "replied",
    "responded",
    "commented",
    "assured",
    "believes",
    "believed",
    "thinks",
    "thought",
    "conceded",
    "acknowledged",
    "maintained",
    "estimated",
    "estimates",
    "promised",
    "pledged",
    "vowed",
    "agreed",
}
_QUESTION_WORDS = {
    "who",
    "which",
    "what",
    "how",
    "when",
    "did",
    "does",
    "do",
    "have",
    "has",
    "had",
    "say",
    "said",
    "tell",
    "told",
    "react",
    "reacted",
    "respond",
    "responded",
    "comment",
    "commented",
    "the",
    "a",
    "an",
    "their",
    "his",
    "her",
    "its",
    "or",
    "and",
    "of",
    "to",
    "on",
    "about",
    "with",
    "that",
    "own",
    "other",
    "else",
    "also",
    "after",
    "they",
    "it",
    "in",
    "for",
    "be",
    "would",
    "should",
    "was",
    "were",
    "is",
    "are",
    "them",
    "this",
    "these",
    "those",
}


def is_multi_speaker_question(question: str) -> bool:
    """A question whose answer is several people's words or positions."""
    q = question.strip()
    if _WHO_VERB.match(q) or _ANYONE.match(q):
        return True
    m = _WHICH_PLURAL.match(q)
    if m:
        return True
    m = _PLURAL_SUBJECT.match(q)
    if m:
        subject = m.group("subject")
        # "the lawyers for the four Britons": any plural noun names a group.
        plural = any(
            word_keys(w) != {w}
            for w in re.findall(r"\b[a-z]{3,}s\b", subject)
            if w not in _NOT_PLURAL
        )
        return bool(_GROUP_NOUN.search(subject) or _AND_NAMES.search(subject) or plural)
    return False


def is_when_question(question: str) -> bool:
    """ "When did X say ...", "On what date did X rule out ...": the day of a statement."""
    return bool(_WHEN.match(question))


def _keys(text: str) -> set[str]:
    text = re.sub(r"['’]s\b", "", text)  # "Santini's resignation" is about Santini
    return {k for k in word_keys(text) if k not in _QUESTION_WORDS and len(k) > 2} - {
        "leader",
        "politician",
        "minister",
        "manager",
        "executive",
        "official",
        "people",
        "who",
    }


def _excluded(question: str) -> set[str]:
    """Folded name words of the person the question is about ("disagreed with Macron")."""
    out: set[str] = set()
    for m in _OBJECT_PERSON.finditer(question):
        tokens = name_tokens(m.group("who") or m.group("owner"))
        out |= {fold(t.removesuffix("'s").removesuffix("’s")) for t in tokens}
    return {w for w in out if not is_function_word(w)}


def _predicate_names(question: str) -> set[str]:
    """Folded family names of the people a "Who/Which ... <verb> ...?" question names after its
    verb ("Who criticised Tony Blair?", "Which critics doubted that Chris Rock would ..."): the
    question asks who spoke about them, so they are not among its answers."""
    m = _WHO_VERB.match(question) or _WHICH_PLURAL.match(question)
    if not m:
        return set()
    out: set[str] = set()
    for run in NAME_RUN_RX.finditer(question, m.end("verb")):
        tokens = [t.removesuffix("'s").removesuffix("’s") for t in name_tokens(run.group(0))]
        if tokens and not is_function_word(tokens[-1]):
            out.add(fold(tokens[-1]))
    return out


def _family(st: dict[str, Any]) -> str:
    """A statement's speaker's family name, folded ("olaf scholz" -> "scholz")."""
    key = st.get("speaker_key") or fold(st["speaker"])
    return key.split()[-1] if key.split() else ""


def _subject_names(question: str) -> set[str]:
    """Folded name words of the people a "What did X and Y say ...?" question names."""
    m = _PLURAL_SUBJECT.match(question)
    if not m:
        return set()
    out: set[str] = set()
    subject = m.group("subject")
    for run in NAME_RUN_RX.finditer(subject):
        if re.search(r"['’]s?$", run.group(0)) or re.match(r"['’]", subject[run.end() :]):
            continue  # "Robert Napier's lawyer" is the lawyer, not Napier
        out |= {fold(t) for t in name_tokens(run.group(0))}
    return {w for w in out if not is_function_word(w)}


def _score(qkeys: set[str], st: dict[str, Any]) -> float:
    skeys = word_keys(st["text"] + " " + (st.get("verb") or ""))
    if not qkeys:
        return 0.0
    return len(qkeys & skeys) / len(qkeys)


def _chunk_for(store: Any, st: dict[str, Any], docs: list[Document]) -> Document | None:
    """The passage (retrieved, else stored) that holds the statement."""
    for d in docs:
        m = d.metadata
        if m.get("article_id") == st["article_id"]:
            start = int(m.get("start", 0))
            if start <= st["start"] and st["end"] <= start + len(d.page_content):
                return d
    for rec in store.article_chunks([st["article_id"]]):
        if rec.start <= st["start"] and st["end"] <= rec.end:
            return Document(page_content=rec.text, metadata=rec.metadata(), id=rec.id)
    for rec in store.article_chunks([st["article_id"]]):
        if rec.start <= st["start"] < rec.end:
            return Document(page_content=rec.text, metadata=rec.metadata(), id=rec.id)
    return None


def _doc_id(doc: Document) -> str:
    m = doc.metadata
    return str(m.get("chunk_id") or doc.id or f"{m.get('article_id')}:{m.get('start')}")


def _line(st: dict[str, Any], n: int) -> str:
    role = st.get("role") or ""
    who = st["speaker"] + (f" ({role})" if role and role != st["speaker"] else "")
    text = st["text"].strip().rstrip(",")
    if st["kind"] == "quote":
        return f"{who}: “{text}” [{n}]"
    if st["kind"] == "position":
        if _SIMILAR.search(text):
            return f"{who} {st['verb']} the same: {text} [{n}]"
        return f"{who} {text} [{n}]"
    verb = st.get("verb") or "said"
    if verb == "according to":
        return f"According to {st['speaker']}, {text} [{n}]"
    verb = {"told": "said", "tells": "says", "tell": "say"}.get(verb, verb)
    that = "" if re.match(r"(?i)that\b", text) or verb not in _SAY_THAT else "that "
    return f"{who} {verb} {that}{text} [{n}]"


# Question verbs that name no particular act: any statement can answer them.
# Light verbs ("paid tribute", "gave his backing") name no act by themselves either.
_ANY_ACT = {"said", "say", "spoke", "spoken", "commented", "reacted", "react", "gave", "expressed",
            "voiced", "argued", "insisted", "paid", "made", "offered"}  # fmt: skip


def _asked_act(question: str) -> str:
    """The stem of the act a "Which X congratulated / Who welcomed ..." question asks about
    ("congrat", "welcom"), or "" when its verb names none ("said", "reacted") or is a position
    the negative cues already judge."""
    m = _WHICH_PLURAL.match(question) or _WHO_VERB.match(question)
    if not m:
        return ""
    verb = m.group("verb").lower()
    if verb in _ANY_ACT or _NEGATIVE_Q.search(verb) or verb in ("ruled", "rule"):
        return ""
    if re.match(r"(?:back|support|endors|favou?r|agree)", verb):
        return ""  # a position, taken in any words ("the most important vote in a generation")
    return verb[:6] if len(verb) > 6 else verb.rstrip("ed") or verb


def _story_statements(
    scored: list[tuple[float, dict[str, Any]]],
    stories: list[str],
    title_score: dict[str, float],
    negative: bool,
    open_q: bool,
) -> list[tuple[float, dict[str, Any]]]:
    """The statements of the story (the article whose headline shares most of the question's
    words, the first retrieved on a tie) that take the position the question asks about: the
    answer when no statement repeats enough of the question's words ("Who criticised the aid
    package?" answered by "Fire doesn't check party registration")."""
    ids = [a for a in stories if any(st["_story"] == a for _, st in scored)]
    if not ids:
        return []
    story = max(ids, key=lambda a: (title_score.get(a, 0.0), -ids.index(a)))
    return [
        (s, st)
        for s, st in scored
        if st["_story"] == story
        and (not negative or st["_neg"])
        and (not open_q or _OPEN.search(st["text"]))
    ]


# "Which senators backed ...": a position for something; a statement against it takes the other.
_POSITIVE_Q = re.compile(
    r"\b(?:back(?:ed|s|ing)?|support\w*|welcom\w*|prais\w*|agreed?|endors\w*|favou?r\w*|"
    r"called\s+for|in\s+favou?r)\b",
    re.IGNORECASE,
)
_CRITICISM_Q = re.compile(
    r"\b(?:critici[sz](?:e|es|ed|ing)|condemn\w*|attack\w*|accus\w*|doubt\w*|slamm?\w*|"
    r"blast\w*|lambast\w*|hit\s+out|lash\w*\s+out|round\w*\s+on|complain\w*|"
    # "Who argued against new rules?": a case made against something, in any words.
    r"(?:argued|spoke|spoken|campaigned|lobbied|warned)\s+against)\b",
    re.IGNORECASE,
)
# Words that take a stand against (bare "not" does not: "a down payment, not a blank check").
_AGAINST = re.compile(
    r"\b(?:against|oppos\w*|reject\w*|object\w*|critici[sz]\w*|condemn\w*|ruled?\s+out|"
    r"denounc\w*|attack\w*)",
    re.IGNORECASE,
)
# Group nouns too broad to be read off a role ("politicians" holds ministers and MPs alike).
_GENERIC_GROUPS = {
    *("official", "politician", "expert", "critic", "people", "person", "figure", "member"),
    *("other", "speaker", "country", "government", "party", "side", "rival", "colleague"),
    *("observer", "commentator", "everyone", "anyone"),
    # In news a "leader" is any head of a government or party, an "executive" a chairman as
    # well as a chief executive: no one role word tells them apart.
    "leader",
    "executive",
}
# Titles written before a name (AP and UK styles), as the role word they stand for. Written
# here because the statement extractor keeps the roles written beside a name, not these.
_TITLES = {"sen": "senator", "senator": "senator", "rep": "representative",
           "representative": "representative", "gov": "governor", "governor": "governor",
           "lord": "lord", "lady": "lady", "baroness": "baroness", "judge": "judge",
           "justice": "justice", "mayor": "mayor", "prof": "professor", "professor": "professor",
           "gen": "general", "general": "general", "col": "colonel", "capt": "captain",
           "insp": "inspector", "supt": "superintendent", "det": "detective",
           "cllr": "councillor", "councillor": "councillor", "ambassador": "ambassador",
           "cardinal": "cardinal", "bishop": "bishop", "archbishop": "archbishop",
           "president": "president", "chancellor": "chancellor", "premier": "premier"}  # fmt: skip
_TITLE_RX = re.compile(
    r"\b(?P<title>" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r")\.?\s+"
    r"(?P<name>(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+)",
    re.IGNORECASE,
)


def _against(st: dict[str, Any]) -> bool:
    """The statement takes a stand against something ("voted against", "objected to")."""
    return bool(_AGAINST.search(f"{st.get('verb') or ''} {st['text']}"))


def _group(question: str) -> str:
    """The role key a "Which senators ...?" / "How did analysts react ...?" question asks for
    ("senator", "analyst"), or "" for none or a group too broad to read off a role."""
    m = _WHICH_PLURAL.match(question)
    noun = m.group("group") if m else ""
    if not m and (p := _PLURAL_SUBJECT.match(question)):
        last = p.group("subject").split()[-1]
        noun = last if re.fullmatch(r"[a-z][\w-]*s", last) else ""
    keys = word_keys(noun)
    key = next(iter(keys)) if len(keys) == 1 else ""
    return "" if key in _GENERIC_GROUPS or key == noun.lower() else key


# "Who outside the central bank complained ...?", "Who, apart from the Turkish delegation
# itself, spoke up for ...?": those the question sets aside.
_OUTSIDE = re.compile(
    r"\b(?:outside|apart\s+from|besides|other\s+than|except(?:\s+for)?)\s+"
    rf"(?P<x>(?:(?!\b(?:{_VERB_ALT}|who|has|have|had)\b)[^,?])+)",
    re.IGNORECASE,
)
_SELF = {"itself", "themselves", "himself", "herself", "own"}


def _set_aside(question: str) -> set[str]:
    """Word keys of whoever the question sets aside ("outside the central bank": central,
    bank)."""
    out: set[str] = set()
    for m in _OUTSIDE.finditer(question):
        out |= {k for k in word_keys(m.group("x")) if len(k) > 3} - _SELF
    return out


def _is_set_aside(aside: set[str], st: dict[str, Any]) -> bool:
    """The statement's speaker, role or organisation is one the question sets aside; words
    match by their first four letters ("Turkish" delegation, "Turkey's" minister)."""
    words = word_keys(f"{st['speaker']} {st.get('role') or ''} {st.get('organisation') or ''}")
    return any(w[:4] == a[:4] for w in words if len(w) > 3 for a in aside)


def _sole_group(question: str) -> bool:
    """The question asks for one group and nobody else: "Which analysts reacted ...?", "How
    did analysts react ...?"; not "Which games executives said ...?" (the group is not the
    word read as one) nor "How did officials and economists react ...?"."""
    if not _group(question):
        return False
    if m := _WHICH_PLURAL.match(question):
        between = question[m.end("group") : m.start("verb")]
        return not between.strip(" ,") and not re.search(r"\b(?:and|or)\b", m.group(0))
    p = _PLURAL_SUBJECT.match(question)
    return p is not None and not re.search(r"\b(?:and|or|&)\b|,", p.group("subject"))


def _titled(texts: dict[str, str]) -> dict[tuple[str, str], set[str]]:
    """(article id, folded family name) -> the titles written before that name in the article
    ("Sen. Margaret Ellison" -> senator; "Lord Bingham" -> lord)."""
    out: dict[tuple[str, str], set[str]] = {}
    for aid, text in texts.items():
        for m in _TITLE_RX.finditer(text):
            if not m.group("title")[0].isupper():
                continue  # "the general public", "a senator from ...": no title of a name
            family = fold(m.group("name").split()[-1])
            out.setdefault((aid, family), set()).add(_TITLES[m.group("title").lower()])
    return out


def _roles(statements: list[dict[str, Any]], texts: dict[str, str]) -> dict[str, set[str]]:
    """Each speaker's role words: the heads of the roles written beside their name ("an adviser
    on climate change to President Bush" is an adviser) and the titles before it (Sen., Lord)
    in their article's text (``texts``)."""
    titled = _titled(texts)
    roles: dict[str, set[str]] = {}
    for st in statements:
        head = re.split(r"\b(?:of|at|to|for|on|in|with|from|under)\b", st.get("role") or "")[0]
        # "his Polish counterpart" holds the role of someone else.
        keys = set() if "counterpart" in head.lower() else word_keys(head)
        family = fold(st["speaker"].split()[-1]) if st["speaker"].split() else ""
        keys |= titled.get((st["article_id"], family), set())
        roles.setdefault(st["_id"], set()).update(keys)
    return roles


def _sentence_cosines(
    store: Any, embedder: Any, text: str, statements: list[dict[str, Any]]
) -> list[float]:
    """Each statement's cosine to the question: of the stored vectors of the sentences it
    spans, the best (0 for all without an embedder or stored sentences)."""
    if embedder is None or not hasattr(store, "sentences"):
        return [0.0] * len(statements)
    qv = np.asarray(embedder.query_vector(text), dtype=np.float32)
    ids = sorted({st["article_id"] for st in statements})
    chunks = store.article_chunks(ids)
    by_article: dict[str, list[tuple[int, int, float]]] = {}
    sentences = store.sentences([c.id for c in chunks])
    for c in chunks:
        if c.id not in sentences:
            continue
        spans, vectors = sentences[c.id]
        for (start, end), cos in zip(spans.tolist(), (vectors @ qv).tolist(), strict=True):
            by_article.setdefault(c.article_id, []).append((start, end, cos))
    out = []
    for st in statements:
        cos = [
            c
            for start, end, c in by_article.get(st["article_id"], [])
            if start < st["end"] and st["start"] < end
        ]
        out.append(max(cos, default=0.0))
    return out


def _claim_words(standalone: str) -> set[str]:
    """The claim a "Who said / warned that X?" question asks about: its words other than its
    names ("Who said Grewcock's clash with Peel was accidental?" -> accidental, clash ...);
    empty for any other question."""
    who = _WHO_VERB.match(standalone)
    if not (who and who.group("verb").lower() in _CLAIM_VERBS):
        return set()
    names = _keys(" ".join(m.group(0) for m in NAME_RUN_RX.finditer(standalone[4:])))
    return _keys(standalone) - names


def _taking_position(
    standalone: str,
    scored: list[tuple[float, dict[str, Any]]],
    story_statements: list[tuple[float, dict[str, Any]]],
    negative: bool,
    open_q: bool,
    positive: bool,
) -> tuple[list[tuple[float, dict[str, Any]]], bool]:
    """The candidates that take the position the question asks about, or make its claim: the
    refusals for "Which leaders ruled out ...", not "considering sending troops"; the open door
    for "Who said troops could not be ruled out?"; not a vote against for "Which senators
    backed ...?"; the congratulations for "Which leaders congratulated ...?"; for "Who warned
    that X?", the statements that say X nearly as well as the best one. When none does, the
    story's own statements that take the position. True with them when they all answer."""
    acted = _asked_act(standalone)
    if acted and any(_does(acted, st) for _, st in scored):
        # Whoever does what the question's verb names answers it, however few of its words
        # the statement repeats: no choice left to make.
        return [(sc, st) for sc, st in scored if _does(acted, st)], True
    claim = _claim_words(standalone)
    if claim and len(_keys(standalone)) >= 5:
        claim_best = max((_score(claim, st) for _, st in scored), default=0.0)
        best = max((sc for sc, _ in scored), default=0.0)
        if claim_best > 0:
            scored = [(sc, st) for sc, st in scored if _score(claim, st) >= 0.8 * claim_best]
        else:
            scored = [(sc, st) for sc, st in scored if sc >= 0.8 * best]
    # Who voted against a bill did not back it, whatever else they said about it.
    against = {st["_id"] for _, st in scored if positive and _against(st)}
    # Criticism is voiced in any words ("families would wonder why he is still in his job"); a
    # refusal says no.
    refusal = negative and not _CRITICISM_Q.search(standalone)
    kept = [
        (sc, st)
        for sc, st in scored
        if not (refusal and not st["_neg"])
        and not (open_q and not _OPEN.search(st["text"]))
        and st["_id"] not in against
    ]
    return kept or [(sc, st) for sc, st in story_statements if st["_id"] not in against], False


def _signals(
    standalone: str,
    scored: list[tuple[float, dict[str, Any]]],
    statements: list[dict[str, Any]],
    title_score: dict[str, float],
    lead: str | None,
    store: Any,
    embedder: Any,
) -> list[dict[str, float]]:
    """speaker_select.FEATURES of each candidate statement (``scored``: topic score, statement)."""
    sts = [st for _, st in scored]
    best_topic = max((s for s, _ in scored), default=0.0)
    dense = _sentence_cosines(store, embedder, standalone, sts)
    best_dense = max(dense, default=0.0)
    claim = _claim_words(standalone)
    qwords = word_keys(standalone)
    owners = word_keys(" ".join(m.group(1) for m in _OWNER.finditer(standalone)))
    texts = store.article_texts(sorted({st["article_id"] for st in statements}))
    group = _group(standalone)
    roles = _roles(statements, texts) if group else {}
    repeat: dict[tuple[str, str], int] = {}
    for st in statements:
        repeat[(st["_id"], st["_story"])] = repeat.get((st["_id"], st["_story"]), 0) + 1
    out = []
    for (s, st), cos in zip(scored, dense, strict=True):
        role_words = word_keys(f"{st.get('role') or ''} {st.get('organisation') or ''}")
        own = roles.get(st["_id"], set())
        out.append(
            {
                "topic": s,
                "topic_rel": s / best_topic if best_topic > 0 else 0.0,
                "title": title_score.get(st["_story"], 0.0),
                "lead": float(st["article_id"] == lead),
                "dense": cos,
                "dense_rel": cos - best_dense,
                "claim": _score(claim, st) if claim else 0.0,
                "person": float(_is_person(st["speaker"], texts.get(st["article_id"], ""))),
                "quote": float(st["kind"] == "quote"),
                "position": float(st["kind"] == "position"),
                "role_q": float(bool(role_words & qwords)),
                "role_owner": float(bool(role_words & owners)),
                "group_in": float(bool(group) and group in own),
                "group_out": float(bool(group) and bool(own) and group not in own),
                "repeat": min(repeat.get((st["_id"], st["_story"]), 1), 3) / 3,
            }
        )
    return out


# "But Castell's allies insisted she had no choice.": a story of two camps turns to the other
# one in a sentence that opens with a contrast and names the camp it turns to.
_TURN = re.compile(r"^\W*(?:but|however|yet|others|not everyone|meanwhile|elsewhere)\b", re.I)
_SUPPORT_CAMP = re.compile(
    r"\b(?:allies|supporters|defenders|loyalists|defended|defending|backed|backing|praised|"
    r"welcomed|came to (?:his|her|their) defen[cs]e|stood by|rallied)\b",
    re.IGNORECASE,
)
_CRITIC_CAMP = re.compile(
    r"\b(?:critics|opponents|rebels|detractors|criticised|criticized|attacked|condemned|"
    r"hit out|lashed out|dismay|anger|angry|fury|furious)\b",
    re.IGNORECASE,
)
_SUPPORT_Q = re.compile(
    r"\b(?:back(?:ed|s|ing)?|support\w*|defend\w*|st(?:ood|and|ands)\s+up\s+for|prais\w*|"
    r"welcom\w*|endors\w*|side[ds]?\s+with)\b",
    re.IGNORECASE,
)


def _turn(sentence: str) -> str:
    """ "support" or "critic" when ``sentence`` turns the story to that camp: a contrast, then
    within its first words the camp or its act ("But Castell's allies insisted ...", "However,
    critics said ..."); "" otherwise ("But Mr Pande said that if the critics ...")."""
    if not _TURN.match(sentence):
        return ""
    head = " ".join(sentence.split()[:6])
    support, critic = bool(_SUPPORT_CAMP.search(head)), bool(_CRITIC_CAMP.search(head))
    return "support" if support and not critic else "critic" if critic and not support else ""


def _in_camp(
    standalone: str, scored: list[tuple[float, dict[str, Any]]], store: Any
) -> list[tuple[float, dict[str, Any]]]:
    """For "Who criticised ...?" / "Who stood up for ...?": the statements of the camp asked
    for, where the story turns from one camp to the other in a sentence of its own ("But
    Castell's allies insisted ..."): those after the turn are that camp's, those before it the
    other's. Unchanged when the story has no such turn or the camp asked for says nothing."""
    support = bool(_SUPPORT_Q.search(standalone))
    critic = bool(_CRITICISM_Q.search(standalone))
    if support == critic or not scored:
        return scored
    texts = store.article_texts(sorted({st["article_id"] for _, st in scored}))
    turns: dict[str, list[tuple[int, str]]] = {}
    for aid, text in texts.items():
        turns[aid] = [
            (span.start, camp)
            for span in split_sentences(text)
            if (camp := _turn(text[span.start : span.end]))
        ]
    asked = "support" if support else "critic"
    kept = []
    for sc, st in scored:
        story = turns.get(st["article_id"], [])
        before = [camp for at, camp in story if at < st["start"]]
        if before:
            camp = before[-1]
        elif story:
            camp = "critic" if story[0][1] == "support" else "support"
        else:
            camp = asked
        if camp == asked:
            kept.append((sc, st))
    return kept or scored


def _is_person(speaker: str, text: str) -> bool:
    """One person, as the article names them: name words, none of them all capitals ("PM") or a
    plural whose singular the article writes ("Liberal Democrats", "Labour MPs"); a single
    word only if the article also writes it after a given name or a title ("Al Breach",
    "Mr Dear"), which a body's name ("Ofcom", "Exxon") never is."""
    words = speaker.split()
    if not words or is_organisation(speaker):
        return False
    if any(len(w) > 1 and w.replace("-", "").isupper() for w in words):
        return False
    if not all(w[:1].isupper() for w in words):
        return False
    last = words[-1]
    singular = last[:-3] + "y" if last.endswith("ies") else last[:-1]
    if last.endswith("s") and re.search(rf"\b{re.escape(singular)}\b", text):
        return False
    if len(words) > 1:
        return True
    for m in re.finditer(rf"\b(\w+)\.?\s+{re.escape(last)}\b", text):
        before = m.group(1)
        if fold(before).strip(".") in HONORIFICS or (
            before[:1].isupper()
            and not is_function_word(before.lower())
            and not is_role_word(before)
        ):
            return True
    return False


# "BT's offer", "the Conservatives' sacking": who did what the question asks about.
_OWNER = re.compile(r"\b([\w.-]+)['’]s?(?=\s)")


def _story(st: dict[str, Any]) -> str:
    """The story a statement belongs to: its article, or its entry of a roundup or live blog
    (a speaker of one entry is not answering a question about another)."""
    entry = st.get("entry")
    return st["article_id"] if entry is None else f"{st['article_id']}#{entry}"


def _entry_openings(store: Any, statements: list[dict[str, Any]]) -> dict[str, str]:
    """story -> the first line of its entry ("ANTWERP — Thieves took three ..."), which stands
    for the headline an entry lacks; only for articles of several entries."""
    ids = sorted({st["article_id"] for st in statements if st.get("entry") is not None})
    if not ids or not hasattr(store, "article_texts"):
        return {}
    out: dict[str, str] = {}
    for aid, text in store.article_texts(ids).items():
        for i, (start, end) in enumerate(entries(text)):
            out[f"{aid}#{i}"] = text[start:end].strip().split("\n", 1)[0][:300]
    return out


def _does(stem: str, st: dict[str, Any]) -> bool:
    return stem in (st["text"] + " " + (st.get("verb") or "")).lower()


def answer_speakers(
    question: str,
    standalone: str,
    docs: list[Document],
    store: Any,
    max_articles: int = 3,
    *,
    embedder: Any = None,
    trace: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """The per-speaker answer, or None when the stored statements do not answer it (the caller
    answers as usual then)."""
    article_ids = list(dict.fromkeys(d.metadata.get("article_id") for d in docs))[:max_articles]
    article_ids = [a for a in article_ids if a]
    if not article_ids or not hasattr(store, "statements"):
        return None
    statements = store.statements(article_ids=article_ids)
    if not statements:
        return None
    rank = {a: i for i, a in enumerate(article_ids)}
    statements.sort(key=lambda s: (rank.get(s["article_id"], 99), s["start"]))
    # One line per person: namesakes of different articles (two Blairs) stay apart.
    statements = [
        {**st, "_id": who, "_story": _story(st)}
        for st, who in zip(statements, speaker_identities(statements), strict=True)
    ]
    stories = list(dict.fromkeys(st["_story"] for st in statements))
    qkeys = _keys(standalone)
    excluded = _excluded(standalone)
    spoken_about = _predicate_names(standalone)
    # "Who disagreed with Macron?": what Macron said is a topic too.
    topics = [qkeys]
    if excluded:
        for st in statements:
            words = {fold(w) for w in st["speaker"].split()} | set(st["speaker_key"].split())
            if excluded & words and (t := _keys(st["text"])):
                topics.append(t)
    # "Who said troops could not be ruled out?" asks for the open position, not a refusal.
    open_q = bool(_OPEN.search(standalone))
    # "... after Mendes' shot was not given as a goal": a negation in a clause that dates or
    # explains the question is no position asked about.
    main_clause = _SUBORDINATE.sub("", standalone)
    negative = bool(_NEGATIVE_Q.search(main_clause)) and not open_q
    reaction = bool(_REACTION.search(standalone))
    # A story is judged by its headline; an entry of a roundup or live blog by its opening.
    openings = _entry_openings(store, statements)
    title_score = {
        st["_story"]: len(qkeys & word_keys(openings.get(st["_story"], st.get("title") or "")))
        / max(len(qkeys), 1)
        for st in statements
    }
    scored: list[tuple[float, dict[str, Any]]] = []
    prev: tuple[float, bool] | None = None
    for st in statements:
        s = max(_score(t, st) for t in topics)
        neg = bool(_NEGATIVE_S.search(st["text"]) or _NEGATIVE_S.search(st.get("verb") or ""))
        if _OPEN.search(st["text"]):
            neg = False
        if reaction:
            # "How did leaders react to X's death?": every statement of an article about it.
            s = max(s, title_score.get(st["_story"], 0.0))
        if _SIMILAR.search(st["text"]) and prev:
            # "A similar position was expressed by ...": the position carries over.
            s, neg = max(s, prev[0]), prev[1]
        st = {**st, "_neg": neg}
        prev = (s, neg)
        speaker_words = {fold(w) for w in st["speaker"].split()} | set(st["speaker_key"].split())
        if excluded & speaker_words:
            continue
        if spoken_about and _family(st) in spoken_about:
            continue
        scored.append((s, st))
    if not scored:
        return None
    # "What did Blair and Howard say about ...": the people the question names as its subject.
    named = _subject_names(standalone)
    own: list[tuple[float, dict[str, Any]]] = []
    if named:
        own = [
            (sc, st)
            for sc, st in scored
            if named & ({fold(w) for w in st["speaker"].split()} | set(st["speaker_key"].split()))
        ]
        # "the chief executives of Fiat and GM" names companies, not the speakers: no filter.
        scored = own or scored
    # "What did Fox and Clarke say ...": each person the question names is answered with their
    # best statement, however few of the question's words it repeats.
    names_asked = bool(own)
    story_statements = _story_statements(scored, stories, title_score, negative, open_q)
    # The best article's statements answer; another article's only if nearly as good. An
    # article is judged by its best statement and by its title: a reaction quoted without the
    # question's words ("I am bitterly disappointed") still belongs to the story it asks about,
    # and one statement elsewhere that repeats the question's words does not outrank that story.
    if max(s for s, _ in scored) <= 0:
        if names_asked or not story_statements:
            return None
        scored = story_statements
    article_best: dict[str, float] = {}
    for sc, st in scored:
        article_best[st["_story"]] = max(article_best.get(st["_story"], 0.0), sc)
    article_score = {a: b + title_score.get(a, 0.0) for a, b in article_best.items()}
    top = max(article_score.values())
    # Retrieval ranked the articles on the whole question: another article joins the first one
    # retrieved only if it answers at least as well (of the first article's entries, the best).
    lead = next((a for a in article_ids if any(st["article_id"] == a for _, st in scored)), None)
    first_score = max(
        (v for k, v in article_score.items() if k == lead or k.startswith(f"{lead}#")),
        default=0.0,
    )
    floor = max(0.8 * top, first_score)
    scored = [(sc, st) for sc, st in scored if article_score[st["_story"]] >= floor]
    # The story found, the main clause picks its statements: "Which managers called for video
    # technology after Mendes' shot was not given?" asks for the calls, not for the shot.
    main_keys = _keys(main_clause)
    if len(main_keys) >= 2 and main_keys != qkeys:
        scored = [
            (
                max(
                    _score(main_keys, st),
                    title_score.get(st["_story"], 0.0) if _REACTION.search(main_clause) else 0.0,
                ),
                st,
            )
            for _, st in scored
        ]
    best_score = max((s for s, _ in scored), default=0.0)
    if best_score <= 0 and not story_statements:
        return None
    asks_position = bool(_ASKS_POSITION.search(standalone))
    positive = bool(_POSITIVE_Q.search(main_clause)) and not negative and not names_asked
    per_speaker: dict[str, tuple[float, dict[str, Any]]] = {}
    if names_asked:
        # "What did Fox and Clarke say ...": each person the question names is answered with
        # their best statement, however few of the question's words it repeats.
        for s, st in scored:
            if open_q and not _OPEN.search(st["text"]):
                continue
            if st["_id"] not in per_speaker or s > per_speaker[st["_id"]][0]:
                per_speaker[st["_id"]] = (s, st)
    else:
        scored, every = _taking_position(
            standalone, scored, story_statements, negative, open_q, positive
        )
        scored = _in_camp(standalone, scored, store)
        if not scored:
            return None
        signals = _signals(standalone, scored, statements, title_score, lead, store, embedder)
        if trace is not None and not every:  # what the fitted choice decides, to fit it
            trace.append(
                {
                    "speakers": [
                        {"speaker": st["speaker"], "text": st["text"], "x": speaker_select.row(f)}
                        for (_, st), f in zip(scored, signals, strict=True)
                    ]
                }
            )
        model = speaker_select.load_model()
        if model is None:
            return None  # no fitted choice: the sentences answer
        probs = model.probability(np.array([speaker_select.row(f) for f in signals]))
        best: dict[str, tuple[float, dict[str, Any]]] = {}
        for p, (_, st) in zip(probs.tolist(), scored, strict=True):
            if st["_id"] not in best or p > best[st["_id"]][0]:
                best[st["_id"]] = (p, st)
        threshold = 0.0 if every else model.threshold
        keep = speaker_select.choose(list(best), [p for p, _ in best.values()], threshold)
        if _sole_group(standalone):
            # "Which analysts reacted ...?": once a listed speaker is known as one, a speaker
            # known by another role (the chief executive) is not one, whatever the weights.
            ids = [st["_id"] for _, st in scored]
            ins = {i for i, f in zip(ids, signals, strict=True) if f["group_in"]}
            outs = {i for i, f in zip(ids, signals, strict=True) if f["group_out"]} - ins
            if ins & set(keep):
                keep = [k for k in keep if k not in outs]
        if aside := _set_aside(standalone):
            keep = [k for k in keep if not _is_set_aside(aside, best[k][1])] or keep
        per_speaker = {k: best[k] for k in keep}
    if not per_speaker:
        return None
    chosen = sorted(
        per_speaker.values(), key=lambda x: (rank.get(x[1]["article_id"], 99), x[1]["start"])
    )
    cited_docs: list[Document] = []
    numbers: dict[str, int] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    lines: list[str] = []
    out_statements: list[dict[str, Any]] = []
    for _, st in chosen:
        doc = _chunk_for(store, st, docs)
        if doc is None:
            continue
        cid = (
            doc.metadata.get("chunk_id")
            or doc.id
            or f"{st['article_id']}:{doc.metadata.get('start')}"
        )
        if cid not in numbers:
            numbers[cid] = len(numbers) + 1
            cited_docs.append(doc)
        spans.setdefault(cid, []).append((st["start"], st["end"]))
        n = numbers[cid]
        lines.append(_line(st, n))
        out_statements.append(
            {
                "speaker": st["speaker"],
                "role": st.get("role") or "",
                "kind": st["kind"],
                "text": st["text"],
                "date": st.get("date"),
                "n": n,
            }
        )
    if not lines:
        return None
    head = ""
    if asks_position and negative:
        # The position the question asks about heads the list: "Ruled it out:", "Disagreed:".
        stance = _STANCE_LABEL.search(standalone)
        head = (
            _STANCE_LABELS.get(stance.group(0).lower()[:6], "Took that position")
            if stance
            else "Took that position"
        ) + ":\n"
    cites = []
    for doc in cited_docs:
        cid = (
            doc.metadata.get("chunk_id")
            or doc.id
            or f"{doc.metadata.get('article_id')}:{doc.metadata.get('start')}"
        )
        cites.append(citation(numbers[cid], doc, spans[cid]))
    known = {_doc_id(d) for d in docs}
    all_docs = docs + [d for d in cited_docs if _doc_id(d) not in known]
    out = result(
        question,
        standalone,
        head + "\n".join(lines),
        False,
        cites,
        all_docs,
        "extractive",
        note=f"speakers {len(lines)}",
        # "Who promised to fight the closure?" answered by one person: their name first.
        short_answer=(
            out_statements[0]["speaker"]
            if len(out_statements) == 1 and re.match(r"(?i)\s*who\b", standalone)
            else None
        ),
    )
    out["statements"] = out_statements
    return out


def answer_when(
    question: str, standalone: str, docs: list[Document], store: Any
) -> dict[str, Any] | None:
    """ "On what date did Scholz rule out ...": the day of the best-matching dated statement,
    "on Tuesday, 27 February 2024", with its citation; None when no dated statement matches."""
    article_ids = [a for a in dict.fromkeys(d.metadata.get("article_id") for d in docs) if a][:3]
    if not article_ids or not hasattr(store, "statements"):
        return None
    qkeys = _keys(standalone)
    names = {fold(t) for m in re.finditer(r"[A-Z][\w'’-]+", standalone) for t in [m.group(0)]}
    best: tuple[float, dict[str, Any]] | None = None
    for st in store.statements(article_ids=article_ids):
        if not st.get("date"):
            continue
        speaker_words = {fold(w) for w in st["speaker"].split()}
        if names and not names & speaker_words:
            continue
        s = _score(qkeys, st)
        if best is None or s > best[0]:
            best = (s, st)
    if best is None or best[0] < 0.2:
        return None
    st = best[1]
    doc = _chunk_for(store, st, docs)
    if doc is None:
        return None
    day = date.fromisoformat(st["date"])
    answer = f"On {human(day)}: {_line(st, 1)}"
    out = result(
        question,
        standalone,
        answer,
        False,
        [citation(1, doc, [(st["start"], st["end"])])],
        docs,
        "extractive",
        note="statement date",
        short_answer=f"{day:%A}, {day.day} {day:%B %Y}",
    )
    out["statements"] = [
        {
            "speaker": st["speaker"],
            "role": st.get("role") or "",
            "kind": st["kind"],
            "text": st["text"],
            "date": st["date"],
            "n": 1,
        }
    ]
    return out


_OBJECT_PRONOUN = re.compile(
    r"\b(?:with|to|against|about|on)\s+(?P<p>him|her)\b|"
    r"\b(?P<poss>his|her)\s+(?=(?:position|view|stance|line|plan|proposal|idea|suggestion|call|"
    r"remarks?|comments?|words|claim)\b)",
    re.IGNORECASE,
)
_ANYONE = re.compile(
    r"^\s*(?:did|has|have|had|does|do)\s+(?:anyone|anybody|any\s+\w+|others?|other\s+\w+|"
    r"someone|somebody)\s+(?:else\s+)?(?:disagree|agree|oppose|support|back|object|critici[sz]e|"
    r"reject|rule|say|comment|react|respond|welcome|praise|condemn|warn|refuse)\b",
    re.IGNORECASE,
)


def _resolve_follow_up(question: str, follow_up: str) -> str:
    """ "Did anyone disagree with him?" after "What did Macron say? ...": "him" is the person the
    earlier turn (``follow_up``) named."""
    pron = _OBJECT_PRONOUN.search(question)
    if not (follow_up and pron):
        return question
    which = "p" if pron.group("p") else "poss"
    # A person named in full first ("French President Emmanuel Macron"), not the first capital
    # of the earlier question ("Who suggested that Western ground forces ...").
    if full := people(follow_up):
        name = full[0] if which == "p" else f"{full[0]}'s"
        return question[: pron.start(which)] + name + question[pron.end(which) :]
    for run in NAME_RUN_RX.finditer(follow_up):
        tokens = name_tokens(run.group(0))
        if tokens and run.group(0).split()[0].lower() not in ("what", "who", "how"):
            name = " ".join(tokens)
            which = "p" if pron.group("p") else "poss"
            name = name if which == "p" else f"{name}'s"
            return question[: pron.start(which)] + name + question[pron.end(which) :]
    return question


# "On what date ...": a question a day answers (a year or a bare weekday does not).
_DATE_Q = re.compile(r"^\s*(?:on\s+what\s+date|what\s+date|by\s+what\s+date)\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")


def _gives_a_day(text: str) -> bool:
    """The text states a day: an explicit date ("27 February", "30/09/2024"), or a relative one
    ("on Tuesday") that the article's own date resolves."""
    if EXPLICIT.search(text) or _NUMERIC_DATE.search(text):
        return True
    return bool(RELATIVE.search(text)) and article_date(text) is not None


def _no_day_given(docs: list[Document], store: Any, articles: int = 2) -> bool:
    """None of the first retrieved articles states any day: a "On what date ...?" question
    about them has no answer there (an undated "has died" report)."""
    ids = [a for a in dict.fromkeys(d.metadata.get("article_id") for d in docs) if a][:articles]
    if not ids or not hasattr(store, "article_texts"):
        return False
    texts = store.article_texts(ids)
    return bool(texts) and not any(_gives_a_day(t) for t in texts.values())


def answer(
    question: str,
    standalone: str,
    docs: list[Document],
    store: Any,
    *,
    follow_up: str = "",
    embedder: Any = None,
    trace: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """The statements' answer to a multi-speaker or "when did X ..." question, else None (the
    caller's answerer answers). The one entry point the answerer calls; ``follow_up`` is the
    earlier turn a follow-up follows."""
    standalone = _resolve_follow_up(standalone, follow_up)
    try:
        if is_multi_speaker_question(standalone):
            return answer_speakers(
                question, standalone, docs, store, embedder=embedder, trace=trace
            )
        if is_when_question(standalone):
            got = answer_when(question, standalone, docs, store)
            if got is None and _DATE_Q.match(standalone) and _no_day_given(docs, store):
                from newsqa.assistant.answerer import _abstain_text  # answerer imports this

                return result(question, standalone, _abstain_text(), True, [], docs, "extractive")
            return got
    except (AttributeError, sqlite3.Error):  # a store without statements answers as before
        return None
    return None
