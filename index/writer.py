"""The write path shared by `ingest` and `doctor`: pending articles -> paragraphs -> window vectors in Chroma,
recorded in the manifest.

Articles are embedded in batches of about `index.ingest_batch_windows` windows. One batch's Chroma write runs
on a worker thread while the next batch is read and encoded (the HNSW inserts then hide behind the encoder);
one write at a time, and each batch waits for the one before to finish. Each batch is written between the
manifest's `begin` and `commit` of its articles, so a crash leaves at most one batch of `pending` articles.
"""
from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from tqdm import tqdm

from index.dates import published_day
from index.ids import paragraph_id
from index.paragraphs import split_paragraphs
from index.speakers import attribute_article
from index.store import IndexStore
from index.types import Article, Paragraph

log = logging.getLogger(__name__)


@dataclass
class PendingArticle:
    """An article to (re)write: its content hash, whether an older version is indexed, and its paragraphs
    when they are known already (rebuilt from the manifest); otherwise they are split when it is written."""

    article: Article
    content_hash: str
    existed: bool
    paragraphs: list[Paragraph] | None = None


@dataclass
class Written:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    paragraphs: int = 0


@dataclass
class _Prepared:
    pending: PendingArticle
    paragraphs: list[Paragraph]
    rows: list[tuple]  # (paragraph_id, window number, window text, metadata), as VectorIndex.add takes them


def make_paragraphs(article: Article) -> list[Paragraph]:
    spans = split_paragraphs(article.text)
    texts = [article.text[s:e] for s, e in spans]
    try:
        attributions = attribute_article(texts)
    except Exception:  # speakers are an extra: a parser slip must never cost the article itself
        log.warning("speaker extraction failed for %s (%s)", article.article_id, article.source_path, exc_info=True)
        attributions = [[] for _ in texts]
    return [Paragraph(article.article_id, n, text, s, e, attrs)
            for n, (text, (s, e), attrs) in enumerate(zip(texts, spans, attributions), start=1)]


def pending_from_manifest(store: IndexStore, article_id: str) -> PendingArticle:
    """An indexed article rebuilt from the manifest alone (for `doctor`: no source file needed)."""
    row = store.manifest.article(article_id)
    if row is None:
        raise KeyError(f"article {article_id!r} is not in the manifest")
    numbers = range(1, row["n_paragraphs"] + 1)
    stored = store.manifest.paragraphs([paragraph_id(article_id, n) for n in numbers], state=None)
    article = Article(article_id, row["title"] or "", "", row["source_path"] or "", row["published"] or "",
                      row["source"] or "", row["url"] or "", row["authors"], row["extra"])
    paragraphs = [Paragraph(article_id, r["n"], r["text"], r["start"], r["end"], r["speakers"])
                  for r in sorted(stored.values(), key=lambda r: r["n"])]
    return PendingArticle(article, row["content_hash"], True, paragraphs)


def write_articles(store: IndexStore, todo: list[PendingArticle], progress: bool) -> Written:
    written = Written()
    bar = tqdm(total=len(todo), unit="article", desc="ingest", disable=not progress or not todo)
    batch: list[_Prepared] = []
    windows = 0
    writing: Future | None = None  # the previous batch's write
    with ThreadPoolExecutor(1, thread_name_prefix="ingest-write") as writer:
        for pending in todo:
            paragraphs = pending.paragraphs if pending.paragraphs is not None else make_paragraphs(pending.article)
            rows = _window_rows(store, pending.article, paragraphs)
            batch.append(_Prepared(pending, paragraphs, rows))
            windows += len(rows)
            if windows >= store.settings.index.ingest_batch_windows:
                writing = _flush(store, batch, written, bar, writer, writing)
                batch, windows = [], 0
        writing = _flush(store, batch, written, bar, writer, writing)
        if writing is not None:
            writing.result()
    bar.close()
    return written


def _window_rows(store: IndexStore, article: Article, paragraphs: list[Paragraph]) -> list[tuple]:
    meta = {"article_id": article.article_id, "title": article.title[:500], "source": article.source,
            "published": article.published, "published_day": published_day(article.published)}
    rows = []
    for p, spans in zip(paragraphs, store.embedder.windows_of([p.text for p in paragraphs])):
        for w, (s, e) in enumerate(spans):
            rows.append((p.paragraph_id, w, p.text[s:e], {**meta, "paragraph_id": p.paragraph_id, "n": p.n}))
    return rows


def _flush(store: IndexStore, batch: list[_Prepared], written: Written, bar, writer: ThreadPoolExecutor,
           writing: Future | None) -> Future | None:
    """Encode `batch` here, then (after the previous write is done) hand its write to `writer`."""
    if not batch:
        return writing
    vectors = store.embedder.encode([row[2] for item in batch for row in item.rows])
    if writing is not None:
        writing.result()  # in order, and an error of the previous batch stops the ingest here
    for item in batch:
        article = item.pending.article
        store.manifest.begin(article, item.pending.content_hash, item.paragraphs, Counter(row[0] for row in item.rows))
        if item.pending.existed:
            store.vectors.delete_article(article.article_id)
    return writer.submit(_store_batch, store, batch, vectors, written, bar)


def _store_batch(store: IndexStore, batch: list[_Prepared], vectors, written: Written, bar) -> None:
    # One Chroma write for the whole batch (split at the server's max batch size by `add`): per-article
    # writes of ~45 windows each cost a fixed overhead per call. The articles are `pending` until it is done.
    store.vectors.add([row for item in batch for row in item.rows], vectors)
    for item in batch:
        store.manifest.commit(item.pending.article.article_id)
        (written.updated if item.pending.existed else written.added).append(item.pending.article.article_id)
        written.paragraphs += len(item.paragraphs)
        bar.update(1)
