"""What kind of answer a question wants, and whether a sentence holds one.

"How much is she paid?" wants a sum of money, "How often?" a frequency, "Where is it based?" a
place, "Who replaced X?" a name and a sentence that reports the replacement. The extractive
answerer scores sentences with ``type_bonus`` and abstains when the sentences it chose lack what
the question asks for.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import regex
import simplemma
from breame.spelling import get_american_spelling
from newsqa.index.attribution import name_words
from newsqa.index.lexical import tokenize
from newsqa.index.names import NAME_RUN as NAME_RUN_PATTERN
from newsqa.index.names import NAME_RUN_RX, ROLE_NOUNS

if TYPE_CHECKING:
    from newsqa.assistant.answerer import Candidate
    from newsqa.assistant.question import Query

# Runs of capitalised words in any script ("Robert Bosch", "Łukasz Żurek", "Ursula von der
# Leyen"): index/names.py's, one definition for the whole project.
NAME_RUN = NAME_RUN_RX

WANTS_NUMBER = re.compile(
    r"\bhow (much|many|long|old|far|big|large|high|fast|often|tall|heavy)\b|\bwhat (\w+ )?"
    r"(percentage|proportion|share|fraction)\b|\bby how\b|\bweighs?\b|\bweight\b|"
    # "What was the attendance / turnout / death toll / population ...?": a count.
    r"\bwhat(?: (?:is|was|were|are|will be|has been))? the (?:\w+ )?(?:attendance|turnout|"
    r"population|toll|tally|headcount|(?:total )?number of)\b",
    re.IGNORECASE,
)
# "How often?": a frequency, not any figure ("once every two years", "twice a week").
WANTS_FREQUENCY = re.compile(r"\bhow (often|frequently)\b", re.IGNORECASE)
FREQUENCY = re.compile(
    r"\b(every|each|once|twice|annual|annually|biennial|weekly|monthly|daily|yearly|quarterly|"
    r"times a|a (year|week|month|day))\b",
    re.IGNORECASE,
)
# "How fast / far / heavy?", "What does he weigh?": a figure with its unit.
WANTS_MEASURE = re.compile(
    r"\bhow (far|big|large|high|fast|tall|heavy|long)\b|\bweighs?\b|\bweight\b|\bspeed\b",
    re.IGNORECASE,
)
UNIT = re.compile(
    r"\d\s?(kg|g|lb|lbs|st|stone|tonnes?|tons?|km|m|cm|mm|miles?|metres?|meters?|feet|ft|"
    r"inches|in|mph|km/h|kph|knots|sq|square|acres?|hectares?|gb|mb|mbps|kbps|ghz|mhz)\b|"
    r"\d\s?(kilo|mega|giga)?(grams?|metres?|meters?|bytes?|bits?|hertz)\b",
    re.IGNORECASE,
)
# "What market share?", "What proportion?": a percentage.
WANTS_PERCENT = re.compile(r"\b(percentage|proportion|share|fraction|stake)\b", re.IGNORECASE)
PERCENT = re.compile(r"\d\s?%|\bper ?cent\b", re.IGNORECASE)
# "When was she suspended?": "on 25 September" says more than "in September".
# Months as British, US and AP styles write them ("February", "Feb.", "Feb", "Sept."); "May" only
# capitalised. Dates are matched here rather than by dateparser: its search_dates took 7-150 ms a
# sentence (the answer's whole budget is 100 ms) and missed "Feb. 27" and "27 February" (measured
# 2026-12-01); ``parse_date`` uses it to read a found span.
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?(?!\w))"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.)"
)
_YEAR = r"(?:1[0-9]\d\d|20\d\d)"
FULL_DATE = re.compile(
    rf"\b{_DAY}\s+(?:of\s+)?{MONTH}|\b{MONTH}\s+{_DAY}\b(?!:)|"
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"
)
# A whole date as written, longest first: "Tuesday, February 27, 2024", "27 Feb 2024",
# "2024-02-27", "27/02/2024", "February 2024", "Feb. 27", "in the late 1990s", "2003", "Tuesday".
DATE_SPAN = re.compile(
    rf"(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{_YEAR})?\b|"
    rf"(?:{_WEEKDAY},?\s+)?{MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b(?!:)|"
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b|"
    rf"\b{MONTH}\s+(?:of\s+)?{_YEAR}\b|"
    r"\b(?:(?:the\s+)?(?:early|mid|late)[\s-]+)?(?:1[0-9]|20)\d0s\b|"
    rf"\b{_YEAR}\b(?![,.]?\d)(?!\s*(?:%|per|m\b|bn\b|million|billion))|"
    rf"\b{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?"
)
# Currencies by symbol, ISO code and name. Amounts are matched here, not by price-parser: it
# reads one price per string without its offsets and drops "bn", "m" and "crore" ("CHF 2bn" -> 2;
# measured 2026-12-01), and a short answer needs the span as written.
_CUR_SYMBOL = (
    r"(?:US\$|A\$|AU\$|C\$|CA\$|NZ\$|HK\$|S\$|R\$|Mex\$|[$£€¥₹₩₽₺₪₦₱฿₴₫]|"
    r"\bRs\.?|\bRp\.?|\bFr\.|\bkr\.?|\bR(?=\s?\d))"
)
_CUR_CODE = (
    r"\b(?:USD|EUR|GBP|JPY|CHF|CNY|RMB|INR|AUD|CAD|NZD|HKD|SGD|SEK|NOK|DKK|PLN|CZK|HUF|RUB|BRL|"
    r"MXN|ZAR|KRW|TRY|AED|SAR|QAR|NGN|KES|EGP|ILS|THB|IDR|MYR|PHP|PKR|BDT|VND|ARS|CLP|COP|UAH|"
    r"TWD|RON)\b"
)
_CUR_WORD = (
    r"(?:euros?|dollars?|pounds?(?:\s+sterling)?|sterling|yen|yuan|renminbi|rupees?|roubles?|"
    r"rubles?|kronor|krona|kroner|krone|rand|pesos?|lira|liras|won|francs?|cents?|pence|"
    r"shillings?|naira|reais|zlotys?|dirhams?|riyals?|rupiah|ringgit|baht|hryvnias?|dong)\b"
)
_AMOUNT = r"\d{1,3}(?:[,\u00a0\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULTIPLIER = (
    r"(?:\s?(?:k|m|mn|mln|bn|b|tn|trn)\b|\s(?:thousand|million|billion|trillion|crores?|lakhs?|"
    r"lacs?)\b)"
)
MONEY_SPAN = re.compile(
    rf"(?:{_CUR_SYMBOL}|{_CUR_CODE})\s?(?:{_AMOUNT}){_MULTIPLIER}?(?:\s+{_CUR_CODE})?|"
    rf"\b(?:{_AMOUNT}){_MULTIPLIER}?\s?(?:{_CUR_CODE}|{_CUR_WORD})|"
    r"\b\d+(?:\.\d+)?p\b"
)
# "Where is it based?": a place.
PLACE = re.compile(
    r"\b[A-Z][\w'’-]+-based\b|\b(based|headquartered|located|situated)\s+(in|at|near)\b|"
    r"\b(in|at|near|from|outside)\s+(?:the\s+)?[A-Z][\w'’-]+"
)
WANTS_DURATION = re.compile(
    r"\bhow long\b|\bhow many (days|weeks|months|years|hours|minutes)\b|"
    r"\b(winning|finishing|record|lap) time\b|\bhow much time\b",
    re.IGNORECASE,
)
# "a day" right after a quantity is a rate, not a length of time: "7,000 steps a day", "$1m a
# week", "£50,000 a year" (``regex`` for the variable-width look-behind); "9.4 years" is whole.
DURATION = regex.compile(
    r"\b((?<![\d.,])\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|half an?|(?<!\d\S*(?:\s+[\w-]+)?\s+)an?)"
    r"(\s*(-|to|or)\s*\w+)?[\s-]+(seconds?|minutes?|hours?|days?|weeks?|months?|years?|"
    r"seasons?|games?|matches)\b(?!-)",
    regex.IGNORECASE,
)
COUNT_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|several|a few|a dozen"
)
YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
WANTS_AMOUNT = re.compile(
    r"\b(profit|profits|loss|losses|revenue|sales|price|prices|cost|costs|charge|fee|fine|salary|"
    r"pay|paid|payout|pay-off|worth|value|budget|score|time|rate|dividend|deal|bid|offer|"
    r"stake|figure|total|record|margin|sum|fund|damages|audience|viewers|jobs|income|"
    r"turnover|ebitda)\b",
    re.IGNORECASE,
)
WANTS_DATE = re.compile(
    r"^\s*when\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|day|"
    r"month|date)\b",
    re.IGNORECASE,
)
WANTS_ENTITY = re.compile(
    r"(^\s*|,\s*|\b(and|but)\s+)((in|at|from|to|for|on|with|by|of|into|under|against|"
    r"behind|over)\s+)?(who|whom|which|where|what (kind|sort|type|name))\b|"
    r"\bwhat is (his|her|its|their) (real )?name\b",
    re.IGNORECASE,
)
# "What was the title of her play ...?", "What are the names of ...?": a name must be given.
NAME_ASKED = re.compile(
    r"\bwhat (?:is|was|are|were) (?:the |its |his |her |their )?(?:name|title)s?\b", re.I
)
# Words in quotation marks of any style, opened after a space: a title ("The Snow Goose").
QUOTED = re.compile(r"(?:^|\s)[\"“«„‘]\S[^\"”»“’]{0,80}[\"”»“’]")
# "What are such hotspots being called?", "What is the scheme known as?": a term.
WANTS_TERM = re.compile(
    r"\b(called|named|nicknamed|dubbed|known as|termed|referred to as)\s*\??\s*$",
    re.IGNORECASE,
)
NAMING = re.compile(
    r"\b(called|named|nicknamed|dubbed|known as|termed|referred to as|title of|"
    r"branded|labelled)\b",
    re.IGNORECASE,
)
# "How much is she paid?", "What did the deal cost?": a sum of money, not just any figure.
WANTS_MONEY = re.compile(
    r"\b(pay|pays|paid|earn|earns|earned|cost|costs|price|fee|fees|salary|wage|wages|worth|"
    r"spend|spent|raise|raised|fine|fined|compensation|damages|prize money|sold for|bought "
    r"for|money|budget|dividend|profit|profits|loss|losses|revenue|sales|turnover|box office|"
    r"gross|grossed|takings|income|earnings)\b",
    re.IGNORECASE,
)
MONEY = re.compile(
    rf"{MONEY_SPAN.pattern}|\b(euros?|dollars?|pounds?|yen|yuan|rupees?|roubles?|rubles?|kronor|"
    r"krona|kroner|rand|pesos?|lira|won|sterling|crores?|lakhs?)\b"
)
# "How much is he paid?", "What salary does she get?": pay, which a sentence reports as such
# ("on £50,000 a week", "a salary of ...", "earns").
# Not "earnings": a country's export earnings or a company's are no one's pay.
WANTS_PAY = re.compile(r"\b(salary|salaries|wages?|paid|pay|earn|earns|earned)\b", re.I)
PAY = re.compile(
    r"\b(salar\w*|wages?|paid|pay|pays|paying|earn\w*|package|bonus\w*|contract|pay-?off|"
    r"pension|gets|get|receives?|received|prize|reward\w*|hourly)\b|\b(a|an|per|each) (hour|week|"
    r"month|year|annum)\b",
    re.IGNORECASE,
)
# "How much did X offer for Y?": a sum offered, bid or agreed, not any figure in the story
# (a share price that rose on the news).
WANTS_OFFER = re.compile(
    r"^\s*(?:how much|what (?:price|sum|amount|figure))\b[^?]*\b(?:offer|offered|bid)\b", re.I
)
OFFER = re.compile(
    r"\b(offer\w*|bid\w*|approach\w*|tabled|valu\w+|deal|buy-?out|takeover|per share|"
    r"pay|paid|paying|agreed|accepted|rejected|price)\b",
    re.I,
)
SUM_QUESTION = re.compile(
    r"\bhow much\b|\bfor what (sum|price|amount)\b|\bwhat (was|is|were|are|will be|would be)\s+"
    r"(?:\w+['’]s\s+|the\s+|its\s+|their\s+|his\s+|her\s+)?(?:\w+\s+)?(profit|profits|loss|"
    r"losses|price|cost|fee|salary|revenue|revenues|turnover|dividend|fine|budget|pay)\b",
    re.IGNORECASE,
)
# "winning time", "lap time": a clock time (2h 23m 10s, 9.85 seconds), not "77 days".
WANTS_CLOCK = re.compile(r"\b(winning|finishing|record|lap|personal best|race) time\b", re.I)
CLOCK = re.compile(
    r"\b\d+(\.\d+)?\s*(hours?|hrs?|minutes?|mins?|seconds?|secs?)\b|\b\d+:\d\d\b|"
    r"\b(one|two|three|four|five) hours?\b",
    re.IGNORECASE,
)
# A time of day ("9.55pm", "1:47 a.m.", "07:15 GMT", "3am"): when something happened, not a
# figure; a live blog stamps every entry with one.
TIME_OF_DAY = re.compile(
    r"\b(?:[01]?\d|2[0-3])[:.][0-5]\d\s*(?:[ap]\.?\s?m\b\.?|GMT|BST|UTC|CET|ET|EST|EDT|PT|"
    r"local\s+time)|\b(?:[01]?\d|2[0-3]):[0-5]\d\b|\b(?:1[0-2]|0?[1-9])\s*[ap]\.?\s?m\b\.?|"
    r"\b(?:noon|midnight|midday)\b|"
    # The 24-hour clock of wires and police statements: "at 0400 GMT", "1930 hrs".
    r"\b(?:[01]\d|2[0-3])[0-5]\d\s*(?:GMT|BST|UTC|hrs)\b",
    re.IGNORECASE,
)
WANTS_TIME_OF_DAY = re.compile(
    r"\b(?:what|which)\s+time\b(?!\s+(?:period|frame|span|scale|of\s+(?:year|the\s+year)))",
    re.IGNORECASE,
)
HAS_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|half|double|twice)\b",
    re.IGNORECASE,
)
# "On what date ...?", "What day ...?": a day, which a year or a month alone does not give.
WANTS_DAY = re.compile(r"^\s*(?:on\s+)?(?:what|which)\s+(?:date|day)\b", re.IGNORECASE)
A_DAY = re.compile(rf"{FULL_DATE.pattern}|\b{_WEEKDAY}|\b(?:yesterday|today|tomorrow)\b")
HAS_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d|January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"yesterday|today|tomorrow|last (week|month|year)|next (week|month|year)|since|until|by)\b|"
    rf"{FULL_DATE.pattern}|\b(?:1[0-9]|20)\d0s\b",
)
CAPITALISED = re.compile(r"(?<=[^\s\"“(])\s+([A-Z][\w'’-]+)")
AGE = re.compile(r"\baged? \d+|\b\d+[- ]years?[- ]old|, \d{1,3},|\(\d{1,3}\)|\bat \d{1,3}\b")
# "At what price ...?", "For how much ...?": a preposition may lead.
NUMBER_WORDS = re.compile(
    r"^(?:(?:at|for|to|from|of|in|on)\s+)?(how|what|which|by)\b", re.IGNORECASE
)
PRONOUN_Q = re.compile(r"\b(he|she|they|him|her|his|hers|them|their|it|its)\b", re.IGNORECASE)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


# "Who replaced X?", "Which company won the auction?": an event the answer must report. The
# sentence naming the answer (or the one beside it) says so in one of these words, or the
# articles only know X, not the event.
EVENTS = [
    (
        r"replac\w*|succeed\w*|successor|t(?:ook|akes?|aken)\s+over\s+from",
        r"replac|succe|took over|take over|taken over|step(?:s|ped)? into|in place of",
    ),
    (
        r"won(?!['’]t)|wins?|winning",  # not "won't"
        r"\bw[io]n(?:s|ning|ners?)?\b|victor|triumph|beat|\btook\b|scooped|claimed|awarded|"
        r"named|went to|collect|picked up|received|landed|secured|bagged",
    ),
    (
        r"beat|beaten|defeat\w*",
        r"beat|defeat|\bw[io]n(?:s|ning|ners?)?\b|victor|overc[ao]me|edge|thrash|lost to|"
        r"los(?:e|t|ing)",
    ),
    (
        r"bought|buy|buys|acquir\w*|purchas\w*",
        r"bought|buy|acqui|purchas|takeover|stake|deal|"
        r"bid|merg",
    ),
    (r"sold|sell|sells", r"sold|sell|sale|deal|bought|buy"),
    (r"marri\w*|marry", r"marri|marry|wedding|wife|husband"),
    # Not "dismissed": "X dismissed the claims" is no sacking.
    (r"sacked|fired", r"sack|fire|dismiss|axed|oust|replac"),
    # A role asked for is a relation too: the chief executive named beside a company does not
    # answer who chairs it, nor the company's founder who owns it now.
    (r"chair(?:s|ed|man|men|woman|person)?", r"\bchair"),
    (r"chief\s+executive|ceo", r"chief\s+executive|\bceo\b|\bboss\b|\bhead(?:s|ed)?\b|\bruns\b"),
    (r"chief\s+operating\s+officer|coo", r"\boperating\b|\bcoo\b"),
    (r"chief\s+financial\s+officer|cfo|finance\s+(?:chief|director)", r"financ|\bcfo\b"),
    (r"architects?", r"architect|design"),
    (r"found(?:er|ers|ed)", r"found|set\s+up|started|establish|launch|creat"),
    (r"owns?|owners?|owned", r"\bown|bought|stake|acqui|controll?"),
    (r"captain(?:s|ed)?|skipper", r"captain|skipper"),
]
# "How many people died ...?": a toll the answer's sentences report; 37 injured is no death toll.
NUMBER_EVENTS = [
    (
        r"died|die|dies|dying|killed|kill|deaths?|dead|fatalities|fatal|lives|perished",
        r"\bdie|\bdied|\bdead|\bdeath|\bkill|passed\s+away|\blives\b|fatal|perish|\btoll\b|bodies|murder",
    ),
    (r"injur\w*|wounded|hurt", r"injur|wound|\bhurt|casualt|hospital"),
]
EVENT_QUESTION = [
    (re.compile(rf"\b(?:{ask})\b", re.IGNORECASE), re.compile(say, re.IGNORECASE))
    for ask, say in EVENTS
]
NUMBER_EVENT_QUESTION = [
    (re.compile(rf"\b(?:{ask})\b", re.IGNORECASE), re.compile(say, re.IGNORECASE))
    for ask, say in NUMBER_EVENTS
]


# "What kind of fund did the committee recommend?": the answer describes that noun ("a strategic
# capabilities fund") and usually repeats it, in a sentence that may name nothing else of the
# question. Not for plain "what <noun>": "What car was he driving?" is answered by a name ("a red
# Vauxhall Corsa") and the sentences repeating "car" are the wrong ones.
ASKED_KIND = re.compile(
    r"^\s*(?:(?:in|at|from|to|for|on|with|by|of|into|under)\s+)?(?:what|which)\s+"
    r"(?:kind|sort|type|form|variety)s?\s+of\s+(?P<noun>(?:[\w'’-]+\s+){0,3}?[\w'’-]+)\s+"
    r"(?:did|does|do|is|was|were|are|will|would|has|have|had|can|could|should|may|might)\b",
    re.IGNORECASE,
)
_NOUN_END = re.compile(r"\s+(?:in|of|at|per|for|on|from|with|by|to|that)\s.*$", re.IGNORECASE)


def asked_kind(text: str) -> list[str]:
    """Stemmed words of the noun a "what kind of <noun> ..." question asks about, without
    names and figures; [] for other shapes."""
    m = ASKED_KIND.match(text)
    if not m:
        return []
    noun = _NOUN_END.sub("", m.group("noun"))
    words = [w for w in noun.split() if not w[0].isupper() and not any(ch.isdigit() for ch in w)]
    return tokenize(" ".join(words))


def question_wants(text: str) -> str:
    """The kind of answer a question asks for: "duration", "number", "date", "entity", "term",
    "amount", or "" (a statement, an explanation)."""
    if WANTS_DURATION.search(text):
        return "duration"
    if WANTS_NUMBER.search(text):
        return "number"
    if WANTS_DATE.search(text):
        return "date"
    if WANTS_ENTITY.search(text):
        return "entity"
    if WANTS_TERM.search(text):
        return "term"
    if NUMBER_WORDS.match(text) and WANTS_AMOUNT.search(text) and not _HOW_MANNER.match(text):
        return "amount"
    return ""


# "How did the judge deal with ...?", "How was the price set?": how it was done, not a sum.
_HOW_MANNER = re.compile(
    r"^\s*how\s+(?:did|does|do|will|would|can|could|should|has|have|had|is|are|was|were)\b",
    re.IGNORECASE,
)


def type_bonus(q: Query, text: str) -> float:
    """Reward sentences holding the kind of thing the question asks for."""
    if q.wants == "duration":
        if WANTS_CLOCK.search(q.text):
            return 0.15 if CLOCK.search(text) else 0.0
        unit = re.search(r"\bhow many (day|week|month|year|hour|minute|season)s?\b", q.text, re.I)
        if unit:
            # "How many years?": so many years, not "$1m a week".
            counted = re.compile(
                rf"\b(\d+|{COUNT_WORDS})[\s-]+(?:\w+[\s-]+)?{unit.group(1)}s?\b", re.I
            )
            return 0.15 if counted.search(text) else 0.0
        return 0.15 if DURATION.search(text) else 0.0
    if q.wants in ("number", "amount"):
        if WANTS_FREQUENCY.search(q.text):
            return 0.15 if FREQUENCY.search(text) else 0.0
        if re.search(r"\bhow old\b", q.text, re.IGNORECASE):
            return 0.12 if AGE.search(text) else 0.0
        if not new_number(q, text):
            return 0.0
        bonus = 0.12 if q.wants == "number" else 0.08
        if WANTS_MONEY.search(q.text) and MONEY.search(text):
            bonus += 0.1
        elif (WANTS_MEASURE.search(q.text) and UNIT.search(text)) or (
            WANTS_PERCENT.search(q.text) and PERCENT.search(text)
        ):
            bonus += 0.06
        return bonus
    if q.wants == "entity" and re.match(r"\s*where\b", q.text, re.IGNORECASE):
        return 0.1 if any(_new_to(q, m.group(0)) for m in PLACE.finditer(text)) else 0.0
    if q.wants == "term":
        return (
            0.1 if NAMING.search(text) or re.search(r"[\"“'‘][^\"”']{2,40}[\"”'’]", text) else 0.0
        )
    if q.wants == "date" and WANTS_TIME_OF_DAY.search(q.text):
        # "What time was the result declared?": a time of day, not the day.
        return 0.14 if any(_new_to(q, m.group(0)) for m in TIME_OF_DAY.finditer(text)) else 0.0
    if q.wants == "date":
        if any(_new_to(q, m.group(0)) for m in FULL_DATE.finditer(text)):
            return 0.14
        if WANTS_DAY.search(q.text):
            # "on Friday" is a day its article dates (the answer adds the date); "by 2026" is not.
            return 0.1 if any(_new_to(q, m.group(0)) for m in A_DAY.finditer(text)) else 0.0
        return 0.1 if any(_new_to(q, m.group(0)) for m in HAS_DATE.finditer(text)) else 0.0
    if q.wants == "entity":
        # A name the question does not give: "Robert Bosch" is the question's "Bosch" again.
        known = set(q.names)
        for run in NAME_RUN.finditer(text):
            words = name_words(run.group(0))
            if words & q.names:
                known |= words
        # "The German company": a nationality before a common noun describes, it names no one.
        known |= {w.lower() for w in DEMONYM.findall(text)}
        new = {n for m in CAPITALISED.finditer(text) for n in name_words(m.group(1))} - known
        return 0.06 if new else 0.0
    return 0.0


def _new_to(q: Query, found: str) -> bool:
    """A place or date the question does not already give: asked "Where will Hyundai build its
    plant in India?", "in India" is not the answer; asked "When in 2004 ...?", "2004" is not."""
    words = re.findall(r"[\w'’]+", found.lower())
    asked = set(re.findall(r"[\w'’]+", q.text.lower()))
    # "in", "at", "by" and the like are how a place or date is written, not what it is.
    own = [w for w in words if w not in _FRAME_WORDS]
    return not own or not set(own) <= asked


