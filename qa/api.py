"""The public surface: `QA` (ingest / retrieve / ask). The CLI, the UI and the eval only call this."""
from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

from qa.annotate import annotate
from qa.constants import MAX_QUESTION_CHARS
from qa.injection import evidence
from qa.settings import Settings, load_settings
from qa.types import Answer, Passage

# The user's seed article ships here and is ingested the first time an index is empty.
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "data" / "articles"


def parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ValueError(f"not a date (use YYYY-MM-DD): {value!r}") from exc


class QA:
    """Question answering over an index of news articles, with every answer citing its paragraphs.

    >>> qa = QA()                       # state under $QA_HOME (or the per-user data dir)
    >>> qa.ask("What did Robin Li say about large models?").text
    """

    def __init__(self, home: str | Path | None = None, settings: Settings | None = None, **overrides):
        from index.store import IndexStore

        self.settings = settings or load_settings(home, **overrides)
        self.store = IndexStore(self.settings)
        self._answerers: dict = {}

    # -- index ----------------------------------------------------------------------------------
    def ingest(self, paths, prune: bool = False, progress: bool = False):
        """Add or update articles from files and directories; returns an `IngestReport`."""
        from index.ingest import ingest

        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        return ingest(self.store, paths, prune=prune, progress=progress)

    def articles(self) -> list[dict]:
        return self.store.manifest.articles()

    def delete_article(self, article_id: str) -> bool:
        return self.store.delete_article(article_id)

    def doctor(self, repair: bool = False):
        """Check that the manifest, Chroma and the keyword index agree exactly (a `DoctorReport`); with
        repair=True, fix what disagrees first (the report then lists what was done and what remains)."""
        from index import doctor

        return doctor.repair(self.store) if repair else doctor.check(self.store)

    def ensure_corpus(self) -> None:
        """An empty index gets the default corpus, so a new user can ask right after install."""
        if self.settings.index.seed_default_corpus and not self.store.manifest.content_hashes() \
                and DEFAULT_CORPUS.is_dir():
            self.ingest([DEFAULT_CORPUS])

    # -- questions ------------------------------------------------------------------------------
    def retrieve(self, question: str, k: int | None = None, as_of=None, filters: dict | None = None) -> list[Passage]:
        from qa.retrieve import retrieve

        self.ensure_corpus()
        return retrieve(self.store, self.settings, _check_question(question), k, parse_date(as_of), filters)

    def ask(self, question: str, as_of=None, filters: dict | None = None, k: int | None = None,
            answerer: str | None = None, stream: bool = False):
        """The cited answer (an `Answer`); with stream=True, an iterator of text chunks ending with the Answer."""
        if stream:
            return self._ask_stream(question, as_of, filters, k, answerer)
        final = None
        for final in self._ask_stream(question, as_of, filters, k, answerer):
            pass
        return final

    def _ask_stream(self, question, as_of, filters, k, answerer):
        from qa.query import analyze, known_speakers

        question = _check_question(question)
        started = time.perf_counter()
        passages = self.retrieve(question, k, as_of, filters)
        retrieved = time.perf_counter()
        info = analyze(question, None, known_speakers(self.store))
        for item in self.answerer(answerer).stream(question, evidence(passages), info.speakers, info.entities):
            if isinstance(item, Answer):
                item.timings = {"retrieve": retrieved - started, "generate": time.perf_counter() - retrieved,
                                **item.timings}
                annotate(item, passages, self.store)  # also-in outlets, where outlets differ, "As of <date>"
            yield item

    def answer(self, question: str, passages: list[Passage], answerer: str | None = None) -> Answer:
        """Answer from given passages (what `ask` does after retrieval; the eval times the two apart)."""
        from qa.query import analyze, known_speakers

        started = time.perf_counter()
        info = analyze(question, None, known_speakers(self.store))
        answer = self.answerer(answerer).answer(question, evidence(passages), info.speakers, info.entities)
        answer.timings = {"generate": time.perf_counter() - started, **answer.timings}
        return answer

    def chat(self, messages: list[dict], as_of=None, filters: dict | None = None, k: int | None = None,
             answerer: str | None = None, stream: bool = False):
        """Answer the last user message of a conversation; a follow-up ("What about Kuaishou?") is first
        condensed into a standalone question, which the Answer carries as `question`."""
        from qa.conversation import condense
        from qa.query import known_speakers

        backend = self.answerer(answerer)
        generator = getattr(backend, "generator", None) if backend.name != "extractive" else None
        question = condense(messages, generator, known_speakers(self.store))
        return self.ask(question, as_of=as_of, filters=filters, k=k, answerer=answerer, stream=stream)

    def answerer(self, name: str | None = None):
        from qa.answerers import make_answerer

        name = name or self.settings.answer.backend
        if name not in self._answerers:
            self._answerers[name] = make_answerer(name, self.store, self.settings)
        return self._answerers[name]

    def as_retriever(self, k: int | None = None, as_of=None, filters: dict | None = None):
        """This pipeline as a llama-index `BaseRetriever`, to plug into llama-index query engines."""
        from qa.llama_retriever import QARetriever

        return QARetriever(self, k=k, as_of=as_of, filters=filters)

    def close(self) -> None:
        self.store.close()


def _check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise ValueError("the question is empty")
    question = question.strip()
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return question
