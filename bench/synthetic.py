"""A synthetic news-qa home of N paragraphs, for query latency at sizes we cannot afford to embed.

    python bench/synthetic.py --size 100000 [--home DIR]

Real paragraphs and their real vectors (the RealTime QA home's first windows, cached once in
bench/.cache/seed-paragraphs.{json,npy}) are repeated and perturbed: a few words swapped and one replaced in the
text, Gaussian noise (sigma 0.02, renormalised) on the vector, new article ids, dates spread over 2022 and
sources drawn from a handful. They are written through the library's own Manifest / VectorIndex classes and
the BM25 index is built by `IndexStore.keyword`, so queries run the real code path. Nothing is re-embedded:
an embedding is never faked, only a real one perturbed slightly.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import CACHE, ROOT, peak_rss_mib  # noqa: E402

# A copy of the RealTime QA home (bench/run.py makes one) is read rather than the one an eval may be using.
SOURCE_HOME = next((h for h in (CACHE / "rtqa-home", ROOT.parent / "main" / "bench" / ".cache" / "realtimeqa-home")
                    if h.exists()), CACHE / "rtqa-home")
SEED = CACHE / "seed-paragraphs"  # .json (texts, speakers) + .npy (vectors)
PER_ARTICLE = 40
SOURCES = ["cnn", "bbc", "reuters", "ap", "npr", "guardian"]


def seed_paragraphs(limit: int = 20000, home: Path = SOURCE_HOME):
    """(texts, speakers JSON, vectors) of real paragraphs with one window each, read once from a real home."""
    texts_file, vectors_file = SEED.with_suffix(".json"), SEED.with_suffix(".npy")
    if texts_file.exists() and vectors_file.exists():
        texts, speakers = json.loads(texts_file.read_text())
        return texts, speakers, np.load(vectors_file)
    from index.ids import window_id
    from qa import QA

    qa = QA(home, index={"seed_default_corpus": False})
    rows = qa.store.manifest._db.execute(
        "SELECT paragraph_id, text, speakers FROM paragraphs ORDER BY rowid LIMIT ?", (limit,)).fetchall()
    got = qa.store.vectors.collection.get(ids=[window_id(r[0], 0) for r in rows], include=["embeddings"])
    vectors = dict(zip(got["ids"], got["embeddings"]))
    keep = [(r[1], r[2], vectors[window_id(r[0], 0)]) for r in rows
            if window_id(r[0], 0) in vectors and len(r[1]) > 40]
    texts, speakers, vecs = [k[0] for k in keep], [k[1] for k in keep], np.array([k[2] for k in keep], np.float32)
    SEED.parent.mkdir(parents=True, exist_ok=True)
    texts_file.write_text(json.dumps([texts, speakers]))
    np.save(vectors_file, vecs)
    return texts, speakers, vecs


def perturb(text: str, rng: np.random.Generator, vocabulary: list[str]) -> str:
    words = text.split()
    if len(words) > 4:
        for _ in range(2):
            i = int(rng.integers(0, len(words) - 1))
            words[i], words[i + 1] = words[i + 1], words[i]
        words[int(rng.integers(0, len(words)))] = vocabulary[int(rng.integers(0, len(vocabulary)))]
    return " ".join(words)


def build(size: int, home: Path, seed: int = 0) -> dict:
    from index.dates import published_day
    from index.types import Article, Attribution, Paragraph
    from qa import QA

    texts, speakers, vectors = seed_paragraphs()
    vocabulary = sorted({w for t in texts[:2000] for w in t.split() if w.isalpha()})
    rng = np.random.default_rng(seed)
    qa = QA(home, index={"seed_default_corpus": False})
    store = qa.store
    start = time.perf_counter()
    batch = []
    for a in range(0, size, PER_ARTICLE):
        n = min(PER_ARTICLE, size - a)
        picks = rng.integers(0, len(texts), n)
        day = 1 + int(rng.integers(0, 365))
        published = (np.datetime64("2022-01-01") + np.timedelta64(day - 1, "D")).astype(str)
        article = Article(f"syn_{a // PER_ARTICLE}", f"Synthetic article {a // PER_ARTICLE}", "", "synthetic",
                          published, SOURCES[int(rng.integers(0, len(SOURCES)))])
        paragraphs = [Paragraph(article.article_id, j + 1, perturb(texts[p], rng, vocabulary), 0, 0,
                                [Attribution(**x) for x in json.loads(speakers[p] or "[]")])
                      for j, p in enumerate(picks)]
        noisy = vectors[picks] + rng.normal(0, 0.02, (n, vectors.shape[1])).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        meta = {"article_id": article.article_id, "title": article.title, "source": article.source,
                "published": published, "published_day": published_day(published)}
        rows = [(p.paragraph_id, 0, p.text, {**meta, "paragraph_id": p.paragraph_id, "n": p.n}) for p in paragraphs]
        store.manifest.begin(article, f"synthetic-{a}", paragraphs, {p.paragraph_id: 1 for p in paragraphs})
        batch.append((article.article_id, rows, noisy))
        if sum(len(b[1]) for b in batch) >= store.vectors.max_batch // 2 or a + n >= size:
            # One Chroma write per few thousand windows, as ingest does; then the articles are committed.
            store.vectors.add([r for b in batch for r in b[1]], np.concatenate([b[2] for b in batch]))
            for article_id, *_ in batch:
                store.manifest.commit(article_id)
            batch = []
            print(f"synthetic-{size}: {a + n:,} paragraphs written, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
    written = time.perf_counter() - start
    store.keyword  # noqa: B018 - builds and saves BM25 from the manifest
    record_without_copies(store)
    info = {"size": size, "write_s": written, "bm25_s": time.perf_counter() - start - written,
            "windows": store.vectors.count(), "peak_rss_mib": peak_rss_mib(), "reprints_recorded": True}
    qa.close()
    return info


def record_without_copies(store) -> None:
    """Record every synthetic article and paragraph in the reprint index (index/dedupe.py) as having no copies,
    as `sync` leaves a corpus without syndicated copies. The synthetic corpus is 20k real paragraphs repeated
    and lightly perturbed, so to the MinHash index every paragraph would be a reprint carried by ~50 outlets,
    which no real corpus is (and whose first `sync`, at the first question, would confirm tens of millions of
    pairs). The query path then makes the same reprint lookups as on a real corpus, over a 1M-row table; the
    cost of real copies is measured on the real RealTime QA home (before/after)."""
    from index.dedupe import UNDATED, duplicates
    from index.ids import paragraph_id

    d = duplicates(store)
    articles = store.manifest.articles()
    with d.lock, d.transaction():
        d._db.executemany("INSERT OR REPLACE INTO articles VALUES (?,?,?,?)",
                          [(r["article_id"], r["content_hash"], r["published"] or UNDATED, r["article_id"])
                           for r in articles])
        d._db.executemany("INSERT OR REPLACE INTO paragraphs VALUES (?,?,?,?,?)",
                          [(pid, r["article_id"], r["published"] or UNDATED, n, pid) for r in articles
                           for n in range(1, r["n_paragraphs"] + 1) for pid in [paragraph_id(r["article_id"], n)]])
        d.set_meta("generation", str(store.manifest.generation()))


def ensure(size: int, home: Path | None = None) -> Path:
    """The home for `size` paragraphs, built once and reused (a `.done` file marks a finished build)."""
    home = home or CACHE / f"synthetic-{size}"
    if not (home / ".done").exists():
        import shutil

        shutil.rmtree(home, ignore_errors=True)
        info = build(size, home)
        (home / ".done").write_text(json.dumps(info))
    info = json.loads((home / ".done").read_text())
    if not info.get("reprints_recorded"):  # a home built before record_without_copies existed
        from qa import QA

        qa = QA(home, index={"seed_default_corpus": False})
        record_without_copies(qa.store)
        qa.close()
        (home / ".done").write_text(json.dumps({**info, "reprints_recorded": True}))
    return home


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--home", type=Path, default=None)
    args = ap.parse_args()
    home = ensure(args.size, args.home)
    print(json.dumps({"home": str(home), **json.loads((home / ".done").read_text())}))
