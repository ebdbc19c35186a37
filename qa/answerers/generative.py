"""LLM answerers (`local`, `openai`): a prompt with numbered sources, a generator, then the grounding guard.

The user sees the draft stream in while it is generated; the final answer is the guard's checked version.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from functools import cached_property

from qa import guard, prompts
from qa.answer_types import missing_facts
from qa.answerers.base import Answerer, build_answer, parts_of
from qa.answerers.extractive import ExtractiveAnswerer, Span
from qa.answerers.metadata import metadata_answer
from qa.citations import neutralize_markers
from qa.constants import CITATION_FORMAT, REFUSAL
from qa.llm import Generator, make_generator
from qa.query import speaker_slot
from qa.sentences import content_terms, split_sentences
from qa.types import Answer, Passage, final_answer

PROMPT_OVERHEAD_TOKENS = 600  # the system prompt, the instructions and the source tags
CHARS_PER_TOKEN = 2  # conservative (English runs ~4): the prompt must fit the model's context


def source_text(text: str) -> str:
    """Sources are data: markers inside them must not look like ours, or a model may copy a fake "[7]"."""
    return neutralize_markers(text, parentheses=True).replace("</source>", "</ source>").replace(
        "</article>", "</ article>")


def fit_sources(question: str, texts: list[str], budget: int) -> list[str]:
    """The texts, each long one cut to an excerpt, so that together they fit `budget` characters.

    A paragraph can be a 100 KB line; whole, it would overflow the model's context and fail the answer.
    Short texts keep their full length; the rest share what is left equally.
    """
    if sum(map(len, texts)) <= budget:
        return texts
    left, count = budget, len(texts)
    for length in sorted(map(len, texts)):  # water-filling: a text under the equal share keeps all of it
        if length > left // count:
            break
        left, count = left - length, count - 1
    share = max(200, left // count)
    return [t if len(t) <= share else excerpt(question, t, share) for t in texts]


def excerpt(question: str, text: str, size: int) -> str:
    """`size` characters of `text` around its sentence with the most of the question's words."""
    wanted = content_terms(question)
    spans = split_sentences(text) or [(0, len(text))]
    start, end = max(spans, key=lambda s: len(wanted & content_terms(text[s[0]:s[1]])))
    middle = (start + end) // 2
    lo = max(0, min(middle - size // 2, len(text) - size))
    return ("…" if lo else "") + text[lo:lo + size].strip() + ("…" if lo + size < len(text) else "")


def focus(question: str, text: str, size: int) -> str:
    """A paragraph longer than `size` characters cut to its sentences that share most words with the question,
    kept in reading order, with "…" where sentences were left out: a small model reads less and better."""
    if len(text) <= size:
        return text
    wanted = content_terms(question)
    spans = split_sentences(text) or [(0, len(text))]
    ranked = sorted(range(len(spans)), key=lambda i: (-len(wanted & content_terms(text[spans[i][0]:spans[i][1]])), i))
    keep: set[int] = set()
    used = 0
    for i in ranked:
        length = spans[i][1] - spans[i][0]
        if keep and used + length > size:
            continue
        keep.add(i)
        used += length
    out, last = [], -1
    for i in sorted(keep):
        out.append(("… " if i != last + 1 else "") + text[spans[i][0]:spans[i][1]])
        last = i
    return " ".join(out) + (" …" if last != len(spans) - 1 else "")


# What a structured answer must be (llama.cpp turns the schema into a grammar the sampler obeys).
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "sources": {"type": "array", "items": {"type": "integer"}},
        "found": {"type": "boolean"},
    },
    "required": ["found", "answer", "sources"],
}


def compose_structured(reply: str, count: int) -> str:
    """The JSON reply as cited text ("answer [1][3]"), or the refusal; the guard checks it like any draft."""
    import json

    try:
        data = json.loads(reply)
    except json.JSONDecodeError:
        return REFUSAL
    numbers = [n for n in data.get("sources") or [] if isinstance(n, int) and 1 <= n <= count]
    answer = str(data.get("answer") or "").strip()
    if not data.get("found") or not numbers or not answer:
        return REFUSAL
    markers = "".join(CITATION_FORMAT.format(n=n) for n in dict.fromkeys(numbers))
    return f"{answer} {markers}"


