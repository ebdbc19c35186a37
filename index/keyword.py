"""BM25 keyword index (bm25s) over the same paragraphs as Chroma, rebuilt from the manifest.

It is derived data: the manifest's generation number is saved with it, and a stale or missing index is
rebuilt from the manifest, so Chroma and BM25 cannot drift apart. Per-paragraph metadata (article id,
date, source) is kept next to it as arrays, so filters are checked on the paragraphs that hold a query
term, inside the search (so top-k is filled from allowed paragraphs), never as a corpus-sized mask.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.vectors import published_day


# Chinese and Japanese are written without spaces, so a whole clause would be one token; overlapping
# character bigrams (as Lucene's CJK analyzer does) let "図書館" match inside "新しい図書館を".
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,}")


def cjk_bigrams(text: str) -> str:
    return _CJK_RUN.sub(lambda m: " " + " ".join(m[0][i:i + 2] for i in range(len(m[0]) - 1)) + " ", text)


def _stemmer():
    try:
        import Stemmer
    except ImportError:  # stemming improves recall a little; plain tokens still work
        return None
    return Stemmer.Stemmer("english").stemWords


@dataclass
class KeywordHit:
    paragraph_id: str
    article_id: str
    score: float


class KeywordIndex:
    def __init__(self, directory: Path):
        self.directory = directory
        self.generation = -1
        self.paragraph_ids: list[str] = []
        self.article_ids = np.array([], dtype=object)
        self.days = np.array([], dtype=np.int64)
        self.sources = np.array([], dtype=object)
        self.windows = np.array([], dtype=np.int32)  # vector windows per paragraph; 0: not recorded
        self._bm25 = None
        self._sorted_days = self._day_order = None
        self._value_index: dict[str, dict[str, np.ndarray]] = {}  # field -> value -> positions, built on first use
        self._stem = _stemmer()

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        texts = [cjk_bigrams(t) for t in texts]
        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stem, return_ids=False, show_progress=False)

    def rebuild(self, rows, generation: int) -> None:
        """rows: (paragraph_id, article_id, text, published, source, windows) from the manifest."""
        import bm25s

        rows = list(rows)
        self.paragraph_ids = [r[0] for r in rows]
        self.article_ids = np.array([r[1] for r in rows], dtype=object)
        self.days = np.array([published_day(r[3]) for r in rows], dtype=np.int64)
        self.sources = np.array([r[4] for r in rows], dtype=object)
        self.windows = np.array([r[5] or 0 for r in rows], dtype=np.int32)
        self._bm25 = self._sorted_days = self._day_order = None
        if rows:
            self._bm25 = bm25s.BM25()
            self._bm25.index(self.tokenize([r[2] for r in rows]), show_progress=False)
        self.generation = generation
        self._save()

    def _save(self) -> None:
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "rows.json").write_text(json.dumps({
            "generation": self.generation, "paragraph_ids": self.paragraph_ids,
            "article_ids": self.article_ids.tolist(), "days": self.days.tolist(), "sources": self.sources.tolist(),
            "windows": self.windows.tolist()}))
        # Swap in the finished directory so a crash never leaves a half-written index behind.
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def load(self) -> bool:
        """Load the saved index; False when there is none."""
        rows_file = self.directory / "rows.json"
        if not rows_file.exists():
            return False
        import bm25s

        rows = json.loads(rows_file.read_text())
        if "windows" not in rows:  # saved by an older version: rebuilt from the manifest
            return False
        self.generation = rows["generation"]
        self.paragraph_ids = rows["paragraph_ids"]
        self.article_ids = np.array(rows["article_ids"], dtype=object)
        self.days = np.array(rows["days"], dtype=np.int64)
        self.sources = np.array(rows["sources"], dtype=object)
        self.windows = np.array(rows["windows"], dtype=np.int32)
        self._sorted_days = self._day_order = None
        bm25_dir = self.directory / "bm25"
        self._bm25 = bm25s.BM25.load(str(bm25_dir), show_progress=False) if bm25_dir.exists() else None
        return True

    def _day_range(self, day_from: int, day_to: int) -> tuple[int, int]:
        """[low, high) in day order of the paragraphs published within [day_from, day_to] (0: open end)."""
        if self._sorted_days is None:
            self._day_order = np.argsort(self.days, kind="stable")
            self._sorted_days = self.days[self._day_order]
        low = int(np.searchsorted(self._sorted_days, day_from, "left")) if day_from else 0
        high = int(np.searchsorted(self._sorted_days, day_to, "right")) if day_to else len(self._sorted_days)
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
            index = self._value_index[field] = {k: order[a:b] for k, a, b in zip(keys.tolist(), bounds[:-1], bounds[1:])}
        empty = np.array([], dtype=np.int64)
        found = [index.get(v, empty) for v in values]
        return np.concatenate(found) if found else empty

    def positions(self, day_from: int = 0, day_to: int = 0, sources: list[str] | None = None,
                  article_ids: list[str] | None = None, allow=None) -> np.ndarray | None:
        """Positions of the paragraphs a filter lets through: the smallest of the sets its dates (binary
        search), sources and article ids (value indexes) select, checked in full by `allow(days, sources,
        article_ids)`; None without any filter. Costs what the filter selects, not the corpus size."""
        sets = []
        if day_from or day_to:
            low, high = self._day_range(day_from, day_to)
            sets.append(self._day_order[low:high])
        if sources is not None:
            sets.append(self._positions_of("sources", sources))
        if article_ids is not None:
            sets.append(self._positions_of("article_ids", article_ids))
        if not sets:
            return None
        picked = min(sets, key=len)
        if allow is not None and len(picked):
            picked = picked[allow(self.days[picked], self.sources[picked], self.article_ids[picked])]
        return picked

    def window_ids(self, positions: np.ndarray, limit: int = 0) -> list[str] | None:
        """The Chroma ids of every window of the paragraphs at `positions`; None when they are more than
        `limit` or a paragraph's window count was never recorded."""
        counts = self.windows[positions]
        if (counts <= 0).any() or (limit and counts.sum() > limit):
            return None
        return [f"{self.paragraph_ids[i]}@w{w}" for i, n in zip(positions.tolist(), counts.tolist()) for w in range(n)]

    def search(self, query: str, k: int, allow=None) -> list[KeywordHit]:
        """Top-k paragraphs by BM25. `allow(days, sources, article_ids)` -> bool array says which of the
        matching paragraphs pass the filters; it sees only the paragraphs holding a query term."""
        if self._bm25 is None or k <= 0:
            return []
        vocab = self._bm25.vocab_dict
        tokens = [vocab[t] for t in self.tokenize([query])[0] if t in vocab]
        if not tokens:
            return []
        scores = self._bm25.get_scores_from_ids(tokens)  # compiled; no corpus-sized mask built per query
        docs = np.flatnonzero(scores > 0)  # the paragraphs holding a query term
        if allow is not None and len(docs):
            docs = docs[allow(self.days[docs], self.sources[docs], self.article_ids[docs])]
        k = min(k, len(docs))
        if k == 0:
            return []
        top = docs[np.argpartition(-scores[docs], k - 1)[:k]]
        top = top[np.lexsort((top, -scores[top]))]  # ties in index order
        return [KeywordHit(self.paragraph_ids[i], self.article_ids[i], float(scores[i])) for i in top]