_FRAME_WORDS = frozenset("in at near from outside the based headquartered located situated".split())


# A demonym used as an adjective ("German company", "Spanish firm", "Pakistani team").
DEMONYM = re.compile(r"\b([A-Z][a-z]+(?:an|ian|ese|ish|i))\s+(?=[a-z])")


def new_number(q: Query, text: str) -> bool:
    """A figure the question does not already give; a year or a day of the month is no amount
    ("in 2003", "released on 9 November")."""
    text = TIME_OF_DAY.sub(" ", FULL_DATE.sub(" ", text))
    new = {n for n in set(NUMBER.findall(text)) - q.numbers if not YEAR.match(n)}
    return bool(new) or bool(HAS_NUMBER.search(NUMBER.sub(" ", text)))


def wants_sum(q: Query) -> bool:
    """ "How much is she paid?", "What was its net profit?": only a sum of money answers it."""
    if q.wants not in ("number", "amount") or not WANTS_MONEY.search(q.text):
        return False
    return bool(SUM_QUESTION.search(q.text)) and not re.search(r"\bhow many\b", q.text, re.I)


# "Who is the mayor of Palma?", "Who was Elbtal's chief operating officer?": a role asked by
# name. Words for the same role in news (a football manager is the club's boss or coach).
ASKED_ROLE = regex.compile(
    r"^\s*(?i:who)\s+(?:is|was|are|were)\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:(?:\p{Lu}[\w.&-]*\s+)*\p{Lu}[\w.&-]*['’]s?\s+)?"
    r"(?:(?:new|current|former|acting|interim|then|present|first)\s+)?"
    r"(?:[a-z-]+\s+){0,2}?(?P<role>[a-z][a-z-]+)\s*(?:\b(?:of|at|for|in)\b|\?|$)"
)
SAME_ROLE = (
    {"manager", "coach", "boss"},
    # Not the chair: a chairman is no chief executive (EVENTS says so for "chairs" too).
    {"head", "leader", "chief", "boss", "president"},
    {"spokesman", "spokeswoman", "spokesperson", "spokes"},
    {"minister", "secretary"},
    {"owner", "owns", "own", "bought", "stake"},
)


