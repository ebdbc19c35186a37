"""Across paragraphs: partial names completed to the article's fullest form, he/she resolved or dropped."""
from __future__ import annotations

from collections import Counter

from index.speakers.extract import extract_attributions, trim
from index.speakers.patterns import NAME_RUN_RE, POSSESSIVE, PRONOUNS, TITLES, clean_name, is_cap, span_text, tokens
from index.types import Attribution


def _name_key(name: str) -> list[str]:
    """Lowercased name tokens without titles or initials, for comparing names."""
    return [t for t in (w.strip(".,").lower() for w in name.split()) if len(t) > 1 and t not in TITLES]


def _is_name(speaker: str) -> bool:
    return is_cap(speaker) and speaker.split()[-1][:1].isupper() and speaker.lower() not in PRONOUNS


def attribute_article(paragraphs: list[str]) -> list[list[Attribution]]:
    """Attributions per paragraph, names resolved across the article (see the module docstring)."""
    found = [extract_attributions(p) for p in paragraphs]
    # Full names the article mentions, for a "Trump said" where no "Donald Trump said" comes.
    runs = [(p, m) for p in paragraphs for m in NAME_RUN_RE.finditer(p)]
    mentions = Counter(name for p, m in runs for name in [span_text(p, clean_name(tokens(p, m.start(), m.end())))]
                       if len(name.split()) >= 2 and not name.endswith(POSSESSIVE))
    spoken = [(i, a.speaker) for i, atts in enumerate(found) for a in atts if _is_name(a.speaker)]
    last_named: list[str] = []  # the named speakers of the latest paragraph that had attributions
    pronoun_of: dict[str, str] = {}  # name -> the pronoun that stood for it
    for i, atts in enumerate(found):
        kept: list[Attribution] = []
        named: list[str] = []
        for a in atts:
            if a.speaker in ("he", "she"):
                pool = set(named or last_named)
                if len(pool) != 1 or pronoun_of.setdefault(min(pool), a.speaker) != a.speaker:
                    continue  # no unambiguous antecedent (or "she" after "he" for it): drop rather than guess
                a.speaker = pool.pop()
            elif a.speaker in PRONOUNS:
                continue  # "it", "they", "we": groups and organisations are not resolved
            elif _is_name(a.speaker):
                a.speaker = _fullest(a.speaker, i, spoken, mentions)
            named += [a.speaker] if _is_name(a.speaker) else []
            kept.append(a)
        found[i] = kept
        if kept:
            last_named = named
        # "X said:" closing a paragraph introduces the quotation that opens the next one.
        if kept and kept[-1].start == len(paragraphs[i]) and i + 1 < len(paragraphs):
            nxt = paragraphs[i + 1]
            if nxt[:1] in "“\"" and not found[i + 1]:
                start, end = trim(nxt, 0, len(nxt))
                found[i + 1] = [Attribution(kept[-1].speaker, kept[-1].cue, nxt[start:end], start, end)]
    return found


def _fullest(name: str, i: int, spoken: list, mentions: dict) -> str:
    """The fullest name of the article with all of `name`'s tokens: the nearest such speaker (earlier
    first), else the most mentioned name with the same surname ("Trump" is not "Trump University")."""
    key = _name_key(name)

    def fuller(other: str) -> bool:  # key's tokens in order, the last one first or last: "Hillary Rodham Clinton"
        other_key = _name_key(other)
        it = iter(other_key)
        return len(other_key) > len(key) and all(t in it for t in key) and key[-1] in (other_key[0], other_key[-1])
    near = sorted((abs(j - i) + (j > i) * 0.5, s) for j, s in spoken if key and fuller(s))
    cited = sorted((-n, s) for s, n in mentions.items() if key and fuller(s) and _name_key(s)[-1] == key[-1])
    return near[0][1] if near else cited[0][1] if cited else name


def speaker_matches(name: str, query_name: str) -> bool:
    """Case-insensitive name match for retrieval.

    A full query must equal the name, ignoring titles, initials and case ("robin li" matches "Robin
    Li", "Donald Trump" matches "Donald J. Trump"); a one-word query matches the name's first or last
    token ("Li" matches "Robin Li"; "Yang" matches "Yang Yuanxi", surname first).
    """
    key, query = _name_key(name), _name_key(query_name)
    if len(query) == 1:
        return bool(key) and query[0] in (key[0], key[-1])
    return bool(query) and key == query
