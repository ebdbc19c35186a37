"""Reprints made by rule from real articles, the way syndicated wire copy changes from outlet to outlet:
a new headline, the ending trimmed, two paragraphs swapped, a line of boilerplate added, a few words edited.
Each reprint records which original paragraph each of its paragraphs comes from (None for boilerplate), so
duplicate detection can be scored against what was done."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

OUTLETS = ["Northwire Daily", "Valley Ledger", "Coastal Herald", "Harbor Gazette", "Lakeside Post", "Orun Daily"]
KICKERS = ["UPDATE", "WATCH", "Explainer", "What we know", "Analysis", "Breaking"]
BOILERPLATE = [
    "This story was distributed by a wire service and edited by our news desk for length and style.",
    "Sign up for our morning newsletter to get the day's top stories delivered to your inbox every day.",
    "Copyright of the original publisher. All rights reserved. This material may not be redistributed.",
]
# Word edits an outlet's copy desk makes; never digits, so a copy keeps its figures.
SWAPS = {"said": "says", "says": "said", "about": "around", "because": "as", "also": "as well", "but": "however",
         "big": "large", "many": "numerous", "people": "persons", "after": "following", "before": "ahead of"}


@dataclass
class Copy:
    doc_id: str  # the reprint's id
    original: str  # the original's id
    title: str
    published: str
    source: str
    paragraphs: list[str]
    origin: list[int | None] = field(default_factory=list)  # original paragraph index per paragraph


def reprint(doc_id: str, title: str, published: str, paragraphs: list[str], k: int, rng: random.Random) -> Copy:
    """The k-th reprint of an article (all rules applied, each with its own random extent)."""
    keep = max(1, round(len(paragraphs) * rng.uniform(0.5, 1.0)))  # trimmed ending
    order = list(range(keep))
    if keep >= 3 and rng.random() < 0.6:  # two paragraphs swapped
        i = rng.randrange(1, keep - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
    texts = [_edit(paragraphs[i], rng) for i in order]
    origin: list[int | None] = list(order)
    if rng.random() < 0.7:  # boilerplate after, and sometimes before
        texts.append(rng.choice(BOILERPLATE))
        origin.append(None)
    if rng.random() < 0.3:
        texts.insert(0, f"({OUTLETS[k % len(OUTLETS)]}) -- Distributed by wire; updated with local details.")
        origin.insert(0, None)
    day = date.fromisoformat(published) + timedelta(days=rng.randint(0, 2)) if published else None
    return Copy(f"{doc_id}-reprint{k}", doc_id, f"{rng.choice(KICKERS)}: {(title or 'news').lower()}",
                day.isoformat() if day else "", OUTLETS[k % len(OUTLETS)], texts, origin)


def _edit(text: str, rng: random.Random) -> str:
    """One or two small word edits in about a third of the paragraphs."""
    if rng.random() > 0.35:
        return text
    words = text.split(" ")
    for _ in range(rng.randint(1, 2)):
        spots = [i for i, w in enumerate(words) if w.lower() in SWAPS] or \
                [i for i, w in enumerate(words) if w.isalpha() and len(w) > 3]
        if not spots:
            break
        i = rng.choice(spots)
        swap = SWAPS.get(words[i].lower())
        if swap:
            words[i] = swap
        else:
            del words[i]
    return " ".join(words)
