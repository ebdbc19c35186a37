"""Sentence splitting with offsets, and the small text helpers the answerer and the grounding check share.

A regex splitter is enough for edited news prose; it keeps abbreviations ("Inc.", "U.S.", "Dr.") and
initials inside sentences, and keeps a closing quote with the sentence it ends.
"""
from __future__ import annotations

import re

from index.paragraphs import trimmed_span

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "st", "jr", "sr", "inc",
    "corp", "co", "ltd", "no", "vs", "etc", "u.s", "u.k", "u.n", "e.g", "i.e", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "approx", "dept", "est", "fig",
}
# Chinese and Japanese full stops end a sentence without a following space.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|[。！？]+[」』）]*\s*(?=\S)")
# A "sentence" longer than this (a table flattened into one line, text without full stops) is cut at spaces,
# so an extractive answer quotes a readable span and the encoder, which reads 256 word pieces, sees it all.
MAX_SENTENCE_CHARS = 1000
_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*")
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our
out over own said same say says she should so some such than that the their them then there these they this
those through to too under until up very was we were what when where which while who whom why will with would
you your yours according also tell told week recently new latest this last year years month day today
much many
""".split())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, whitespace trimmed."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        before = text[start:match.start() + 1]
        last_word = re.findall(r"[A-Za-z.]+$", before.rstrip(".!?\"'”’)]") + ".")
        token = last_word[0].rstrip(".").lower() if last_word else ""
        # "Inc." or an initial ("Donald J. Trump") does not end a sentence.
        if text[match.start()] == "." and (token in ABBREVIATIONS or len(token) == 1):
            continue
        end = match.end()
        spans.append(trimmed_span(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(trimmed_span(text, start, len(text)))
    return [piece for s in spans if s[1] > s[0] for piece in _cut_long(text, *s)]


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        pieces.append(trimmed_span(text, start, cut))
        start = trimmed_span(text, cut, end)[0]
    pieces.append((start, end))
    return [p for p in pieces if p[1] > p[0]]


# Irregular past forms, so that "built" meets "build" and "grew" "growing". Forms that are also common nouns or
# adjectives of another meaning ("left", "saw", "rose", "found", "lead") are left out.
_IRREGULAR = {past: base for base, forms in {
    "build": "built", "make": "made", "hold": "held", "win": "won", "lose": "lost", "pay": "paid", "sell": "sold",
    "buy": "bought", "bring": "brought", "think": "thought", "teach": "taught", "catch": "caught", "send": "sent",
    "spend": "spent", "meet": "met", "grow": "grew grown", "begin": "began begun", "take": "took taken",
    "give": "gave given", "write": "wrote written", "choose": "chose chosen", "speak": "spoke spoken",
    "drive": "drove driven", "run": "ran", "go": "went gone", "come": "came", "become": "became",
    "know": "knew known", "strike": "struck stricken", "keep": "kept", "stand": "stood", "seek": "sought",
    "fight": "fought", "throw": "threw thrown", "break": "broke broken", "steal": "stole stolen",
    "freeze": "froze frozen", "draw": "drew drawn", "fly": "flew flown", "swear": "swore sworn",
    "wear": "wore worn", "forget": "forgot forgotten", "get": "got gotten", "deal": "dealt", "mean": "meant",
    "hear": "heard", "rise": "risen", "fall": "fell fallen", "sink": "sank sunk", "shrink": "shrank shrunk",
    "sing": "sang sung", "swim": "swam swum", "drink": "drank drunk", "eat": "ate eaten", "hide": "hid hidden",
    "ride": "rode ridden", "shake": "shook shaken", "bite": "bit bitten", "slide": "slid", "tear": "tore torn",
    "lend": "lent", "bend": "bent", "bind": "bound", "feed": "fed", "flee": "fled", "sleep": "slept",
    "sweep": "swept", "weep": "wept", "shoot": "shot", "light": "lit", "understand": "understood",
}.items() for past in forms.split()}
# "every day" is "daily", "each week" "weekly": one term for both ways of saying how often.
_EVERY = re.compile(r"\b(?:every|each|per|a)\s+(day|week|month|year|hour)\b", re.I)


def stem(word: str) -> str:
    """A light suffix stripper: enough to match "models" with "model" and "developing" with "develop"."""
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s$", "", word)
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


# A sentence naming someone's role answers for "the executive" / "the official" a question asks about.
ROLE_WORDS = frozenset(stem(w) for w in """ceo chairman chairwoman chair president vice-president founder co-founder
director chief head executive officer minister secretary spokesperson spokesman spokeswoman governor mayor""".split())
ROLE_TERMS = frozenset(stem(w) for w in ("executive", "official", "leader"))


def content_terms(text: str) -> set[str]:
    """Stemmed words that carry meaning (no stopwords), for lexical overlap."""
    text = _EVERY.sub(lambda m: "daily" if m.group(1).lower() == "day" else m.group(1) + "ly", text)
    terms = {stem(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS}
    return terms | ROLE_TERMS if terms & ROLE_WORDS else terms


_PUNCTUATION = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def normalize(text: str) -> str:
    """Lowercase, unify quotes and dashes, drop punctuation: for "does the answer contain X" checks."""
    text = text.lower().translate(_PUNCTUATION)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"[^\w\s$%.-]", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    return " ".join(text.split())


def matched_terms(wanted: set[str], terms: set[str]) -> set[str]:
    """The terms of `wanted` that `terms` holds, an agent noun counting for its verb and back ("users" for
    "use", "voters" for "vote", "buy" for "buyers"): the same idea in another word form."""
    found = set()
    for term in wanted:
        forms = {term, term + "r", term + "er"}
        if len(term) >= 5 and term.endswith("er"):
            forms |= {term[:-1], term[:-2]}
        if forms & terms:
            found.add(term)
    return found
