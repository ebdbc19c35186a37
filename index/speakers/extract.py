"""Per-paragraph extraction: each cue tied to the source next to it and to what was said.

The patterns handled are listed in the package docstring; names come back as written (pronouns and noun
phrases included), and `index.speakers.resolve` settles them across the article.
"""
from __future__ import annotations

import re

from index.speakers.patterns import (
    ABBREVIATIONS,
    ADVERBS,
    BETWEEN_RE,
    CLAUSE_WORDS,
    CONNECTORS,
    CUE_RE,
    DETERMINERS,
    DOC_NOUNS,
    DOC_VERBS,
    INVERTIBLE,
    POSSESSIVE,
    PREPOSITIONS,
    PRONOUNS,
    QUOTE_RE,
    SOURCE_NOUNS,
    clean_name,
    is_cap,
    span_text,
    tokens,
    verbish,
)
from index.types import Attribution


def _source_before(text: str, floor: int, end: int):
    """The source ending just before a cue at `end` ("Smith also said"): (speaker, start) or None."""
    toks = tokens(text, floor, floor + len(BETWEEN_RE.sub("", text[floor:end])))
    while toks and (toks[-1][0].lower() in ADVERBS or re.fullmatch(r"[a-z]+ly", toks[-1][0])):
        toks.pop()
    if not toks or not toks[-1][0][:1].isalnum() or toks[-1][0].lower() in PREPOSITIONS:
        return None  # "declined to say"
    if toks[-1][0].lower() in PRONOUNS:
        return toks[-1][0].lower(), toks[-1][1]
    i = len(toks)
    while i > 0 and len(toks) - i < 7 and (is_cap(toks[i - 1][0]) or toks[i - 1][0] in CONNECTORS):
        i -= 1
    name = clean_name(toks[i:])
    if name and not name[-1][0].endswith(POSSESSIVE) and not (i and toks[i - 1][0] in PREPOSITIONS):
        return span_text(text, name), name[0][1]  # but not "polls taken in Ohio found"
    # A noun phrase opened by a determiner or possessor, maybe with a prepositional phrase inside.
    start, j = None, len(toks) - 1
    while j >= 0 and len(toks) - j <= 9 and toks[j][0][:1].isalnum():
        low = toks[j][0].lower()
        possessor = j < len(toks) - 1 and low.endswith(POSSESSIVE) and low[:-2] not in CLAUSE_WORDS
        if low in DETERMINERS or possessor:  # "the company", "Trump's campaign"
            start = j
            if not (j and toks[j - 1][0].lower() in PREPOSITIONS):
                break
        elif low in CLAUSE_WORDS:
            break
        j -= 1
    if start is not None and start < len(toks) - 1 and not toks[-1][0].endswith(POSSESSIVE):
        return span_text(text, toks[start:]), toks[start][1]
    return (toks[-1][0], toks[-1][1]) if toks[-1][0] in SOURCE_NOUNS else None


def _source_after(text: str, start: int, end: int, strict: bool = True):
    """The source right after a cue ("said pollster Ann Ruiz", "according to the report"), loose
    after "according to": (speaker, end of the phrase) or None."""
    toks: list[tuple[str, int, int]] = []
    for tok in tokens(text, start, end):
        if not tok[0][:1].isalnum() or tok[0].lower() in CLAUSE_WORDS - PRONOUNS or len(toks) == 8:
            break
        toks.append(tok)
        if tok[1] + len(tok[0]) != tok[2]:
            break  # the token swallowed a sentence period
    if toks and toks[0][0].lower() in PRONOUNS:
        return toks[0][0].lower(), toks[0][2]
    i = 0
    while i < min(len(toks), 4) and toks[i][0].lower() not in DETERMINERS | PREPOSITIONS:
        if is_cap(toks[i][0]):  # a name, unless a modifier follows: "said Lopez aide Dan Berg"
            j = next((k for k in range(i, len(toks)) if not (is_cap(toks[k][0]) or toks[k][0] in CONNECTORS)),
                     len(toks))
            modifier = any(is_cap(t[0]) for t in toks[j + 1:j + 3]) and not verbish(toks[j][0]) and (
                toks[j][0].lower() not in DETERMINERS | PREPOSITIONS)
            name = clean_name(toks[i:j])
            if name and not modifier and not name[-1][0].endswith(POSSESSIVE):
                return span_text(text, name), toks[j - 1][2]
            i = j
        i += 1
    if toks and (not strict or toks[0][0].lower() in DETERMINERS and len(toks) > 1 or toks[0][0] in SOURCE_NOUNS):
        return span_text(text, toks), toks[-1][2]
    return None


