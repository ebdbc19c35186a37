"""The built-in extractive answerer: no model beyond the embedder.

It scores every sentence of the retrieved paragraphs against the question (embedding similarity plus
the share of the question's content words it covers, with the paragraph's speakers counted as its words),
answers with the best sentences verbatim, and refuses when
  - a name the question asks about appears in none of the retrieved paragraphs ("What did Elon Musk
    say ...?" over articles that never mention him), or a number or year it asks about appears nowhere;
  - the question asks for a quantity ("how many", "how much") or a time ("when") and no well-supported
    sentence holds one;
  - what the question asks about, beyond its names ("... about chips export controls"), is in neither the
    words nor the meaning of the best sentence's paragraph; or
  - the best sentence's support is below `answer.min_support`.
"""
from __future__ import annotations

import re

import numpy as np

from qa.answerers.base import Answerer, compose
from qa.grounding import _NUMBER, key_facts
from qa.sentences import ROLE_TERMS, content_terms, split_sentences
from qa.types import Answer, Passage

DENSE_WEIGHT = 0.55  # the rest is lexical coverage; set on eval/data (see eval/README.md)
SPEAKER_BONUS = 0.1  # a sentence in a paragraph attributed to the speaker the question names
# Below this share of the question's topic words, the paragraph must be close in meaning instead.
MIN_TOPIC_COVERAGE = 0.5
MIN_TOPIC_SIMILARITY = 0.45
_QUANTITY = re.compile(r"^\s*(how (many|much|big|large|long|old|far)|what (percentage|share|number|amount))\b", re.I)
_TIME_QUESTION = re.compile(r"^\s*(when|what (year|month|day|date))\b", re.I)
_TIME = re.compile(r"\b(19|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
                   r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow)\b|"
                   r"\b(last|next|this|early|late) (week|month|year|spring|summer|autumn|fall|winter)\b", re.I)


def mentions(passage: Passage, entity: str) -> bool:
    haystack = " ".join([passage.text, passage.title, *passage.speakers]).lower()
    return all(part in haystack for part in entity.lower().split())


def expected_type(question: str):
    """A pattern the answer sentence must match, from the question word; None when any sentence may do."""
    if _QUANTITY.search(question):
        return _NUMBER
    if _TIME_QUESTION.search(question):
        return _TIME
    return None


class ExtractiveAnswerer(Answerer):
    name = "extractive"

    def answer(self, question: str, passages: list[Passage], speakers: list[str], entities: list[str]) -> Answer:
        if not passages:
            return self.refuse(question, passages)
        numbers = [f for f in key_facts(question) if any(ch.isdigit() for ch in f)]
        if any(not any(mentions(p, e) for p in passages) for e in entities + numbers):
            return self.refuse(question, passages)
        # Only paragraphs that name as many of the question's entities as any paragraph does.
        coverage = {p.paragraph_id: sum(mentions(p, e) for e in entities + numbers) for p in passages}
        most = max(coverage.values())
        pool = [p for p in passages if coverage[p.paragraph_id] == most]
        scored = self.score_sentences(question, pool, speakers)
        wanted = expected_type(question)
        if wanted is not None:
            scored = [s for s in scored if wanted.search(s[1].text[s[2]:s[3]])]
        if not scored:
            return self.refuse(question, passages)
        best = max(scored, key=lambda s: s[0])
        if best[0] < self.settings.answer.min_support or not self.on_topic(question, entities + speakers, best):
            return self.refuse(question, passages, best[0])
        floor = best[0] * self.settings.answer.relative_support
        chosen = [s for s in sorted(scored, key=lambda s: -s[0])[: self.settings.answer.max_sentences] if s[0] >= floor]
        rank = {p.paragraph_id: i for i, p in enumerate(passages)}
        chosen.sort(key=lambda s: (rank[s[1].paragraph_id], s[2]))  # reading order within the ranking
        return compose(question, passages, [(p, a, b) for _, p, a, b, _ in chosen], best[0], self.name)

    def on_topic(self, question: str, names: list[str], best) -> bool:
        """Does the best sentence's paragraph speak to what is asked, beyond the names in the question?"""
        _, passage, _, _, similarity = best
        topic = content_terms(question) - content_terms(" ".join(names)) - ROLE_TERMS
        if not topic:
            return True
        covered = len(topic & content_terms(" ".join([passage.text, passage.title]))) / len(topic)
        return covered >= MIN_TOPIC_COVERAGE or similarity >= MIN_TOPIC_SIMILARITY

    def score_sentences(self, question: str, passages: list[Passage], speakers: list[str]):
        """[(score, passage, start, end, embedding similarity)] for every sentence of `passages`."""
        sentences = [(p, a, b) for p in passages for a, b in split_sentences(p.text)]
        vectors = self.store.embedder.encode([question] + [p.text[a:b] for p, a, b in sentences], question_time=True)
        similarity = vectors[1:] @ vectors[0]
        q_terms = content_terms(question)
        wanted = {s.lower() for s in speakers}
        out = []
        for (p, a, b), cos in zip(sentences, similarity):
            # The title and the speakers are context every sentence of the paragraph shares.
            terms = content_terms(" ".join([p.text[a:b], p.title, *p.speakers]))
            lexical = len(q_terms & terms) / len(q_terms) if q_terms else 0.0
            score = DENSE_WEIGHT * float(cos) + (1 - DENSE_WEIGHT) * lexical
            if wanted:
                score += SPEAKER_BONUS if wanted & {s.lower() for s in p.speakers} else -SPEAKER_BONUS
            out.append((float(np.clip(score, 0.0, 1.0)), p, a, b, float(cos)))
        return out
