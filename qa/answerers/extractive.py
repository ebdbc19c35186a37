"""The built-in extractive answerer: no model beyond the embedder.

It scores every sentence of the retrieved paragraphs against the question (embedding similarity plus
the share of the question's content words it covers, with the paragraph's speakers counted as its words),
and answers with the best passages verbatim. A passage is one sentence or up to three adjacent sentences of
one paragraph, so that an answer in the sentence after the one that matches the question ("... said Yang.
The company has 10 billion videos.") is quoted with it. A passage must answer, not echo: a sentence that is a
question (a headline), a fragment ("KFC"), or restates the question without adding anything cannot stand
alone, and a question that wants a name, a number, a date or a place (qa/answer_types.py) needs one in the
passage that the question does not already hold. The same text is never quoted twice (reprints).

It refuses when
  - a name the question asks about appears in none of the retrieved paragraphs ("What did Elon Musk
    say ...?" over articles that never mention him), or a number or year it asks about appears nowhere;
  - no passage holds the answer type the question wants;
  - what the question asks about, beyond its names ("... about chips export controls"), is in neither the
    words nor the meaning of the best passage's paragraph; or
  - the best passage's support is below `answer.min_support`.
Questions about the article itself (who wrote it, which outlet, when) are answered from its header
(qa/answerers/metadata.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from qa.answer_types import answer_kind, carried_names, has_answer_type, mentions, missing_facts, named_in, novel_terms
from qa.answerers.base import Answerer, compose
from qa.answerers.metadata import metadata_answer
from qa.sentences import ROLE_TERMS, ROLE_WORDS, content_terms, matched_terms, normalize, split_sentences
from qa.types import Answer, Passage

DENSE_WEIGHT = 0.55  # the rest is lexical coverage; set on eval/data (see eval/README.md)
SPEAKER_BONUS = 0.1  # a sentence in a paragraph attributed to the speaker the question names
# Below this share of the question's topic words, the paragraph must be close in meaning instead.
MIN_TOPIC_COVERAGE = 0.5
MIN_TOPIC_SIMILARITY = 0.45
MAX_SPAN = 3  # sentences in one quoted passage
SPAN_COST = 0.02  # per extra sentence: a longer passage wins only when the shorter one does not answer
MIN_WORDS = 4  # shorter "sentences" are fragments (captions, subheads): "KFC"
MIN_NOVEL_TERMS = 2  # a sentence adding fewer content words than this to the question only echoes it
_WORDS = re.compile(r"\w+")


@dataclass
class Scored:
    """One sentence of a retrieved paragraph, scored against the question."""

    score: float
    passage: Passage
    start: int
    end: int
    similarity: float
    stands_alone: bool  # not a question, not a fragment, not an echo of the question
    novel: int = 0  # content words the question does not have


@dataclass
class Span:
    """Adjacent sentences of one paragraph, quoted together."""

    score: float
    sentences: list[Scored]

    @property
    def passage(self) -> Passage:
        return self.sentences[0].passage

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end

    @property
    def text(self) -> str:
        return self.passage.text[self.start:self.end]

    @property
    def similarity(self) -> float:
        return max(s.similarity for s in self.sentences)


class ExtractiveAnswerer(Answerer):
    name = "extractive"

    def answer(self, question: str, passages: list[Passage], speakers: list[str], entities: list[str],
               as_of=None) -> Answer:
        if not passages:
            return self.refuse(question, passages)
        header = metadata_answer(question, passages, self.name)
        if header is not None:
            return header
        if missing_facts(question, entities, passages):
            return self.refuse(question, passages)
        # Only paragraphs that name as many of the question's entities as any paragraph does (not its numbers:
        # "How many ... on January 6, 2021?" is answered by a paragraph that need not repeat the date).
        carried = carried_names(passages)
        coverage = {p.paragraph_id: sum(mentions(p, e) or named_in(carried[p.paragraph_id], e) for e in entities)
                    for p in passages}
        most = max(coverage.values())
        pool = [p for p in passages if coverage[p.paragraph_id] == most]
        speakers = [s for s in speakers if content_terms(s) - ROLE_WORDS]  # "Prime Minister" names no one
        kind = answer_kind(question)
        spans = self.spans(question, self.score_sentences(question, pool, speakers, carried), kind)
        if not spans and kind == "name":
            # The wanted name or number may sit in another paragraph of the same story ("He will be the
            # first Hindu prime minister" names the entity; the paragraph before names him).
            articles = {p.article_id for p in pool}
            rest = [p for p in passages if p.article_id in articles and p not in pool]
            spans = self.spans(question, self.score_sentences(question, pool + rest, speakers, carried), kind)
        if not spans:
            return self.refuse(question, passages)
        best = spans[0]
        floor = self.settings.answer.min_support_typed if kind else self.settings.answer.min_support
        if best.score < floor or not self.on_topic(question, entities + speakers, best):
            return self.refuse(question, passages, best.score)
        chosen = self.choose(spans)
        rank = {p.paragraph_id: i for i, p in enumerate(passages)}
        chosen.sort(key=lambda s: (rank[s.passage.paragraph_id], s.start))  # reading order within the ranking
        # One marker per sentence, so each quoted sentence carries its citation.
        picks = [(s.passage, x.start, x.end) for s in chosen for x in s.sentences]
        return compose(question, passages, picks, best.score, self.name)

    def choose(self, spans: list[Span]) -> list[Span]:
        """The best span, then the next best that score near it, never quoting the same sentence twice
        (a reprint of the story holds the same sentences under another paragraph id)."""
        settings = self.settings.answer
        floor = spans[0].score * settings.relative_support
        chosen: list[Span] = []
        seen: set[str] = set()
        used: set[tuple[str, int]] = set()
        count = 0
        for span in spans:
            if span.score < floor or count >= settings.max_sentences:
                break
            keys = {normalize(span.passage.text[s.start:s.end]) for s in span.sentences}
            places = {(span.passage.paragraph_id, s.start) for s in span.sentences}
            if keys & seen or places & used or (chosen and count + len(span.sentences) > settings.max_sentences):
                continue
            chosen.append(span)
            seen |= keys
            used |= places
            count += len(span.sentences)
        return chosen

    def spans(self, question: str, scored: list[Scored], kind: str | None) -> list[Span]:
        """Every run of one to MAX_SPAN adjacent sentences of a paragraph that answers: some sentence of it
        stands alone and it holds the wanted answer type. Best first."""
        by_paragraph: dict[str, list[Scored]] = {}
        for s in scored:
            by_paragraph.setdefault(s.passage.paragraph_id, []).append(s)
        out = []
        for sentences in by_paragraph.values():
            for i in range(len(sentences)):
                for j in range(i, min(i + MAX_SPAN, len(sentences))):
                    run = sentences[i:j + 1]
                    text = run[0].passage.text[run[0].start:run[-1].end]
                    if not has_answer_type(kind, text, question):
                        continue
                    # A sentence whose one new word is the wanted number or name does answer.
                    if not any(s.stands_alone or (kind and s.novel and self._typed(kind, s, question)) for s in run):
                        continue
                    score = max(s.score for s in run) - SPAN_COST * (j - i)
                    out.append(Span(score, run))
        return sorted(out, key=lambda s: -s.score)

    @staticmethod
    def _typed(kind: str, s: Scored, question: str) -> bool:
        return len(_WORDS.findall(s.passage.text[s.start:s.end])) >= MIN_WORDS and \
            has_answer_type(kind, s.passage.text[s.start:s.end], question)

    def on_topic(self, question: str, names: list[str], best: Span) -> bool:
        """Does the best passage's paragraph speak to what is asked, beyond the names in the question?"""
        passage = best.passage
        topic = content_terms(question) - content_terms(" ".join(names)) - ROLE_TERMS
        if not topic:
            return True
        if _share(topic, " ".join([passage.text, passage.title])) < MIN_TOPIC_COVERAGE:
            return best.similarity >= MIN_TOPIC_SIMILARITY
        if not _ASKS_WHAT_WAS_SAID.search(question):  # "Who is the CEO of X?" asks about the speaker's title itself
            return True
        if not any(name.lower() in question.lower() for name in passage.speakers if len(name.split()) >= 2):
            return True  # a speaker the question names by role ("the cooperative's spokesperson") is found by title
        bare = without_appositions(passage.text, passage.speakers)
        if bare == passage.text or _share(topic, " ".join([bare, passage.title])) >= MIN_TOPIC_COVERAGE:
            return True
        # "What did X say about T?": T's words are only in who X is ("former head of the ... Property Organization"),
        # not in what X said, so what X said must be close in meaning to what is asked about X, names left out on
        # both sides (the name alone makes any sentence of X's close to a question naming X).
        said, asked = without_appositions(best.text, passage.speakers), question
        for name in [*passage.speakers, *names]:
            said = re.sub(re.escape(name), " ", said, flags=re.I)
            asked = re.sub(re.escape(name), " ", asked, flags=re.I)
        vectors = self.store.embedder.encode([asked, said], question_time=True)
        return float(vectors[1] @ vectors[0]) >= MIN_TOPIC_SIMILARITY

    def score_sentences(self, question: str, passages: list[Passage], speakers: list[str],
                        carried: dict[str, list[str]] | None = None) -> list[Scored]:
        """Every sentence of `passages`, scored, in paragraph order. `carried`: names each paragraph refers
        back to ("the company" of the paragraph before), counted as its words like its title."""
        carried = carried or {}
        sentences = [(p, a, b) for p in passages for a, b in split_sentences(p.text)]
        if not sentences:
            return []
        vectors = self.store.embedder.encode([question] + [p.text[a:b] for p, a, b in sentences], question_time=True)
        similarity = vectors[1:] @ vectors[0]
        q_terms = content_terms(question)
        wanted = {s.lower() for s in speakers}
        out = []
        for (p, a, b), cos in zip(sentences, similarity):
            text = p.text[a:b]
            # The title and the speakers are context every sentence of the paragraph shares.
            terms = content_terms(" ".join([text, p.title, *p.speakers, *carried.get(p.paragraph_id, [])]))
            lexical = len(matched_terms(q_terms, terms)) / len(q_terms) if q_terms else 0.0
            score = DENSE_WEIGHT * float(cos) + (1 - DENSE_WEIGHT) * lexical
            if wanted:
                score += SPEAKER_BONUS if wanted & {s.lower() for s in p.speakers} else -SPEAKER_BONUS
            # A headline phrased as a question answers nothing; a quoted question is speech and may.
            headline = text.rstrip("\"'”’) ").endswith("?") and not text.startswith(("\"", "“", "'", "‘"))
            novel = 0 if headline else len(novel_terms(text, question))
            stands_alone = novel >= MIN_NOVEL_TERMS and len(_WORDS.findall(text)) >= MIN_WORDS
            out.append(Scored(float(np.clip(score, 0.0, 1.0)), p, a, b, float(cos), stands_alone, novel))
        return out


_ASKS_WHAT_WAS_SAID = re.compile(r"\bwhat (?:did|does|do|has|have|is|was)\b.*\b(?:say|said|think|believe|argue|"
                                 r"warn|tell|told|claim|urge|stress|emphasi[sz]e|note|write|announce)\b", re.I)
_SAYS = (r"(?=\s*(?:said|says|told|added|noted|emphasi[sz]ed|stressed|argued|warned|disclosed|explained|wrote|"
         r"insisted|urged|announced|claimed|commented|remarked|believes|believed)\b)")


def without_appositions(text: str, speakers: list[str]) -> str:
    """`text` without the description set off by commas after a speaker's name ("Ana Ruiz, chair of the Water
    Rights Board, said ..." becomes "Ana Ruiz said ..."): words that say who speaks, not what was said."""
    for name in speakers:
        if len(name.split()) < 2:
            continue
        text = re.sub(rf"({re.escape(name)})\s*,\s*[^,\"“”]{{3,200}}?,{_SAYS}", r"\1", text)
    return text


def _share(topic: set[str], text: str) -> float:
    return len(matched_terms(topic, content_terms(text))) / len(topic)
