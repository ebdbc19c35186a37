"""Syndicated copies: near-duplicate articles (stories) and paragraphs, found by MinHash LSH, kept in SQLite.

A wire story reprinted by several outlets (new headline, trimmed ending, reordered paragraphs, a line of
boilerplate, a few words edited) is one *story*; a paragraph that several of them carry is one *paragraph
cluster* with a canonical member. Both are stored under QA_HOME beside the manifest and follow it:
`sync(store)` compares the manifest's `done` articles (by content hash) with what is recorded here and
removes, adds and re-clusters only what changed. It runs at the end of every ingest and, when the manifest's
generation has moved on (a `qa delete`, a `doctor --repair`), before the next question collapses reprints.

Candidates come from MinHash signatures (datasketch) of word 3-shingles, banded as in LSH; the bands are
rows of an SQLite table, so the index is persistent and updated per article. A candidate is confirmed on the
exact shingle sets, read back from the manifest:
  - paragraphs: Jaccard >= PARAGRAPH_JACCARD and the same numbers (a reprint that changed "12 dead" to
    "15 dead" is not a copy: it is a disagreement, see qa/disagreement.py);
  - articles: the shorter body is at least ARTICLE_CONTAINMENT inside the longer one (a trimmed or padded
    reprint) and their Jaccard is at least ARTICLE_JACCARD.
Clusters are the connected components of confirmed pairs; the canonical member is the earliest published,
then the smallest id (paragraphs: then the smallest number), so deleting it promotes the next one.
"""
from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import threading
import weakref
import zlib
from collections import Counter, deque
from pathlib import Path

import numpy as np

from index.ids import paragraph_id, parse_paragraph_id

NUM_PERM = 64
SEED = 7
# (bands, rows) for 64 permutations: datasketch's _optimal_param at Jaccard 0.25 (articles) and 0.4 (paragraphs),
# below the confirmation thresholds so that LSH loses few true pairs.
ARTICLE_BANDS = (18, 2)
PARAGRAPH_BANDS = (16, 4)
PARAGRAPH_JACCARD = 0.5
ARTICLE_CONTAINMENT = 0.6
ARTICLE_JACCARD = 0.2
MIN_SHARED_SHINGLES = 25  # two short briefs that share one boilerplate line are not one story
MIN_WORDS = 8  # shorter paragraphs ("Reporting by ...", "Photo: ...") are never clustered
MAX_CANDIDATES, MAX_PAIRS = 200, 20
UNDATED = "9999-12-31"  # sorts after every date: an undated copy is never canonical over a dated one

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

SCHEMA = [  # ordered migrations; PRAGMA user_version counts those applied
    """
    CREATE TABLE articles (article_id TEXT PRIMARY KEY, content_hash TEXT, published TEXT, story_id TEXT);
    CREATE INDEX articles_story ON articles(story_id);
    CREATE TABLE paragraphs (paragraph_id TEXT PRIMARY KEY, article_id TEXT, published TEXT, n INTEGER,
                             canonical_id TEXT);
    CREATE INDEX paragraphs_article ON paragraphs(article_id);
    CREATE INDEX paragraphs_canonical ON paragraphs(canonical_id);
    CREATE TABLE bands (key INTEGER, item TEXT);
    CREATE INDEX bands_key ON bands(key);
    CREATE INDEX bands_item ON bands(item);
    CREATE TABLE pairs (a TEXT, b TEXT, similarity REAL, PRIMARY KEY (a, b));
    CREATE INDEX pairs_b ON pairs(b);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    """,
]


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))} if words else set()


def numbers(text: str) -> list[str]:
    return sorted(n.replace(",", "") for n in _NUMBER.findall(text))


