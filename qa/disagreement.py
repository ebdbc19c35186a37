"""Where outlets differ: two passages from different articles (other outlets, or the same outlet's later
report) about the same event that state different values for the same slot. The answer then says so and
cites both sides instead of picking one.

A *claim* is a number with what it counts ("12 people were killed": slot people/dead, value 12; "$4 million":
slot $/million) or a name with the office it holds ("CEO Jane Roe", "Jane Roe, the chief executive of ..."):
slot ceo, value Jane Roe (compared only within one story). Durations, ages, speeds, distances, shares and
sums of money are not compared (`_WEAK`: two reports of one event give many of them, for different things).
Two passages are about the same event when they belong to one story (index/dedupe.py), or share at least
SHARED_NAMES capitalised names and are close in meaning (cosine >= SAME_EVENT_SIMILARITY). They disagree
when each states a value for a slot that the other states too, and no value is shared. Years, dates, times
and ordinals are not counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SAME_EVENT_SIMILARITY = 0.5
SHARED_NAMES = 2
_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                     "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
_WORDS.update(thirty=30, forty=40, fifty=50, hundred=100, dozen=12)
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER = re.compile(r"(?<![\w.,/:-])(?P<cur>[$€£])?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(_WORDS) +
                     r")(?P<pct>%| ?per ?cent| percent)?(?: (?P<scale>" + "|".join(_SCALES) + r"))?(?![\w-])", re.I)
# Words that name what happened to the counted: a count "12 people" means little without "killed".
_EVENTS = {"dead": "dead", "killed": "dead", "died": "dead", "deaths": "dead", "death": "dead", "fatalities": "dead",
           "lives": "dead", "injured": "injured", "wounded": "injured", "hurt": "injured", "injuries": "injured",
           "missing": "missing", "arrested": "arrested", "detained": "arrested", "evacuated": "evacuated",
           "displaced": "evacuated", "rescued": "rescued", "survivors": "rescued", "hospitalized": "injured",
           "hospitalised": "injured", "votes": "votes", "seats": "seats", "killing": "dead", "toll": "dead"}
# A number after these words names a thing ("Category 4", "Level 5", "Game 3"); it counts nothing.
_LABELS = {"category", "level", "no", "no.", "number", "game", "route", "stage", "phase", "chapter", "article",
           "section", "title", "grade", "class", "round", "week", "day", "room", "flight", "gate", "pier", "lot"}
# Counts of these are durations, ages, speeds, distances, shares or sums of money: two passages about one event
# give many of them for different things (a storm's speed now and at landfall), so they are not compared.
_WEAK = {"year", "day", "week", "month", "hour", "minute", "second", "time", "mph", "mile", "kilometer", "km",
         "foot", "feet", "inche", "percent", "$", "€", "£", "point", "them", "other", "of", "in", "to"}
_SKIP = {"more", "than", "at", "least", "about", "around", "nearly", "almost", "some", "of", "the", "a", "an", "other",
         "additional", "new", "and", "were", "was", "are", "is", "have", "had", "been", "who", "people's"}
_MONTHS = re.compile(r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$", re.I)
_AFTER_TIME = re.compile(r"^\s*(a\.?m\.?|p\.?m\.?|gmt|utc|o'clock|(st|nd|rd|th)\b)", re.I)
_ROLES = (r"chief executive|ceo|president|prime minister|minister|chairman|chairwoman|chair|governor|mayor|coach|"
          r"manager|spokesperson|spokesman|spokeswoman|director|commissioner|ambassador|captain|leader")
_NAME = r"[A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-z'-]+)+"
_ROLE_NAME = [re.compile(rf"\b(?P<role>(?i:{_ROLES})) (?P<name>{_NAME})"),
              re.compile(rf"(?P<name>{_NAME}), (?:the |its |their )?(?:\w+ )?(?P<role>(?i:{_ROLES}))\b")]
_FORMER = re.compile(r"\b(former|late|ex|then|deputy|vice)\W*$", re.I)  # "former President X" holds no office
_PROPER = re.compile(r"\b[A-Z][a-z]{2,}(?: [A-Z][a-z]+)*")


@dataclass
class Claim:
    slot: str
    value: str
    start: int  # the claim's words in the text, as they are quoted in the answer
    end: int


def claims(text: str) -> list[Claim]:
    out = [c for m in _NUMBER.finditer(text) for c in [_count(text, m)] if c]
    for pattern in _ROLE_NAME:
        out += [Claim("role:" + m.group("role").lower().replace("chief executive", "ceo"),
                      re.sub(r"['’]s$", "", m.group("name")), m.start(), m.end()) for m in pattern.finditer(text)
                if not _FORMER.search(text[max(0, m.start() - 12):m.start()])]
    return out


def _count(text: str, m: re.Match) -> Claim | None:
    raw = m.group("num").lower()
    before = re.split(r"[.;!?]\s", text[:m.start()])[-1].split()[-5:]  # this sentence's words only
    if before and (_MONTHS.match(before[-1]) or before[-1].lower() in _LABELS) or _AFTER_TIME.match(text[m.end():]):
        return None  # "Nov 10", "Category 4", "10 a.m.", "3rd"
    value = float(raw.replace(",", "")) if raw[0].isdigit() else float(_WORDS[raw])
    if raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and not m.group("cur"):
        return None  # a year
    value *= _SCALES.get((m.group("scale") or "").lower(), 1)
    after = re.findall(r"[\w'-]+", text[m.end():m.end() + 60].lower())[:6]
    noun = next((w for w in after if w not in _SKIP and not w.isdigit()), "")
    if m.group("pct"):
        noun = "percent"
    if m.group("cur"):
        noun = m.group("cur") + noun if noun in _SCALES else m.group("cur")
    event = next((_EVENTS[w] for w in after[:5] if w in _EVENTS), "") or next(
        (_EVENTS[w.lower()] for w in before if w.lower() in _EVENTS), "")
    if not noun:
        return None
    stem = noun[:-1] if noun.endswith("s") and len(noun) > 3 and noun not in ("people", "percent") else noun
    if stem in _EVENTS:  # "12 dead", "15 killed"
        stem, event = "people", _EVENTS[stem]
    if stem in _WEAK or not stem.isalpha() or (stem in ("people", "person", "resident") and not event):
        return None  # a bare "16,000 people" is a population more often than a toll
    if re.search(rf"\b{noun[:1].upper()}{re.escape(noun[1:])}\b", text[m.end():m.end() + 60]):
        return None  # "5 Phillies": a name, not a count
    end = m.end()
    for word in (noun, *(w for w in after if _EVENTS.get(w) == event and event)):
        found = text.lower().find(word, end)
        if 0 <= found < m.end() + 60:
            end = found + len(word)
    return Claim(f"{stem}/{event}" if event else stem, f"{value:.0f}" if value.is_integer() else f"{value}",
                 m.start(), end)


def names(text: str) -> set[str]:
    return {n for n in _PROPER.findall(text) if n not in {"The", "This", "That", "They", "But", "And", "According"}}


def same_event(a, b, similarity) -> bool:
    """Are passages `a` and `b` (from different articles) about one event? One story, or both shared names
    and closeness in meaning."""
    if a.story_id and a.story_id == b.story_id:
        return True
    return len(names(a.text) & names(b.text)) >= SHARED_NAMES and similarity(a.text, b.text) >= SAME_EVENT_SIMILARITY


def conflicts(a_text: str, b_text: str) -> list[tuple[Claim, Claim]]:
    """(claim in a, claim in b) per slot both state with no value in common."""
    a_claims, b_claims = claims(a_text), claims(b_text)
    out = []
    for slot in dict.fromkeys(c.slot for c in a_claims):
        mine = [c for c in a_claims if c.slot == slot]
        theirs = [c for c in b_claims if c.slot == slot]
        if theirs and not {c.value for c in mine} & {c.value for c in theirs}:
            out.append((mine[0], theirs[0]))
    return out


def differ(a, b, similarity, a_text: str | None = None) -> list[tuple[Claim, Claim]]:
    """The conflicting claims of two passages of different articles about the same event (else none); with
    `a_text` (the span of `a` an answer quotes), only the claims made there."""
    if a.article_id == b.article_id:  # another report of the same outlet (a day later, say) is another source
        return []
    found = conflicts(a.text if a_text is None else a_text, b.text)
    if found and not (a.story_id and a.story_id == b.story_id):  # who holds an office: only within one story
        found = [(x, y) for x, y in found if not x.slot.startswith("role:")]
    return found if found and same_event(a, b, similarity) else []