class GenerativeAnswerer(Answerer):
    def __init__(self, store, settings, backend: str):
        super().__init__(store, settings)
        self.name = backend
        self._generator: Generator | None = None

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = make_generator(self.name, self.settings)
        return self._generator

    def messages(self, question: str, passages: list[Passage], as_of=None) -> list[dict]:
        s = self.settings.llm
        budget = max(1000, (s.context_window - s.max_tokens - PROMPT_OVERHEAD_TOKENS) * CHARS_PER_TOKEN)
        texts = [focus(question, t, s.source_chars) if s.source_chars else t for t in (p.text for p in passages)]
        texts = fit_sources(question, texts, budget)
        # Consecutive sources of one article share its title, outlet and date line (fewer prompt tokens: on
        # a CPU the prompt, not the answer, is most of the wait); the model cites by number, so no ids.
        sources = [{"n": i, "title": p.title, "published": p.published, "source": p.source,
                    "article_id": p.article_id, "text": source_text(text)}
                   for i, (p, text) in enumerate(zip(passages, texts), start=1)]
        system = prompts.render("system") + ("\n\n" + prompts.render("examples") if s.few_shot else "")
        return [{"role": "system", "content": system},
                {"role": "user", "content": prompts.render("answer", sources=sources, question=question,
                                                           as_of=as_of.isoformat() if as_of else "",
                                                           structured=self.structured)}]

    def condenser(self):
        return self.generator

    @property
    def structured(self) -> bool:
        """JSON-schema output where the generator supports it (llama.cpp), per `llm.structured`."""
        return self.settings.llm.structured and self.generator.supports_json

    def answer(self, question, passages, speakers, entities, as_of=None) -> Answer:
        return final_answer(self.stream(question, passages, speakers, entities, as_of))

    def stream(self, question, passages, speakers, entities, as_of=None) -> Iterator[str | Answer]:
        if not passages:
            yield self.refuse(question, passages)
            return
        header = metadata_answer(question, passages, self.name)
        if header is not None:  # who wrote it, which outlet, when: exact fields, no generation needed
            yield header.text
            yield header
            return
        if missing_facts(question, entities, passages):  # asked about someone or a year no source names
            yield self.refuse(question, passages)
            return
        started = time.perf_counter()
        chunks, first = [], None
        messages = self.messages(question, passages, as_of)
        generator = self.generator
        if self.structured:
            draft = compose_structured(generator.complete_json(messages, ANSWER_SCHEMA), len(passages))
            first = time.perf_counter()
            yield draft
        else:
            for chunk in generator.stream(messages):
                first = first or time.perf_counter()
                chunks.append(chunk)
                yield chunk
            draft = "".join(chunks)
        generated = time.perf_counter()
        answer = guard.check(question, draft, passages, self.store.embedder, self.settings, self.name, speakers)
        if not answer.refused and not self.on_topic(answer, question, passages, speakers, entities):
            answer = with_record(self.refuse(question, passages), answer)
        if answer.refused and self.settings.llm.fallback == "extractive":
            answer = self.fallback(answer, question, passages, speakers, entities)
        elif not answer.refused:
            answer = self.their_words(answer, question, passages, speakers, entities)
        answer.timings = {"first_token": (first or generated) - started, "generate": generated - started,
                          "check": time.perf_counter() - generated}
        yield answer

    def on_topic(self, answer: Answer, question, passages, speakers, entities) -> bool:
        """For "What did X say about T?": does the answer speak to T? Judged as the extractive answerer judges its
        own quotes (`ExtractiveAnswerer.on_topic`), on the cited paragraphs' sentence closest to the question:
        "What did Robin Li say about chip export controls?" is not answered by what he said about large models,
        however well his paragraph supports it. Other questions are left to the model's reading: its own words
        meet the question's in ways the extractive test would miss ("subjects on the agenda", "topics covered")."""
        if not (speakers and speaker_slot(question)):
            return True
        cited = {c.paragraph_id for c in answer.citations}
        scored = self.quoter.score_sentences(question, [p for p in passages if p.paragraph_id in cited], speakers)
        if not scored:
            return True
        best = max(scored, key=lambda s: s.score)
        return self.quoter.on_topic(question, entities + speakers, Span(best.score, [best]))

    def their_words(self, answer: Answer, question, passages, speakers, entities) -> Answer:
        """ "What did X say?" asks for everything X said on it: the model tends to sum up the first of X's
        paragraphs only. X's other retrieved paragraphs that the extractive answerer quotes for the question (its
        own relevance rules) are added after the model's sentences, verbatim and cited."""
        cited = {c.paragraph_id for c in answer.citations}
        theirs = {p.paragraph_id for p in guard.said_by(question, speakers, passages)} - cited
        if not theirs:
            return answer
        quoted = self.quoter.answer(question, passages, speakers, entities)
        if quoted.refused:
            return answer
        extra = [(text, sources) for text, sources in parts_of(quoted)
                 if sources and all(p.paragraph_id in theirs for p, _, _ in sources)]
        if not extra:
            return answer
        return with_record(build_answer(question, passages, parts_of(answer) + extra, answer.support, answer.answerer),
                           answer)

    def fallback(self, refused: Answer, question, passages, speakers, entities) -> Answer:
        """The extractive answer (verbatim quotes, its own refusal rules) when the model's draft left nothing:
        a small model refuses or mis-states many answers its sources hold. The draft and the guard's verdicts
        are kept for inspection; `answerer` names who answered."""
        quoted = self.quoter.answer(question, passages, speakers, entities)
        return refused if quoted.refused else with_record(quoted, refused)

    @cached_property
    def quoter(self) -> ExtractiveAnswerer:
        """The extractive answerer: the fallback, the judge of "about T", and the quoter of X's other words."""
        return ExtractiveAnswerer(self.store, self.settings)


def with_record(answer: Answer, checked: Answer) -> Answer:
    """`answer` carrying the model's draft and the guard's verdict per sentence from `checked` (for inspection
    and the eval's failure analysis), whoever wrote its text."""
    answer.draft, answer.sentences = checked.draft, checked.sentences
    return answer
