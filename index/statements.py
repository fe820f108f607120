"""Who said what: statements (quotes, reported speech, positions) extracted at index time.

A statement is anchored on a speech or stance verb with its subject: a name ("Scholz told
reporters"), a role and name ("Czech Prime Minister Peter Fiala and his Polish counterpart Donald
Tusk also ruled out ..." gives two), an inverted attribution ('..." said chief executive Tom
McKillop'), "according to X", "a similar position was expressed by X and Y" (the position
carries over), "..., as did X and Y" (the same statement for each), or a participle ("X sent
his congratulations, saying: ..."). A group subject ("X and Y, and Z, have lent their backing")
is who the next "they" means. Pronouns ("he said") and role references ("the chancellor said")
resolve to the last person of the same entry, or to whoever the article gave that role. Quotes
running over several sentences belong to the statement they close or continue. In live blogs and
roundups (timestamped or datelined entries) nothing carries from one entry to the next.

The rules are written over general news grammar with the name, quote and date primitives of
``names``, ``quotes`` and ``dates``; no list of the people or places of any story. A parser-based
extractor (spaCy) was left out: it needs model weights that no kept package ships and would
more than double indexing time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import blingfire
import regex
from newsqa.index import dates as _dates
from newsqa.index.entries import entries, entry_of
from newsqa.index.names import (
    HONORIFICS,
    NAME_RUN,
    NAME_RUN_RX,
    ROLE_NOUNS,
    WEEKDAYS,
    WORD,
    _rx_match,
    _rx_search,
    _rx_sub,
    fold,
    is_function_word,
    is_role_word,
    name_key,
    name_tokens,
)
from newsqa.index.quotes import Quote, find_quotes

# Bumped whenever extraction changes what it finds: a store whose statements an older extractor
# wrote has them re-extracted from its stored texts by its next writer (nothing re-embedded).
EXTRACTOR_VERSION = 20

# Speech verbs: what follows them (or the quotation around them) is the statement.
_SPEECH = (
    "say says said tell tells told add adds added state states stated insist insists insisted "
    "argue argues argued explain explains explained note notes noted claim claims claimed "
    "announce announces announced stress stresses stressed suggest suggests suggested remind "
    "reminds reminded admit admits admitted confirm confirms confirmed declare declares declared "
    "predict predicts predicted reveal reveals revealed write writes wrote reply replies replied "
    "respond responds responded comment comments commented assure assures assured warn warns "
    "warned urge urges urged ask asks asked continue continues continued concede concedes "
    "conceded acknowledge acknowledges acknowledged maintain maintains maintained believe "
    "believes believed think thinks thought estimate estimates estimated describe describes "
    "described call calls called promise promises promised pledge pledges pledged vow vows "
    "vowed"
).split()
# Stance verbs: the subject takes a position; the sentence is the statement.
_STANCE = (
    "ruled_out rules_out rejected rejects opposed opposes "
    "supported supports backed backs welcomed welcomes criticised "
    "criticises criticized criticizes condemned condemns dismissed dismisses denied denies "
    "refused refuses demanded demands praised praises paid_tribute pays_tribute "
    "congratulated congratulates defended defends endorsed endorses agreed agrees disagreed "
    "disagrees objected objects apologised apologized apologises blamed blames "
    "called_for calls_for voted_against voted_for spoke_out spoken_out speaks_out "
    "branded brands hailed hails slammed slams blasted blasts"
).split()
_STANCE_SET = {v.replace("_", " ") for v in _STANCE}
# What the assistant's question analysis reads as a position asked about ("Who rejected ...").
STANCE_VERBS = frozenset(_STANCE_SET)
# Adverbs and auxiliaries between a subject and its verb ("has also categorically rejected").
_AUX = (
    # Whole lower-case words only: not the "now" of "Snow" nor the "ly" of "Kelly".
    r"(?:\b(?:has|have|had|also|later|then|again|once|previously|now|earlier|further|publicly|"
    r"himself|herself|itself|themselves|however|too|both|all|each|jointly|[a-z]+ly)[ \t]+)*"
)
_WORD_RX = re.compile(r"[A-Za-z]+")
# Verb lookup by word (a set, then the next word for "ruled out", "paid tribute"): several times
# faster than one regex alternation of every form over every sentence.
_ONE_WORD = {v for v in _SPEECH + _STANCE if "_" not in v}
_TWO_WORD = {tuple(v.split("_")) for v in _STANCE if "_" in v}
_FIRST_OF_TWO = {a for a, _ in _TWO_WORD}


def _verbs(sentence: str) -> list[tuple[str, int, int]]:
    """The speech and stance verbs of a sentence: (verb, start, end), in order."""
    out = []
    words = list(_WORD_RX.finditer(sentence))
    for i, m in enumerate(words):
        w = m.group(0).lower()
        if w in _FIRST_OF_TWO and i + 1 < len(words):
            nxt = words[i + 1]
            gap = sentence[m.end() : nxt.start()]
            if (w, nxt.group(0).lower()) in _TWO_WORD and gap.strip() == "":
                out.append((f"{w} {nxt.group(0).lower()}", m.start(), nxt.end()))
                continue
        if w in _ONE_WORD:
            out.append((w, m.start(), m.end()))
    return out


_ROLE_PHRASE = regex.compile(
    rf"(?:(?:the|a|an|his|her|their|its|{WORD}['’]s)[ \t]+)?"
    rf"(?:(?:{WORD}|[a-z][\w-]*)[ \t]+){{0,6}}$"
)
# "Sen. Dale Whitcomb of Idaho, the committee's top Republican, voted": a place may follow.
_APPOSITION = regex.compile(
    rf"(?P<name>{NAME_RUN}(?:[ \t]+of[ \t]+{NAME_RUN})?),[ \t]+"
    rf"(?P<app>[^,\"“”«»]{{3,120}}?),?[ \t]*$"
)
_TITLE_STOP = regex.compile(
    r"(?<![\p{L}.])(Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Col|Lt|Capt|Sgt|Maj|Adm|Cmdr|Insp|Det|Supt|"
    r"Prof|Rev|Fr|Sr|Sra|Hon|Cllr|Brig|Cpl|Pres)\.(?=[ \t]+\p{Lu})"
)
_SAID_WHEN = regex.compile(
    rf"^[ \t]+(?:on[ \t]+)?(?:(?i:{'|'.join(WEEKDAYS)})"
    r"(?:,?[ \t]+(?:\p{Lu}\p{Ll}{2,8}\.?[ \t]+\d{1,2}|\d{1,2}[ \t]+\p{Lu}\p{Ll}{2,8})"
    r"(?:,[ \t]*\d{4})?)?|(?i:yesterday|today|last[ \t]+(?:week|night|month)))[ \t]*,?[ \t]*"
    r"(?i:that)[ \t]+"
)
_TWO_NAMES = regex.compile(
    rf"^[ \t]*(?P<name>{NAME_RUN}),[ \t]+"
    rf"(?P<app>(?:a|an|the|his|her|its|their)[ \t]+[^,\"“”«»]{{3,80}}),"
    rf"[ \t]+(?P<second>{NAME_RUN}),?[ \t]*$"
)
# AP style party and state after a name: "Sen. Tom Kirkwood, R-Mont.," "Rep. Jo Hale, D-Texas,".
_AP_PARTY = regex.compile(r",[ \t]+[DRI]-\p{Lu}[\p{L}.]*(?=,|$)")
_PRONOUN_SUBJ = regex.compile(r"(?i)(?:^|[\s,;:—–\"“”«»])(?P<p>he|she|they|we)[ \t]*$")
_THE_ROLE = regex.compile(
    r"(?i)(?:^|[\s,;:\"“”«»])(?:the|a|an|his|her|its|their)[ \t]+(?:[\w'’-]+[ \t]+){0,3}?"
    r"(?P<role>[\w-]+)[ \t]*$"
)
_ACCORDING = regex.compile(
    rf"(?i:according[ \t]+to)[ \t]+(?:(?P<pron>him|her|them)|(?:the[ \t]+)?(?P<who>"
    rf"(?:[\p{{L}}'’-]+[ \t]+){{0,5}}?{NAME_RUN}))"
)
_SAID_BY = {"expressed", "voiced", "shared", "echoed"}
_BY = regex.compile(
    # "... has also been questioned by Plaid Cymru's former president, Dafydd Wigley": a
    # position taken in the passive.
    r"(?i:(?P<verb>expressed|voiced|shared|echoed|questioned|criticised|criticized|rejected|"
    r"dismissed|welcomed|backed|supported|condemned|disputed|challenged|praised|attacked)"
    r"[ \t]+by)[ \t]+(?P<who>.+?)[ \t]*(?:[.;]|$)"
)
# Verbs that report speech only with a quotation or a "that" clause ("continued his run").
_NEEDS_CLAUSE = {
    "state",
    "states",
    "continued",
    "continues",
    "continue",
    "responded",
    "responds",
    "respond",
    "called",
    "calls",
    "call",
    "described",
    "describes",
    "describe",
    "asked",
    "asks",
    "ask",
    "thought",
    "think",
    "thinks",
    "believe",
    "believes",
    "believed",
    "added",
    "adds",
    "add",
    "wrote",
    "writes",
    "write",
    "noted",
    "notes",
    "note",
    "replied",
    "replies",
    "reply",
}
_LOWER_WORDS = re.compile(r"[a-z][a-z-]*")
# Verbs that take a person as object before what was said ("told reporters that").
_OBJECT_VERBS = {
    "told",
    "tells",
    "tell",
    "assured",
    "assures",
    "reminded",
    "reminds",
    "warned",
    "warns",
    "urged",
    "urges",
    "asked",
    "asks",
    "promised",
    "promises",
}
# "- Bolton boss Sam Allardyce "I am bitterly disappointed ...": a name, then the quote.
_LIST_QUOTE = regex.compile(
    rf"^[ \t]*(?:[-–•*][ \t]+)?(?P<subj>[^\"“«„.]{{0,60}}?{NAME_RUN})[ \t]*:?[ \t]*[\"“«„]"
)
# "..., as did Conservative leader Michael Howard and ...": the same statement for each of them.
_AS_DID = regex.compile(
    r",[ \t]+as[ \t]+(?:did|have|has|had)[ \t]+(?P<who>[^;:\"“”«»]+?)[ \t]*[.;]?[ \t]*$"
)
# '... sent Mr Bush his "warmest congratulations", saying: "..."': a participle reports speech.
_SAYING = regex.compile(
    r",[ \t]+(?:saying|adding|warning|insisting|arguing)(?:[ \t]+that)?[ \t]*:?[ \t]*"
)
# The subject at a sentence's start, before its first lower-case word (the verb).
_LEAD_SUBJECT = regex.compile(
    rf"^[ \t]*(?:(?:Earlier|Later|Meanwhile|But|And|However|Now|Also),?[ \t]+)?"
    rf"(?P<subj>(?:[^,;:\"“”«»(]{{0,60}}?[ \t])?{NAME_RUN})[ \t]+(?={_AUX}\p{{Ll}})"
)
# "Ferguson sympathised with Tottenham and said ...": a subject shared by coordinated verbs.
_COORDINATED = regex.compile(
    rf"^(?P<subj>[^,;:\"“”«»]{{0,100}}?{NAME_RUN})[ \t]+{_AUX}\p{{Ll}}[\p{{L}}-]*ed\b"
    rf"[^;:\"“”«»]{{0,120}}?,?[ \t]+and[ \t]*$"
)
_GROUP_AUX = regex.compile(r",?[ \t]+(?:have|has|had|were|are)[ \t]+(?=\p{Ll})")
_SIMILAR = re.compile(r"(?i)\b(?:similar|same|like|comparable)\s+(?:position|view|stance|line)")
_TIMESTAMP = re.compile(
    r"^\s*(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:GMT|BST|UTC|CET|CEST|EST|EDT|PST|PDT|ET|PT)?"
    r"|(?:updated|posted)\s+\d{1,2}[:.]\d{2})\s*[—–:|-]",
    re.IGNORECASE,
)
_DATELINE = regex.compile(r"^\s*\p{Lu}[\p{Lu}\p{M} .'’-]{2,40}(?:\s*\([^)]{1,20}\))?\s*[—–-]\s")
_OWNED_NAME = regex.compile(
    r"^(?P<owner>\p{Lu}[\p{L}\p{M}.&-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}.&-]*)*)['’]s[ \t]+"
    r"(?P<name>\p{Lu}[\p{L}\p{M}'’.-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’.-]*)+)$"
)
_TITLED_END = regex.compile(
    r"(?<=\p{Ll}[ \t]+(?:in|at|on|from|to|for|with|after|before)[ \t]+"
    r"\p{Lu}[\p{L}\p{M}'’.-]*[ \t]+)"
    r"(?i:mr|mrs|ms|dr|sir)\.?[ \t]+\p{Lu}[\p{L}\p{M}'’-]+$"
)
# A dash set off by spaces closes an aside ("Despite England's dip - they have lost eight of
# their last 13 matches - Ireland coach Eddie O'Sullivan says"): the subject follows it.
_STOP_SUBJECT = regex.compile(r"[.;:!?\"“”«»„()\[\]—]|[ \t][-–][ \t]|,(?![ \t]+(?:Jr|Sr)\b)")

# Patterns of the content rules below, compiled once.
_P1 = re.compile(r"\s*(?:that\b|:)")
_P2 = re.compile(r"^\s*(?:[\w ]{0,40}?)?:\s*$")
_P3 = re.compile(r"\s*[,:]?\s*[\"“«„]")
_P4 = re.compile(r"^(?:\s+[^,:;\"“”«»]{1,50}?(?=\s+that\b))?[,:]?\s*(?:that\s+)?")
_P5 = re.compile(r"\s+\S+(?:\s+\S+){0,4}?\s+that\b")
_P6 = re.compile(r"^\s*(?:that\b|:)")
_P7 = re.compile(r",\s*$")


@dataclass(frozen=True)
class Statement:
    """One attributed statement in an article; offsets index the article text."""

    article_id: str
    speaker: str
    speaker_key: str
    role: str
    organisation: str
    kind: str  # "quote" | "reported" | "position"
    verb: str
    text: str
    start: int
    end: int
    date: str | None = None
    entry: int | None = None


@dataclass
class _Person:
    name: str
    key: str
    role: str = ""
    organisation: str = ""


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int
    entry: int | None


def _sentences(text: str) -> list[_Sentence]:
    """Sentences with offsets, paragraph index and live-blog/roundup entry index (the entries of
    ``newsqa.index.entries``, so statements and answers agree on them; None for a plain article).
    """
    out: list[_Sentence] = []
    spans = entries(text)
    several = len(spans) > 1
    for p, m in enumerate(re.finditer(r"[^\n]+", text)):
        ps, pe = m.start(), m.end()
        marker = _TIMESTAMP.match(m.group(0)) or _DATELINE.match(m.group(0))
        if several and marker:
            ps += marker.end()
        para = text[ps:pe]
        if not para.strip():
            continue
        # Sentences without blingfire's offsets: its offset mapping is a slow Python loop, and
        # each sentence is found in order in the paragraph instead.
        at = 0
        for sent in blingfire.text_to_sentences(para).split("\n"):
            sent = sent.strip()
            if not sent:
                continue
            k = para.find(sent, at)
            if k < 0:
                continue
            start = ps + k
            entry = entry_of(spans, start) if several else None
            out.append(_Sentence(start, start + len(sent), p, entry))
            at = k + len(sent)
    return out


_SENTENCE_ADVERBS = {
    "earlier", "later", "meanwhile", "however", "now", "also", "then", "separately", "elsewhere",
    "yesterday", "today", "previously", "afterwards", "but", "and",
}  # fmt: skip


_ROLE_CLAUSE_ENDS = frozenset(
    "and that but while as when by with of on to is are was were has have had be been said says "
    "told tells asked asking heard saying would could will should may might must can including "
    "after before against behind".split()
)
# Participles that are part of a role ("retired general", "elected mayor").
_ROLE_PARTICIPLES = frozenset(
    "retired disgraced embattled elected appointed designated acting united qualified".split()
)


def _role_before(text: str, name_start: int, floor: int) -> tuple[str, str]:
    """The role (and organisation) written right before a name: "Slovak Prime Minister",
    "his Polish counterpart", "NATO Secretary General", "chief executive"."""
    before = text[floor:name_start]
    cut = max(before.rfind(c) for c in ',;:"“”«»(')
    if cut >= 0:
        before = before[cut + 1 :]
    m = _ROLE_PHRASE.search(before)
    phrase = m.group(0).strip() if m else ""
    words = phrase.split()
    # The role runs to its last role noun: "Hungarian Foreign Minister" in "... Minister Peter".
    idx = [i for i, w in enumerate(words) if is_role_word(w)]
    if not idx:
        return "", ""
    # Drop leading words that belong to the clause, not the role ("and his", "that").
    # "The player himself and his captain": what comes before the last "and" is another person;
    # "Earlier Tory leader": a sentence adverb is no part of the role.
    first = 0
    for i, w in enumerate(words[: idx[-1]]):
        # "The pressure is on coach Andy Robinson", "Roma signed defender Vincent Candela": a
        # verb and what follows it end the clause.
        if w.lower() in _ROLE_CLAUSE_ENDS or (
            w.islower() and w.endswith("ed") and w not in _ROLE_PARTICIPLES
        ):
            first = i + 1
    for i, w in enumerate(words[:-1]):
        # "Deputy Governor Pekka Lindahl and board member": a name, "and", then words in lower
        # case are another person's role (a capitalised word after "and", as in "Work and
        # Pensions Secretary", is left to the rule above).
        if (
            w in ("and", "&")
            and words[i + 1][:1].islower()
            and words[i + 1] not in ("the", "a", "an")  # "for Company magazine and the Express"
            and any(x[:1].isupper() and not is_role_word(x) for x in words[first:i])
        ):
            first = i + 1
    while first < idx[0] and words[first].lower().strip(",") in _SENTENCE_ADVERBS:
        first += 1
    role_words = words[first:]
    # "Manchester United manager Sir": a title before the name is no part of the role.
    while role_words and fold(role_words[-1]).strip(".") in HONORIFICS:
        role_words = role_words[:-1]
    org = " ".join(w for w in role_words[: max(idx[0] - first, 0)] if w.isupper() and len(w) > 1)
    return " ".join(role_words), org


def _apposition_role(app: str) -> tuple[str, str]:
    """ "the agency's flood duty manager", "general secretary of the Syndicat des dockers",
    "vice president at Gartner": the role and organisation an apposition gives."""
    if not any(is_role_word(w.strip(".,")) for w in app.split()):
        return "", ""
    org = ""
    m = _rx_search(rf"\b(?:of|at|for)[ \t]+(?:the[ \t]+)?(?P<org>{NAME_RUN}(?:[ \t]+\S+)*)$", app)
    if m:
        org = m.group("org")
    return app.strip(), org


# An organisation speaking by its name: capitalised words ending in a word that names a body,
# with "of", "for", "and" inside ("the Bank of England", "the Department for Work and Pensions",
# "the Economist Intelligence Unit"). Heads of organisations in any news, not one story's.
_ORG_HEADS = (
    "agency|assembly|association|authority|bank|board|bureau|cabinet|chamber|club|commission|"
    "committee|company|confederation|congress|corporation|council|court|department|federation|"
    "foundation|fund|group|institute|institution|league|ministry|office|organisation|"
    "organization|parliament|party|service|society|tribunal|trust|union|unit"
)
_ORG_WORD = r"\p{Lu}[\p{L}\p{M}&.'’-]*"
_ORG_NAME = (
    rf"(?:{_ORG_WORD}(?:[ \t]+(?:and|&))?[ \t]+)*(?i:{_ORG_HEADS})\b"
    rf"(?:[ \t]+(?:of|for|and|&)[ \t]+(?:the[ \t]+)?"
    rf"{_ORG_WORD}(?:,?[ \t]+(?:and[ \t]+)?{_ORG_WORD})*)?"
)
_ORGANISATION = regex.compile(rf"^[ \t]*(?:[Tt]he[ \t]+)?(?P<org>{_ORG_NAME})[ \t]*$")
_ORGANISATION_IN = regex.compile(_ORG_NAME)


def _organisation(phrase: str) -> str:
    """The organisation ``phrase`` names as a whole, or ""."""
    m = _ORGANISATION.match(phrase)
    if not m or not m.group("org")[:1].isupper():
        return ""
    return m.group("org")


def is_organisation(name: str) -> bool:
    """A speaker named as a body ("Western Utilities Council", "the Bank of England")."""
    return bool(_organisation(name))


def _split_group(phrase: str) -> list[str]:
    """ "Czech Prime Minister Peter Fiala and his Polish counterpart Donald Tusk" -> two."""
    if _organisation(phrase):
        return [phrase.strip()]  # "the Department for Work and Pensions" is one body
    # "Cable & Wireless" is one name: only "and" and commas join people, and never inside an
    # organisation's name ("a Department for Work and Pensions spokeswoman").
    # "Deputy Governor Pekka Lindahl and board member Ruth Abelsen": a head in lower case after
    # "and" ("and board") is the next person's role, not the end of a body's name.
    inside = [
        (m.start(), m.end())
        for m in _ORGANISATION_IN.finditer(phrase)
        if m.group(0)[:1].isupper() and not regex.search(r"(?:and|&)[ \t]+\p{Ll}+$", m.group(0))
    ]
    parts, last = [], 0
    for sep in regex.finditer(r",[ \t]+(?:and[ \t]+)?|[ \t]+and[ \t]+", phrase):
        if not any(a < sep.start() < b for a, b in inside):
            parts.append(phrase[last : sep.start()])
            last = sep.end()
    parts.append(phrase[last:])
    return [p for p in (p.strip() for p in parts) if p]


def _other_given_name(tokens: list[str], known: str) -> bool:
    """Whether a full name's given name differs from the one a person of the same family name
    was named with (initials, "J Robinson", may be either)."""
    words = known.split()
    if len(words) < 2:
        return False
    mine, theirs = fold(tokens[0]).strip("."), fold(words[0]).strip(".")
    if len(mine) <= 1 or len(theirs) <= 1:
        return False
    return mine != theirs and fold(tokens[-1]) == fold(words[-1])


class _Extractor:
    def __init__(self, text: str, published: date | None) -> None:
        self.text = text
        self.reference = published or _dates.article_date(text)
        self.around = _dates.dated_by_event(text, {"date": published} if published else None)
        self.dated = {
            _dates._WEEKDAYS[d.weekday()]: d for _, _, d in _dates.dated_weekdays(text, published)
        }
        self.people: dict[str, _Person] = {}
        self.roles: dict[str, str] = {}  # role noun -> person key
        self.quotes: list[Quote] = find_quotes(text)
        self._keys: dict[str, str] = {}
        self._mentioned: dict[str, int] = {}  # person key -> times named
        self._full_names: dict[str, list[tuple[int, list[str], int]]] | None = None

    # People ------------------------------------------------------------------------------
    def key(self, name: str) -> str:
        if name not in self._keys:
            self._keys[name] = name_key(name, self.text)
        return self._keys[name]

    def person(self, written: str, role: str = "", organisation: str = "") -> _Person | None:
        tokens = name_tokens(written)
        if not tokens:
            return None
        name = " ".join(tokens)
        key = self.key(name)
        if not key:
            return None
        # A family name alone ("Mr Anand") is the person the article named in full before; of
        # two with that name ("Harriet Pruitt", "her son, Martin Pruitt"), the one named more
        # often so far, then the one named first.
        if len(tokens) == 1:
            same = [k for k in self.people if fold(tokens[0]) in k.split()]
            if same:
                key = max(same, key=lambda k: (self._mentioned.get(k, 0), -same.index(k)))
            elif full := self.named_before(tokens[0], len(self.text)):
                # Named in full in a sentence that made no statement ("including former
                # Scotland manager Craig Brown. Brown said: ..."): that name, with its role.
                tokens, at = full
                name = " ".join(tokens)
                key = self.key(name)
                floor = max(self.text.rfind(". ", 0, at) + 1, self.text.rfind("\n", 0, at) + 1)
                got_role, got_org = _role_before(self.text, at, floor)
                role, organisation = role or got_role, organisation or got_org
        known = self.people.get(key)
        if (
            known is not None
            and len(tokens) >= 2
            and key == fold(tokens[0])
            and fold(tokens[-1]) not in {fold(w) for w in known.name.split()}
        ):
            # "Charles Kennedy" after "Prince Charles": a given name shared with someone else
            # the article names is no key for both; the full name keys this person.
            key = " ".join(fold(t) for t in tokens)
            known = self.people.get(key)
        elif known is not None and len(tokens) >= 2 and _other_given_name(tokens, known.name):
            # "skipper Jason Robinson" after "coach Andy Robinson": two people of one family
            # name; the full name keys the second, and "Robinson" alone stays the first.
            key = " ".join(fold(t) for t in tokens)
            known = self.people.get(key)
        if known is None:
            known = self.people[key] = _Person(name, key)
        self._mentioned[key] = self._mentioned.get(key, 0) + 1
        if len(name) > len(known.name):
            known.name = name
        if role and not known.role:
            known.role = role
        if organisation and not known.organisation:
            known.organisation = organisation
        if known.role:
            for w in known.role.split():
                if is_role_word(w):
                    self.roles[fold(w).removesuffix("'s")] = key
        return known

    def scan_roles(self, sentence: str, start: int) -> None:
        """Remember who holds which role ("German Chancellor Olaf Scholz")."""
        if ROLE_NOUNS.isdisjoint(_LOWER_WORDS.findall(sentence.lower())):
            return
        for m in NAME_RUN_RX.finditer(sentence):
            tokens = name_tokens(m.group(0))
            words = m.group(0).split()
            if tokens and len(words) > len(tokens) and any(is_role_word(w) for w in words):
                role, org = _role_before(
                    self.text, start + m.start() + m.group(0).rfind(tokens[0]), start
                )
                self.person(" ".join(tokens), role, org)

    # Subjects ----------------------------------------------------------------------------
    def subjects_before(self, s_start: int, v_start: int) -> tuple[list[_Person], int, str] | None:
        """The people named as the subject ending right before a verb, with where the subject
        starts and how it was found ("named", "pronoun", "role:<noun>", "someone")."""
        before = self.text[s_start:v_start]
        aux = _rx_search(rf"{_AUX}$", before)
        end = s_start + (aux.start() if aux else len(before))
        head = _AP_PARTY.sub("", self.text[s_start:end].rstrip())
        # "Scholz on Tuesday (27 February) rejected ...": when, between subject and verb.
        head = _rx_sub(
            r"(?i)[ \t]+(?:on[ \t]+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
            r"(?:[ \t]*\([^()]{1,30}\))?|yesterday|today|last[ \t]+(?:week|night|month))$",
            "",
            head,
        )
        # Negated ("did not specify"), infinitive, passive ("was estimated") or in a relative
        # clause ("Ellison, who wrote the bill, called it ..."): not the subject's statement.
        if _rx_search(
            r"(?i)(?:\b(?:not|never|to|be|been|being|was|were|is|are|who|which|that)|n't)$", head
        ):
            return None
        coord = _COORDINATED.match(head)
        if coord:
            return self.subjects_before(s_start, s_start + coord.end("subj") + 1)
        # "Russell Ambrose, an attorney for Okafor's widow, Denise Okafor, said": the first name
        # speaks; the second belongs to the apposition.
        two = _TWO_NAMES.match(head)
        if two and head.endswith(","):
            role = two.group("app").strip()
            who = self.person(two.group("name"), role)
            return ([who], s_start + two.start("name"), "named") if who else None
        app = _APPOSITION.search(head)
        # "Carl Emmerson, from the Institute for Fiscal Studies, told ...": where they are from
        # ("Linda Foerster, of the nonprofit group SafeCharge America, said").
        from_org = (
            _rx_match(
                r"(?:from|of|at|with)[ \t]+(?:the[ \t]+)?(?:\p{Ll}[\p{L}-]*[ \t]+){0,3}"
                r"(?P<org>\p{Lu}.*)$",
                app.group("app"),
            )
            if app and head.endswith(",")
            else None
        )
        if app and (
            _rx_match(rf"(?:the|a|an|his|her|its|their|{WORD}['’]s)\b", app.group("app"))
            or (head.endswith(",") and any(is_role_word(w) for w in app.group("app").split()[:3]))
            or from_org
        ):
            role, org = _apposition_role(app.group("app"))
            if from_org and not org:
                org = from_org.group("org").strip(" ,")
            who = self.person(app.group("name"), role, org)
            return ([who], s_start + app.start(), "named") if who else None
        # "Ms Belkacem, who was a crane operator at the time, said": the relative clause goes.
        trimmed = _rx_sub(r",[ \t]+(?:who|which|whose)\b[^,]{0,120},?$", "", head).rstrip()
        # "The head of the port authority, Hervé Lambrecht, said": the role before the comma.
        trailing_comma = head.endswith(",") or trimmed != head
        head = trimmed
        head = head.rstrip(", \t")
        cut = max((m.end() for m in _STOP_SUBJECT.finditer(head)), default=0)
        # "In a panel discussion in California Mr Torvalds said": an opening phrase without its
        # comma; the subject starts at the title.
        titled = _TITLED_END.search(head, cut)
        if titled and titled.start() > cut:
            cut = titled.start()
        phrase = head[cut:]
        if not phrase.strip():
            return None
        pron = _PRONOUN_SUBJ.search(phrase)
        if pron:
            return [], s_start + cut + pron.start("p"), "pronoun"
        people: list[_Person] = []
        # "The Connecticut Business and Industry Council said": one body, not two.
        members = [phrase.strip()] if _organisation(phrase.strip()) else _split_group(phrase)
        for member in members:
            who = self._member(member, s_start + cut + phrase.find(member), s_start)
            if who:
                people.append(who)
        if people and trailing_comma and not people[0].role:
            prev = head[:cut].rstrip(", \t")
            pcut = max((m.end() for m in _STOP_SUBJECT.finditer(prev)), default=0)
            role_text = _rx_sub(r"(?i)^(?:whose|who|which|and|but)[ \t]+", "", prev[pcut:].strip())
            if any(is_role_word(w.strip(".,")) for w in role_text.split()):
                people[0].role = role_text
                cut = pcut + (len(prev[pcut:]) - len(prev[pcut:].lstrip()))
                _, org = _apposition_role(role_text)
                people[0].organisation = people[0].organisation or org
        if people:
            return people, s_start + cut, "named"
        role = _THE_ROLE.search(phrase)
        if role and is_role_word(role.group("role")):
            if _rx_match(r"(?i)[ \t]*(?:a|an)[ \t]", phrase):
                # "A spokeswoman for the company said": someone the article does not name.
                who = self._anonymous(phrase)
                return ([who], s_start + cut, "someone") if who else None
            return [], s_start + cut + role.start("role"), "role:" + fold(role.group("role"))
        return None

    def _anonymous(self, phrase: str) -> _Person | None:
        words = phrase.strip().split()
        if not words:
            return None
        if not any(is_role_word(w.strip(",.")) for w in words):
            return None  # "The next generation of DVDs promise ...": no one speaks
        name = " ".join(words[1:] if words[0].lower() in ("a", "an") else words)
        if len(name.split()) > 6:
            return None
        key = fold(name)
        known = self.people.setdefault(key, _Person(name, key, role=name))
        return known

    def _member(self, member: str, at: int, floor: int) -> _Person | None:
        """One person of a subject: "Czech Prime Minister Peter Fiala", "Jürgen Müller of the
        Hamburg consultancy Hanse Research", "the office of Italian Prime Minister Giorgi Meloni".
        """
        runs = list(NAME_RUN_RX.finditer(member))
        if not runs:
            return None
        org = _organisation(member)
        if org:
            key = fold(org)
            return self.people.setdefault(key, _Person(org, key))
        named_org = _ORGANISATION_IN.search(member)
        if (
            named_org
            and named_org.group(0)[:1].isupper()
            and not NAME_RUN_RX.search(member, named_org.end())
            and any(is_role_word(w) for w in member[named_org.end() :].split())
        ):
            return self._anonymous(member)  # "a Department for Work and Pensions spokeswoman"
        prep = _rx_search(r"[ \t]+(?:of|at|from|for|near|in|with)[ \t]+", member)
        head_run = runs[-1]
        org = ""
        if prep:
            before = [r for r in runs if r.end() <= prep.start()]
            if not before and not _rx_match(r"(?i)(?:the[ \t]+)?office[ \t]+of\b", member):
                return self._anonymous(member)  # "police in Antwerp"
            if before and _rx_search(r"[ \t]\p{Ll}", member[before[-1].end() : prep.start()]):
                return self._anonymous(member)  # "The Marseille-Provence chamber of commerce"
            if before:
                head_run = before[-1]
                tail = member[prep.end() :].strip()
                if _rx_match(r"of|at|from|for", prep.group(0).strip()):
                    org = _rx_sub(r"^(?:the|a|an)[ \t]+(?:[a-z][\w-]*[ \t]+)*", "", tail)
                if (
                    len(name_tokens(head_run.group(0))) == 1
                    and not any(is_role_word(w) for w in member[: head_run.start()].split())
                    and prep.group(0).strip() == "of"
                    and tail[:1].isupper()
                ):
                    # "Bank of England": an organisation's name, whole.
                    who = self.person(member[head_run.start() :].strip())
                    return who
            elif _rx_match(r"(?i)(?:the[ \t]+)?office[ \t]+of\b", member):
                org = "office"
        elif head_run.end() < len(member.rstrip()):
            return None
        run = head_run.group(0)
        # "Labour's Paul Flynn said": the person is named after the possessive, which gives
        # their side ("Robert Napier's lawyer" ends the run: names.name_tokens stops there).
        owned = _OWNED_NAME.match(run)
        if owned:
            run = owned.group("name")
            org = org or owned.group("owner")
        tokens = name_tokens(run)
        if not tokens:
            return None
        name_at = at + head_run.start() + head_run.group(0).rfind(tokens[0])
        lead_in = self.text[max(floor, name_at - 60) : name_at]
        office = _rx_search(
            r"\b(\p{L}+)[ \t]+(?:of|for)[ \t]+(?:\p{Lu}[\p{L}-]*[ \t]+)*(?:(?:and|&)[ \t]+)?$",
            lead_in,
        )
        if len(tokens) >= 3 and office and is_role_word(office.group(1)):
            # "Minister of Energy and Mines Bounthavy Keomanivong": the run's first word ends
            # the role.
            name_at = self.text.find(tokens[1], name_at + len(tokens[0]))
            tokens = tokens[1:]
        role, org2 = _role_before(self.text, name_at, floor)
        return self.person(" ".join(tokens), role, org or org2)

    def subject_after(
        self, v_start: int, v_end: int, s_end: int
    ) -> tuple[list[_Person], int] | None:
        """'..." said chief executive Tom McKillop', '..., said the museum's director, Annelies
        Peeters.': a subject after its verb, only after a quotation or a comma, and only where the
        name ends the clause."""
        lead = self.text[max(0, v_start - 3) : v_start]
        if not _rx_search(r"[,\"”»’'—–][ \t]*$", lead):
            return None
        # "said Sen. Maria Lopez", "said Col. Víctor Sarmiento": a title's full stop is no end
        # (replaced by a blank, so offsets keep).
        after = _TITLE_STOP.sub(lambda t: t.group(1) + " ", self.text[v_end:s_end])
        m = _rx_match(
            rf"[ \t]+(?:(?:the|a|an|his|her|its|their)[ \t]+)?(?P<pre>[^.;:\"“”«»]{{0,80}}?)"
            rf"(?P<name>{NAME_RUN})(?P<of>[ \t]+(?:of|from|at)[ \t]+(?:the[ \t]+)?"
            rf"[^,.;:\"“”«»]{{2,60}}?)?(?P<app>,[ \t]+[^,.;\"“”«»]{{3,120}})?[ \t]*(?:[,.;:!?(]|$)",
            after,
        )
        if not m:
            return None
        pre = m.group("pre")
        if _rx_search(r"\b(?:that|to|and|but|in|on)[ \t]*$|\b(?:who|which|whose)\b", pre) or any(
            w[:1].isupper() and is_function_word(w) for w in pre.split()
        ):
            return None
        tokens = name_tokens(m.group("name"))
        if not tokens:
            return None
        extra = " ".join(w for w in m.group("name").split() if w not in tokens)
        role = " ".join((pre.strip(" ,") + " " + extra).split())
        if not any(is_role_word(w.strip(",")) for w in role.split()):
            role = ""
        # "said Col. Víctor Sarmiento of the national police": where they are from.
        org = " ".join(m.group("of").split()[1:]).removeprefix("the ") if m.group("of") else ""
        if org and not _rx_search(rf"\p{{Lu}}|(?i:\b(?:{_ORG_HEADS}|police|army|navy)\b)", org):
            org = ""  # "said Smith of the result": no organisation
        if m.group("app"):
            r2, o2 = _apposition_role(m.group("app").lstrip(", "))
            role, org = role or r2, o2 or org
        who = self.person(" ".join(tokens), role, org)
        return ([who], v_end + m.end()) if who else None

    def introduced(self, sentence: str, start: int) -> _Person | None:
        """The last person ``sentence`` names in full with a role before the name ("star
        skipper Brian O'Driscoll"), outside quotes, unless a pronoun is its subject."""
        if _rx_match(r"(?i)[ \t]*(?:he|she|they|we|i)\b", sentence):
            return None
        if ROLE_NOUNS.isdisjoint(_LOWER_WORDS.findall(sentence.lower())):
            return None  # no role word: nobody is introduced by one
        found = None
        for m in NAME_RUN_RX.finditer(sentence):
            tokens = name_tokens(m.group(0))
            name_at = start + m.start() + m.group(0).rfind(tokens[0]) if tokens else 0
            if len(tokens) < 2 or self._inside_quote(name_at) or is_organisation(m.group(0)):
                continue
            role, org = _role_before(self.text, name_at, start)
            if role:
                found = self.person(" ".join(tokens), role, org)
        return found

    def named_before(self, family: str, before: int) -> tuple[list[str], int] | None:
        """The full name written last before ``before`` that ends with ``family``, and where
        it starts; else None."""
        if self._full_names is None:
            # Every full name of the article by its last word, found once (a scan per call
            # made extraction half as slow again).
            self._full_names = {}
            for m in NAME_RUN_RX.finditer(self.text):
                tokens = name_tokens(m.group(0))
                if len(tokens) >= 2:
                    at = m.start() + m.group(0).rfind(tokens[0])
                    self._full_names.setdefault(tokens[-1], []).append((m.end(), tokens, at))
        for end, tokens, at in reversed(self._full_names.get(family, [])):
            if end <= before:
                return tokens, at
        return None

    def role_after(
        self, v_start: int, v_end: int, s_end: int, last: list[_Person]
    ) -> list[_Person]:
        """'"...," said the Sale full-back.': a role after the verb that ends the sentence."""
        if not _rx_search(r"[,\"”»’'—–][ \t]*$", self.text[max(0, v_start - 3) : v_start]):
            return []
        m = _rx_match(
            r"[ \t]+(?:the|his|her|their)[ \t]+(?:[\p{L}'’-]+[ \t]+){0,3}?(?P<role>[\p{L}-]+)"
            r"[ \t]*[.,;!?]?[ \t]*$",
            self.text[v_end:s_end],
        )
        if not m or not is_role_word(m.group("role")):
            return []
        key = self.roles.get(fold(m.group("role")))
        return [self.people[key]] if key else list(last[-1:])

    def trimmed_end(self, start: int, end: int) -> int:
        """``end`` moved back over the sentence's closing punctuation and blanks."""
        while end > start and self.text[end - 1] in ".!? \t":
            end -= 1
        return end

    # Statements --------------------------------------------------------------------------
    def quotes_in(self, start: int, end: int) -> list[Quote]:
        return [q for q in self.quotes if q.start < end and q.end > start]

    def extract(self) -> list[Statement]:
        sentences = _sentences(self.text)
        out: list[Statement] = []
        last: list[_Person] = []
        last_entry: int | None = -1
        used_quotes: set[tuple[int, int]] = set()
        anchored: set[int] = set()
        # Who "he" meant before a sentence introduced someone for the next sentence only.
        aside: list[_Person] | None = None
        for i, s in enumerate(sentences):
            if s.entry != last_entry:
                last, last_entry, aside = [], s.entry, None
            sentence = self.text[s.start : s.end]
            self.scan_roles(sentence, s.start)
            found = self.anchor(s, last, out)
            found = found + self.as_did(s, found)
            if aside is not None:
                if not found:
                    last = aside
                aside = None
            if found:
                anchored.add(i)
                for st in found:
                    used_quotes.update((q.start, q.end) for q in self.quotes_in(st.start, st.end))
                out.extend(found)
                last = [
                    self.people[st.speaker_key] for st in found if st.speaker_key in self.people
                ]
                continue
            # A subject that introduces a person moves "he" to them ("Fico did not specify",
            # "Mr Brzeziński was cautious").
            if not _rx_search(r"\b\p{Ll}", sentence):
                continue  # "Lansdowne Road, Dublin": a dateline or heading, no one's subject
            lead = _rx_match(
                rf"[ \t]*(?:\w+,[ \t]+)?(?:{NAME_RUN}['’]s[ \t]+[\w \t-]{{1,40}}?,[ \t]+)?"
                rf"(?P<name>{NAME_RUN})(?!['’]s)",
                sentence,
            )
            moved = False
            if lead:
                words = lead.group("name").split()
                tokens = name_tokens(lead.group("name"))
                if (
                    len(tokens) == 1
                    and self.key(tokens[0]) not in self.people
                    and (full := self.named_before(tokens[0], s.start))
                ):
                    # "Brekke, who retired in 2020, is more protective.": the family name of
                    # someone named in full before ("the structural engineer Tomas Brekke").
                    tokens = full[0]
                if tokens and (
                    len(tokens) >= 2
                    or fold(words[0]).strip(".") in HONORIFICS
                    or self.key(tokens[0]) in self.people
                ):
                    who = self.person(" ".join(tokens))
                    if who:
                        last, moved = [who], True
            # "Eric Cantona and Ole Gunnar Solskjaer, and club manager Sir Alex Ferguson, have
            # lent their backing ...": a group subject is who the next "they" means.
            if group := self.group_subject(s, sentence):
                last = group
            elif not moved and (who := self.introduced(sentence, s.start)):
                # "Ireland have been boosted by the return of star skipper Brian O'Driscoll,
                # who ... . 'The knowledge ...,' he said.": no person is the subject, and the
                # person the sentence introduces by role is who the next sentence's "he" means;
                # only the next's ("... his rift with Chancellor Gordon Brown. [...] as he
                # said" is still the prime minister).
                aside, last = last, [who]
        # Sentences inside a quotation continued from (or closed by) an attributed sentence.
        for i, s in enumerate(sentences):
            if i in anchored:
                continue
            qs = [q for q in self.quotes_in(s.start, s.end) if (q.start, q.end) not in used_quotes]
            if not qs:
                continue
            letters = sum(c.isalpha() for c in self.text[s.start : s.end])
            inside = sum(
                sum(c.isalpha() for c in self.text[max(q.start, s.start) : min(q.end, s.end)])
                for q in qs
            )
            if not qs or inside < 0.6 * max(letters, 1):
                continue
            earlier = [
                st
                for st in out
                if st.start < s.start
                and st.entry == s.entry
                and self._paragraph_gap(st.end, s.start) <= 1
            ]
            prev = max(earlier, key=lambda st: st.start) if earlier else None
            if prev is None:
                continue
            for q in qs:
                used_quotes.add((q.start, q.end))
            start, end = qs[0].start, qs[-1].end
            out.append(
                self.make(
                    [self.people[prev.speaker_key]] if prev.speaker_key in self.people else [],
                    "quote",
                    prev.verb,
                    start,
                    end,
                    s,
                    fallback=prev,
                )[0]
            )
        out.sort(key=lambda st: (st.start, st.speaker_key))
        return self.fill_dates(out)

    def _paragraph_gap(self, a: int, b: int) -> int:
        return self.text.count("\n", a, b)

    def anchor(self, s: _Sentence, last: list[_Person], so_far: list[Statement]) -> list[Statement]:
        sentence = self.text[s.start : s.end]
        by = _BY.search(sentence) if "by" in sentence.lower() else None
        if by:
            group: list[_Person] = []
            for member in _split_group(by.group("who")):
                run = list(NAME_RUN_RX.finditer(member))
                if not run:
                    continue
                tokens = name_tokens(run[-1].group(0))
                at = s.start + by.start("who") + by.group("who").find(member)
                name_at = at + member.find(tokens[0]) if tokens else at
                role, org = _role_before(self.text, name_at, at) if tokens else ("", "")
                if _rx_match(r"(?i)(?:the[ \t]+)?office[ \t]+of\b", member):
                    org = "office"
                who = self.person(" ".join(tokens), role, org) if tokens else None
                if who:
                    group.append(who)
            if group:
                prev = so_far[-1] if so_far and _SIMILAR.search(sentence) else None
                passive = by.group("verb").lower()
                verb = prev.verb if prev else ("expressed" if passive in _SAID_BY else passive)
                return self.make(group, "position", verb, s.start, s.end, s)
        for verb, m_start, m_end in _verbs(sentence):
            v_start, v_end = s.start + m_start, s.start + m_end
            if self._inside_quote(v_start):
                continue
            subj = self.subjects_before(s.start, v_start)
            people: list[_Person] = []
            subject_start = v_start
            if subj:
                people, subject_start, how = subj
                if (
                    how == "pronoun"
                    and self.text[subject_start : subject_start + 4].lower() == "they"
                ):
                    people = list(last)
                elif how == "pronoun":
                    people = list(last[-1:])
                elif how.startswith("role:"):
                    key = self.roles.get(how[5:])
                    people = [self.people[key]] if key else list(last)
            else:
                if verb in _STANCE_SET:
                    continue
                after = self.subject_after(v_start, v_end, s.end)
                if after:
                    people, _ = after
                else:
                    # '"...," said the Sale full-back.': the role's holder, or the person the
                    # story has just named.
                    people = self.role_after(v_start, v_end, s.end, last)
                if not people:
                    continue
                # "..., said X": the statement is what came before the verb.
                kind, start, end = self.content_before(s.start, v_start)
                return self.make(people, kind, verb, start, end, s)
            if not people:
                continue
            kind, start, end = self.content(s, subject_start, v_start, v_end, verb)
            if end <= start:
                continue
            if (
                verb in _NEEDS_CLAUSE
                and kind != "quote"
                and not _P1.match(self.text[v_end : s.end])
                and not self.quotes_in(start, end)
            ):
                continue
            return self.make(people, kind, verb, start, end, s)
        listed = _LIST_QUOTE.match(sentence)
        if listed and not self.text[self.text.rfind("\n", 0, s.start) + 1 : s.start].strip():
            subj = self.subjects_before(s.start, s.start + listed.end("subj") + 1)
            q = next((q for q in self.quotes if q.start >= s.start + listed.end("subj")), None)
            if subj and subj[0] and q:
                return self.make(subj[0], "quote", "said", q.start, q.end, s)
        acc = _ACCORDING.search(sentence)
        if acc:
            if acc.group("pron"):
                people = list(last)
            else:
                # "according to figures gathered by Netcraft": the name ends the phrase.
                runs = list(NAME_RUN_RX.finditer(acc.group("who")))
                who = self.person(runs[-1].group(0)) if runs else None
                people = [who] if who else []
            if people:
                rest_start = s.start + acc.end()
                while rest_start < s.end and self.text[rest_start] in " ,\t":
                    rest_start += 1
                rest = self.text[rest_start : s.end]
                lead = s.start + (sentence.rfind(",", 0, acc.start()) + 1)
                if _rx_match(r"[ \t]*[,.]?[ \t]*$", rest):
                    start, end = s.start, lead if lead > s.start else s.start + acc.start()
                else:
                    start, end = rest_start, s.end
                kind = self.kind_of(start, end, "reported")
                return self.make(people, kind, "according to", start, end, s)
        return self.saying(s, sentence)

    def group_subject(self, s: _Sentence, sentence: str) -> list[_Person]:
        """The people (two or more) of a subject joined by "and" before an auxiliary verb."""
        aux = _GROUP_AUX.search(sentence)
        if not aux or " and " not in sentence[: aux.start()]:
            return []
        subject = sentence[: aux.start()]
        people: list[_Person] = []
        for member in _split_group(subject):
            at = s.start + subject.find(member)
            who = self._member(member, at, s.start)
            if who and who not in people:
                people.append(who)
        return people if len(people) >= 2 else []

    def saying(self, s: _Sentence, sentence: str) -> list[Statement]:
        """'Tory leader Michael Howard sent Mr Bush his "warmest congratulations", saying: "..."':
        the sentence's subject said what follows the participle."""
        part = _SAYING.search(sentence)
        lead = _LEAD_SUBJECT.match(sentence)
        if not part or not lead or self._inside_quote(s.start + part.start()):
            return []
        subj = self.subjects_before(s.start, s.start + lead.end())
        if not subj or not subj[0] or subj[2] != "named":
            return []
        start = s.start + part.end()
        end = s.end
        qs = [q for q in self.quotes_in(start, s.end + 2000) if q.start >= start]
        if qs and qs[0].start - start <= 1:
            start, end = qs[0].start, qs[0].end
        end = self.trimmed_end(start, end)
        if end <= start:
            return []
        return self.make(subj[0], self.kind_of(start, end, "reported"), "said", start, end, s)

    def as_did(self, s: _Sentence, found: list[Statement]) -> list[Statement]:
        """'Tony Blair ... offered his congratulations, as did Conservative leader Michael Howard
        and Liberal Democrat leader Charles Kennedy': each of them made the same statement."""
        sentence = self.text[s.start : s.end]
        m = _AS_DID.search(sentence)
        if not m or not found or self._inside_quote(s.start + m.start()):
            return []
        first = found[0]
        out: list[Statement] = []
        at = s.start + m.start("who")
        for member in _split_group(m.group("who")):
            who = self._member(member, at + m.group("who").find(member), at)
            if who and who.key not in {st.speaker_key for st in found}:
                out += self.make([who], first.kind, first.verb, first.start, first.end, s)
        return out

    def unquoted(self, start: int, end: int) -> str:
        """The text with quoted words blanked: a "today" inside a quote dates nothing."""
        chars = list(self.text[start:end])
        for q in self.quotes_in(start, end):
            for i in range(max(q.start, start), min(q.end, end)):
                chars[i - start] = " "
        return "".join(chars)

    def _inside_quote(self, offset: int) -> bool:
        return any(q.start <= offset < q.end for q in self.quotes)

    def kind_of(self, start: int, end: int, default: str) -> str:
        span = self.text[start:end]
        letters = sum(c.isalpha() for c in span)
        inside = sum(
            sum(c.isalpha() for c in self.text[max(q.start, start) : min(q.end, end)])
            for q in self.quotes_in(start, end)
        )
        return "quote" if letters and inside >= 0.6 * letters else default

    def content_before(self, s_start: int, v_start: int) -> tuple[str, int, int]:
        qs = [q for q in self.quotes_in(s_start - 400, v_start) if q.end <= v_start]
        if qs and qs[-1].end >= v_start - 4:
            # « French » — « its translation », said X: the quotes joined by a dash go together.
            i = len(qs) - 1
            while i > 0 and not self.text[qs[i - 1].end : qs[i].start].strip(' »«"“”—–-,'):
                i -= 1
            return "quote", qs[i].start, qs[-1].end
        end = v_start
        while end > s_start and self.text[end - 1] in " ,\t—–-":
            end -= 1
        return self.kind_of(s_start, end, "reported"), s_start, end

    def content(
        self, s: _Sentence, subject_start: int, v_start: int, v_end: int, verb: str
    ) -> tuple[str, int, int]:
        """What the subject said: the quotation around or after the verb, the clause after it,
        the content before a trailing attribution, or, for a stance verb, the stance."""
        after = self.text[v_end : s.end]
        # A quotation ending right before the subject: '"...," Macron said.'
        qs_before = [
            q
            for q in self.quotes_in(s.start - 2000, subject_start)
            if s.start < q.end <= subject_start
        ]
        if qs_before and self.text[qs_before[-1].end : subject_start].strip(" ,.!?\"”»’'—–-") == "":
            q = qs_before[-1]
            return "quote", q.start, q.end
        qs_after = [q for q in self.quotes_in(v_end, s.end + 2000) if q.start >= v_end]
        if _P2.match(after) and qs_after:
            # 'Keeper Tom Ashworth said:' and the quote in the next paragraph.
            q = qs_after[0]
            return "quote", q.start, q.end
        if verb in _STANCE_SET:
            return "position", v_start, self.trimmed_end(v_start, s.end)
        # "said Tuesday, Sept. 23, that the family was grateful": the day it was said is no
        # part of what was said (and dates the statement).
        when = _SAID_WHEN.match(after)
        if when:
            start = v_end + when.end()
            end = self.trimmed_end(start, s.end)
            if end > start:
                return self.kind_of(start, end, "reported"), start, end
        # "told reporters that ...", "told us: "...": an object only before "that", a colon or a
        # quotation; otherwise what follows the verb is the statement ("says the River ...").
        clause = re.match(
            r"^(?:(?!\s*that\b)\s+[^,:;\"“”«»]{1,50}?(?=\s+that\b|\s*:|,?\s*[\"“«„]))?[,:]?\s*(?:that\s+)?",
            after,
        )
        first_q = next((q for q in qs_after if q.start < s.end), None)
        if verb not in _OBJECT_VERBS and not _P3.match(after):
            clause = _P4.match(after)
        if first_q and clause and first_q.start - (v_end + clause.end()) <= 1:
            last_q = [q for q in qs_after if q.start < s.end][-1]
            return "quote", first_q.start, last_q.end
        start = v_end + (clause.end() if clause else 0)
        prefix = self.text[s.start : subject_start].strip(" ,\t")
        told_that = _P5.match(after)
        short_after = len(after.split()) <= 1 or (
            verb in ("told", "tells", "tell", "assured", "reminded") and not told_that
        )
        if (
            short_after
            and not _P6.match(after)
            and _P7.search(self.text[s.start : subject_start])
            and len(prefix.split()) >= 4
            and not re.match(
                r"(?i)(?:following|after|before|earlier|later|in|on|at|when|"
                r"while|during|speaking)\b",
                prefix,
            )
        ):
            # "NATO has no plans ..., Stoltenberg told the Associated Press on Tuesday."
            end = s.start + len(self.text[s.start : subject_start].rstrip(" ,\t"))
            return self.kind_of(s.start, end, "reported"), s.start, end
        end = self.trimmed_end(start, s.end)
        return self.kind_of(start, end, "reported"), start, end

    def make(
        self,
        people: list[_Person],
        kind: str,
        verb: str,
        start: int,
        end: int,
        s: _Sentence,
        fallback: Statement | None = None,
    ) -> list[Statement]:
        text = self.text[start:end].strip()
        # The day it was said is in the attribution ("told reporters on Tuesday"), never in
        # what was said ("said the Budget would be on 16 March"): the statement is blanked.
        frame = self.unquoted(s.start, s.end)
        a, b = max(start, s.start) - s.start, min(end, s.end) - s.start
        if b > a:
            frame = frame[:a] + " " * (b - a) + frame[b:]
        d = _dates.date_in(frame, self.reference, self.dated, self.around)
        out = []
        for p in people or []:
            out.append(
                Statement(
                    article_id="",
                    speaker=p.name,
                    speaker_key=p.key,
                    role=p.role,
                    organisation=p.organisation,
                    kind=kind,
                    verb=verb,
                    text=text,
                    start=start,
                    end=end,
                    date=d.isoformat() if d else None,
                    entry=s.entry,
                )
            )
        if not out and fallback is not None:
            out.append(fallback)
        return out

    def fill_dates(self, statements: list[Statement]) -> list[Statement]:
        """An undated statement takes the date of the same speaker's nearest dated statement in
        the same entry: a report of one occasion dates it once ("told the AP on Tuesday")."""
        from dataclasses import replace

        out = []
        for st in statements:
            if st.date is None:
                near = [
                    o
                    for o in statements
                    if o.date and o.speaker_key == st.speaker_key and o.entry == st.entry
                ]
                if near:
                    best = min(near, key=lambda o: abs(o.start - st.start))
                    st = replace(st, date=best.date)
            # Names first seen later in full ("Mr Anand" then the full name) show in full.
            p = self.people.get(st.speaker_key)
            if p and (p.name != st.speaker or (p.role and not st.role)):
                st = replace(
                    st,
                    speaker=p.name,
                    role=st.role or p.role,
                    organisation=st.organisation or p.organisation,
                )
            out.append(st)
        return out


def extract_statements(
    text: str, *, title: str = "", published: date | None = None
) -> list[Statement]:
    """The attributed statements of one article, in text order (``article_id`` left empty for
    the store to fill). ``published`` is the article's date when its metadata gives one; relative
    days ("on Tuesday") resolve against it, else against a date the article itself gives."""
    if not text.strip():
        return []
    return _Extractor(text, published).extract()