def role_unreported(q: Query, context: list[Candidate]) -> bool:
    """True when a "Who is the <role> of X?" question's role (or a word for the same role) is in
    none of the sentences around the answer: a housing councillor named beside the city is no
    answer to who its mayor is."""
    m = ASKED_ROLE.match(q.text)
    if q.wants != "entity" or not m or m.group("role") not in ROLE_NOUNS:
        return False
    role = m.group("role")
    words = {role} | set().union(*(g for g in SAME_ROLE if role in g))
    said = re.compile(r"\b(?:" + "|".join(sorted(words)) + r")", re.IGNORECASE)
    return not any(said.search(c.text) for c in context)


def gives_a_name(q: Query, text: str) -> bool:
    """``text`` holds a name or a title the question does not: a run of capitalised words
    other than the question's names, or words in quotation marks."""
    if QUOTED.search(text):
        return True
    for m in NAME_RUN.finditer(text):
        words = name_words(m.group(0))
        if words and not words <= q.names:
            return True
    return False


def asked_event(q: Query) -> re.Pattern[str] | None:
    """The words that report the event a question asks about ("When did he die?": died,
    passed away ...), or None when it names none of EVENTS or NUMBER_EVENTS."""
    for asked, said in (*EVENT_QUESTION, *NUMBER_EVENT_QUESTION):
        # In lower case: "To Kill a Mockingbird" is a title, not a killing.
        if any(m.group(0).islower() for m in asked.finditer(q.text)):
            return said
    return None


