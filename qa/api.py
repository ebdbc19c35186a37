"""The public surface: `QA` (ingest / retrieve / ask). The CLI, the UI and the eval only call this."""
from __future__ import annotations

import time
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from qa.annotate import annotate
from qa.constants import MAX_QUESTION_CHARS
from qa.injection import evidence
from qa.resources import repo_path
from qa.settings import Settings, load_settings
from qa.types import Answer, Filters, Passage, final_answer

# The user's seed article ships in data/articles/ (also inside the wheel) and is ingested the first time an
# index is empty.
DEFAULT_CORPUS = repo_path("data/articles")


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
        """Add or update articles from files, directories and http(s) URLs of article pages; returns an
        `IngestReport`."""
        from index.ingest import ingest
        from index.pages import ingest_with_urls, is_url

        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        if any(is_url(p) for p in paths):  # web pages: fetched (see index/fetch.py for the rules), then ingested
            return ingest_with_urls(self.store, self.feed_store, self.settings.fetch, paths, prune, progress)
        return ingest(self.store, paths, prune=prune, progress=progress)

    # -- feeds (index/feeds.py) -------------------------------------------------------------------
    @cached_property
    def feed_store(self):
        from index.feedstore import FeedStore

        return FeedStore(Path(self.settings.home) / "feeds.sqlite3")

    def add_feed(self, url: str) -> bool:
        """Follow an RSS, Atom or sitemap URL (read at the next `sync`); False if it was already followed."""
        from index.feeds import add_feed

        return add_feed(self.feed_store, url)

    def feeds(self) -> list[dict]:
        """The feeds followed: url, kind, title, added_at, last_sync, last_error, etag, last_modified, items."""
        return self.feed_store.feeds()

    def remove_feed(self, url: str) -> bool:
        """Stop following a feed (its articles stay indexed); False if it was not followed."""
        return self.feed_store.remove_feed(url.strip())

    def sync(self, progress: bool = False):
        """Fetch every feed once and ingest its new and changed pages; a `SyncReport` (per feed and total)."""
        from index.feeds import sync
        from index.fetch import Fetcher

        with Fetcher(self.settings.fetch) as fetcher:
            return sync(self.store, self.feed_store, fetcher, self.settings.fetch.max_items, progress)

    def articles(self) -> list[dict]:
        return self.store.manifest.articles()

    def iter_paragraphs(self):
        """(paragraph_id, article_id, text, published, source, windows) of every indexed paragraph."""
        return self.store.manifest.iter_paragraphs()

    @property
    def embedder(self):
        """The index's sentence encoder (`index.embed.Embedder`), for scoring text against the same vectors."""
        return self.store.embedder

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
    def retrieve(self, question: str, k: int | None = None, as_of=None,
                 filters: Filters | dict | None = None) -> list[Passage]:
        return self._search(question, k, as_of, filters).passages

    def _search(self, question, k, as_of, filters):
        from qa.retrieve import search

        self.ensure_corpus()
        return search(self.store, self.settings, check_question(question), k, parse_date(as_of), filters)

    def ask(self, question: str, as_of=None, filters: Filters | dict | None = None, k: int | None = None,
            answerer: str | None = None, stream: bool = False):
        """The cited answer (an `Answer`); with stream=True, an iterator of text chunks ending with the Answer."""
        if stream:
            return self._ask_stream(question, as_of, filters, k, answerer)
        return final_answer(self._ask_stream(question, as_of, filters, k, answerer))

    def _ask_stream(self, question, as_of, filters, k, answerer):
        question = check_question(question)
        started = time.perf_counter()
        found = self._search(question, k, as_of, filters)
        retrieved = time.perf_counter()
        info = found.info
        for item in self.answerer(answerer).stream(question, evidence(found.passages), info.speakers,
                                                   info.entities, as_of=parse_date(as_of)):
            if isinstance(item, Answer):
                item.timings = {"retrieve": retrieved - started, "generate": time.perf_counter() - retrieved,
                                **item.timings}
                annotate(item, found.passages, self.store)  # also-in outlets, where outlets differ, "As of <date>"
            yield item

    def answer(self, question: str, passages: list[Passage], answerer: str | None = None, as_of=None) -> Answer:
        """Answer from given passages (what `ask` does after retrieval; the eval times the two apart)."""
        from qa.query import analyze, known_speakers

        started = time.perf_counter()
        info = analyze(question, None, known_speakers(self.store))
        answer = self.answerer(answerer).answer(question, evidence(passages), info.speakers, info.entities,
                                                as_of=parse_date(as_of))
        answer.timings = {"generate": time.perf_counter() - started, **answer.timings}
        return answer

    def chat(self, messages: list[dict], as_of=None, filters: Filters | dict | None = None, k: int | None = None,
             answerer: str | None = None, stream: bool = False):
        """Answer the last user message of a conversation; a follow-up ("What about Kuaishou?") is first
        condensed into a standalone question, which the Answer carries as `question`."""
        from qa.conversation import condense
        from qa.query import known_speakers

        question = condense(messages, self.answerer(answerer).condenser(), known_speakers(self.store))
        return self.ask(question, as_of=as_of, filters=filters, k=k, answerer=answerer, stream=stream)

    def answerer(self, name: str | None = None):
        from qa.answerers import make_answerer

        name = name or self.settings.answer.backend
        if name not in self._answerers:
            self._answerers[name] = make_answerer(name, self.store, self.settings)
        return self._answerers[name]

    def as_retriever(self, k: int | None = None, as_of=None, filters: Filters | dict | None = None):
        """This pipeline as a llama-index `BaseRetriever`, to plug into llama-index query engines."""
        from qa.llama_retriever import QARetriever

        return QARetriever(self, k=k, as_of=as_of, filters=filters)

    def close(self) -> None:
        self.store.close()
        if "feed_store" in self.__dict__:
            self.feed_store.close()


def check_question(question: str) -> str:
    """The question stripped; a clear error when it is empty or longer than MAX_QUESTION_CHARS."""
    if not isinstance(question, str) or not question.strip():
        raise ValueError("the question is empty")
    question = question.strip()
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return question
