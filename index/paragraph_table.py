"""The paragraph table: per indexed paragraph, its article id, day, source and number of vector windows, as
numpy columns in the keyword index's order.

Filters are checked on it without touching Chroma: the BM25 search masks the paragraphs holding a query term,
and the dense search plans with it (how many paragraphs a filter lets through, and the ids of their windows).
It is saved and loaded with the keyword index, from the same manifest generation.
"""
from __future__ import annotations

import numpy as np

from index.constraints import Constraints
from index.dates import published_day
from index.ids import window_id


class ParagraphTable:
    def __init__(self, paragraph_ids: list[str], article_ids: list[str], days: list[int], sources: list[str],
                 windows: list[int]):
        self.paragraph_ids = paragraph_ids
        self.article_ids = np.array(article_ids, dtype=object)
        self.days = np.array(days, dtype=np.int64)
        self.sources = np.array(sources, dtype=object)
        self.windows = np.array(windows, dtype=np.int32)  # vector windows per paragraph; 0: not recorded
        self._day_order: np.ndarray | None = None  # positions in day order, and their days: built on first use
        self._sorted_days: np.ndarray | None = None
        self._value_index: dict[str, dict[str, np.ndarray]] = {}  # field -> value -> positions, built on first use
        self._hashes: np.ndarray | None = None  # paragraph ids' hashes, sorted, and their positions: first use
        self._hash_order: np.ndarray | None = None

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> ParagraphTable:
        """rows: (paragraph_id, article_id, text, published, source, windows) from the manifest."""
        return cls([r[0] for r in rows], [r[1] for r in rows], [published_day(r[3]) for r in rows],
                   [r[4] for r in rows], [r[5] or 0 for r in rows])

    @classmethod
    def from_json(cls, data: dict) -> ParagraphTable:
        return cls(data["paragraph_ids"], data["article_ids"], data["days"], data["sources"], data["windows"])

    def to_json(self) -> dict:
        return {"paragraph_ids": self.paragraph_ids, "article_ids": self.article_ids.tolist(),
                "days": self.days.tolist(), "sources": self.sources.tolist(), "windows": self.windows.tolist()}

    def __len__(self) -> int:
        return len(self.paragraph_ids)

    def _day_sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """(positions in day order, their days), sorted once per snapshot."""
        if self._day_order is None or self._sorted_days is None:
            self._day_order = np.argsort(self.days, kind="stable")
            self._sorted_days = self.days[self._day_order]
        return self._day_order, self._sorted_days

    def _day_range(self, day_from: int, day_to: int) -> tuple[int, int]:
        """[low, high) in day order of the paragraphs published within [day_from, day_to] (0: open end)."""
        _, sorted_days = self._day_sorted()
        low = int(np.searchsorted(sorted_days, day_from, "left")) if day_from else 0
        high = int(np.searchsorted(sorted_days, day_to, "right")) if day_to else len(sorted_days)
        return low, high

    def _positions_of(self, field: str, values: list[str]) -> np.ndarray:
        """Positions of the paragraphs whose `field` (sources | article_ids) is one of `values`, from an
        index built once per snapshot (one sort), not a scan per question."""
        index = self._value_index.get(field)
        if index is None:
            column = getattr(self, field).astype(str)
            order = np.argsort(column, kind="stable")
            keys, starts = np.unique(column[order], return_index=True)
            bounds = np.append(starts, len(order))
            index = self._value_index[field] = {k: order[a:b]
                                                for k, a, b in zip(keys.tolist(), bounds[:-1], bounds[1:])}
        empty = np.array([], dtype=np.int64)
        found = [index.get(v, empty) for v in values]
        return np.concatenate(found) if found else empty

    def lookup(self, paragraph_ids: list[str]) -> dict[str, int]:
        """paragraph_id -> position, for the ids this snapshot holds. By binary search over the ids' 64-bit
        hashes, sorted once per snapshot (16 bytes a paragraph: a dict of 1M ids would cost ~80 MiB), each
        hit checked against the id itself."""
        if self._hashes is None or self._hash_order is None:
            hashes = np.fromiter((hash(pid) for pid in self.paragraph_ids), dtype=np.int64,
                                 count=len(self.paragraph_ids))
            self._hash_order = np.argsort(hashes, kind="stable")
            self._hashes = hashes[self._hash_order]
        if not paragraph_ids:
            return {}
        wanted = np.fromiter((hash(pid) for pid in paragraph_ids), dtype=np.int64, count=len(paragraph_ids))
        starts = np.searchsorted(self._hashes, wanted, "left")
        out = {}
        for pid, h, i in zip(paragraph_ids, wanted.tolist(), starts.tolist()):
            while i < len(self._hashes) and self._hashes[i] == h:  # more than one only on a hash collision
                position = int(self._hash_order[i])
                if self.paragraph_ids[position] == pid:
                    out[pid] = position
                    break
                i += 1
        return out

    def facts(self, paragraph_ids: list[str]) -> dict[str, tuple[str, int, str]]:
        """paragraph_id -> (article_id, day, source) of the ids this snapshot holds (the indexed paragraphs of
        `done` articles at its manifest generation): what ranking and filters need, without a query."""
        found = self.lookup(paragraph_ids)
        return {pid: (self.article_ids[i], int(self.days[i]), self.sources[i]) for pid, i in found.items()}

    def allowed_ids(self, paragraph_ids: list[str], c: Constraints) -> list[str]:
        """The ids of `paragraph_ids` this snapshot holds and the constraints let through, in their order."""
        found = self.lookup(paragraph_ids)
        positions = np.fromiter(found.values(), dtype=np.int64, count=len(found))
        passed = {pid for pid, ok in zip(found, self.allowed(positions, c).tolist()) if ok}
        return [pid for pid in paragraph_ids if pid in passed]

    def positions(self, c: Constraints) -> np.ndarray | None:
        """Positions of the paragraphs the constraints let through: the smallest of the sets its dates (binary
        search), sources and article ids (value indexes) select, then checked in full; None without any
        constraint. Costs what the constraints select, not the corpus size."""
        sets = []
        if c.day_from or c.day_to:
            low, high = self._day_range(c.day_from, c.day_to)
            sets.append(self._day_sorted()[0][low:high])
        if c.sources is not None:
            sets.append(self._positions_of("sources", c.sources))
        if c.article_ids is not None:
            sets.append(self._positions_of("article_ids", c.article_ids))
        if not sets:
            return None
        picked = min(sets, key=len)
        if len(picked):
            picked = picked[self.allowed(picked, c)]
        return picked

    def allowed(self, positions: np.ndarray, c: Constraints) -> np.ndarray:
        """Which of the paragraphs at `positions` the constraints let through (a bool array)."""
        # Only the columns the constraints test are gathered: the object columns cost most, and a dated BM25
        # search checks every paragraph holding a query term (hundreds of thousands at 1M).
        return c.mask(self.days[positions] if c.day_from or c.day_to else None,
                      self.sources[positions] if c.sources is not None else None,
                      self.article_ids[positions] if c.article_ids is not None else None, len(positions))

    def window_ids(self, positions: np.ndarray, limit: int = 0) -> list[str] | None:
        """The Chroma ids of every window of the paragraphs at `positions`; None when they are more than
        `limit` or a paragraph's window count was never recorded."""
        counts = self.windows[positions]
        if (counts <= 0).any() or (limit and counts.sum() > limit):
            return None
        return [window_id(self.paragraph_ids[i], w) for i, n in zip(positions.tolist(), counts.tolist())
                for w in range(n)]