def event_unreported(q: Query, context: list[Candidate]) -> bool:
    """True when an entity question asks about an event (replaced, won, bought ...) or a role
    (chairs, founded ...), or a count about deaths or injuries, that none of the sentences
    around the answer reports."""
    if q.wants == "entity":
        events = EVENT_QUESTION
    elif q.wants in ("number", "amount"):
        events = NUMBER_EVENT_QUESTION
    else:
        return False
    for asked, said in events:
        if asked.search(q.text) and not any(said.search(c.text) for c in context):
            return True
    return False


def another_year(q: Query, context: list[Candidate]) -> bool:
    """True when the question dates what it asks about ("the 2019 rail dispute") and the
    answer's sentence (with the one before it, ``context``) gives only other years ("the strike
    in 2010 lasted 33 days"): the figure is another year's, a near miss. A year said in words
    ("last year", "a year earlier") may be the one asked about, so it proves nothing."""
    asked = {n for n in q.numbers if YEAR.match(n)}
    if not asked or any(RELATIVE_YEAR.search(c.text) for c in context):
        return False
    years = {y for c in context for y in NUMBER.findall(c.text) if YEAR.match(y)}
    return bool(years) and not years & asked


RELATIVE_YEAR = re.compile(
    r"\b(?:last|this|next|previous|current|that|the same|a|one)\s+(?:financial\s+|fiscal\s+)?"
    r"year\b|\byear\s+(?:earlier|before|ago)\b|\b(?:annual|yearly)\b",
    re.IGNORECASE,
)


