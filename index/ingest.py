"""Ingest: files -> articles -> paragraphs (with speakers) -> window vectors in Chroma + BM25.

Incremental and idempotent: each article carries a content hash; an unchanged article is skipped, a
changed one has all its old paragraphs deleted before the new ones are written. Vectors are computed in
batches that span articles (the encoder is the cost that matters) and written to Chroma in one call per
batch, between the manifest's `begin` and `commit` of its articles, so a crash leaves at most one batch
of `pending` articles to repair.
A run also marks the manifest `ingest_running` until it has finished (BM25 refreshed included); the next run
that finds the mark knows the last one was killed and first runs the full `doctor` repair.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from index.dedupe import sync as sync_duplicates
from index.loaders import load_paths
from index.paragraphs import split_paragraphs
from index.speakers import attribute_article
from index.store import IndexStore
from index.types import Article, Paragraph
from index.vectors import published_day

log = logging.getLogger(__name__)
RUNNING = "ingest_running"  # manifest meta key, set while an ingest runs


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # articles left pending by an interrupted run
    skipped: list[dict] = field(default_factory=list)  # {"path": ..., "reason": ...}
    paragraphs: int = 0
    doctor: dict | None = None  # the `doctor` report, when this run first repaired a killed one

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.removed)} removed, {len(self.skipped)} skipped, {self.paragraphs} paragraphs written")


def content_hash(article: Article) -> str:
    fields = {k: v for k, v in vars(article).items() if k != "source_path"}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


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


def repair(store: IndexStore) -> list[str]:
    """Remove articles an interrupted ingest left half-written; they are ingested again from their files."""
    pending = [aid for aid, (_, state) in store.manifest.content_hashes().items() if state != "done"]
    for article_id in pending:
        store.vectors.delete_article(article_id)
        store.manifest.delete(article_id)
    return pending


def ingest(store: IndexStore, paths, prune: bool = False, progress: bool = True) -> IngestReport:
    report = IngestReport()
    if store.manifest.meta(RUNNING):
        from index.doctor import repair as doctor_repair

        log.warning("the last ingest did not finish (%s); checking the index", store.manifest.meta(RUNNING))
        fixed = doctor_repair(store, progress=progress)
        report.repaired, report.doctor = list(fixed.repaired_articles), fixed.to_dict()
    store.manifest.set_meta(RUNNING, f"pid {os.getpid()} at {time.strftime('%Y-%m-%d %H:%M:%S')}")
    report.repaired += repair(store)
    loaded = load_paths(paths, int(store.settings.index.max_article_mb * 1_000_000))
    report.skipped += [{"path": str(e.path), "reason": e.reason} for e in loaded.errors]
    known = store.manifest.content_hashes()
    todo: list[tuple[Article, str, bool]] = []
    seen: dict[str, tuple[str, str]] = {}  # article_id -> (hash, path) within this batch
    for article in loaded.articles:
        digest = content_hash(article)
        if article.article_id in seen:
            if seen[article.article_id][0] != digest:
                report.skipped.append({"path": article.source_path, "reason": (
                    f"duplicate article id {article.article_id!r} with different content "
                    f"(first seen in {seen[article.article_id][1]}); kept the first")})
            continue
        seen[article.article_id] = (digest, article.source_path)
        if known.get(article.article_id, (None,))[0] == digest:
            report.unchanged.append(article.article_id)
        else:
            todo.append((article, digest, article.article_id in known))
    _write(store, todo, report, progress)
    if prune:
        for row in store.manifest.articles(state=None):
            if row["article_id"] not in seen and not Path(row["source_path"]).exists():
                store.delete_article(row["article_id"])
                report.removed.append(row["article_id"])
    sync_duplicates(store)  # syndicated copies: story and paragraph clusters (index/dedupe.py)
    _ = store.keyword  # rebuilt now, off the path of the next question, so all three indexes agree on disk
    store.manifest.set_meta(RUNNING, None)
    return report


def rows_from_manifest(store: IndexStore, article_id: str) -> tuple[Article, str, bool, list[Paragraph]]:
    """An article as `_write` takes it, rebuilt from the manifest alone (for `doctor`: no source file needed)."""
    row = store.manifest.article(article_id)
    numbers = range(1, row["n_paragraphs"] + 1)
    stored = store.manifest.paragraphs([f"{article_id}#p{n}" for n in numbers], state=None)
    article = Article(article_id, row["title"] or "", "", row["source_path"] or "", row["published"] or "",
                      row["source"] or "", row["url"] or "", row["authors"], row["extra"])
    paragraphs = [Paragraph(article_id, r["n"], r["text"], r["start"], r["end"], r["speakers"])
                  for r in sorted(stored.values(), key=lambda r: r["n"])]
    return article, row["content_hash"], True, paragraphs


def _write(store: IndexStore, todo, report: IngestReport, progress: bool) -> None:
    """Articles are embedded in batches of about `index.ingest_batch_windows` windows. One batch's Chroma
    write runs on a worker thread while the next batch is read and encoded (the HNSW inserts then hide
    behind the encoder); one write at a time, and each batch waits for the one before to finish."""
    from tqdm import tqdm

    bar = tqdm(total=len(todo), unit="article", desc="ingest", disable=not progress or not todo)
    batch: list[tuple[Article, str, bool, list[Paragraph], list[tuple]]] = []
    windows = 0
    writing = None  # the previous batch's write
    with ThreadPoolExecutor(1, thread_name_prefix="ingest-write") as writer:
        for article, digest, existed, *given in todo:
            paragraphs = given[0] if given else make_paragraphs(article)
            rows = _window_rows(store, article, paragraphs)
            batch.append((article, digest, existed, paragraphs, rows))
            windows += len(rows)
            if windows >= store.settings.index.ingest_batch_windows:
                writing = _flush(store, batch, report, bar, writer, writing)
                batch, windows = [], 0
        writing = _flush(store, batch, report, bar, writer, writing)
        if writing is not None:
            writing.result()
    bar.close()


def _window_rows(store: IndexStore, article: Article, paragraphs: list[Paragraph]) -> list[tuple]:
    meta = {"article_id": article.article_id, "title": article.title[:500], "source": article.source,
            "published": article.published, "published_day": published_day(article.published)}
    rows = []
    for p, spans in zip(paragraphs, store.embedder.windows_of([p.text for p in paragraphs])):
        for w, (s, e) in enumerate(spans):
            rows.append((p.paragraph_id, w, p.text[s:e], {**meta, "paragraph_id": p.paragraph_id, "n": p.n}))
    return rows


def _flush(store: IndexStore, batch, report: IngestReport, bar, writer, writing):
    """Encode `batch` here, then (after the previous write is done) hand its write to `writer`."""
    if not batch:
        return writing
    vectors = store.embedder.encode([row[2] for *_, rows in batch for row in rows])
    if writing is not None:
        writing.result()  # in order, and an error of the previous batch stops the ingest here
    for article, digest, existed, paragraphs, rows in batch:
        store.manifest.begin(article, digest, paragraphs, Counter(row[0] for row in rows))
        if existed:
            store.vectors.delete_article(article.article_id)
    return writer.submit(_store_batch, store, batch, vectors, report, bar)


def _store_batch(store: IndexStore, batch, vectors, report: IngestReport, bar) -> None:
    # One Chroma write for the whole batch (split at the server's max batch size by `add`): per-article
    # writes of ~45 windows each cost a fixed overhead per call. The articles are `pending` until it is done.
    store.vectors.add([row for *_, rows in batch for row in rows], vectors)
    for article, digest, existed, paragraphs, _ in batch:
        store.manifest.commit(article.article_id)
        (report.updated if existed else report.added).append(article.article_id)
        report.paragraphs += len(paragraphs)
        bar.update(1)
