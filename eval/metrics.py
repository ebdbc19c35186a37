"""Metric definitions (see eval/README.md for the sources). Pure functions over ids, strings and booleans."""
from __future__ import annotations

import math
import re
from collections import Counter

from qa.sentences import normalize


# -- retrieval, BEIR conventions (Thakur et al. 2021): binary relevance ----------------------------
def hit_at_k(ranked: list[str], relevant: set[str], k: int) -> float:
    return float(any(r in relevant for r in ranked[:k]))


def recall_at_k(ranked: list[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def mrr_at_k(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(rank + 1) for rank, item in enumerate(ranked[:k], start=1) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def dedupe(items: list[str]) -> list[str]:
    """Article ranking from a paragraph ranking: first occurrence of each article."""
    return list(dict.fromkeys(items))


# -- correctness ---------------------------------------------------------------------------------
# Counts written as words are the same answer as their digits ("six months" holds the gold "6", "a nine-year
# sentence" the gold "9"). "one" is left out: "one of the largest" is no count. The same for every system scored.
_COUNTS = {w: str(n) for n, w in enumerate(
    "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()) if w != "_"}
_COUNTS.update({w: str(10 * n) for n, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)})
_TENS_UNITS = re.compile(r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]"
                         r"(two|three|four|five|six|seven|eight|nine)\b")
_COUNT_WORD = re.compile(rf"\b({'|'.join(_COUNTS)})\b")


def canonical(text: str) -> str:
    """`normalize` (case, quotes, punctuation), "&" read as "and", and counts written as words in digits."""
    text = normalize(text.replace("&", " and "))
    text = _TENS_UNITS.sub(lambda m: str(int(_COUNTS[m.group(1)]) + int(_COUNTS[m.group(2)])), text)  # sixty-six
    return _COUNT_WORD.sub(lambda m: _COUNTS[m.group(1)], text)


def contains(response: str, alias: str) -> bool:
    """The canonical alias occurs in the canonical response on word boundaries ("$5" is not in "$50")."""
    alias = canonical(alias)
    return bool(alias) and re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", canonical(response)) is not None


def answer_recall(response: str, facts: list[list[str]]) -> float:
    """ALCE "EM recall" (Gao et al. 2023, section 2.2: the share of the gold short answers the output contains),
    counted per distinct fact: a fact is present when any of its aliases is."""
    if not facts:
        return 0.0
    return sum(any(contains(response, a) for a in aliases) for aliases in facts) / len(facts)


def _tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"\w+|\$|%", normalize(text)) if t not in {"a", "an", "the"}]


def token_f1(response: str, facts: list[list[str]]) -> float:
    """SQuAD token F1 (Rajpurkar et al. 2016) against the gold facts written out together (each by its first
    alias), or against any single alias when that is higher: a long answer scores low however much it holds."""
    best = 0.0
    predicted = _tokens(response)
    candidates = [" ".join(aliases[0] for aliases in facts)] + [a for aliases in facts for a in aliases]
    for answer in candidates:
        gold = _tokens(answer)
        common = sum((Counter(predicted) & Counter(gold)).values())
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


# -- refusal -------------------------------------------------------------------------------------
def refusal_scores(refused: list[bool], answerable: list[bool]) -> dict[str, float | None]:
    """Refusal precision/recall on unanswerable questions, and the false-refusal rate on answerable ones.

    A score with an empty denominator is None ("n/a" in reports), not a flattering 1.0: a dataset without
    unanswerable questions says nothing about refusal recall."""
    tp = sum(r and not a for r, a in zip(refused, answerable))
    n_refused = sum(refused)
    n_unanswerable = sum(not a for a in answerable)
    n_answerable = len(answerable) - n_unanswerable
    return {
        "refusal_precision": tp / n_refused if n_refused else None,
        "refusal_recall": tp / n_unanswerable if n_unanswerable else None,
        "false_refusal_rate": (sum(r and a for r, a in zip(refused, answerable)) / n_answerable
                               if n_answerable else None),
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[index]
