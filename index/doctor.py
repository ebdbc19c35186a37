"""`doctor`: check that the manifest, Chroma and the keyword index agree exactly, and repair them.

The manifest is the source of truth. Every `done` article must have paragraphs 1..n_paragraphs; every one
of those paragraphs its windows `{paragraph_id}@w0..wk` in Chroma (with matching article ids) and one
entry in the saved BM25 index, whose generation must be the manifest's. Chroma must hold nothing else.
Repairs rewrite an article from the manifest's own text (so no source file is needed), delete what the
manifest does not know, and rebuild BM25. `ingest` runs `repair` after an interrupted run.
`check` says what is wrong and, in its report's `plan`, what `repair` would do about it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.ids import paragraph_id, parse_window_id
from index.keyword import KeywordIndex
from index.store import IndexStore
from index.writer import pending_from_manifest, write_articles


@dataclass
class Problem:
    kind: str  # manifest | pending | orphan_vectors | missing_vectors | window_counts | vector_index | keyword
    detail: str
    article_id: str | None = None


@dataclass
class RepairPlan:
    """What `repair` does about the problems `check` found."""

    remove: set[str] = field(default_factory=set)  # articles with missing paragraph rows (ingested again)
    stray_rows: bool = False  # the manifest has rows of no article: delete them
    reset_vectors: bool = False  # Chroma's own files disagree: drop the collection and rewrite every article
    rewrite: set[str] = field(default_factory=set)  # articles to rewrite from the manifest's text
    orphans: list[str] = field(default_factory=list)  # Chroma ids the manifest does not account for
    window_counts: dict[str, int] = field(default_factory=dict)  # stored counts the manifest lacks
    rebuild_keyword: bool = False


@dataclass
class DoctorReport:
    articles: int = 0
    paragraphs: int = 0
    windows: int = 0
    keyword_paragraphs: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # what `repair` did, in words
    repaired_articles: list[str] = field(default_factory=list)  # rewritten or removed by `repair`
    reingest: list[str] = field(default_factory=list)  # source files of removed articles, to ingest again
    plan: RepairPlan = field(default_factory=RepairPlan, repr=False)  # what `repair` would do

    @property
    def ok(self) -> bool:
        return not self.problems

    def articles_with(self, *kinds: str) -> set[str]:
        return {p.article_id for p in self.problems if p.kind in kinds and p.article_id}

    def summary(self) -> str:
        counts = (f"{self.articles} articles, {self.paragraphs} paragraphs, {self.windows} vector windows, "
                  f"{self.keyword_paragraphs} keyword entries")
        return f"{counts}: " + ("consistent" if self.ok else f"{len(self.problems)} problem(s)")

    def to_dict(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "plan"}
        return {**data, "ok": self.ok}


def check(store: IndexStore) -> DoctorReport:
    report = DoctorReport()
    expected = _check_manifest(store, report)
    _check_vectors(store, expected, report)
    _check_keyword(store, expected, report)
    plan = report.plan
    plan.remove = report.articles_with("manifest") & set(store.manifest.content_hashes())
    plan.stray_rows = any(p.kind == "manifest" for p in report.problems)
    plan.reset_vectors = any(p.kind == "vector_index" for p in report.problems)
    plan.rewrite = report.articles_with("pending", "missing_vectors")
    plan.rebuild_keyword = any(p.kind == "keyword" for p in report.problems)
    return report


def _check_manifest(store, report: DoctorReport) -> dict[str, str]:
    """The paragraphs Chroma and BM25 must hold: paragraph_id -> article_id of every `done` article."""
    integrity = store.manifest.integrity()
    if integrity != "ok":
        report.problems.append(Problem("manifest", f"SQLite quick_check: {integrity}"))
    expected: dict[str, str] = {}
    for article_id, (state, count, numbers) in store.manifest.paragraph_numbers().items():
        if state is None:
            report.problems.append(Problem("manifest", f"{len(numbers)} paragraph rows without an article row",
                                           article_id))
        elif state != "done":
            report.problems.append(Problem("pending", "left half-written by an interrupted run", article_id))
        elif numbers != list(range(1, count + 1)):
            report.problems.append(Problem("manifest", f"paragraphs {numbers[:5]}… stored, expected 1..{count}",
                                           article_id))
        else:
            report.articles += 1
            expected.update((paragraph_id(article_id, n), article_id) for n in numbers)
    report.paragraphs = len(expected)
    return expected


def _check_vectors(store, expected: dict[str, str], report: DoctorReport) -> None:
    windows: dict[str, set[int]] = defaultdict(set)
    strays: dict[str | None, int] = defaultdict(int)  # article id (None: no known article) -> stray windows
    first_id = None
    known = set(expected.values())
    for window_id, meta in store.vectors.entries():
        report.windows += 1
        first_id = first_id or window_id
        meta = meta or {}
        pid, parsed = meta.get("paragraph_id"), parse_window_id(window_id)
        article_id = expected.get(pid) if pid is not None else None
        if (parsed and parsed[0] == pid and article_id and meta.get("article_id") == article_id
                and meta.get("document_id") == article_id):
            windows[pid].add(parsed[1])
            continue
        owner = meta.get("article_id") if meta.get("article_id") in known else None
        strays[owner] += 1
        report.plan.orphans.append(window_id)
    for article_id, n in strays.items():
        where = f"of {article_id}" if article_id else "of no done article (unknown, pending or malformed)"
        report.problems.append(Problem("orphan_vectors", f"{n} Chroma windows {where}", article_id))
    missing: dict[str, int] = defaultdict(int)
    recorded = store.manifest.window_counts()
    for pid, article_id in expected.items():
        stored = windows.get(pid)
        if not stored or stored != set(range(len(stored))) or recorded.get(pid) not in (None, len(stored)):
            missing[article_id] += 1
        elif recorded.get(pid) is None:
            report.plan.window_counts[pid] = len(stored)
    for article_id, n in missing.items():
        report.problems.append(Problem("missing_vectors", f"{n} paragraphs without all their windows", article_id))
    if report.plan.window_counts:
        report.problems.append(Problem("window_counts", f"{len(report.plan.window_counts)} paragraphs have no recorded "
                                       "window count (written by an older version; dated questions are slower)"))
    count = store.vectors.count()
    if count != report.windows:
        report.problems.append(Problem("vector_index", f"count() says {count}, listing gave {report.windows}"))
    if first_id and not store.vectors.finds_itself(first_id):
        report.problems.append(Problem("vector_index", f"a query for {first_id}'s own vector does not find it"))


def _check_keyword(store, expected: dict[str, str], report: DoctorReport) -> None:
    saved = KeywordIndex(store.keyword_directory)  # what is on disk, not what this process has in memory
    if not saved.load():
        if expected:
            report.problems.append(Problem("keyword", "no saved keyword index"))
        return
    table = saved.table
    report.keyword_paragraphs = len(table)
    generation = store.manifest.generation()
    if saved.generation != generation:
        report.problems.append(Problem("keyword", f"saved at generation {saved.generation}, manifest is at "
                                                  f"{generation}"))
    pairs = list(zip(table.paragraph_ids, table.article_ids.tolist()))
    if sorted(pairs) != sorted(expected.items()) or (pairs and not saved.built):
        extra = len(set(table.paragraph_ids) - set(expected))
        absent = len(set(expected) - set(table.paragraph_ids))
        report.problems.append(Problem("keyword", f"{extra} paragraphs not in the manifest, {absent} missing, "
                                                  f"{len(pairs) - len(set(pairs))} duplicated"))


def repair(store: IndexStore, progress: bool = False) -> DoctorReport:
    """Carry out the plan of `check`, then check again; the returned report lists what was done and what remains."""
    plan = check(store).plan
    done: list[str] = []
    reingest: list[str] = []
    if plan.remove or plan.stray_rows:
        rows = [store.manifest.article(a) for a in plan.remove]
        reingest = sorted({row["source_path"] or "" for row in rows if row is not None} - {""})
        reingest = [p for p in reingest if Path(p).exists()]
        for article_id in plan.remove:
            store.delete_article(article_id)
        stray = store.manifest.delete_stray_rows()
        done.append(f"removed {len(plan.remove)} articles with missing paragraph rows and {stray} stray rows")
    rewrite = plan.rewrite
    if plan.reset_vectors:
        store.reset_vectors()
        rewrite = set(store.manifest.content_hashes())
        done.append("dropped the Chroma collection")
    elif plan.orphans:
        store.vectors.delete_ids(plan.orphans)
        done.append(f"deleted {len(plan.orphans)} Chroma windows the manifest does not account for")
    if plan.window_counts:
        store.manifest.set_windows(plan.window_counts)
        done.append(f"recorded the window counts of {len(plan.window_counts)} paragraphs")
    rewritten = sorted(rewrite & set(store.manifest.content_hashes()))
    if rewritten:
        written = write_articles(store, [pending_from_manifest(store, a) for a in rewritten], progress)
        done.append(f"rewrote {len(written.updated)} articles from the manifest: {', '.join(rewritten[:10])}"
                    + ("…" if len(rewritten) > 10 else ""))
    if done or plan.rebuild_keyword:
        store.rebuild_keyword()
        done.append("rebuilt the keyword index")
    after = check(store)
    after.repaired, after.repaired_articles = done, sorted(plan.remove | set(rewritten))
    after.reingest = reingest
    return after
