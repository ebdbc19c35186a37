"""One passage per story, not one per reprint: retrieval's ranking with syndicated copies collapsed.

After fusion, the paragraphs that are copies of one another (index/dedupe.py) take one slot, at the rank of
the best of them, filled by the earliest published copy (the canonical rule) among those the question's
filters and date let through; the other outlets carrying that paragraph become the passage's `also_in`.
"""
from __future__ import annotations

from datetime import date

from index.dedupe import duplicates, sync
from qa.types import Passage

CHUNK = 200  # ranked ids looked up per query while filling k slots


def one_per_story(store, ranked: list[str], k: int) -> list[str]:
    """The first k distinct paragraphs of `ranked` (ids, best first), each copy group as its canonical member."""
    if not ranked:
        return []
    sync(store)  # a no-op unless the manifest moved on since the last ingest (e.g. `qa delete`)
    if not store.settings.retrieval.collapse_reprints:
        return ranked[:k]
    d = duplicates(store)
    groups: dict[str, list[str]] = {}
    for start in range(0, len(ranked), CHUNK):
        chunk = ranked[start:start + CHUNK]
        canonical = d.canonical_of(chunk)
        for pid in chunk:
            members = groups.get(canonical[pid])
            if members is not None:
                members.append(pid)
            elif len(groups) < k:
                groups[canonical[pid]] = [pid]
        if len(groups) >= k:
            break
    keys = d.rank_keys([pid for members in groups.values() if len(members) > 1 for pid in members])
    return [min(members, key=lambda pid: keys.get(pid, ("", pid, 0))) if len(members) > 1 else members[0]
            for members in groups.values()]


def with_also_in(store, passages: list[Passage], as_of: date | None = None) -> list[Passage]:
    """Passages with their story id and the other articles (published by `as_of`) that carry the paragraph."""
    if not passages:
        return passages
    d = duplicates(store)
    canonical = d.canonical_of([p.paragraph_id for p in passages])
    copies = d.copies(sorted(set(canonical.values())))
    others = sorted({c for p in passages for c in copies.get(canonical[p.paragraph_id], []) if c != p.paragraph_id})
    rows = store.manifest.paragraphs(others)  # `done` articles only
    stories = d.story_of(sorted({p.article_id for p in passages}))
    limit = as_of.isoformat() if as_of else None
    for p in passages:
        p.story_id = stories[p.article_id]
        p.also_in = [_entry(rows[c]) for c in copies.get(canonical[p.paragraph_id], [])
                     if c != p.paragraph_id and c in rows
                     and not (limit and rows[c]["published"] and rows[c]["published"] > limit)]
    return passages


def outlets(passage) -> int:
    """How many outlets carry the paragraph (its own source and those of its copies)."""
    item = passage if isinstance(passage, dict) else vars(passage)
    return len({item.get("source") or item["article_id"]} | {a["source"] or a["article_id"] for a in item["also_in"]})


def also_in_line(item) -> str:
    """"also in: Valley Ledger (2024-03-05), Coastal Herald (2024-03-06) · 3 outlets", or "" without copies."""
    item = item if isinstance(item, dict) else vars(item)
    if not item.get("also_in"):
        return ""
    where = ", ".join(f"{a['source'] or a['title']} ({a['published'] or 'undated'})" for a in item["also_in"])
    return f"also in: {where} · {outlets(item)} outlets"


def _entry(row: dict) -> dict:
    return {"article_id": row["article_id"], "paragraph_id": row["paragraph_id"], "paragraph": row["n"],
            "title": row["title"], "source": row["source"], "published": row["published"], "url": row["url"]}
