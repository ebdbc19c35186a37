"""BM25 keyword index (bm25s) over the same paragraphs as Chroma, rebuilt from the manifest.

It is derived data: the manifest's generation number is saved with it, and a stale or missing index is
rebuilt from the manifest, so Chroma and BM25 cannot drift apart. Per-paragraph metadata (article id,
date, source) is kept next to it as arrays so filters become a weight mask, not a post-filter.
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
        self._bm25 = None
        self._stem = _stemmer()

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        texts = [cjk_bigrams(t) for t in texts]
        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stem, return_ids=False, show_progress=False)

    def rebuild(self, rows, generation: int) -> None:
        """rows: (paragraph_id, article_id, text, published, source) from the manifest."""
        import bm25s

        rows = list(rows)
        self.paragraph_ids = [r[0] for r in rows]
        self.article_ids = np.array([r[1] for r in rows], dtype=object)
        self.days = np.array([published_day(r[3]) for r in rows], dtype=np.int64)
        self.sources = np.array([r[4] for r in rows], dtype=object)
        self._bm25 = None
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
            "article_ids": self.article_ids.tolist(), "days": self.days.tolist(), "sources": self.sources.tolist()}))
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
        self.generation = rows["generation"]
        self.paragraph_ids = rows["paragraph_ids"]
        self.article_ids = np.array(rows["article_ids"], dtype=object)
        self.days = np.array(rows["days"], dtype=np.int64)
        self.sources = np.array(rows["sources"], dtype=object)
        bm25_dir = self.directory / "bm25"
        self._bm25 = bm25s.BM25.load(str(bm25_dir), show_progress=False) if bm25_dir.exists() else None
        return True

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[KeywordHit]:
        if self._bm25 is None or k <= 0:
            return []
        vocab = self._bm25.vocab_dict
        tokens = [t for t in self.tokenize([query])[0] if t in vocab]
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens, weight_mask=mask)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [KeywordHit(self.paragraph_ids[i], self.article_ids[i], float(scores[i])) for i in top if scores[i] > 0]
