"""Who said what: attribute each sentence of an article to its speaker(s), if any.

News reports quote people directly ("...," Scholz told reporters), in reported speech (Fico said
that ...), and through pronouns or roles in a neighbouring sentence ("According to him, ...",
"At the same time, he reminded that ..."). A sentence with a speech or stance verb and a named
subject gets that name; one that refers back with a pronoun or role, or continues a quotation,
inherits the last named speaker.

The one home of the attribution rules: the assistant's answerer calls this module (sentence by
sentence over the retrieved articles) and ``newsqa.index.statements`` extracts the stored
statements; both read names through ``newsqa.index.names``. Nothing here imports the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass

# The regex module (a dependency of dateparser, declared in pyproject) reads \p{Lu}: names in any
# cased script (Özil, Łukasz, Ørsted, Ángela), which the standard re module cannot express.
import regex as re
from newsqa.index.names import NAME_RUN_RX, is_function_word, is_role_word

_VERBS = (
    r"said|says|say|told|tells|added|adds|assured|warned|warns|stated|insisted|argued|explained|"
    r"noted|claimed|claims|announced|stressed|suggested|suggests|reminded|admitted|confirmed|"
    r"declared|urged|predicted|revealed|believes|believed|thinks|thought|wrote|rejected|"
    r"ruled out|called|described|criticised|criticized|welcomed|defended|dismissed|accused|"
    r"expressed|denied|agreed|promised|pledged|vowed|conceded|acknowledged|maintained|"
    r"hopes|hoped|wants|wanted|urges|estimated|forecast|told reporters|commented|replied|"
    r"responded|disagreed|did not specify|described|asked|asks|"
    # "Chirac reacted to his warning by saying ...": a reaction in words, not "markets reacted".
    r"reacted(?=[^.;]{0,80}\bby\s+(?:saying|telling|warning|insisting|arguing))"
)
_CAP = r"\p{Lu}[\p{L}\p{M}\d'’.-]*"
_NAME = rf"(?:{_CAP}(?:\s+(?:de|van|der|von|da|di|le|al|bin)?\s*{_CAP})*)"
# "Professor Marit Ellingboe of the University of Wrexford": where a person works, after the name.
_OF_PLACE = rf"(?:\s+(?:of|at|from)\s+(?:the\s+)?{_NAME}(?:\s+(?:of|for)\s+(?:the\s+)?{_NAME})?)?"
_SUBJECT_VERB = re.compile(
    rf"(?P<name>{_NAME}){_OF_PLACE}(?:,[^,]{{3,80}},)?\s+(?:has\s+|had\s+|have\s+|also\s+|later\s+|"
    rf"then\s+|[a-z]+ly\s+)*(?:{_VERBS})\b"
)
# '..., said Mr Souness': only verbs that news style puts before their subject; after "defended",
# "criticised" or "told" a name is the object ("The Scot initially defended Beattie").
_INVERTED_VERBS = (
    r"said|says|added|adds|stated|insisted|explained|noted|claimed|admitted|confirmed|"
    r"declared|predicted|revealed|argued|continued|conceded|acknowledged|maintained|commented|"
    r"replied|responded|wrote|stressed|suggested"
)
# Only after a comma or a closing quote: in "Xi said China would act" China is what was said.
_VERB_SUBJECT = re.compile(rf"[,\"”»“’'—–]\s*(?:{_INVERTED_VERBS})\s+(?:the\s+)?(?P<name>{_NAME})")
# '..., " said chief executive Tom McKillop.': the verb after a closing quote, a lower-case role
# between it and the name.
# "Mark Serwotka, the leader of the Public and Commercial Services Union said: ...": an
# apposition that runs into the verb without a closing comma.
_APPOSITION_VERB = re.compile(
    rf"^(?:[\"“]?[^\"“”]*[\"”]\s*)?(?P<name>{_NAME}),\s+(?:the|a|an)\s+[^,\"“]{{3,80}}?\s+"
    rf"(?:{_VERBS})\b"
)
# "Orrin's head of product, Grant Maddox, said ...": a name set off by commas after its role.
_APPOSED_NAME_VERB = re.compile(
    rf"^(?P<role>[^\"“”]{{0,80}}?[\p{{Ll}}\d]),\s+(?P<name>{_NAME}){_OF_PLACE},\s+"
    r"(?:also\s+|[a-z]+ly\s+)*"
    rf"(?:{_VERBS})\b"
)
_ACCORDING = re.compile(rf"\baccording to\s+(?P<name>{_NAME})")
_BY = re.compile(r"\b(?:expressed|voiced|made|taken|echoed|shared)\s+by\s+(?P<names>.+)$")
_PRONOUN = re.compile(
    rf"\b(?:he|she|they|his|her)\s+(?:also\s+|later\s+|then\s+|\w+ly\s+)*(?:{_VERBS})\b|"
    r"\baccording to (?:him|her|them)\b|\b(?:he|she) (?:added|continued|went on)\b",
    re.IGNORECASE,
)
ROLES = (
    r"chancellor|minister|president|spokesman|spokeswoman|chief|secretary|coach|manager|boss|"
    r"chairman|director|official|leader|premier|prosecutor|analyst|executive|founder|singer|"
    r"actor|star|player|striker|captain|lawyer|economist|doctor|physio|surgeon|officer|adviser|"
    r"advisor|professor|editor|producer|agent|promoter|organiser|trainer|referee|researcher|"
    r"scientist|spokesperson|governor|mayor|commissioner|ambassador|judge"
)
_QUOTE_VERB_SUBJECT = re.compile(
    rf"[,\"”»“’'—–]\s*(?:{_VERBS})\s+(?:the\s+)?"
    # '..." said Fiat chief executive Sergio Marchionne.': an organisation before the role;
    # '..." said Swedish trades union official Ulf Carlsson.': words between them.
    rf"(?:(?:\p{{Lu}}[\p{{L}}\p{{M}}'’&.-]*\s+){{1,3}}(?:[a-z][\w-]*\s+){{0,3}}(?i:{ROLES})\s+)?"
    rf"(?:[a-z][\w-]*\s+){{0,4}}(?P<name>{_NAME})"
)
# "German Chancellor Olaf Scholz", "Villa boss David O'Leary": who holds a role in this article.
_ROLE_NAME = re.compile(
    rf"\b(?i:(?P<role>{ROLES}))\s+(?P<name>\p{{Lu}}[\p{{L}}\p{{M}}'’-]+(?:\s+\p{{Lu}}[\p{{L}}\p{{M}}'’-]+)*)"
)
_ROLE = re.compile(rf"\b[Tt]he\s+(?:[A-Za-z]+\s+)?(?P<role>{ROLES})\s+(?:{_VERBS})\b")
# "The Scot initially defended Beattie", "The 28-year-old said": a description of the person the
# story was just about, not a name. Which capitalised words describe (demonyms, "the Frenchman")
# is decided per article in ``attribute``: a word the article uses only after "the", never in a
# name, describes a person.
_DESCRIBED_SUBJECT = re.compile(
    r"(?:^|[.;:]\s+|,\s+(?:but|and)\s+|\b(?:But|And)\s+)[Tt]he\s+(?P<what>\d+-year-old|"
    r"\p{Lu}\p{Ll}+)\s+(?:has\s+|had\s+|also\s+|later\s+|then\s+|[a-z]+ly\s+)*"
    rf"(?:{_VERBS})\b"
)
_FULL_NAME = re.compile(r"\b\p{Lu}[\p{L}\p{M}'’-]+(?:\s+\p{Lu}[\p{L}\p{M}'’-]+)+")
# "Alexander Linden, vice president of ... at Gartner, downloaded ...": a sentence that opens
# by introducing a person moves the story to them; the next "he said" is theirs.
_INTRODUCED = re.compile(
    r"^(?P<name>\p{Lu}\p{Ll}[\p{L}\p{M}'’-]*(?:\s+\p{Lu}[\p{L}\p{M}'’-]+){1,2}),\s"
)
_OPENS_QUOTE = re.compile(r"^[\"“]")
_SAID_AFTER = re.compile(rf"^\W*(?:(?:he|she|they)\s+(?:{_VERBS})|(?:{_VERBS})\s)", re.IGNORECASE)


@dataclass(frozen=True)
class Attribution:
    """The speakers of one sentence (lower-case name words) and how they were found."""

    speakers: frozenset[str]
    how: str  # "named", "pronoun", "quote", or "" for none


def _not_name(word: str) -> bool:
    """Function words, titles, days, months and role nouns: capitalised, but no one's name."""
    return is_function_word(word) or is_role_word(word)