def band_keys(shingle_set: set[str], bands: tuple[int, int], tag: str) -> list[int]:
    """The LSH bucket keys of a set: one per band, the band's slice of the MinHash signature hashed."""
    m = _minhash()
    m.update_batch([s.encode() for s in shingle_set])
    b, r = bands
    values = m.hashvalues.astype(np.uint64)
    return [int.from_bytes(hashlib.blake2b(tag.encode() + bytes([i]) + values[i * r:(i + 1) * r].tobytes(),
                                           digest_size=8).digest(), "little", signed=True) for i in range(b)]


@functools.lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash  # type: ignore[import-untyped]

    return MinHash(num_perm=NUM_PERM, seed=SEED).permutations


def _minhash():
    """An empty MinHash: the permutations are drawn once (1 ms each time, more than hashing a paragraph) and
    shingles are hashed with CRC-32 (zlib, in C; datasketch's default SHA-1 in Python was half the cost)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, permutations=_permutations())


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def containment(a: set, b: set) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def same_paragraph(a: str, b: str) -> float:
    """The paragraphs' Jaccard when they are copies of each other, else 0. Numbers first: they are cheaper to
    compare than shingles, and templated briefs ("Parcel 12 was delivered ...") differ only there."""
    if numbers(a) != numbers(b):
        return 0.0
    j = jaccard(shingles(a), shingles(b))
    return j if j >= PARAGRAPH_JACCARD else 0.0


def same_story(a: set, b: set) -> float:
    """The containment of one article body's shingles in the other's when they are one story, else 0."""
    c = containment(a, b)
    return c if (c >= ARTICLE_CONTAINMENT and jaccard(a, b) >= ARTICLE_JACCARD
                 and len(a & b) >= MIN_SHARED_SHINGLES) else 0.0


class Duplicates:
    """The story and paragraph clusters of one index (SQLite under QA_HOME/dedupe/)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self.lock = threading.RLock()
        with self.lock, self._db:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for v, script in enumerate(SCHEMA[version:], start=version + 1):
                self._db.executescript(script)
                self._db.execute(f"PRAGMA user_version = {v}")

    # -- reads ------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def content_hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT article_id, content_hash FROM articles"))

    def story_of(self, article_ids: list[str]) -> dict[str, str]:
        """article_id -> story id (its story's canonical article id; itself when it has no copies)."""
        found = dict(self._rows("SELECT article_id, story_id FROM articles WHERE article_id IN ({})", article_ids))
        return {a: found.get(a) or a for a in article_ids}

    def story_members(self, story_id: str) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT article_id FROM articles WHERE story_id=? ORDER BY published, article_id", (story_id,))]

    def canonical_of(self, paragraph_ids: list[str]) -> dict[str, str]:
        """paragraph_id -> its cluster's canonical paragraph id (itself when it has no copies)."""
        found = dict(self._rows("SELECT paragraph_id, canonical_id FROM paragraphs WHERE paragraph_id IN ({})",
                                paragraph_ids))
        return {p: found.get(p) or p for p in paragraph_ids}

    def copies(self, canonical_ids: list[str]) -> dict[str, list[str]]:
        """canonical id -> every paragraph of its cluster (canonical first)."""
        out: dict[str, list[str]] = {}
        for pid, canonical in self._rows("SELECT paragraph_id, canonical_id FROM paragraphs WHERE canonical_id IN ({}) "
                                         "ORDER BY published, article_id, n", canonical_ids):
            out.setdefault(canonical, []).append(pid)
        return out

    def rank_keys(self, paragraph_ids: list[str]) -> dict[str, tuple]:
        """paragraph_id -> (published, article_id, n), the canonical order, for those that are clustered."""
        return {r[0]: tuple(r[1:]) for r in self._rows(
            "SELECT paragraph_id, published, article_id, n FROM paragraphs WHERE paragraph_id IN ({})", paragraph_ids)}

    def _rows(self, sql: str, ids: list):
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            yield from self._db.execute(sql.format(",".join("?" * len(chunk))), chunk)

    # -- writes (callers hold `lock` and a transaction) -----------------------------------------------
    def remove(self, article_id: str) -> set[str]:
        """Forget an article; returns the items (a:/p: ids) that were paired with it, to re-cluster."""
        items = [f"a:{article_id}"] + [f"p:{r[0]}" for r in self._db.execute(
            "SELECT paragraph_id FROM paragraphs WHERE article_id=?", (article_id,))]
        neighbours: set[str] = set()
        for item in items:
            for a, b in self._db.execute("SELECT a, b FROM pairs WHERE a=? OR b=?", (item, item)).fetchall():
                neighbours.update((a, b))
            self._db.execute("DELETE FROM pairs WHERE a=? OR b=?", (item, item))
            self._db.execute("DELETE FROM bands WHERE item=?", (item,))
        self._db.execute("DELETE FROM articles WHERE article_id=?", (article_id,))
        self._db.execute("DELETE FROM paragraphs WHERE article_id=?", (article_id,))
        return neighbours - set(items)

    def add(self, article_id: str, content_hash: str, published: str, paragraphs: list[tuple[int, str]],
            texts_of) -> set[str]:
        """Record an article and its paragraphs, pairing them with the copies already recorded.
        `texts_of(items)` returns {item: text} for `a:{article_id}` (the body) and `p:{paragraph_id}` items, from
        the manifest, to confirm the candidates on their exact shingles."""
        published = published or UNDATED
        items = {f"a:{article_id}"}
        self._db.execute("INSERT INTO articles VALUES (?,?,?,?)", (article_id, content_hash, published, article_id))
        body = shingles("\n".join(text for _, text in paragraphs))
        if len(body) >= MIN_SHARED_SHINGLES:  # a shorter body can share too few shingles to be one story with any
            self._pair(f"a:{article_id}", body, ARTICLE_BANDS, "a", texts_of,
                       lambda t: same_story(body, shingles(t)))
        for n, text in paragraphs:
            if len(_WORD.findall(text)) < MIN_WORDS:
                continue
            pid = paragraph_id(article_id, n)
            self._db.execute("INSERT INTO paragraphs VALUES (?,?,?,?,?)", (pid, article_id, published, n, pid))
            self._pair(f"p:{pid}", shingles(text), PARAGRAPH_BANDS, "p", texts_of,
                       lambda t, text=text: same_paragraph(text, t))
            items.add(f"p:{pid}")
        return items

    def _pair(self, item: str, shingle_set: set[str], bands, tag: str, texts_of, confirm) -> None:
        keys = band_keys(shingle_set, bands, tag)
        shared = Counter(c for (c,) in self._rows("SELECT item FROM bands WHERE key IN ({})", keys) if c != item)
        # Most bands in common first: a line that thousands of articles carry is confirmed against the closest
        # MAX_CANDIDATES and linked to at most MAX_PAIRS of them (enough to keep its cluster connected).
        candidates = [c for c, _ in sorted(shared.items(), key=lambda x: (-x[1], x[0]))[:MAX_CANDIDATES]]
        texts = texts_of(candidates) if candidates else {}
        linked = 0
        for c in candidates:
            score = confirm(texts[c]) if c in texts else 0.0
            if score:
                self._db.execute("INSERT OR REPLACE INTO pairs VALUES (?,?,?)", (*sorted((item, c)), score))
                linked += 1
                if linked >= MAX_PAIRS:
                    break
        self._db.executemany("INSERT INTO bands VALUES (?,?)", [(k, item) for k in keys])

    def recluster(self, items: set[str]) -> None:
        """Recompute the clusters holding these items: connected components of the confirmed pairs."""
        done: set[str] = set()
        for start in sorted(items):
            if start in done:
                continue
            component, queue = {start}, deque([start])
            while queue:
                item = queue.popleft()
                for a, b in self._db.execute("SELECT a, b FROM pairs WHERE a=? OR b=?", (item, item)):
                    other = b if a == item else a
                    if other not in component:
                        component.add(other)
                        queue.append(other)
            done |= component
            self._label(component)

    def _label(self, component: set[str]) -> None:
        if next(iter(component)).startswith("a:"):
            ids = [c[2:] for c in component]
            rows = list(self._rows("SELECT article_id, published FROM articles WHERE article_id IN ({})", ids))
            if rows:
                story = min(rows, key=lambda r: (r[1], r[0]))[0]
                self._db.executemany("UPDATE articles SET story_id=? WHERE article_id=?", [(story, r[0]) for r in rows])
            return
        ids = [c[2:] for c in component]
        rows = list(self._rows("SELECT paragraph_id, published, article_id, n FROM paragraphs "
                               "WHERE paragraph_id IN ({})", ids))
        if rows:
            canonical = min(rows, key=lambda r: (r[1], r[2], r[3]))[0]
            self._db.executemany("UPDATE paragraphs SET canonical_id=? WHERE paragraph_id=?",
                                 [(canonical, r[0]) for r in rows])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=?", (key, value, value))

    def transaction(self):
        return self._db

    def close(self) -> None:
        self._db.close()


