"""Does a dev question give its answer away? The content words it shares with the gold answer.

A word is allowed when it also comes from where a user would have it without reading the answer: the
article's title, the speaker's name and role (`allowed` texts). Words are compared stemmed, stopwords out.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from qa.sentences import STOPWORDS, stem

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")


def words(text: str) -> set[str]:
    return {stem(w.lower().strip("'’-").removesuffix("'s").removesuffix("’s"))
            for w in _WORD.findall(text or "") if w.lower() not in STOPWORDS and len(w) > 1}


def leaked(question: str, answers: list[str], allowed: Sequence[str] = ()) -> set[str]:
    """Content words of `question` that occur in some answer and in none of the `allowed` texts."""
    permitted = set().union(*(words(a) for a in allowed)) if allowed else set()
    gold = set().union(*(words(a) for a in answers)) if answers else set()
    return (words(question) & gold) - permitted