_CAMEL = re.compile(r"\b\p{Ll}\p{Lu}[\p{L}\p{M}\d'’-]+")  # eBay, iPod
_ROLE_AFTER = re.compile(r"^\s+(?P<w>[\p{Ll}-]+)")


def name_words(text: str) -> set[str]:
    """Lower-case words of the capitalised names in ``text``: titles, function words and role
    nouns out, and so are the words that only describe a role ("Slovak Prime Minister", "his
    Polish counterpart", "Presidential spokesman"): general rules instead of a list of
    nationalities."""
    out: set[str] = set()
    for m in NAME_RUN_RX.finditer(text):
        after = _ROLE_AFTER.match(text[m.end() : m.end() + 40])
        describes_next = bool(after and is_role_word(after.group("w")))
        pieces = re.split(r"(?<=['’]s)\s+", m.group(0))
        for i, piece in enumerate(pieces):
            words = piece.split()
            roles = [k for k, w in enumerate(words) if is_role_word(w)]
            if roles:
                words = words[roles[-1] + 1 :]
            elif describes_next and i == len(pieces) - 1:
                continue
            for w in words:
                w = re.sub(r"['’]s$", "", w)
                if len(w) > 1 and not _not_name(w):
                    out.add(w.lower().replace("’", "'"))
    for m in _CAMEL.finditer(text):
        out.add(re.sub(r"['’]s$", "", m.group(0)).lower())
    return out


