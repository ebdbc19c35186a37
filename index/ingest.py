"""Ingest: files -> articles -> paragraphs (with speakers) -> window vectors in Chroma + BM25.

Incremental and idempotent: each article carries a content hash; an unchanged article is skipped, a
changed one has all its old paragraphs deleted before the new ones are written. Vectors are computed in
batches that span articles (the encoder is the cost that matters) and written to Chroma in one call per
batch, between the manifest's `begin` and `commit` of its articles, so a crash leaves at most one batch
of `pending` articles to repair.
A run also marks the manifest `ingest_running` until it has finished (BM25 refreshed included); the next run
that finds the mark knows the last one was killed and first runs the full `doctor` repair. The writing itself
is `index.writer`'s, shared with `doctor`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.dedupe import sync as sync_duplicates
from index.doctor import repair
from index.loaders import load_paths
from index.store import IndexStore
from index.types import Article
from index.writer import PendingArticle, write_articles

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


def recover_pending(store: IndexStore) -> list[str]:
    """Remove articles an interrupted ingest left half-written; they are ingested again from their files."""
    pending = [aid for aid, (_, state) in store.manifest.content_hashes().items() if state != "done"]
    for article_id in pending:
        store.vectors.delete_article(article_id)
        store.manifest.delete(article_id)
    return pending


def ingest(store: IndexStore, paths, prune: bool = False, progress: bool = True) -> IngestReport:
    report = IngestReport()
    if store.manifest.meta(RUNNING):
        log.warning("the last ingest did not finish (%s); checking the index", store.manifest.meta(RUNNING))
        fixed = repair(store, progress=progress)
        report.repaired, report.doctor = list(fixed.repaired_articles), fixed.to_dict()
    store.manifest.set_meta(RUNNING, f"pid {os.getpid()} at {time.strftime('%Y-%m-%d %H:%M:%S')}")
    report.repaired += recover_pending(store)
    loaded = load_paths(paths, int(store.settings.index.max_article_mb * 1_000_000))
    report.skipped += [{"path": str(e.path), "reason": e.reason} for e in loaded.errors]
    known = store.manifest.content_hashes()
    todo: list[PendingArticle] = []
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
            todo.append(PendingArticle(article, digest, article.article_id in known))
    written = write_articles(store, todo, progress)
    report.added, report.updated, report.paragraphs = written.added, written.updated, written.paragraphs
    if prune:
        for row in store.manifest.articles(state=None):
            if row["article_id"] not in seen and not Path(row["source_path"]).exists():
                store.delete_article(row["article_id"])
                report.removed.append(row["article_id"])
    sync_duplicates(store)  # syndicated copies: story and paragraph clusters (index/dedupe.py)
    _ = store.keyword  # rebuilt now, off the path of the next question, so all three indexes agree on disk
    store.manifest.set_meta(RUNNING, None)
    return report
