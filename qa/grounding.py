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
    # Whole words only: "15000" must not match inside "150000". A place's adjective names it: "North Korean
    # leader" is about North Korea, "Russian troops" about Russia.
    suffix = "(?:n|an|ns|ans)?" if fact_norm[-1:].isalpha() else ""
    if fact_norm and re.search(rf"(?<![\w.]){re.escape(fact_norm)}{suffix}(?![\w])", haystack):
        return True
    # An abbreviation written with stops in the source: "US" is "U.S." (normalized "u s").
    if re.fullmatch(r"[A-Z]{2,4}", fact) and re.search(rf"\b{' '.join(fact.lower())}\b", haystack):
        return True
    # A name may appear with the surname only ("Yang") or the full name in another order.
    parts = fact_norm.split()
    return len(parts) > 1 and all(re.search(rf"\b{re.escape(p)}\b", haystack) for p in parts)


def score_support(sentence: str, paragraphs: list[str], embedder, threshold: float = DEFAULT_THRESHOLD,
                  premise: str = "", header: str = "") -> Support:
    """How well `paragraphs` support `sentence`. Its names and numbers must be in them, except those it repeats
    from `premise` (the user's question): "Adele will launch a Las Vegas residency later this year" answers
    "Which singer will launch a Las Vegas residency later this year?", and only "Adele" is the answer's claim.
    The question's own names are checked by the guard's relevance test (loosely: "Stanley Cup Finals" is met by
    "Stanley Cup Final"); a relative date it gives ("this week") is the as-of window retrieval already applied.
    `header`: the cited articles' titles, where a name may stand instead ("the wildly popular South Korean show
    is green lit for a second season" under the title "Squid Game season 2"); words are scored on the paragraphs."""
    if not paragraphs or not sentence.strip():
        return Support(0.0, False)
    haystack = normalize(" ".join(paragraphs))
    given = normalize(premise)
    titled = normalize(header)
    missing = [f for f in key_facts(sentence) if not _contains(haystack, f) and not (given and _contains(given, f))
               and not (titled and _contains(titled, f))]
    terms = content_terms(sentence)
    lexical = len(terms & content_terms(" ".join(paragraphs))) / len(terms) if terms else 0.0
    sentences = [p[a:b] for p in paragraphs for a, b in split_sentences(p)]
    pieces = sentences + list(paragraphs)
    vectors = embedder.encode([sentence] + pieces, question_time=True)
    similarities = vectors[1:] @ vectors[0]
    best = int(similarities.argmax())
    dense = float(similarities[best])
    closest = pieces[best]
    # Polarity against the closest sentence: a "not" elsewhere in the paragraph ("The union has not gone on strike
    # since 1997. If it does, it would be the largest strike ...") says nothing about the sentence paraphrased.
    nearest = sentences[int(similarities[:len(sentences)].argmax())] if sentences else closest
    negation_mismatch = bool(_NEGATION.search(sentence)) != bool(_NEGATION.search(nearest))
    score = 0.5 * lexical + 0.5 * dense
    if missing or negation_mismatch:
        score = 0.0
    return Support(round(score, 4), score >= threshold, round(lexical, 4), round(dense, 4), missing, negation_mismatch,
                   closest)


# Verbs that equate or attribute: "A will become B", "A is B". A sentence built from a paragraph's words can put
# the paragraph's complement in the subject's place ("Alibaba's two-wheel drive will be an open ecosystem"
# where the paragraph says "AI and cloud computing will become Alibaba's two-wheel drive").
# A progressive ("it was cutting prices") is an action, not an equation.
_COPULA = re.compile(r"\b(?:is|are|was|were|will be|will become|would be|would become|becomes?|became|"
                     r"remains?|remained)\b(?!\s+(?-i:[a-z]+ing)\b)", re.IGNORECASE)
MIN_SIDE_TERMS = 2  # a side of a copula with fewer content words cannot be aligned reliably
ALIGN_SHARE = 0.5  # share of a side's words that must come from one side of a source sentence


# "Wu Yongming, CEO of Alibaba, said: ..." attributes; the clause after it holds the subject that matters.
_ATTRIBUTION = re.compile(r"^.*\b(?:said|says|told|added|emphasi[sz]ed|stressed|noted|argued|stated|warned|believes?|"
                          r"according to [^,]+,)(?:\s+that)?[\s:,\"“]*", re.IGNORECASE)


def _sides(sentence: str) -> list[tuple[set[str], set[str]]]:
    """(content words before, content words after) each copula of `sentence`, attribution left out."""
    out = []
    for m in _COPULA.finditer(sentence):
        before = sentence[:m.start()]
        attribution = _ATTRIBUTION.match(before)
        out.append((content_terms(before[attribution.end():] if attribution else before),
                    content_terms(sentence[m.end():])))
    return out


def role_swap(sentence: str, paragraphs: list[str]) -> bool:
    """Does `sentence` equate things the sources do not? Its subject side matches one side of a copula in a
    source sentence, but its complement matches nothing on that copula's other side (while no source sentence
    has the two on opposite sides). Only copular sentences are checked: elsewhere word order varies freely."""
    mine = _sides(sentence)[:1]
    if not mine:
        return False
    subject, complement = mine[0]
    if len(subject) < MIN_SIDE_TERMS or len(complement) < MIN_SIDE_TERMS:
        return False
    theirs = [side for p in paragraphs for a, b in split_sentences(p) for side in _sides(p[a:b])]
    aligned = []  # the other side of every source copula whose one side the subject matches
    for left, right in theirs:
        for here, there in ((left, right), (right, left)):
            if len(subject & here) >= ALIGN_SHARE * len(subject):
                aligned.append(there)
    if not aligned:
        return False
    return not any(complement & there for there in aligned)