def _named(sentence: str) -> set[str]:
    found: set[str] = set()
    for rx in (
        _SUBJECT_VERB,
        _VERB_SUBJECT,
        _QUOTE_VERB_SUBJECT,
        _ACCORDING,
        _APPOSITION_VERB,
        _APPOSED_NAME_VERB,
    ):
        for m in rx.finditer(sentence):
            if rx is _APPOSED_NAME_VERB and not any(
                is_role_word(w) for w in m.group("role").split()
            ):
                continue  # "The study by US researchers, Pew Internet, suggests": no role
            found |= name_words(m.group("name"))
    m = _BY.search(sentence)
    if m:
        found |= name_words(m.group("names"))
    # "Czech Prime Minister Peter Fiala and his Polish counterpart Donald Tusk also ruled out":
    # every name in a subject joined by "and" before the verb speaks.
    m = re.match(
        rf"^(?P<subject>[^,\"“]{{0,90}}?)\s+(?:also\s+|[a-z]+ly\s+)*(?:{_VERBS})\b", sentence
    )
    if m and " and " in m.group("subject"):
        found |= name_words(m.group("subject"))
    return found


def _describes(word: str, article: str) -> bool:
    """ "The Scot", "the Frenchman", "the 28-year-old": a word the article uses only after "the"
    and never inside a longer name describes a person rather than naming an organisation."""
    if word[0].isdigit():
        return True
    if is_role_word(word) or is_function_word(word):
        return False
    w = re.escape(word)
    uses = len(re.findall(rf"\b{w}\b", article))
    after_the = len(re.findall(rf"\b[Tt]he\s+{w}\b", article))
    in_name = any(
        word in run.split() and len([x for x in run.split() if not _not_name(x)]) >= 2
        for run in (m.group(0) for m in NAME_RUN_RX.finditer(article))
    )
    return uses == after_the and not in_name


def protagonist(sentences: list[str]) -> frozenset[str]:
    """The surname of the person the article is about: of the full names ("Stan Lee") in its
    first two sentences, the one whose surname recurs most in the article. A pronoun or a role
    that nothing before it resolves ("He said: ...") most likely refers to that person."""
    text = " ".join(sentences)
    best: frozenset[str] = frozenset()
    count = 1
    for sentence in sentences[:2]:
        for run in re.findall(r"\p{Lu}[\p{L}\p{M}'’-]+(?:\s+\p{Lu}[\p{L}\p{M}'’-]+)+", sentence):
            words = [w for w in run.split() if name_words(w)]
            if len(words) < 2:
                continue
            surname = words[-1]
            n = len(re.findall(rf"\b{re.escape(surname)}\b", text))
            if n > count:
                best, count = frozenset(name_words(surname)), n
    return best