# "in Mallorca", "at Brook Lane", "in Łódź": a place the question puts what it asks about in.
_PLACE_ASKED = regex.compile(
    rf"\b(?:in|at|near)\s+(?:the\s+)?"
    # "in the Peruvian town of Santa Rosa": the place is the town's name.
    rf"(?:(?:\p{{Lu}}[\p{{L}}\p{{M}}-]+\s+)?(?:town|city|village|region|province|state|county|"
    rf"island|district|port|capital|municipality)\s+of\s+)?({NAME_RUN_PATTERN})"
)


_QUALIFIES = regex.compile(
    r"\s+(?!(?:and|or|of|on|in|at|to|for|with|by|from|over|after|before|during|since|last|"
    r"this|next|than|when|while|is|are|was|were|be|been|has|have|had|do|does|did)\b)\p{Ll}"
)


def another_place(q: Query, context: list[Candidate]) -> bool:
    """True when the question places its subject ("How many flats are there in Mallorca?") and
    the answer's sentence (with the one before it, ``context``) never names that place but
    places its figure elsewhere ("41,000 are in Ibiza"): another place's figure."""
    asked = [
        m.group(1).strip()
        for m in _PLACE_ASKED.finditer(q.text)
        # "in the Soundstep trial", "at the Brit awards": a name that qualifies a thing.
        if not _QUALIFIES.match(q.text[m.end() :])
    ]
    if not asked or q.wants not in ("number", "amount", "duration"):
        return False
    words = {w.lower() for c in context for w in regex.findall(r"[\w'’-]+", c.text)}
    if any(word.lower() in words for place in asked for word in place.split()):
        return False
    best = context[0].text
    # "... in Santa Rosa de Huallcor, Peru?": a place the question names anywhere is asked.
    named = {w.lower() for w in regex.findall(r"[\w'’-]+", q.text) if w[:1].isupper()}
    return any(
        not {w.lower().removesuffix("'s").removesuffix("’s") for w in m.group(1).split()}
        & (named | {w.lower() for w in " ".join(asked).split()})
        for m in _PLACE_ASKED.finditer(best)
    )