def _sentence_subject(masked: str, s: int, end: int):
    """The subject opening the sentence, after an intro such as "On Monday," if any, when a verb follows it:
    for "X attacked Y, saying ..." and "X criticized Y and said ...". (speaker, start) or None."""
    intro = re.match(r"\s*[^,]{1,40},\s*", masked[s:end])
    for pos in ([s + intro.end()] if intro else []) + [s]:
        toks = tokens(masked, pos, end)
        if toks and toks[0][0].lower() in DETERMINERS:  # "the Lopez campaign issued ..."
            k = next((i for i, t in enumerate(toks[:6]) if not t[0][:1].isalnum() or verbish(t[0])), 0)
            if k > 1 and verbish(toks[k][0]):
                return span_text(masked, toks[:k]), toks[0][1]
            continue
        src = _source_after(masked, pos, end)
        nxt = src and re.match(r"[\s,]*(\w+)", masked[src[1]:end])
        if nxt and (src[0] in PRONOUNS or src[0][:1].isupper()) and verbish(nxt.group(1)):
            # Not \b: a name may end in a dot ("Donald Trump Jr.").
            found = re.search(rf"(?<!\w){re.escape(src[0])}(?!\w)", masked[pos:], re.I)
            return src[0], (found.start() + pos) if found else pos
    return None


def _appositive_subject(masked: str, floor: int, end: int):
    """For "X, <apposition>, said": the leftmost of the last comma-separated segments that is wholly a
    source. The segment just before ", said" is the apposition, unless it is the name itself ("the CEO,
    Tim Cook, said")."""
    cuts = [floor] + [i + 1 for i in range(floor, end) if masked[i] in ",—;"]
    segments = list(zip(cuts, cuts[1:]))[-4:]
    for a, b in segments[:-1] + segments[-1:] * (len(segments) > 1):
        src = _source_before(masked, a, b - 1)
        if not src:
            continue
        # Before the source: nothing, or words of its name ("Marion County Party Chairman"), or a clause
        # ("It was then that"); not a prepositional phrase ("In another session").
        prefix = masked[a:src[1]].strip(" \"“”\n").split()
        if not prefix or src[0][:1].isupper() and not PREPOSITIONS & {w.lower() for w in prefix} and (
                all(map(is_cap, prefix)) or prefix[-1] in ("that", "when", "as", "because", "while", "if")):
            return src
    return None


