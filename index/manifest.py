"""The article manifest: SQLite under QA_HOME, the source of truth the vector and keyword indexes follow.

An article is written in two steps: `begin` records it as `pending` with its paragraphs, the vectors are
written, then `commit` marks it `done`. A crash in between leaves a `pending` row that the next ingest
repairs (its vectors are deleted and the article is ingested again), so Chroma never keeps paragraphs the
manifest does not know.
"""
from __future__ import annotations

import heapq
import json
import sqlite3
import threading
import time
from dataclasses import asdict
from pathlib import Path

from index.types import Article, Attribution, Paragraph

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, source_path TEXT, title TEXT, source TEXT, url TEXT, published TEXT,
    authors TEXT, extra TEXT, content_hash TEXT, n_paragraphs INTEGER, state TEXT, updated_at REAL);
CREATE TABLE IF NOT EXISTS paragraphs (
    paragraph_id TEXT PRIMARY KEY, article_id TEXT, n INTEGER, start INTEGER, end INTEGER, text TEXT,
    speakers TEXT, windows INTEGER);
CREATE INDEX IF NOT EXISTS paragraphs_article ON paragraphs(article_id);
CREATE TABLE IF NOT EXISTS speakers (paragraph_id TEXT, article_id TEXT, name TEXT, name_lower TEXT);
-- (name, paragraph) covers `paragraphs_of_speakers`: a speaker of thousands of paragraphs is read from the index alone
DROP INDEX IF EXISTS speakers_name;
CREATE INDEX IF NOT EXISTS speakers_name_paragraph ON speakers(name_lower, paragraph_id);
CREATE INDEX IF NOT EXISTS speakers_article ON speakers(article_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

ARTICLE_FIELDS = ("article_id", "source_path", "title", "source", "url", "published", "authors", "extra")


class Manifest:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.executescript(SCHEMA)
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(paragraphs)")}
            if "windows" not in columns:  # a home from before window counts were kept: NULL until `doctor --repair`
                self._db.execute("ALTER TABLE paragraphs ADD COLUMN windows INTEGER")

    def close(self) -> None:
        self._db.close()

    # -- writes -----------------------------------------------------------------------------------
    def begin(self, article: Article, content_hash: str, paragraphs: list[Paragraph],
              windows: dict[str, int] | None = None) -> None:
        """windows: paragraph_id -> how many vector windows it has in Chroma (`{paragraph_id}@w0..`)."""
        windows = windows or {}
        row = {k: getattr(article, k) for k in ARTICLE_FIELDS}
        row.update(authors=json.dumps(article.authors), extra=json.dumps(article.extra, default=str),
                   content_hash=content_hash, n_paragraphs=len(paragraphs), state="pending", updated_at=time.time())
        with self._lock, self._db:
            self._delete_rows(article.article_id)
            self._db.execute(f"INSERT INTO articles ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                             tuple(row.values()))
            self._db.executemany(
                "INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?)",
                [(p.paragraph_id, p.article_id, p.n, p.start, p.end, p.text,
                  json.dumps([asdict(a) for a in p.speakers]), windows.get(p.paragraph_id)) for p in paragraphs])
            self._db.executemany(
                "INSERT INTO speakers VALUES (?,?,?,?)",
                [(p.paragraph_id, p.article_id, name, name.lower())
                 for p in paragraphs for name in sorted({a.speaker for a in p.speakers})])

    def commit(self, article_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE articles SET state='done' WHERE article_id=?", (article_id,))
            self._bump_generation()

    def set_state(self, article_id: str, state: str) -> None:
        """`pending` before vectors are deleted or rewritten, so a crash in between is found and repaired."""
        with self._lock, self._db:
            self._db.execute("UPDATE articles SET state=? WHERE article_id=?", (state, article_id))
            self._bump_generation()

    def delete(self, article_id: str) -> None:
        with self._lock, self._db:
            self._delete_rows(article_id)
            self._bump_generation()

    def delete_stray_rows(self) -> int:
        """Paragraph and speaker rows whose article row is gone (never written by this code; for `doctor`)."""
        with self._lock, self._db:
            return sum(self._db.execute(f"DELETE FROM {table} WHERE article_id NOT IN "
                                        "(SELECT article_id FROM articles)").rowcount
                       for table in ("paragraphs", "speakers"))

    def set_meta(self, key: str, value: str | None) -> None:
        with self._lock, self._db:
            if value is None:
                self._db.execute("DELETE FROM meta WHERE key=?", (key,))
            else:
                self._db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=?",
                                 (key, value, value))

    def _delete_rows(self, article_id: str) -> None:
        for table in ("articles", "paragraphs", "speakers"):
            self._db.execute(f"DELETE FROM {table} WHERE article_id=?", (article_id,))

    def _bump_generation(self) -> None:
        self._db.execute("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
                         "SET value = CAST(value AS INTEGER) + 1")

    # -- reads ------------------------------------------------------------------------------------
    def generation(self) -> int:
        return int(self.meta("generation") or 0)

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def integrity(self) -> str:
        return "; ".join(r[0] for r in self._db.execute("PRAGMA quick_check"))

    def paragraph_numbers(self) -> dict[str, tuple[str | None, int, list[int]]]:
        """article_id -> (state, n_paragraphs, the paragraph numbers stored); for the consistency check.
        The state is None for paragraph rows without an article row."""
        out: dict[str, tuple[str | None, int, list[int]]] = {
            r[0]: (r[1], r[2], []) for r in self._db.execute("SELECT article_id, state, n_paragraphs FROM articles")}
        for article_id, n in self._db.execute("SELECT article_id, n FROM paragraphs ORDER BY article_id, n"):
            out.setdefault(article_id, (None, 0, []))[2].append(n)
        return out

    def window_counts(self) -> dict[str, int | None]:
        """paragraph_id -> its recorded number of vector windows (None: not recorded)."""
        return dict(self._db.execute("SELECT paragraph_id, windows FROM paragraphs"))

    def content_hashes(self) -> dict[str, tuple[str, str]]:
        """article_id -> (content_hash, state)."""
        rows = self._db.execute("SELECT article_id, content_hash, state FROM articles")
        return {r[0]: (r[1], r[2]) for r in rows}

    def articles(self, state: str | None = "done") -> list[dict]:
        sql = "SELECT * FROM articles" + (" WHERE state=?" if state else "") + " ORDER BY published DESC, title"
        return [_article_row(r) for r in self._db.execute(sql, (state,) if state else ())]

    def article(self, article_id: str) -> dict | None:
        row = self._db.execute("SELECT * FROM articles WHERE article_id=?", (article_id,)).fetchone()
        return _article_row(row) if row else None

    def paragraphs(self, ids: list[str], state: str | None = "done") -> dict[str, dict]:
        """paragraph_id -> paragraph row joined with its article's metadata; by default only of `done`
        articles, so a question asked during an ingest never sees an article that is still being written."""
        out: dict[str, dict] = {}
        for r in self._paragraph_rows("p.*, a.title, a.source, a.url, a.published, a.authors", ids, state):
            row = dict(r)
            row["authors"] = json.loads(row["authors"] or "[]")
            row["speakers"] = [Attribution(**a) for a in json.loads(row["speakers"] or "[]")]
            out[row["paragraph_id"]] = row
        return out

    def _paragraph_rows(self, columns: str, ids: list[str], state: str | None):
        """`columns` of the paragraphs `ids` joined with their articles (of that state), 500 ids a query."""
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            sql = (f"SELECT {columns} FROM paragraphs p JOIN articles a USING (article_id) "
                   f"WHERE p.paragraph_id IN ({','.join('?' * len(chunk))})")
            yield from self._db.execute(sql + (" AND a.state=?" if state else ""), [*chunk, state] if state else chunk)

    def set_windows(self, counts: dict[str, int]) -> None:
        """Record paragraphs' window counts (for homes written before they were kept); not a new generation."""
        with self._lock, self._db:
            self._db.executemany("UPDATE paragraphs SET windows=? WHERE paragraph_id=?",
                                 [(n, pid) for pid, n in counts.items()])

    def iter_paragraphs(self, state: str = "done"):
        """(paragraph_id, article_id, text, published, source, windows) of every paragraph, in a stable
        order; windows is None where it was never recorded."""
        sql = ("SELECT p.paragraph_id, p.article_id, p.text, a.published, a.source, p.windows FROM paragraphs p "
               "JOIN articles a USING (article_id) WHERE a.state=? ORDER BY p.article_id, p.n")
        yield from self._db.execute(sql, (state,))

    def paragraph_ids(self, state: str | None = None) -> set[str]:
        sql = "SELECT p.paragraph_id FROM paragraphs p JOIN articles a USING (article_id)"
        return {r[0] for r in self._db.execute(sql + (" WHERE a.state=?" if state else ""), (state,) if state else ())}

    def speaker_names(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT name FROM speakers")]

    def paragraphs_of_speakers(self, names: list[str], among: list[str] | None = None, after: str = "",
                               limit: int = 0) -> list[str]:
        """Ids of the paragraphs attributed to one of `names`: those of `among` when given; otherwise in id order,
        the first `limit` (0: all) after `after`. Each name is read in order from the (name, paragraph) index
        and the lists merged, so a speaker of thousands of paragraphs costs `limit` rows, not thousands."""
        lowered = sorted({n.lower() for n in names})
        if not lowered:
            return []
        if among is not None:
            found: set[str] = set()
            for chunk in (among[i:i + 500] for i in range(0, len(among), 500)):
                sql = (f"SELECT DISTINCT paragraph_id FROM speakers WHERE name_lower IN "
                       f"({','.join('?' * len(lowered))}) AND paragraph_id IN ({','.join('?' * len(chunk))})")
                found.update(r[0] for r in self._db.execute(sql, [*lowered, *chunk]))
            return [pid for pid in among if pid in found]
        sql = "SELECT paragraph_id FROM speakers WHERE name_lower=? AND paragraph_id>? ORDER BY paragraph_id"
        sql, extra = (sql + " LIMIT ?", [limit]) if limit else (sql, [])
        per_name = [[r[0] for r in self._db.execute(sql, [name, after, *extra])] for name in lowered]
        merged = list(dict.fromkeys(heapq.merge(*per_name)))
        return merged[:limit] if limit else merged

    def article_paragraphs(self, article_ids: list[str]) -> list[tuple[str, str, str, list[str]]]:
        """(paragraph_id, article_id, text, speaker names) of every paragraph of `article_ids`, in article and
        reading order."""
        sql = "SELECT paragraph_id, article_id, text, speakers FROM paragraphs WHERE article_id=? ORDER BY n"
        return [(r[0], r[1], r[2], sorted({a["speaker"] for a in json.loads(r[3] or "[]")}))
                for article_id in article_ids for r in self._db.execute(sql, (article_id,))]

    def articles_by_author(self, author: str) -> list[str]:
        needle = author.lower()
        return [r["article_id"] for r in self.articles()
                if any(needle in a.lower() for a in r["authors"])]


def _article_row(row: sqlite3.Row) -> dict:
    out = dict(row)
    out["authors"] = json.loads(out["authors"] or "[]")
    out["extra"] = json.loads(out["extra"] or "{}")
    return out
