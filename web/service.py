"""What the UI and the HTTP API do, in one place, each a thin call into `QA`.

Both front ends call this class, so the chat, `/api/ask` and `gradio_client` behave the same: the same
streaming rules, the same upload checks, the same error messages.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from qa.answerers import BACKENDS
from qa.api import QA, check_question
from qa.types import Answer, Filters, Passage, final_answer
from web.settings import WebSettings

log = logging.getLogger("web")

ARTICLE_FIELDS = ("article_id", "title", "source", "url", "published", "authors", "n_paragraphs", "state")
FEED_FIELDS = ("url", "kind", "title", "items", "added_at", "last_sync", "last_error")
_UNSAFE = re.compile(r"[^\w.-]+")


def safe_filename(name: str) -> str:
    """A bare, harmless file name: no directories, no `..`, no NUL, no leading dot; suffix lowercased."""
    base = unicodedata.normalize("NFKC", str(name or "")).replace("\0", "").replace("\\", "/").split("/")[-1]
    path = PurePosixPath(base)
    stem = _UNSAFE.sub("_", path.stem).strip("._-")[:100] or "upload"
    suffix = _UNSAFE.sub("", path.suffix.lower())
    return stem + (suffix if len(suffix) > 1 else "")


def clean_filters(**values) -> Filters | None:
    """Filters from form-like values: empty ones dropped, unknown keys refused."""
    Filters.check_keys(values)
    out = {}
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            value = [str(v).strip() for v in value if str(v).strip()]
        elif value is not None:
            value = str(value).strip()
        if value:
            out[key] = value
    return Filters(**out) if out else None


def describe_error(exc: BaseException) -> str:
    """One line for the user; the traceback goes to the server log only."""
    if isinstance(exc, (ValueError, FileNotFoundError, PermissionError)):
        text = str(exc)
    elif isinstance(exc, ImportError):
        text = f"a component is not installed: {exc}"
    elif isinstance(exc, (ConnectionError, TimeoutError)):
        text = f"a backend could not be reached: {exc}"
    else:
        log.error("unexpected error", exc_info=exc)
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split()) or type(exc).__name__
    return text[:400]


class Service:
    def __init__(self, qa: QA, settings: WebSettings | None = None):
        self.qa = qa
        self.settings = settings or WebSettings()
        self.uploads = Path(qa.settings.home) / "uploads"
        self._writing = threading.Lock()  # one ingest or delete at a time

    # -- questions --------------------------------------------------------------------------------
    def answer_events(self, messages: list[dict], *, as_of: str | None = None, filters: Filters | dict | None = None,
                      k: int | None = None, answerer: str | None = None) -> Iterator[str | Answer]:
        """Text chunks (`str`) while the answerer streams, then the final, checked `Answer`.

        `messages` is the conversation, [{"role": "user"|"assistant", "content": str}], ending with the
        question. A follow-up goes to `qa.chat` (which makes it a standalone question first); a first
        question to `qa.ask`. Empty options (as the forms send them) mean the library's defaults.
        """
        question = check_question(str(messages[-1].get("content") or "") if messages else "")
        as_of, filters, k, answerer = as_of or None, filters or None, k or None, answerer or None
        if any(m.get("role") == "assistant" for m in messages[:-1]):
            yield from self.qa.chat(messages, as_of=as_of, filters=filters, k=k, answerer=answerer, stream=True)
        else:
            yield from self.qa.ask(question, as_of=as_of, filters=filters, k=k, answerer=answerer, stream=True)

    def converse(self, turns: list[dict], question: str, *, as_of=None, k=None, answerer=None,
                 **filter_values) -> Iterator[list[dict]]:
        """The chat: `turns` plus the new one, yielded again as it fills (see `web.render` for the shape).

        An error ends the turn with a message instead of an answer; it never escapes.
        """
        turn: dict[str, Any] = {"question": question.strip(), "partial": "", "answer": None, "error": None}
        turns = [*turns, turn]
        yield turns
        history = [m for t in turns[:-1] if t.get("answer")
                   for m in ({"role": "user", "content": t["question"]},
                             {"role": "assistant", "content": t["answer"]["text"]})]
        try:
            options = {"as_of": as_of, "k": k, "answerer": answerer, "filters": clean_filters(**filter_values)}
            for item in self.answer_events([*history, {"role": "user", "content": turn["question"]}], **options):
                if isinstance(item, str):
                    turn["partial"] += item
                    yield turns
                else:
                    turn["answer"] = item.to_dict()
            if turn["answer"] is None:
                raise RuntimeError("the answerer returned no answer")
        except Exception as exc:  # noqa: BLE001 - shown in the chat
            turn["error"] = describe_error(exc)
        yield turns

    def ask(self, question: str, history: list[dict] | None = None, **options) -> Answer:
        """The final `Answer` (streamed chunks dropped)."""
        return final_answer(self.answer_events([*(history or []), {"role": "user", "content": question}], **options))

    def search(self, question: str, k: int | None = None, as_of: str | None = None,
               filters: Filters | dict | None = None) -> list[Passage]:
        return self.qa.retrieve(question, k=k or None, as_of=as_of or None, filters=filters or None)

    # -- articles ---------------------------------------------------------------------------------
    def articles(self, query: str = "") -> list[dict]:
        words = str(query or "").lower().split()
        rows = [{key: row.get(key) for key in ARTICLE_FIELDS} for row in self.qa.articles()]
        if words:
            rows = [r for r in rows if all(w in _haystack(r) for w in words)]
        return sorted(rows, key=lambda r: (r["published"] or "", r["title"] or ""), reverse=True)

    def delete(self, article_id: str) -> bool:
        with self._writing:
            return self.qa.delete_article(str(article_id))

    def upload(self, files: Sequence[tuple[str, bytes | Path]],
               progress: Callable[[int, int, str], None] | None = None) -> list[dict]:
        """Save each file under `<home>/uploads` and ingest it; one result per file, bad files never stop the rest.

        `data` is the content, or the path of a file the front end received (never a path a user typed).
        Result: {"file", "status": added|updated|unchanged|skipped|rejected|error, "articles", "paragraphs", "reason"}
        """
        results = []
        for i, (name, data) in enumerate(files):
            if progress:
                progress(i, len(files), name)
            try:
                results.append(self._upload_one(name, data))
            except Exception as exc:  # noqa: BLE001 - reported per file
                results.append(_result(safe_filename(name), "error", reason=describe_error(exc)))
        return results

    def _upload_one(self, name: str, data: bytes | Path) -> dict:
        safe = safe_filename(name)
        suffix = PurePosixPath(safe).suffix
        if suffix not in self.settings.upload_types:
            return _result(safe, "rejected", reason=f"type {suffix or '(none)'} not accepted; use "
                                                    + " ".join(self.settings.upload_types))
        if (data.stat().st_size if isinstance(data, Path) else len(data)) > self.settings.max_upload_bytes:
            return _result(safe, "rejected", reason=f"larger than {self.settings.max_upload_mb:g} MB")
        if isinstance(data, Path):
            data = data.read_bytes()
        if not data.strip():
            return _result(safe, "skipped", reason="empty file")
        self.uploads.mkdir(parents=True, exist_ok=True)
        target = self.uploads / safe
        if target.resolve().parent != self.uploads.resolve():  # belt and braces: never outside uploads/
            return _result(safe, "rejected", reason="bad file name")
        with self._writing:
            previous = target.read_bytes() if target.is_file() else None
            target.write_bytes(data)
            try:
                report = self.qa.ingest([target])
            except BaseException:
                _restore(target, previous)
                raise
            status = ("added" if report.added else "updated" if report.updated
                      else "unchanged" if report.unchanged else "skipped")
            if status == "skipped":
                _restore(target, previous)
        reason = "; ".join(_skip_reason(s, str(target)) for s in report.skipped)
        return _result(safe, status, report.added + report.updated + report.unchanged, report.paragraphs, reason)

    # -- feeds (qa.add_feed / feeds / remove_feed / sync) -----------------------------------------
    def feeds(self) -> list[dict]:
        """The feeds followed; times as ISO 8601 UTC strings."""
        return [{key: _iso(row.get(key)) if key in ("added_at", "last_sync") else row.get(key) for key in FEED_FIELDS}
                for row in self.qa.feeds()]

    def add_feed(self, url: str) -> bool:
        return self.qa.add_feed(str(url or ""))

    def remove_feed(self, url: str) -> bool:
        return self.qa.remove_feed(str(url or ""))

    def sync(self) -> dict:
        """One sync of every feed (the SyncReport as a dict); one at a time, like uploads and deletes."""
        with self._writing:
            return self.qa.sync().to_dict()

    # -- the service itself -----------------------------------------------------------------------
    def status(self) -> dict:
        return {"answerer": self.qa.settings.answer.backend, "top_k": self.qa.settings.retrieval.top_k,
                "articles": len(self.qa.articles())}

    def answerers(self) -> list[str]:
        names = sorted(BACKENDS)  # the factory's keys: new backends appear in the UI without a change here
        active = self.qa.settings.answer.backend
        return names if active in names else [active, *names]

    def sources(self) -> list[str]:
        return sorted({r["source"] for r in self.qa.articles() if r.get("source")})


def _iso(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds") if timestamp else None


def _haystack(row: dict) -> str:
    return " ".join(str(row.get(k) or "") for k in ("title", "source", "article_id", "published", "authors")).lower()


def _restore(path: Path, previous: bytes | None) -> None:
    """uploads/ holds only what is indexed: put back the earlier file of that name, or remove the new one."""
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(previous)


def _skip_reason(skipped: dict, saved: str) -> str:
    """The ingest report names the saved path; the user sees their file name or the line, never the path."""
    where = skipped["path"]
    where = where[len(saved):].lstrip(":") if where.startswith(saved) else where.rsplit("/", 1)[-1]
    return f"line {where}: {skipped['reason']}" if where.isdigit() else skipped["reason"]


def _result(file: str, status: str, articles=(), paragraphs: int = 0, reason: str = "") -> dict:
    return {"file": file, "status": status, "articles": list(articles), "paragraphs": paragraphs, "reason": reason}