def _sentences(text: str, quotes: list) -> list[tuple[int, int]]:
    """Sentence spans; a full stop inside a quotation does not end the sentence around it."""
    cuts = [0]
    for m in re.finditer(r"[.!?][\"”’')]*\s+(?=[A-Z\"“‘'(])", text):
        prev = (text[:m.start()].rsplit(None, 1) or [""])[-1]
        if len(prev) > 1 and prev.lower().strip("(") not in ABBREVIATIONS and not any(
                a < m.end() - 1 < b - 1 for a, b in quotes):
            cuts.append(m.end())
    return list(zip(cuts, cuts[1:] + [len(text)]))


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Shrink [a, b) past surrounding spaces, quote marks and trailing punctuation."""
    while a < b and (text[a] in " ,:;\"“”—-\n" or text.startswith("''", a)):
        a += 2 if text.startswith("''", a) else 1
    while b > a and (text[b - 1] in " ,.;:\"“”—-\n" or text.endswith("''", a, b)):
        b -= 2 if text.endswith("''", a, b) else 1
    return a, b


def extract_attributions(paragraph: str) -> list[Attribution]:
    """Attributions in one paragraph, speakers as written (pronouns and noun phrases included)."""
    quotes = [(m.start(), m.end()) for m in QUOTE_RE.finditer(paragraph)]
    tail = quotes[-1][1] if quotes else 0
    opener = re.search(r"[“\"]", paragraph[tail:])
    if opener:  # an unclosed quotation runs on into the next paragraph
        quotes.append((tail + opener.start(), len(paragraph)))
    chars = list(paragraph)  # cues inside quotations are the quoted person's words, not cues
    for a, b in quotes:
        chars[a + 1:b - 1] = "x" * max(0, b - a - 2)
    masked, found = "".join(chars), []
    for s, e in _sentences(paragraph, quotes):
        atts = [_attribute(paragraph, masked, quotes, s, e, m) for m in CUE_RE.finditer(masked, s, e)]
        found += [a for a in atts if a and (a.cue.split()[0] not in DOC_VERBS or DOC_NOUNS & set(a.speaker.split()))]
    return found


def _attribute(text: str, masked: str, quotes: list, s: int, e: int, m: re.Match):
    """One cue: its source on the left (plain or appositive) or on the right, then its content."""
    cue, floor = m.group().lower(), max([s] + [b for a, b in quotes if b <= m.start()])

    def after(pivot: int) -> tuple[int, int]:
        return _after(text, quotes, pivot, e)

    def before(pivot: int) -> tuple[int, int]:
        return _before(text, quotes, s, pivot)

    left, rest = masked[s:m.start()].rstrip(), masked[m.end():e]
    if cue == "according to":
        src = _source_after(masked, m.end(), e, strict=False)
        if src and len(left.split()) <= 1:  # "According to X, ..." puts the content after X
            return _make(text, src[0], cue, after(src[1]), before(m.start()))
        return src and _make(text, src[0], cue, before(m.start()), after(src[1]))
    if cue == "continued" and not re.match(r"\s*[,:]", rest) and not re.search(r"[,\"”']$", left):
        return None  # "continued their search" is no speech
    if cue.endswith("ing"):  # "X attacked Y, saying ...", but not "he is adding"
        src = re.search(r"(?:,|statement|tweet|interview|letter|email|post)$", left) and _sentence_subject(
            masked, s, m.start())
        return src and _make(text, src[0], cue, after(m.end()))
    # "X said", else "X, <apposition>, said", else "X criticized Y and said", else "...," said X.
    find = _appositive_subject if left.endswith(",") else _source_before
    src = find(masked, floor, m.start())
    if src is None and re.search(r"\b(?:and|but|then)$", left):
        src = _sentence_subject(masked, s, m.start())  # "X criticized Y and said ..."
    if src is None and cue in INVERTIBLE and re.search(r"[,\"”—']$", left):  # "...," said X.
        right = _source_after(masked, m.end(), e)
        return right and _make(text, right[0], cue, before(m.start()), after(right[1]))
    if not src:
        return None
    cue += " that" if re.match(r" that\b", rest) else ""
    if re.search(r",\s*(?:\S+\s+){0,3}$", masked[s:src[1]]) and re.match(r"\W*,", rest):
        return _make(text, src[0], cue, trim(text, s, e))  # "The risk, he said, is a clash."
    lead = re.search(r"[,\"”'—]\s*(?:(?!that\b)\S+\s+){0,5}$", masked[max(0, s - 3):src[1]])
    if len(rest.split()) <= 4 and lead and not re.search(r"[\"“”]|''|^ that", rest):  # "..., Yang said."
        return _make(text, src[0], cue, before(src[1]), after(m.end()))
    return _make(text, src[0], cue, after(m.end()))


def _after(text: str, quotes: list, pivot: int, e: int) -> tuple[int, int]:
    """Content after a cue: the quotation it introduces, else its that-clause, else the rest."""
    nxt = [(a, b) for a, b in quotes if pivot <= a < e]
    lead = text[pivot:nxt[0][0]].strip() if nxt else "x"  # 'said:', 'told reporters, "', 'said that "'
    if not lead or re.fullmatch(r"(?:\S+\s+){0,5}\S*[:,]|that", lead):
        return trim(text, *nxt[0])
    that = re.match(r"(?:\s+[\w'’.\-]+){0,8}?\s+that\b", text[pivot:e])
    return trim(text, pivot + (that.end() if that else 0), e)


def _before(text: str, quotes: list, s: int, pivot: int) -> tuple[int, int]:
    """Content before a source: the quotation just before it (maybe ending the previous "sentence", as
    in '"Why?" he asked.'), else the sentence so far."""
    prev = [(a, b) for a, b in quotes if s - 3 <= b <= pivot]
    between = text[prev[-1][1]:pivot] if prev else "\""
    if len(between.split()) <= 6 and not re.search(r"[\"“”]", between):
        return trim(text, *prev[-1])
    return trim(text, s, pivot)


def _make(text: str, speaker: str, cue: str, span: tuple, fallback: tuple | None = None):
    a, b = span if span[0] < span[1] or not fallback else fallback
    if a >= b and text[span[0]:].strip(" :"):
        return None
    if a >= b:
        a = b = len(text)  # "X said:" ends the paragraph; the quotation is the next paragraph
    return Attribution(speaker=speaker, cue=cue, quote=text[a:b], start=a, end=b)
