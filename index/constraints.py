"""Filters and dates resolved into what the indexes check: a day range, sources, article ids."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Constraints:
    day_from: int = 0
    day_to: int = 0  # 0: no bound (days are `index.dates.published_day` numbers)
    sources: list[str] | None = None
    article_ids: list[str] | None = None

    def chroma_where(self) -> dict | None:
        terms: list[dict[str, Any]] = []
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

    def mask(self, days: np.ndarray | None, sources: np.ndarray | None, article_ids: np.ndarray | None,
             n: int) -> np.ndarray:
        """Which of these n paragraphs (arrays of their day, source, article id; a column the filters do not
        test may be None) the filters let through."""
        tested = [(self.day_from or self.day_to, days), (self.sources is not None, sources),
                  (self.article_ids is not None, article_ids)]
        if any(used and column is None for used, column in tested):
            raise ValueError("a column the constraints test was not given")
        keep = np.ones(n, dtype=bool)
        if self.day_from and days is not None:
            keep &= days >= self.day_from
        if self.day_to and days is not None:
            keep &= days <= self.day_to
        if self.sources is not None and sources is not None:
            keep &= np.isin(sources, self.sources)
        if self.article_ids is not None and article_ids is not None:
            keep &= np.isin(article_ids, self.article_ids)
        return keep

    @property
    def active(self) -> bool:
        return bool(self.day_from or self.day_to or self.sources is not None or self.article_ids is not None)
