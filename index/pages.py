"""Article pages from the web into the index: fetch, extract (trafilatura, as for .html files), ingest.

A fetched page is kept as a JSON record under `$QA_HOME/pages/` and ingested from there by the ordinary
`ingest`, so it is hashed, repaired, checked by `doctor` and pruned exactly like a file (its record stays
while it is indexed). Its article id comes from its canonical URL (`<link rel=canonical>` or `og:url` on
the same host, else the URL it was served from), so fetching it again updates the same article.

Rules: a page answering 304 to the validators of the last fetch is unchanged; a page that now answers
404 or 410 is removed from the index; any other failure is reported as skipped and tried again next time.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from index.feedstore import FeedStore
from index.fetch import Fetched, Fetcher, FetchError
from index.ingest import IngestReport, ingest
from index.loaders.files import BadInput, clean_text, decode
from index.loaders.html import extract_html

log = logging.getLogger(__name__)
HTML_TYPES = ("text/html", "application/xhtml+xml")
GONE = (404, 410)


def is_url(value) -> bool:
    """Anything written `scheme://...` (file:// too, which the fetcher then refuses with a message)."""
    return isinstance(value, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value) is not None


def page_id(canonical: str) -> str:
    """`{slug of the last path segment}-{hash of the URL}`: readable, and stable for one canonical URL."""
    path = [p for p in unquote(urlsplit(canonical).path).split("/") if p]
    stem = re.sub(r"\.(?:s?html?|php|aspx?)$", "", path[-1] if path else urlsplit(canonical).hostname or "")
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40].rstrip("-") or "page"
    return f"{slug}-{hashlib.sha1(canonical.encode('utf-8')).hexdigest()[:10]}"


def canonical_url(html: str, served_from: str) -> str:
    """The page's `<link rel=canonical>` or `og:url` when it is http(s) on the host that served it (a page
    cannot claim another site's article id), else the URL it was served from; fragments dropped."""
    from lxml import html as lxml_html

    host = (urlsplit(served_from).hostname or "").removeprefix("www.")
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError, SyntaxError):  # lxml's ParserError is a ValueError
        return urldefrag(served_from)[0]
    found = [link.get("href") for link in tree.iterfind(".//link[@href]")
             if "canonical" in (link.get("rel") or "").lower().split()]
    found += [meta.get("content") for meta in tree.iterfind(".//meta[@content]") if meta.get("property") == "og:url"]
    for candidate in found:
        url = urldefrag(urljoin(served_from, candidate.strip()))[0]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and (parts.hostname or "").removeprefix("www.") == host:
            return url
    return urldefrag(served_from)[0]


@dataclass
class Item:
    """A page to fetch: its URL, the date its feed gives it (`stamp`, "" when none) and, for pages that
    carry no date of their own, the feed's publication date (ISO)."""

    url: str
    stamp: str = ""
    published: str = ""