def sync(store) -> dict:
    """Bring the clusters up to date with the manifest's `done` articles; a no-op while its generation is the
    one last synced. Returns how many articles were added and removed."""
    d = duplicates(store)
    generation = str(store.manifest.generation())
    if d.meta("generation") == generation:
        return {"added": 0, "removed": 0}
    with d.lock, d.transaction():
        current = {r["article_id"]: r for r in store.manifest.articles()}
        known = d.content_hashes()
        stale = [a for a, h in known.items() if a not in current or current[a]["content_hash"] != h]
        fresh = [a for a, r in current.items() if known.get(a) != r["content_hash"]]
        touched: set[str] = set()
        for article_id in stale:
            touched |= d.remove(article_id)

        def texts_of(items: list[str]) -> dict[str, str]:
            return _texts(store.manifest, items)

        for article_id in sorted(fresh, key=lambda a: (current[a]["published"] or UNDATED, a)):
            row = current[article_id]
            paragraphs = _texts(store.manifest, [f"p:{paragraph_id(article_id, n)}"
                                                 for n in range(1, row["n_paragraphs"] + 1)])
            numbered = sorted((_number(item[2:]), text) for item, text in paragraphs.items())
            touched |= d.add(article_id, row["content_hash"], row["published"], numbered, texts_of)
        d.recluster(touched)
        d.set_meta("generation", generation)
    return {"added": len(fresh), "removed": len([a for a in stale if a not in current])}