def attribute(sentences: list[str], paragraph_starts: set[int] | None = None) -> list[Attribution]:
    """Speakers for each sentence of one article, in order. ``paragraph_starts`` (indices of
    sentences that begin a paragraph) lets a quote left unclosed end with its paragraph."""
    out: list[Attribution] = []
    last: frozenset[str] = frozenset()
    roles: dict[str, frozenset[str]] = {}
    main = protagonist(sentences)
    article = " ".join(sentences)
    person: frozenset[str] = frozenset()  # surname of the last full name the article gave
    in_quote = False
    for index, sentence in enumerate(sentences):
        if paragraph_starts and index in paragraph_starts and not _OPENS_QUOTE.match(sentence):
            # A quotation runs into the next paragraph only if that paragraph reopens it.
            in_quote = False
        described = _DESCRIBED_SUBJECT.search(sentence)
        if described and not _describes(described.group("what"), article):
            described = None
        named = _named(sentence)
        if described:
            named -= name_words(described.group(0))
        for m in _ROLE_NAME.finditer(sentence):
            if who := name_words(m.group("name").split()[-1]):
                roles[m.group("role").lower()] = frozenset(who)
        role = _ROLE.search(sentence)
        if named:
            speakers, how = frozenset(named), "named"
            if _PRONOUN.search(sentence) and not _SUBJECT_VERB.search(sentence) and last:
                speakers = frozenset(named | last)
        elif described and (person or main or last):
            speakers, how = person or main or last, "pronoun"
        elif role and (roles.get(role.group("role").lower()) or main or last):
            speakers = roles.get(role.group("role").lower()) or main or last
            how = "pronoun"
        elif _PRONOUN.search(sentence) and (last or main):
            speakers, how = last or main, "pronoun"
        elif (in_quote or _OPENS_QUOTE.match(sentence)) and last and not named:
            speakers, how = last, "quote"
        else:
            speakers, how = frozenset(), ""
        out.append(Attribution(speakers, how))
        if speakers:
            last = speakers
        elif (intro := _INTRODUCED.match(sentence)) and all(
            name_words(w) for w in intro.group("name").split()
        ):
            last = frozenset(name_words(intro.group("name").split()[-1]))
        for run in _FULL_NAME.findall(sentence):
            words = [w for w in run.split() if name_words(w)]
            if len(words) >= 2:
                person = frozenset(name_words(words[-1]))
                break
        quotes = _quote_marks(sentence)
        if _OPENS_QUOTE.match(sentence):
            # A new opening quote ends any earlier one (news style leaves a quote open when the
            # next paragraph or sentence reopens it): still open only if this one is.
            in_quote = quotes % 2 == 1
        elif quotes % 2 == 1:
            in_quote = not in_quote
    # '"Why build your own grid when you can use ours?" he asked ...': a quotation whose
    # speaker comes in the sentence after it.
    for i in range(len(out) - 2, -1, -1):
        nxt = out[i + 1]
        if (
            out[i].how in ("", "quote")
            and _OPENS_QUOTE.match(sentences[i])
            and nxt.speakers
            and _SAID_AFTER.match(sentences[i + 1])
        ):
            out[i] = Attribution(nxt.speakers, "quote")
    # '"We were not looking for a buyer, but for a long-term owner. That is a difference," Mr
    # Zürcher said': a quotation over several sentences is the speaker's from where it opens.
    # Only for a person the article names in full ("Beat Zürcher"): "said the Spurs sporting
    # director" names a club, and the quote's carried-over speaker is the better guess.
    people = {
        w
        for run in _FULL_NAME.findall(article)
        if len(names := [n for n in run.split() if name_words(n)]) >= 2
        for w in name_words(names[-1])
    }
    for k in range(1, len(out)):
        if not out[k].speakers & people or out[k].how != "named":
            continue
        if _quote_marks(sentences[k]) % 2 == 0 or _OPENS_QUOTE.match(sentences[k]):
            continue
        for i in range(k - 1, max(k - 4, -1), -1):
            marks = _quote_marks(sentences[i])
            if marks % 2 == 1 and _OPENS_QUOTE.match(sentences[i]):
                if all(out[j].how in ("", "quote") for j in range(i, k)):
                    for j in range(i, k):
                        out[j] = Attribution(out[k].speakers, "quote")
                break
            if marks:
                break
    return out