class PageIngest:
    """Fetch pages, write their records, then ingest them all in one `ingest` call (one BM25 refresh)."""

    def __init__(self, store, feeds: FeedStore, fetcher: Fetcher):
        self.store, self.feeds, self.fetcher = store, feeds, fetcher
        self.folder = Path(store.settings.home) / "pages"
        # record path -> (article_id, item, canonical, fetched)
        self.pending: dict[str, tuple[str, Item, str, Fetched]] = {}

    def fetch(self, item: Item, report: IngestReport) -> bool:
        """Fetch one page into a record to ingest; what is already known (unchanged, removed, failed) goes
        straight into `report`. Nothing a page holds stops the others: an unexpected error is its reason
        (and is logged with its traceback). False when no request was needed (its date in the feed has not
        moved)."""
        try:
            return self._fetch(item, report)
        except Exception as exc:
            log.exception("fetching %s failed", item.url)
            report.skipped.append({"path": item.url, "reason": f"unexpected error: {type(exc).__name__}: {exc}"})
            return True

    def _fetch(self, item: Item, report: IngestReport) -> bool:
        known = self.feeds.page(item.url)
        indexed = known if known is not None and self._indexed(known["article_id"]) else None  # its row
        if indexed is not None and item.stamp and indexed["stamp"] == item.stamp:
            report.unchanged.append(indexed["article_id"])  # the feed dates it and the date has not moved
            return False
        try:
            etag, last_modified = (indexed["etag"], indexed["last_modified"]) if indexed is not None else (None, None)
            fetched = self.fetcher.get(item.url, etag, last_modified, accept=HTML_TYPES)
            if fetched.not_modified and indexed is not None:  # only a conditional request can come back 304
                self.feeds.set_stamp(item.url, item.stamp)
                report.unchanged.append(indexed["article_id"])
                return True
            html = _text(fetched)
            title, text, fields, extra = extract_html(html)
        except FetchError as exc:
            if exc.status in GONE and known is not None:
                self.remove(known["article_id"], report)
            else:
                report.skipped.append({"path": item.url, "reason": exc.reason})
            return True
        except BadInput as exc:
            report.skipped.append({"path": item.url, "reason": str(exc)})
            return True
        canonical = canonical_url(html, fetched.url)
        article_id = page_id(canonical)
        record = {"id": article_id, "title": title, "text": text, "url": canonical,
                  "published": fields["published"] or item.published, "source": fields["source"],
                  "authors": fields["authors"], **extra}
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{article_id}.json"
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        self.pending[str(path)] = (article_id, item, canonical, fetched)
        return True

    def ingest(self, report: IngestReport, paths=(), prune: bool = False, progress: bool = False) -> IngestReport:
        """Ingest the records fetched so far (and any other `paths`) in one run, merged into `report`. Only
        a page that made it into the index has its validators recorded, so a failed one is fetched in full
        next time."""
        if not self.pending and not paths:
            return report
        done = ingest(self.store, [*self.pending, *paths], prune=prune, progress=progress)
        _merge(report, done, paths={path: item.url for path, (_, item, _, _) in self.pending.items()})
        landed = set(done.added) | set(done.updated) | set(done.unchanged)
        for article_id, item, canonical, fetched in self.pending.values():
            if article_id in landed:
                self.feeds.page_fetched(item.url, article_id, canonical, fetched.etag, fetched.last_modified,
                                        item.stamp)
        self.pending = {}
        return report

    def remove(self, article_id: str, report: IngestReport) -> None:
        self.store.delete_article(article_id)
        (self.folder / f"{article_id}.json").unlink(missing_ok=True)
        self.feeds.forget_article(article_id)
        report.removed.append(article_id)

    def _indexed(self, article_id: str) -> bool:
        return (self.store.manifest.article(article_id) is not None
                and (self.folder / f"{article_id}.json").is_file())


def _text(fetched) -> str:
    """The page's text in the charset its server names; else as files are read (UTF-8, then cp1252)."""
    if fetched.charset:
        try:
            return clean_text(fetched.content.decode(fetched.charset))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(fetched.content)[0]


def _merge(into: IngestReport, other: IngestReport, paths: dict[str, str] | None = None) -> None:
    """Add `other`'s lists and counts to `into`; skipped records are named by their URL, not their file."""
    for name in ("added", "updated", "unchanged", "removed", "repaired"):
        getattr(into, name).extend(getattr(other, name))
    paths = paths or {}
    into.skipped += [{**s, "path": paths.get(s["path"], s["path"])} for s in other.skipped]
    into.paragraphs += other.paragraphs
    into.doctor = into.doctor or other.doctor


def ingest_with_urls(store, feeds: FeedStore, fetch_settings, sources: list, prune: bool = False,
                     progress: bool = False) -> IngestReport:
    """`qa ingest` over a mix of paths and http(s) URLs: the pages are fetched, then everything is
    ingested in one run."""
    urls = [s for s in sources if is_url(s)]
    paths = [s for s in sources if not is_url(s)]
    report = IngestReport()
    with Fetcher(fetch_settings) as fetcher:
        pages = PageIngest(store, feeds, fetcher)
        for url in dict.fromkeys(urls):
            pages.fetch(Item(url), report)
        return pages.ingest(report, paths, prune=prune, progress=progress)
