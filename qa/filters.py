"""A question's filters and its dates ("this week", as_of) resolved into the index's `Constraints`."""
from __future__ import annotations

from index.constraints import Constraints
from index.dates import day_number
from index.store import IndexStore
from qa.query import QuestionInfo
from qa.types import Filters


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def resolve_constraints(store: IndexStore, info: QuestionInfo, filters: Filters | dict | None) -> Constraints:
    f = Filters.of(filters) or Filters()
    c = Constraints()
    days_from = [d for d in (day_number(f.date_from) if f.date_from else 0,
                             day_number(info.date_from) if info.date_from else 0) if d]
    days_to = [d for d in (day_number(f.date_to) if f.date_to else 0,
                           day_number(info.date_to) if info.date_to else 0) if d]
    c.day_from = max(days_from, default=0)
    c.day_to = min(days_to, default=0)
    if f.source:
        c.sources = _as_list(f.source)
    ids = set(_as_list(f.article_id)) if f.article_id else None
    if f.author:
        by_author = set(store.manifest.articles_by_author(str(f.author)))
        ids = by_author if ids is None else ids & by_author
    if ids is not None:
        c.article_ids = sorted(ids) or ["\0none"]  # an empty allow-list must match nothing
    return c
