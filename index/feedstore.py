"""The feeds a home follows and what was last fetched from each URL: SQLite at `$QA_HOME/feeds.sqlite3`.

Kept apart from the article manifest (which is per embedding collection): a feed and the validators of
a page (ETag, Last-Modified) belong to the home, whatever model indexes it. Schema changes are ordered
migration functions, applied once each and counted in `PRAGMA user_version`.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path


def _v1(db: sqlite3.Connection) -> None:
    db.executescript("""
    CREATE TABLE feeds (url TEXT PRIMARY KEY, kind TEXT, title TEXT, added_at REAL, last_sync REAL,
        last_error TEXT, etag TEXT, last_modified TEXT, items INTEGER);
    -- url: a page as a feed lists it (or as `qa ingest URL` was given); stamp: the date the feed gave it
    -- when it was last fetched, so an item whose date has not moved is not fetched again.
    CREATE TABLE pages (url TEXT PRIMARY KEY, article_id TEXT, canonical TEXT, etag TEXT, last_modified TEXT,
        stamp TEXT, fetched_at REAL);
    CREATE INDEX pages_article ON pages(article_id);
    """)


MIGRATIONS = [_v1]
FEED_FIELDS = ("url", "kind", "title", "added_at", "last_sync", "last_error", "etag", "last_modified", "items")


class FeedStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock, self._db:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for number, migrate in enumerate(MIGRATIONS[version:], start=version + 1):
                migrate(self._db)
                self._db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self._db.close()

    # -- feeds ------------------------------------------------------------------------------------
    def add_feed(self, url: str) -> bool:
        """False when the feed was already there."""
        with self._lock, self._db:
            cursor = self._db.execute("INSERT OR IGNORE INTO feeds (url, added_at) VALUES (?, ?)", (url, time.time()))
            return cursor.rowcount == 1

    def remove_feed(self, url: str) -> bool:
        with self._lock, self._db:
            return self._db.execute("DELETE FROM feeds WHERE url=?", (url,)).rowcount == 1

    def feeds(self) -> list[dict]:
        return [dict(r) for r in self._db.execute("SELECT * FROM feeds ORDER BY added_at, url")]

    def feed(self, url: str) -> dict | None:
        row = self._db.execute("SELECT * FROM feeds WHERE url=?", (url,)).fetchone()
        return dict(row) if row else None

    def feed_synced(self, url: str, *, error: str | None, **fields) -> None:
        """After a sync of `url`: its time, its error (None when it worked) and any of kind, title, etag,
        last_modified, items to update."""
        fields = {k: v for k, v in fields.items() if k in FEED_FIELDS}
        columns = ", ".join(f"{k}=?" for k in ("last_sync", "last_error", *fields))
        with self._lock, self._db:
            self._db.execute(f"UPDATE feeds SET {columns} WHERE url=?", (time.time(), error, *fields.values(), url))

    # -- pages ------------------------------------------------------------------------------------
    def page(self, url: str) -> dict | None:
        row = self._db.execute("SELECT * FROM pages WHERE url=?", (url,)).fetchone()
        return dict(row) if row else None

    def page_fetched(self, url: str, article_id: str, canonical: str, etag: str | None,
                     last_modified: str | None, stamp: str = "") -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO pages VALUES (?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET"
                " article_id=excluded.article_id,"
                " canonical=excluded.canonical, etag=excluded.etag, last_modified=excluded.last_modified,"
                " stamp=excluded.stamp, fetched_at=excluded.fetched_at",
                (url, article_id, canonical, etag, last_modified, stamp, time.time()))

    def set_stamp(self, url: str, stamp: str) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE pages SET stamp=?, fetched_at=? WHERE url=?", (stamp, time.time(), url))

    def forget_article(self, article_id: str) -> None:
        """Every URL that led to `article_id` (its page is gone)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM pages WHERE article_id=?", (article_id,))
