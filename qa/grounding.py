"""Does a paragraph support a sentence? The support scorer shared by the grounding guard and the eval judge.

A sentence is supported by a set of paragraphs when
  - every number and every name in it appears in them (a swapped figure or a fact credited to the wrong
    person fails here, however similar the wording), and
  - it does not flip the polarity of the passage it paraphrases ("can" for "cannot"), and
  - its words and meaning are close enough: 0.5 x lexical coverage + 0.5 x best embedding similarity to a
    sentence of the paragraphs >= `threshold`.
The threshold is set on eval/data/judge_labels.jsonl (see eval/README.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.constants import SUPPORT_THRESHOLD as DEFAULT_THRESHOLD
from qa.sentences import STOPWORDS, content_terms, normalize, split_sentences

_NUMBER = re.compile(r"\$?\d[\d,.]*(?:\s*(?:%|percent|million|billion|trillion|thousand))?|\b(?:one|two|three|four|"
                     r"five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|dozen|half)\b", re.IGNORECASE)
# Relative dates and named days/months: "last year" for "last month" is a wrong fact, not a paraphrase.
_TIME = re.compile(r"\b(?:(?:last|next|this|past) (?:week|month|year|weekend|spring|summer|autumn|fall|winter)|"
                   r"yesterday|today|tomorrow)\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][a-zA-Z’'-]*[a-zA-Z](?:\s+[A-Z][a-zA-Z’'-]*[a-zA-Z])*")
_NEGATION = re.compile(r"\b(not|no|never|cannot|can't|won't|didn't|doesn't|isn't|aren't|wasn't|n't|neither|nor)\b",
                       re.IGNORECASE)
GENERIC_STARTERS = {"experts", "officials", "industry", "researchers", "analysts", "residents", "critics", "several",
                    "many", "some", "both", "its", "their", "his", "her", "our", "all", "most", "other", "another",
                    "however", "meanwhile", "yet", "there", "then", "also", "still", "only", "even", "if", "while"}
NAME_STOPWORDS = {"The", "A", "An", "In", "On", "At", "And", "But", "He", "She", "It", "They", "We", "I", "This",
                  "That", "These", "Those", "According", "So", "As", "Since", "Last", "Its", "His", "Her"}


@dataclass
class Support:
    score: float  # 0..1, 0 when a hard check failed
    supported: bool
    lexical: float = 0.0
    dense: float = 0.0
    missing: list[str] = field(default_factory=list)  # numbers or names not found in the paragraphs
    negation_mismatch: bool = False
    closest: str = ""  # the sentence (or paragraph) of the sources closest in meaning: the quote to show


def key_facts(sentence: str) -> list[str]:
    """Numbers and capitalized names a supporting paragraph must contain."""
    numbers = [m.group().strip().rstrip(".,") for m in _NUMBER.finditer(sentence)]
    numbers += [m.group() for m in _TIME.finditer(sentence)]
    names = []
    # A possessive ends a name: "China's Global AI Governance Initiative" is two names.
    for match in _NAME.finditer(re.sub(r"(?<=[a-zA-Z])[’']s\b", ",", sentence)):
        words = [w for w in match.group().split() if w not in NAME_STOPWORDS]
        # A capitalized first word of the sentence is a name unless it is a common word ("Experts said").
        if match.start() == len(sentence) - len(sentence.lstrip()) and words and \
                (words[0].lower() in STOPWORDS or words[0].lower() in GENERIC_STARTERS):
            words = words[1:]
        names.append(re.sub(r"[’']s?$", "", " ".join(words)))
    return [f for f in numbers + names if f]


def _contains(haystack: str, fact: str) -> bool:
    fact_norm = normalize(fact)
    # Whole words only: "15000" must not match inside "150000".
    if fact_norm and re.search(rf"(?<![\w.]){re.escape(fact_norm)}(?![\w])", haystack):
        return True
    # A name may appear with the surname only ("Yang") or the full name in another order.
    parts = fact_norm.split()
    return len(parts) > 1 and all(re.search(rf"\b{re.escape(p)}\b", haystack) for p in parts)


def score_support(sentence: str, paragraphs: list[str], embedder, threshold: float = DEFAULT_THRESHOLD) -> Support:
    if not paragraphs or not sentence.strip():
        return Support(0.0, False)
    haystack = normalize(" ".join(paragraphs))
    missing = [f for f in key_facts(sentence) if not _contains(haystack, f)]
    terms = content_terms(sentence)
    lexical = len(terms & content_terms(" ".join(paragraphs))) / len(terms) if terms else 0.0
    pieces = [p[a:b] for p in paragraphs for a, b in split_sentences(p)] + list(paragraphs)
    vectors = embedder.encode([sentence] + pieces, question_time=True)
    similarities = vectors[1:] @ vectors[0]
    best = int(similarities.argmax())
    dense = float(similarities[best])
    closest = pieces[best]
    negation_mismatch = bool(_NEGATION.search(sentence)) != bool(_NEGATION.search(closest))
    score = 0.5 * lexical + 0.5 * dense
    if missing or negation_mismatch:
        score = 0.0
    return Support(round(score, 4), score >= threshold, round(lexical, 4), round(dense, 4), missing, negation_mismatch,
                   closest)
