"""BM25 keyword index (bm25s) over the same paragraphs as Chroma, rebuilt from the manifest.

It is derived data: the manifest's generation number is saved with it, and a stale or missing index is
rebuilt from the manifest, so Chroma and BM25 cannot drift apart. The paragraph table (article id, date,
source, windows: `index.paragraph_table`) is saved beside it in the same order, so filters are checked on
the paragraphs that hold a query term, inside the search (so top-k is filled from allowed paragraphs), never
as a corpus-sized mask.

Several processes may share one home (app replicas over one Chroma server): the saved index is written and
read under a file lock beside it (`<name>.lock`), so a reader never sees half of one save and half of the
next, and two writers never build into the same temporary directory; each process notices a newer manifest
generation on its next query (`IndexStore.keyword`) and loads what the first one saved.
"""
from __future__ import annotations

import json
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.constraints import Constraints
from index.paragraph_table import ParagraphTable

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


_FILE_LOCKS: dict[str, object] = {}  # one FileLock per lock file in this process (it is reentrant per thread)
_FILE_LOCKS_GUARD = threading.Lock()


def file_lock(directory: Path):
    """The inter-process lock of the keyword index saved in `directory` (a `filelock.FileLock`)."""
    from filelock import FileLock

    path = str(directory.with_name(directory.name + ".lock"))
    with _FILE_LOCKS_GUARD:
        if path not in _FILE_LOCKS:
            directory.parent.mkdir(parents=True, exist_ok=True)
            _FILE_LOCKS[path] = FileLock(path)
        return _FILE_LOCKS[path]


@dataclass
class KeywordHit:
    paragraph_id: str
    article_id: str
    score: float


class KeywordIndex:
    def __init__(self, directory: Path):
        self.directory = directory
        self.generation = -1
        self.table = ParagraphTable([], [], [], [], [])
        self._bm25: Any | None = None  # a bm25s.BM25 (bm25s is untyped)
        self._stem = _stemmer()

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        texts = [cjk_bigrams(t) for t in texts]
        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stem, return_ids=False, show_progress=False)

    def rebuild(self, rows, generation: int) -> None:
        """rows: (paragraph_id, article_id, text, published, source, windows) from the manifest."""
        import bm25s

        rows = list(rows)
        self.table = ParagraphTable.from_rows(rows)
        self._bm25 = None
        if rows:
            self._bm25 = bm25s.BM25()
            self._bm25.index(self.tokenize([r[2] for r in rows]), show_progress=False)
        self.generation = generation
        self._save()

    def lock(self):
        """Held while the saved index is read or replaced, by any process (see `file_lock`)."""
        return file_lock(self.directory)

    def _save(self) -> None:
        with self.lock():
            if self.saved_generation() > self.generation:  # another process saved a newer one meanwhile
                return
            self._write()

    def saved_generation(self) -> int:
        """The manifest generation of the index on disk (-1: none), read from a small file, not rows.json."""
        try:
            return int((self.directory / "generation").read_text())
        except (OSError, ValueError):
            return -1

    def _write(self) -> None:
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "rows.json").write_text(json.dumps({"generation": self.generation, **self.table.to_json()}))
        (tmp / "generation").write_text(str(self.generation))
        # Swap in the finished directory so a crash never leaves a half-written index behind.
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def load(self) -> bool:
        """Load the saved index; False when there is none."""
        with self.lock():
            return self._read()

    def _read(self) -> bool:
        rows_file = self.directory / "rows.json"
        if not rows_file.exists():
            return False
        import bm25s

        rows = json.loads(rows_file.read_text())
        if "windows" not in rows:  # saved by an older version: rebuilt from the manifest
            return False
        self.generation = rows["generation"]
        self.table = ParagraphTable.from_json(rows)
        bm25_dir = self.directory / "bm25"
        self._bm25 = bm25s.BM25.load(str(bm25_dir), show_progress=False) if bm25_dir.exists() else None
        return True

    @property
    def built(self) -> bool:
        """Whether it has a BM25 index (an index of no paragraphs has none)."""
        return self._bm25 is not None

    def search(self, query: str, k: int, constraints: Constraints | None = None) -> list[KeywordHit]:
        """Top-k paragraphs by BM25 that the constraints let through; they are checked only on the paragraphs
        holding a query term."""
        if self._bm25 is None or k <= 0:
            return []
        vocab = self._bm25.vocab_dict
        tokens = [vocab[t] for t in self.tokenize([query])[0] if t in vocab]
        if not tokens:
            return []
        scores = self._bm25.get_scores_from_ids(tokens)  # compiled; no corpus-sized mask built per query
        docs = np.flatnonzero(scores > 0)  # the paragraphs holding a query term
        if constraints is not None and constraints.active and len(docs):
            docs = docs[self.table.allowed(docs, constraints)]
        k = min(k, len(docs))
        if k == 0:
            return []
        top = docs[np.argpartition(-scores[docs], k - 1)[:k]]
        top = top[np.lexsort((top, -scores[top]))]  # ties in index order
        table = self.table
        return [KeywordHit(table.paragraph_ids[i], table.article_ids[i], float(scores[i])) for i in top]