# Reporting periods of company results: a quarter's figure is no answer to the year's.
PART_OF_YEAR = re.compile(
    r"\b(?:quarter|quarterly|three\s+months|six\s+months|nine\s+months|first\s+half|"
    r"second\s+half|half[-\s]year|interim)\b",
    re.IGNORECASE,
)
WHOLE_YEAR = re.compile(
    r"\b(?:whole\s+(?:of\s+)?(?:the\s+)?(?:year|\d{4})|full[-\s]year|annual|for\s+the\s+year|"
    r"twelve\s+months|12\s+months|all\s+of\s+\d{4})\b",
    re.IGNORECASE,
)


def another_period(q: Query, best: Candidate) -> bool:
    """True when a figure question asks for a whole year's result ("net income for the whole
    of 2024") and the answer's sentence reports part of a year ("for the fourth quarter")."""
    if q.wants not in ("number", "amount") or not WHOLE_YEAR.search(q.text):
        return False
    return bool(PART_OF_YEAR.search(best.text)) and not WHOLE_YEAR.search(best.text)


def money_spans(text: str) -> list[tuple[int, int]]:
    """Spans of sums of money: "$4.5 billion", "USD 5m", "EUR 300 million", "Rs 500 crore",
    "CHF 2bn", "R$ 10bn", "£5.35", "50p", "300 million euros"."""
    return [m.span() for m in MONEY_SPAN.finditer(text)]


