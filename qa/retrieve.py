"""Hybrid retrieval: dense (Chroma) + keyword (BM25) + the named speaker's paragraphs, fused by weighted
reciprocal rank fusion, with filters and an `as_of` date applied inside each retriever (not afterwards, so
top-k is always filled from the allowed articles; how each one does that is the index's business).
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from index.constraints import Constraints
from index.store import IndexStore
from qa.filters import resolve_constraints
from qa.query import QuestionInfo, analyze, known_speakers, strip_titles
from qa.reprints import one_per_story, with_also_in
from qa.types import Filters, Passage


@dataclass
class Retrieval:
    """The passages found for a question, best first, and what the question was read as (its speakers and
    names are what the answerer looks for, so it is analyzed once)."""

    passages: list[Passage]
    info: QuestionInfo


_POOL = ThreadPoolExecutor(4, thread_name_prefix="keyword-search")


def rrf(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion (Cormack, Clarke & Buettcher 2009)."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, pid in enumerate(ids, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return fused


def retrieve(store: IndexStore, settings, question: str, k: int | None = None, as_of: date | None = None,
             filters: Filters | dict | None = None) -> list[Passage]:
    return search(store, settings, question, k, as_of, filters).passages


def search(store: IndexStore, settings, question: str, k: int | None = None, as_of: date | None = None,
           filters: Filters | dict | None = None) -> Retrieval:
    rs = settings.retrieval
    k = k or rs.top_k
    info = analyze(question, as_of, known_speakers(store), window_days=rs.recent_window_days)
    if not re.search(r"\w", question):  # only punctuation or symbols: nothing to look for, so nothing found
        return Retrieval([], info)
    constraints = resolve_constraints(store, info, filters)
    vector = store.embedder.encode([info.question], question_time=True)[0]  # once, for the fallback too
    passages = _retrieve(store, rs, info, vector, constraints, k, as_of)
    if not passages and info.date_from:
        # "this week" found nothing in that week: fall back to everything before as_of.
        info.date_from = None
        passages = _retrieve(store, rs, info, vector, resolve_constraints(store, info, filters), k, as_of)
    return Retrieval(passages, info)


def _retrieve(store: IndexStore, rs, info: QuestionInfo, vector, c: Constraints, k: int,
              as_of: date | None) -> list[Passage]:
    keyword_index = store.keyword  # one snapshot for both: the dense search plans with its paragraph table
    # The BM25 search runs on a worker thread while Chroma searches here: both spend their time outside the
    # GIL (Chroma's Rust query, numpy's scoring), so the hybrid query costs about the slower of the two.
    keyword_search = _POOL.submit(keyword_index.search, info.question, rs.candidates, c)
    dense = store.vectors.search(vector, rs.candidates, c, keyword_index.table)
    keyword = keyword_search.result()
    rankings = [([h.paragraph_id for h in dense], rs.dense_weight),
                ([h.paragraph_id for h in keyword], rs.keyword_weight)]
    if info.speakers:
        rankings.append((_speaker_ranking(store, keyword_index.table, info, c, dense, keyword, rs.candidates),
                         rs.speaker_weight))
    fused = rrf(rankings, rs.rrf_k)
    # Dates (for recency) of every candidate from the snapshot's paragraph table (in memory: a named speaker
    # can bring thousands of candidates on a big corpus), then the full rows of the top k only.
    facts = keyword_index.table.facts(list(fused))
    recency = {pid: recency_factor(day, as_of, rs.recency_half_life_days)
               for pid, (_, day, _) in facts.items()} if as_of else {}
    for pid, factor in recency.items():
        fused[pid] *= factor
    if info.speaker_slot is not None and rs.speaker_story_articles:
        # what the question's words found, without the speaker's other words
        about = {pid: score * recency.get(pid, 1.0) for pid, score in rrf(rankings[:2], rs.rrf_k).items()}
        lifted = _speaker_in_story(store, keyword_index.table, info, c, fused, about, facts,
                                   rs.speaker_story_articles, max(1, k - 2))
        facts.update(keyword_index.table.facts(lifted))
    dense_scores = {h.paragraph_id: h.score for h in dense}
    top = one_per_story(store, sorted((pid for pid in fused if pid in facts), key=lambda pid: -fused[pid]), k)
    rows = store.manifest.paragraphs(top)
    passages = [_passage(rows[pid], fused[pid], dense_scores.get(pid)) for pid in top if pid in rows]
    return with_also_in(store, passages, as_of)


def _speaker_ranking(store, table, info: QuestionInfo, c: Constraints, dense, keyword, limit: int) -> list[str]:
    """The named speakers' paragraphs that the constraints let through: those the other retrievers found, in
    their order, then at most `limit` others (in id order, as before the cap). A speaker quoted in thousands of
    paragraphs brings what fusion can use, not all of them: a paragraph only this list holds, at rank r, scores
    1 / (rrf_k + r), below each of the dense list's first k once r > k (recency and reprints aside), so the cap
    at `limit` (the candidates per retriever, 50 against a top k of 5) changes no top k in practice."""
    order = {h.paragraph_id: i for i, h in enumerate(dense)}
    for i, h in enumerate(keyword):
        order[h.paragraph_id] = min(order.get(h.paragraph_id, i), i)
    found = store.manifest.paragraphs_of_speakers(info.speakers, among=sorted(order, key=lambda pid: (order[pid], pid)))

    others: list[str] = []
    after = ""
    while len(others) < limit:  # pages of the speakers' other paragraphs until `limit` pass the constraints
        page = store.manifest.paragraphs_of_speakers(info.speakers, after=after, limit=4 * limit)
        others += [pid for pid in table.allowed_ids(page, c) if pid not in order]
        if len(page) < 4 * limit:
            break
        after = page[-1]
    return table.allowed_ids(found, c) + others[:limit]


def _speaker_in_story(store, table, info: QuestionInfo, c: Constraints, fused: dict[str, float],
                      about: dict[str, float], facts, articles: int, most: int) -> list[str]:
    """"What did X say about T?": the story about T is found by T's words (its title, its lead), but X's words
    in it rarely repeat them, while X's words in other stories match X's name as well. In the `articles`
    stories that the question's words found best (`about`: dense and keyword fused, without the speaker's
    paragraphs elsewhere, which would make X's most quoted story the story), the paragraphs attributed to X,
    then those that name X ("Feinstein said", "Clinton will focus on ...": a reported statement the speaker
    extraction did not attribute, or a speaker it does not know), rank first: by story, then in the order
    fusion had them; at most `most`, so the top k keeps room for other stories. `fused` is changed in place;
    returns the lifted ids."""
    best: dict[str, float] = {}
    for pid, score in about.items():
        if pid in facts:
            article = facts[pid][0]
            best[article] = max(best.get(article, 0.0), score)
    stories = sorted(best, key=lambda a: -best[a])[:articles]
    wanted = {name.lower() for name in info.speakers}
    named = _surname_pattern([*info.speakers, *_person_named(info.speaker_slot or "")])
    said: dict[str, tuple[int, int]] = {}  # paragraph -> (story, attributed 0 / named 1)
    for pid, article, text, speakers in store.manifest.article_paragraphs(stories):
        if wanted & {s.lower() for s in speakers}:
            said[pid] = (stories.index(article), 0)
        elif named is not None and named.search(text):
            said[pid] = (stories.index(article), 1)
    allowed = table.allowed_ids(list(said), c)
    lifted = sorted(allowed, key=lambda pid: (*said[pid], -fused.get(pid, 0.0)))[:most]
    top = max(fused.values(), default=0.0)
    for rank, pid in enumerate(lifted):
        fused[pid] = top * (1.01 - 0.001 * rank)
    return lifted


def _person_named(slot: str) -> list[str]:
    """The slot as a person's name ("Mr. Joyce", "Lawrence Joyce": capitalized words, titles aside), or none
    ("the mayor of Riverton" names a role and a place: its last word is no surname)."""
    name = strip_titles(slot)
    words = name.split()
    return [name] if 0 < len(words) <= 4 and all(w[:1].isupper() for w in words) else []


def _surname_pattern(names: list[str]) -> re.Pattern | None:
    """A pattern for the capitalized last words of `names` ("Helen Marsh", "Mr. Joyce" -> Marsh, Joyce)."""
    surnames = sorted({last for last in (name.split()[-1].strip(".,’'") for name in names if name.split())
                       if len(last) > 1 and last[0].isupper()})
    return re.compile(r"\b(?:" + "|".join(map(re.escape, surnames)) + r")\b") if surnames else None


def recency_factor(day: int, as_of: date, half_life_days: float) -> float:
    """1 for an article of the as_of day (`day` numbered as index/dates.py does: 20231110), falling towards 0.5
    for old ones (never below: old news is news); 0.5 when undated."""
    try:
        published = date(day // 10000, day // 100 % 100, day % 100)
    except ValueError:  # 0 (undated), or only a year was known
        return 0.5
    age = max(0, (as_of - published).days)
    return 0.5 + 0.5 * 0.5 ** (age / half_life_days)


def _passage(row: dict, score: float, dense_score: float | None) -> Passage:
    return Passage(article_id=row["article_id"], paragraph_id=row["paragraph_id"], paragraph=row["n"],
                   text=row["text"], score=score, title=row["title"], published=row["published"],
                   source=row["source"], url=row["url"], authors=row["authors"],
                   speakers=sorted({a.speaker for a in row["speakers"]}), start=row["start"], end=row["end"],
                   dense_score=dense_score)
