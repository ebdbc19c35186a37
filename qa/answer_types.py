"""What kind of answer a question wants, and whether a text holds one.

Shared by the extractive answerer (which sentence to quote) and the guard (is a generated answer about what
was asked): "who" wants a name, "how many / how much" a number, "when" a date, "where" a place. A text "holds"
the answer type only with something the question does not already say: a sentence that repeats the question's
own number or name has not answered it.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.grounding import key_facts
from qa.sentences import content_terms, split_sentences

if TYPE_CHECKING:
    from qa.types import Passage

KINDS = ("name", "number", "time", "place")

_NAME_Q = re.compile(r"^\s*(?:(?:and|so|but)\s+)?(who|whom|whose)\b", re.I)
_NUMBER_Q = re.compile(r"\bhow (many|much|big|large|long|old|far|tall|high|fast|often)\b|"
                       r"\bwhat (percentage|percent|share|number|amount|proportion|rate|price|sum|fraction)\b|"
                       r"\bby how\b|\bwhat was the (total|toll|count|cost)\b", re.I)
_TIME_Q = re.compile(r"^\s*when\b|\bwhat (year|month|day|date|time)\b|\bwhich (year|month|day|date)\b|"
                     r"\bon what (date|day)\b|\bin what year\b|\bhow soon\b|\buntil when\b", re.I)
# "Which company ...", "What is the mission called?": the answer is a proper name.
_CATEGORY = (r"(?:company|companies|countries|cities|teams|firm|automaker|carmaker|retailer|bank|airline|carrier|"
             r"brand|network|app|"
             r"platform|team|club|league|band|show|series|movie|film|song|album|book|novel|singer|rapper|actor|"
             r"actress|player|athlete|star|celebrity|politician|senator|candidate|leader|president|ceo|"
             r"organi[sz]ation|agency|university|college|party|court|festival|hurricane|mission|"
             r"spacecraft|telescope|rocket|country|nation|state|city|"
             r"province|island|continent)")
_NAMED_Q = re.compile(rf"\b(?:which|what)(?: \w+){{0,2}} {_CATEGORY}\b|"
                      rf"\bwhat (?:is|was|are|were) (?:the|its|their|his|her) "
                      rf"(?:\w+ )?{_CATEGORY}(?:'s|’s)? (?:called|named)\b|\bwhat (?:is|was) the name of\b|"
                      rf"\bwhat (?:is|was) (?:it|he|she|the \w+) called\b", re.I)
_PLACE_Q = re.compile(r"^\s*where\b|\bin (which|what) (country|city|state|province|region|town|county)\b|"
                      r"\bwhich (country|city|state|province|region|town|county)\b", re.I)

# A quantity: digits (with units), or a spelled-out count. "one" is left out ("one of the largest" is no count),
# and so is a number word inside a compound ("two-wheel drive"), unless a unit follows ("nine-year sentence").
NUMBER = re.compile(r"\$?\d[\d,.]*(?:\s*(?:%|percent|million|billion|trillion|thousand|bn|m)\b)?|"
                    r"(?<![\w-])(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                    r"thirty|forty|fifty|hundred|hundreds|thousands|millions|billions|dozen|dozens|half|"
                    r"a third|a quarter|double|twice|triple)(?:(?![\w-])|-(?=(?:year|month|week|day|hour|minute|mile|"
                    r"percent|point|fold|thirds?|quarters?|times?|seat|game|run|term)s?\b))", re.I)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
TIME = re.compile(rf"\b(?:1[89]|20)\d\d\b|\b{_MONTHS}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTHS}|"
                  rf"\b(?:in|by|since|until|from|early|late|mid-?|this|last|next) {_MONTHS}\b|"
                  r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|"
                  r"tonight)\b|\b(?:last|next|this|early|late|past|coming) (?:week|month|year|spring|summer|"
                  r"autumn|fall|winter|weekend|decade)\b|\b\d+ (?:days?|weeks?|months?|years?|hours?) "
                  r"(?:ago|later|earlier|after|before)\b|\b\d{4}-\d\d-\d\d\b|\b(?:19|20)\d0s\b", re.I)
_CAPITALIZED = re.compile(r"\b[A-Z][\w’'&.-]*[A-Za-z0-9](?:\s+(?:of|de|van|von|al|bin|la|le|du|del|the)?\s*"
                          r"[A-Z][\w’'&.-]*)*")
# Capitalized words that never answer "who" / "where" on their own.
_NOT_NAMES = frozenset("""the a an in on at and but he she it they we i this that these those according so as since
last its his her their there here when while after before if mr mrs ms dr however meanwhile monday tuesday
wednesday thursday friday saturday sunday january february march april may june july august september october
november december""".split())


def answer_kind(question: str) -> str | None:
    """"name", "number", "time", "place", or None when any sentence may answer (what, why, how ...)."""
    # A question of several sentences ("Gas prices hit a record. How much ...?") asks in its last one.
    asked = re.split(r"(?<=[.!?])\s+(?=[A-Z])", question.strip())[-1]
    if _NUMBER_Q.search(asked):
        return "number"
    if _TIME_Q.search(asked):
        return "time"
    if _PLACE_Q.search(asked):
        return "place"
    if _NAME_Q.search(asked) or _NAMED_Q.search(asked):
        return "name"
    return None


# "When will X take effect?" asks about something still to come: "last month" or "two weeks ago" dates something
# that has happened (X was launched), not the answer.
_FUTURE_Q = re.compile(r"\bwhen (?:will|would|is \S+(?: \S+){0,6} (?:going|expected|due|scheduled|set|planned) to)\b|"
                       r"\bhow soon\b|\buntil when\b", re.I)
_PAST_TIME = re.compile(r"^(?:last|past|yesterday)\b|\b(?:ago|earlier|before)$|^since\b", re.I)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_AFTER_MONTH = re.compile(rf"\b{_MONTHS}\s*$", re.I)


def _is_date_part(text: str, match: re.Match) -> bool:
    """A year ("2022") or a day of a month ("September 21") is a date, not an answer to "how many"."""
    return bool(_YEAR.fullmatch(match.group().strip(" ,.")) or _AFTER_MONTH.search(text[:match.start()]))


def names_in(text: str) -> list[str]:
    """The capitalized names of `text` ("Yang Yuanxi", "Kuaishou"), without sentence words like "The"."""
    found = []
    for match in _CAPITALIZED.finditer(text):
        words = [w for w in match.group().split() if w.lower().strip(".’'") not in _NOT_NAMES]
        if words:
            found.append(" ".join(words))
    return found


def has_answer_type(kind: str | None, text: str, question: str) -> bool:
    """Does `text` hold an answer of `kind` that the question does not already contain?"""
    if kind is None:
        return True
    asked = question.lower()
    if kind == "number":
        return any(m.group().strip().lower() not in asked and not _is_date_part(text, m)
                   for m in NUMBER.finditer(text))
    if kind == "time":
        future = bool(_FUTURE_Q.search(question))
        return any(m.group().strip().lower() not in asked and not (future and _PAST_TIME.search(m.group()))
                   for m in TIME.finditer(text))
    asked_terms = content_terms(question)
    # A name the question does not use ("Greg Gao" for "who wrote it"; not "Alibaba" for "who at Alibaba").
    return any(content_terms(name) - asked_terms for name in names_in(text))


_ACRONYM = re.compile(r"[A-Z]{3,6}")  # two letters ("AI", "EU") spell too many word pairs by chance
_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:(?:of|for|and|the|on|&)\s+)*[A-Z][\w’'-]*)+")


def spells_acronym(acronym: str, text: str) -> bool:
    """Is `acronym` ("WIPO", "NATO") the initials of a capitalized name in `text` ("World Intellectual Property
    Organization", "North Atlantic Treaty Organization"); "of", "for", "and", "the" take no letter, and a word
    that starts a sentence ("In", "The") starts no name."""
    if not _ACRONYM.fullmatch(acronym):
        return False
    for match in _NAME_RUN.finditer(text):
        words = [w for w in match.group().split() if w[0].isupper()]
        for i, word in enumerate(words):
            if word.lower().strip("’'") in _NOT_NAMES:
                continue
            if "".join(w[0] for w in words[i:i + len(acronym)]) == acronym and len(words) - i >= len(acronym):
                return True
    return False


def mentions(passage, entity: str) -> bool:
    """Does the paragraph (or its title or speakers) name `entity`? Loosely: "US" matches "U.S.",
    "Russians" "Russia", "Texas-Mexico" "Texas ... Mexico", "WIPO" "World Intellectual Property Organization"."""
    if spells_acronym(entity, " ".join([passage.text, passage.title])):
        return True
    haystack = " ".join([passage.text, passage.title, passage.source, *passage.speakers]).lower()
    haystack += " " + haystack.replace(".", "")
    return all(part in haystack or (len(part) >= 6 and re.search(rf"\b{re.escape(part[:-3])}", haystack))
               for part in re.split(r"[\s-]+", entity.lower()) if part)


def novel_terms(text: str, question: str, context: str = "") -> set[str]:
    """Content words of `text` that are neither in the question nor in `context` (the title, say): a quoted
    sentence that only restates the question (a headline phrased as a question) has almost none."""
    return content_terms(text) - content_terms(question) - content_terms(context)


# A paragraph that opens by referring back ("Since the company has ...", "He added ...") is about what the
# paragraph before it names.
_REFERS_BACK = re.compile(r"\b(?:the|this|that) (?:company|firm|group|organi[sz]ation|agency|start-?up|platform|"
                          r"bank|carrier|retailer|automaker|ministry|government|team|club|initiative|project|"
                          r"programme|program|plan|deal|law|bill)\b|^(?:\W*\w+\W+){0,3}?(?:he|she|it|they|its|his|"
                          r"her|their)\b", re.I)


def carried_names(passages: list[Passage]) -> dict[str, list[str]]:
    """For each paragraph whose first sentence refers back before naming anyone, the names in the paragraph just
    before it in the same article (when that one was retrieved too): "Since the company has more than 10 billion
    videos" is about the company the previous paragraph names."""
    by_place = {(p.article_id, p.paragraph): p for p in passages}
    out: dict[str, list[str]] = {}
    for p in passages:
        before = by_place.get((p.article_id, p.paragraph - 1))
        first = split_sentences(p.text)[:1]
        opening = p.text[first[0][0]:first[0][1]] if first else ""
        match = _REFERS_BACK.search(opening)
        # Only a reference made before the paragraph names anyone itself ("Yang Yuanxi, co-founder of Kuaishou,
        # said the company ..." is about Kuaishou, not the company of the paragraph before).
        refers = match is not None and not names_in(opening[:match.start()])
        out[p.paragraph_id] = names_in(before.text) if before is not None and refers else []
    return out


def named_in(names: list[str], entity: str) -> bool:
    """Is `entity` part of one of `names` (the names a paragraph carries over from the one before)?"""
    return any(entity.lower() in name.lower() for name in names)


def missing_facts(question: str, entities: list[str], passages: list[Passage]) -> list[str]:
    """The question's names (`entities`) and numbers that no passage mentions: nothing retrieved can answer it
    ("Who will host the 2031 summit?" over stories of the 2030 one), and an LLM need not be asked at all."""
    numbers = [f for f in key_facts(question) if any(ch.isdigit() for ch in f)]
    return [e for e in [*entities, *numbers] if not any(mentions(p, e) for p in passages)]