def date_spans(text: str) -> list[tuple[int, int]]:
    """Spans of dates as written in British, US and AP styles and ISO or numeric forms
    ("27 February 2024", "February 27, 2024", "Feb. 27", "2024-02-27", "27/02/2024",
    "in the late 1990s" as "the late 1990s", "2003", "Tuesday"); amounts are not years."""
    money = money_spans(text)
    out = []
    for m in DATE_SPAN.finditer(text):
        a, b = m.span()
        if any(x < b and a < y for x, y in money):
            continue
        out.append((a, b))
    return out


def parse_date(span: str, published: object | None = None) -> object | None:
    """The ``datetime`` a date span means (``published``, a datetime, anchors "Tuesday" and
    "Feb. 27"), or None. dateparser is used for reading a span the regexes found, never to search
    text (too slow for the answer's hot path)."""
    import dateparser

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past"}
    if published is not None:
        settings["RELATIVE_BASE"] = published
    day_first = bool(re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.]\d{2,4}\s*", span))
    settings["DATE_ORDER"] = "DMY" if day_first else "MDY"
    return dateparser.parse(span, languages=["en"], settings=settings)


@functools.lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """One form for the spellings and inflections of a word, for matching words across British
    and American articles and questions: lemma (simplemma), then American spelling (breame):
    "organisations", "organizations" -> "organization"; "defence" -> "defense"."""
    low = word.lower().replace("’", "'")
    lemma = simplemma.lemmatize(low, lang="en")
    return get_american_spelling(lemma) if lemma.isalpha() else lemma


def word_keys(text: str) -> set[str]:
    """``word_key`` of every word of ``text``."""
    return {word_key(w) for w in regex.findall(r"[\p{L}\p{M}\d]+(?:['’][\p{L}]+)?", text)}