def _number(pid: str) -> int:
    parsed = parse_paragraph_id(pid)
    if parsed is None:
        raise ValueError(f"not a paragraph id: {pid!r}")
    return parsed[1]


def _texts(manifest, items: list[str]) -> dict[str, str]:
    """{item: text} for `p:` (a paragraph) and `a:` (an article body: its paragraphs joined) items."""
    out = {}
    paragraph_ids = [i[2:] for i in items if i.startswith("p:")]
    out.update({f"p:{pid}": row["text"] for pid, row in manifest.paragraphs(paragraph_ids).items()})
    for item in (i for i in items if i.startswith("a:")):
        row = manifest.article(item[2:])
        if row and row["state"] == "done":
            rows = manifest.paragraphs([paragraph_id(item[2:], n) for n in range(1, row["n_paragraphs"] + 1)])
            out[item] = "\n".join(r["text"] for r in sorted(rows.values(), key=lambda r: r["n"]))
    return out


_OPEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_OPEN_LOCK = threading.Lock()


def duplicates(store) -> Duplicates:
    """The clusters of this store's index (one connection per store)."""
    with _OPEN_LOCK:
        if store not in _OPEN:
            _OPEN[store] = Duplicates(store.home / "dedupe" / f"{store.collection_name}.sqlite3")
        return _OPEN[store]
