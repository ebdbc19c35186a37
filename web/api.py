"""The JSON API next to the UI: /api/ask (server-sent events with stream=true), /api/search, /api/articles,
/api/feeds, /api/health. Every route is one `Service` call; errors come back as {"detail": message}, never a traceback.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from qa import Answer, Passage
from qa.constants import MAX_QUESTION_CHARS
from qa.types import Filters
from web.service import Service, clean_filters, describe_error

UPLOAD_DOC = "article files (.txt .md .html .htm .json .jsonl by default; see QA_MAX_UPLOAD_MB for the size limit)"
SSE_DOC = ("With `stream: true` the response is `text/event-stream`: `chunk` events ({\"text\"}) while the "
           "answerer streams, then one `answer` event (the Answer), or one `error` event ({\"detail\"}).")


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS)
    as_of: str | None = Field(None, description="answer as of this date (YYYY-MM-DD): no later article is used")
    filters: Filters | None = None
    k: int | None = Field(None, ge=1, le=100, description="paragraphs to read (default: the top_k setting)")
    answerer: str | None = Field(None, description="answerer backend (default: the configured one)")
    history: list[Message] = Field(default_factory=list, description="earlier turns, for follow-up questions")
    stream: bool = False


class Article(BaseModel):
    article_id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    authors: list[str] = []
    n_paragraphs: int = 0
    state: str | None = None


class UploadResult(BaseModel):
    file: str
    status: Literal["added", "updated", "unchanged", "skipped", "rejected", "error"]
    articles: list[str]
    paragraphs: int
    reason: str


class Health(BaseModel):
    status: str
    answerer: str
    top_k: int
    articles: int


class FeedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., min_length=1, max_length=2000, description="an http(s) RSS 2.0, Atom or sitemap URL")


class Feed(BaseModel):
    url: str
    kind: str | None = Field(None, description="rss20, atom10, sitemap, ... (known after the first sync)")
    title: str | None = None
    items: int | None = Field(None, description="items the feed listed at its last sync")
    added_at: str | None = None
    last_sync: str | None = Field(None, description="ISO 8601 UTC; null before the first sync")
    last_error: str | None = Field(None, description="why the last sync of this feed failed; null when it worked")


class SyncTotal(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str]
    skipped: list[dict]
    paragraphs: int


class FeedSyncReport(SyncTotal):
    """One feed's part of a sync: what `qa ingest` reports, plus the feed's own state."""

    url: str
    error: str
    not_modified: bool
    items: int


class SyncReport(BaseModel):
    feeds: list[FeedSyncReport]
    total: SyncTotal


def _bad_request(exc: Exception) -> HTTPException:
    return HTTPException(400 if isinstance(exc, ValueError) else 500, describe_error(exc))


def _sse(event: str, data) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def api_router(service: Service) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["news-qa"])
    max_request = service.settings.max_upload_bytes * service.settings.max_files + 1024 * 1024

    @router.post("/ask", response_model=Answer, description=SSE_DOC,
                 responses={200: {"content": {"text/event-stream": {}}}})
    def ask(request: AskRequest):
        """Answer a question with [n] citations to the paragraphs, or the refusal."""
        messages = [m.model_dump() for m in request.history] + [{"role": "user", "content": request.question}]
        options = {"as_of": request.as_of, "filters": request.filters, "k": request.k, "answerer": request.answerer}
        if request.stream:
            return StreamingResponse(_stream(service, messages, options), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        try:
            return service.ask(request.question, [m.model_dump() for m in request.history], **options)
        except Exception as exc:  # noqa: BLE001 - reported as a message
            raise _bad_request(exc) from None

    @router.get("/search", response_model=list[Passage])
    def search(q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="the question")],
               k: Annotated[int | None, Query(ge=1, le=100)] = None, as_of: str | None = None,
               source: Annotated[list[str] | None, Query(description="one or more sources")] = None,
               author: str | None = None, date_from: str | None = None, date_to: str | None = None):
        """The paragraphs retrieved for a question, best first, with their scores."""
        try:
            filters = clean_filters(source=source, author=author, date_from=date_from, date_to=date_to)
            return service.search(q, k=k, as_of=as_of, filters=filters)
        except Exception as exc:  # noqa: BLE001 - a bad filter or question: a 400 with the message
            raise _bad_request(exc) from None

    @router.get("/articles", response_model=list[Article])
    def articles(q: Annotated[str, Query(description="words that must all appear in title, source, id or date")] = ""):
        """The indexed articles, newest first."""
        return service.articles(q)

    @router.post("/articles", response_model=list[UploadResult], max_body_size=max_request,
                 form_limits={"max_files": service.settings.max_files})
    async def upload(files: Annotated[list[UploadFile], File(description=UPLOAD_DOC)]):
        """Add or update articles. One result per file: a bad file is reported and the others are kept."""
        limit = service.settings.max_upload_bytes
        # Read at most one byte past the limit, so an oversized file is refused without holding all of it.
        batch = [(f.filename or "upload", await f.read(limit + 1)) for f in files]
        return await run_in_threadpool(service.upload, batch)

    @router.delete("/articles/{article_id}")
    def delete(article_id: str) -> dict:
        """Remove an article and all its paragraphs."""
        if not service.delete(article_id):
            raise HTTPException(404, f"no article {article_id!r}")
        return {"deleted": article_id}

    @router.get("/feeds", response_model=list[Feed])
    def feeds():
        """The feeds followed, with their last sync time and last error."""
        return service.feeds()

    @router.post("/feeds", status_code=201)
    def add_feed(request: FeedRequest) -> dict:
        """Follow a feed (read at the next sync); `added` is false when it was already followed."""
        try:
            return {"url": request.url.strip(), "added": service.add_feed(request.url)}
        except ValueError as exc:
            raise _bad_request(exc) from None

    @router.delete("/feeds")
    def remove_feed(url: Annotated[str, Query(min_length=1, max_length=2000)]) -> dict:
        """Stop following a feed (its articles stay indexed)."""
        if not service.remove_feed(url):
            raise HTTPException(404, f"not following {url!r}")
        return {"removed": url.strip()}

    @router.post("/feeds/sync", response_model=SyncReport)
    def sync_feeds():
        """Fetch every feed once and index its new and changed articles: added / updated / unchanged /
        removed / skipped, per feed and in total. A feed that fails is reported in its `error`."""
        return service.sync()

    @router.get("/health", response_model=Health)
    def health():
        """Whether the index can be read, and what answers: the answerer and top-k."""
        try:
            return {"status": "ok", **service.status()}
        except Exception as exc:  # noqa: BLE001 - any failure to read the index means "unhealthy"
            raise HTTPException(503, describe_error(exc)) from None

    return router


def _stream(service: Service, messages: list[dict], options: dict) -> Iterator[str]:
    try:
        for item in service.answer_events(messages, **options):
            yield _sse("chunk", {"text": item}) if isinstance(item, str) else _sse("answer", item.to_dict())
    except Exception as exc:  # noqa: BLE001 - the status line is already sent; report in the stream
        yield _sse("error", {"detail": describe_error(exc)})
