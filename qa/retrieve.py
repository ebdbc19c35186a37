"""Hybrid retrieval: dense (Chroma) + keyword (BM25) + the named speaker's paragraphs, fused by weighted
reciprocal rank fusion, with filters and an `as_of` date applied inside each retriever (not afterwards, so
top-k is always filled from the allowed articles).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.store import IndexStore
from index.vectors import published_day
from qa.query import QuestionInfo, analyze, known_speakers
from qa.reprints import one_per_story, with_also_in
from qa.types import Passage

FILTER_KEYS = {"source", "author", "article_id", "date_from", "date_to"}
# Chroma's metadata filter costs time linear in the collection (~0.5 s at 170k paragraphs), an unfiltered
# query of a few hundred windows a few tens of ms: a filter that lets most paragraphs through is applied
# to such an over-fetched list instead, when its share of the corpus says it will still fill top-k.
MAX_DENSE_FETCH = 400
# Up to this many windows, a filtered question searches just the windows its filters allow (`ids=`).
MAX_ID_FILTER = 100_000
# At most this many of them, and under this share of the corpus, are compared exactly instead
# (VectorIndex.nearest_among): Chroma is faster for more ids, or for a few of a small collection
# (measured: 192 ids of 10k took Chroma ~10 ms; 80 ids of 1M, 1.3 s).
EXACT_SEARCH_IDS = 400
EXACT_SEARCH_SHARE = 0.001


@dataclass
class Constraints:
    """Filters and dates resolved into what the retrievers check."""

    day_from: int = 0
    day_to: int = 0  # 0: no bound
    sources: list[str] | None = None
    article_ids: list[str] | None = None

    def chroma_where(self) -> dict | None:
        terms = []
        if self.day_from:
            terms.append({"published_day": {"$gte": self.day_from}})
        if self.day_to:
            terms.append({"published_day": {"$lte": self.day_to}})
        if self.sources is not None:
            terms.append({"source": {"$in": self.sources}})
        if self.article_ids is not None:
            terms.append({"article_id": {"$in": self.article_ids}})
        return None if not terms else terms[0] if len(terms) == 1 else {"$and": terms}

    def allows(self, day: int, source: str, article_id: str) -> bool:
        return ((not self.day_from or day >= self.day_from) and (not self.day_to or day <= self.day_to)
                and (self.sources is None or source in self.sources)
                and (self.article_ids is None or article_id in self.article_ids))

    def mask(self, days: np.ndarray, sources: np.ndarray, article_ids: np.ndarray) -> np.ndarray:
        """Which of these paragraphs (arrays of their day, source, article id) the filters let through."""
        keep = np.ones(len(days), dtype=bool)
        if self.day_from:
            keep &= days >= self.day_from
        if self.day_to:
            keep &= days <= self.day_to
        if self.sources is not None:
            keep &= np.isin(sources, self.sources)
        if self.article_ids is not None:
            keep &= np.isin(article_ids, self.article_ids)
        return keep

    @property
    def active(self) -> bool:
        return bool(self.day_from or self.day_to or self.sources is not None or self.article_ids is not None)


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _day(value) -> int:
    return published_day(value.isoformat() if isinstance(value, date) else str(value)[:10])


def resolve_constraints(store: IndexStore, info: QuestionInfo, filters: dict | None) -> Constraints:
    filters = dict(filters or {})
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise ValueError(f"unknown filter(s) {sorted(unknown)}; known: {sorted(FILTER_KEYS)}")
    c = Constraints()
    days_from = [d for d in (_day(filters["date_from"]) if filters.get("date_from") else 0,
                             _day(info.date_from) if info.date_from else 0) if d]
    days_to = [d for d in (_day(filters["date_to"]) if filters.get("date_to") else 0,
                           _day(info.date_to) if info.date_to else 0) if d]
    c.day_from = max(days_from, default=0)
    c.day_to = min(days_to, default=0)
    if filters.get("source"):
        c.sources = _as_list(filters["source"])
    ids = set(_as_list(filters["article_id"])) if filters.get("article_id") else None
    if filters.get("author"):
        by_author = set(store.manifest.articles_by_author(str(filters["author"])))
        ids = by_author if ids is None else ids & by_author
    if ids is not None:
        c.article_ids = sorted(ids) or ["\0none"]  # an empty allow-list must match nothing
    return c


def rrf(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion (Cormack, Clarke & Buettcher 2009)."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, pid in enumerate(ids, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return fused


def retrieve(store: IndexStore, settings, question: str, k: int | None = None, as_of: date | None = None,
             filters: dict | None = None) -> list[Passage]:
    rs = settings.retrieval
    k = k or rs.top_k
    if not re.search(r"\w", question):  # only punctuation or symbols: nothing to look for, so nothing found
        return []
    info = analyze(question, as_of, known_speakers(store), window_days=rs.recent_window_days)
    constraints = resolve_constraints(store, info, filters)
    passages = _retrieve(store, rs, info, constraints, k, as_of)
    if not passages and info.date_from:
        # "this week" found nothing in that week: fall back to everything before as_of.
        info.date_from = None
        passages = _retrieve(store, rs, info, resolve_constraints(store, info, filters), k, as_of)
    return passages


def _retrieve(store: IndexStore, rs, info: QuestionInfo, c: Constraints, k: int, as_of: date | None) -> list[Passage]:
    vector = store.embedder.encode([info.question], question_time=True)[0]
    keyword_index = store.keyword
    dense = _dense(store, keyword_index, vector, rs.candidates, c)
    keyword = keyword_index.search(info.question, rs.candidates, c.mask if c.active else None)
    rankings = [([h.paragraph_id for h in dense], rs.dense_weight),
                ([h.paragraph_id for h in keyword], rs.keyword_weight)]
    if info.speakers:
        rankings.append((_speaker_ranking(store, info, c, dense, keyword), rs.speaker_weight))
    fused = rrf(rankings, rs.rrf_k)
    # Dates (for recency) of every candidate, then the full rows of the top k only: a named speaker can
    # bring thousands of candidates on a big corpus.
    facts = store.manifest.paragraph_facts(list(fused))
    if as_of:
        for pid, (_, published, _) in facts.items():
            fused[pid] *= recency_factor(published, as_of, rs.recency_half_life_days)
    dense_scores = {h.paragraph_id: h.score for h in dense}
    top = one_per_story(store, sorted((pid for pid in fused if pid in facts), key=lambda pid: -fused[pid]), k)
    rows = store.manifest.paragraphs(top)
    passages = [_passage(rows[pid], fused[pid], dense_scores.get(pid)) for pid in top if pid in rows]
    return with_also_in(store, passages, as_of)


def _dense(store: IndexStore, keyword_index, vector, k: int, c: Constraints):
    """Dense hits under the constraints, without Chroma's `where` (its cost grows with the collection) where
    it can. The keyword index lists the paragraphs the filters let through, by binary search over dates and
    by value for sources and article ids. When they are a large share of the corpus, an over-fetched
    unfiltered list is checked here; when they are few, only their windows are searched (`ids=`). Otherwise,
    or when either falls short, Chroma filters."""
    if not c.active:
        return store.vectors.query(vector, k)
    positions = keyword_index.positions(c.day_from, c.day_to, c.sources, c.article_ids, c.mask)
    share = len(positions) / len(keyword_index.days) if len(keyword_index.days) else 0.0
    fetch = int(1.5 * k / share) + 1 if share else MAX_DENSE_FETCH + 1
    if fetch <= MAX_DENSE_FETCH:
        keep = lambda meta: c.allows(meta.get("published_day", 0), meta.get("source", ""), meta["article_id"])  # noqa: E731
        hits = store.vectors.query(vector, k, keep=keep, fetch=fetch)
        if hits is not None:
            return hits
    ids = keyword_index.window_ids(positions, limit=MAX_ID_FILTER)
    if ids is not None:
        few = len(ids) <= min(EXACT_SEARCH_IDS, EXACT_SEARCH_SHARE * len(keyword_index.days))
        hits = store.vectors.nearest_among(vector, k, ids) if few else store.vectors.query(vector, k, ids=ids)
        if hits is not None:
            return hits
    return store.vectors.query(vector, k, c.chroma_where())


def _speaker_ranking(store, info: QuestionInfo, c: Constraints, dense, keyword) -> list[str]:
    """The named speakers' paragraphs, ordered by how the other retrievers ranked them."""
    pids = store.manifest.paragraphs_of_speakers(info.speakers)
    if c.active:
        facts = store.manifest.paragraph_facts(pids)
        allowed = [pid for pid, (article_id, published, source) in facts.items()
                   if c.allows(published_day(published), source, article_id)]
    else:
        allowed = pids  # articles not `done` yet are dropped with the other candidates in `_retrieve`
    order = {h.paragraph_id: i for i, h in enumerate(dense)}
    for i, h in enumerate(keyword):
        order[h.paragraph_id] = min(order.get(h.paragraph_id, i), i)
    return sorted(allowed, key=lambda pid: (order.get(pid, len(order)), pid))


def recency_factor(published: str, as_of: date, half_life_days: float) -> float:
    """1 for an article of the as_of day, falling towards 0.5 for old ones (never below: old news is news)."""
    if not published:
        return 0.5
    age = max(0, (as_of - date.fromisoformat(published)).days)
    return 0.5 + 0.5 * 0.5 ** (age / half_life_days)


def _passage(row: dict, score: float, dense_score: float | None) -> Passage:
    return Passage(article_id=row["article_id"], paragraph_id=row["paragraph_id"], paragraph=row["n"],
                   text=row["text"], score=score, title=row["title"], published=row["published"],
                   source=row["source"], url=row["url"], authors=row["authors"],
                   speakers=sorted({a.speaker for a in row["speakers"]}), start=row["start"], end=row["end"],
                   dense_score=dense_score)