def _quote_marks(sentence: str) -> int:
    return sentence.count('"') + sentence.count("“") + sentence.count("”")


SAY_QUESTION = re.compile(
    # Not "is"/"was": "What is the trojan ... called?" is passive, its subject no speaker.
    r"^\s*(?:what|how|why|when)\s+(?:did|does|do|has|had|have)\s+(?P<who>.+?)\s+"
    r"(?:say|said|tell|told|think|thinks|claim|claimed|argue|argued|warn|warned|announce|"
    r"announced|reveal|revealed|remind|reminded|predict|predicted|believe|believed|mean|"
    r"suggest|suggested|respond|responded|react|reacted|describe|described|call|called|"
    r"admit|admitted|assure|assured|note|noted|insist|insisted|explain|explained|want|"
    r"report|reported|confirm|confirmed|add|added|stress|stressed|rule out|reject|rejected)"
    r"\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_ACCORDING_Q = re.compile(r"\baccording to (?P<who>\p{Lu}[\p{L}\p{M}'’ .-]+?)[,?]", re.IGNORECASE)


def is_say_question(question: str) -> bool:
    """ "What did X say/tell/warn ...": a question about someone's words."""
    return bool(SAY_QUESTION.match(question) or _ACCORDING_Q.search(question))


def question_speaker(question: str) -> set[str]:
    """Name words of the person a "what did X say ..." question asks about (empty if none)."""
    m = SAY_QUESTION.match(question) or _ACCORDING_Q.search(question)
    if not m:
        return set()
    who = m.group("who")
    described = re.match(
        r"(?:the|a|an|its|his|her|their)\s+(?:[\w'’.-]+\s+){0,5}?(?P<role>[a-z][a-z-]+)$", who
    )
    owned = re.match(
        r"(?:\p{Lu}[\p{L}\p{M}.-]*\s+){0,2}\p{Lu}[\p{L}\p{M}.-]*['’]s\s+(?P<role>\p{Ll}[\p{Ll}\s-]*)$",
        who,
    )
    if owned and (named_role := re.search(rf"\b(?P<role>{ROLES})\b", owned.group("role"))):
        # "Arsenal's manager", "Vivendi Universal's chief technology officer": a role, which
        # the answerer matches to whoever the articles give it.
        return {named_role.group("role")}
    if re.match(r"(?:the|a|an|its|his|her|their)\s", who):
        # "the chief executive of the festival's organisers": the role comes first.
        # "the Trade and Industry Secretary": titles are often capitalised. "The British Prime
        # Minister's spokesman" is the spokesman: the role after the last possessive.
        owner_end = max(who.rfind("'s "), who.rfind("’s "))
        named_role = re.search(rf"\b(?P<role>{ROLES})\b", who[owner_end + 1 :], re.IGNORECASE)
        if named_role:
            return {named_role.group("role").lower()}
    if described and not described.group("role").endswith(("'s", "’s")):
        # "the England rugby captain", "the Italian car maker's boss": a role, which the
        # answerer matches to whoever the articles call that by name.
        return {described.group("role")}
    # The surname identifies the speaker: "Peter Szijjarto" must not match "Peter Fiala".
    surnames = set()
    for run in re.findall(r"\p{Lu}[\p{L}\p{M}'’-]+(?:\s+\p{Lu}[\p{L}\p{M}'’-]+)*", who):
        words = [w for w in run.split() if name_words(w)]
        if words:
            surnames |= name_words(words[-1])
    if surnames:
        return surnames
    return {r for r in ("spokesman", "spokeswoman", "office") if r in who.lower()}
