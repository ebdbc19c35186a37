"""`doctor` on a real index (real Chroma, the bundled model): each way the three stores can disagree is
made by hand, found by `check`, fixed by `repair`; plus the CLI's exit codes and an ingest after a kill."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from index.ingest import RUNNING
from index.loaders import load_file
from index.writer import make_paragraphs
from qa.cli import main
from tests.conftest import SEED_DIR

SEED = SEED_DIR / "wuzhen-2023-jw-insights.txt"
ROBIN_LI = "What did Robin Li say about large models?"


def seed_id(qa) -> str:
    return next(a["article_id"] for a in qa.articles() if a["article_id"].startswith("wuzhen-2023"))


def ghost_windows(qa, article_id="ghost-article", n=3):
    """Windows for an article the manifest never recorded (what a write without `begin` would leave)."""
    rows = [(f"{article_id}#p{i}", 0, f"Ghost paragraph {i}.", {"article_id": article_id,
             "paragraph_id": f"{article_id}#p{i}", "n": i}) for i in range(1, n + 1)]
    qa.store.vectors.add(rows, qa.store.embedder.encode([r[2] for r in rows]))


def half_written(qa):
    """What a kill between `begin` and `commit` leaves: a pending article with 1 of its 10 paragraphs."""
    article = load_file(SEED).articles[0]
    article.article_id = "half-written"
    paragraphs = make_paragraphs(article)
    qa.store.manifest.begin(article, "hash", paragraphs)
    first = paragraphs[0]
    qa.store.vectors.add([(first.paragraph_id, 0, first.text, {"article_id": article.article_id,
                                                              "paragraph_id": first.paragraph_id, "n": 1})],
                         qa.store.embedder.encode([first.text]))


def drop_one_window(qa):
    qa.store.vectors.delete_ids([f"{seed_id(qa)}#p5@w0"])


def drop_manifest_rows(qa):
    """The manifest row of an article gone while its vectors stay (the old order of `delete_article`)."""
    qa.store.manifest.delete(seed_id(qa))


def drop_a_paragraph_row(qa):
    with qa.store.manifest._db as db:
        db.execute("DELETE FROM paragraphs WHERE paragraph_id=?", (f"{seed_id(qa)}#p3",))


def stale_keyword(qa):
    qa.store.manifest.set_state(seed_id(qa), "done")  # bumps the generation, as any write does


def no_keyword(qa):
    import shutil

    shutil.rmtree(qa.store.keyword_directory)


def forget_window_counts(qa):
    """A home written before window counts were kept in the manifest."""
    with qa.store.manifest._db as db:
        db.execute("UPDATE paragraphs SET windows=NULL")


def wrong_window_count(qa):
    with qa.store.manifest._db as db:
        db.execute("UPDATE paragraphs SET windows=windows+1 WHERE paragraph_id=?", (f"{seed_id(qa)}#p4",))


CASES = {  # how the index is damaged -> the problem kinds `check` must report
    "pending article": (half_written, {"pending", "orphan_vectors"}),
    "windows of an unknown article": (ghost_windows, {"orphan_vectors"}),
    "a missing window": (drop_one_window, {"missing_vectors"}),
    "manifest row gone, vectors kept": (drop_manifest_rows, {"orphan_vectors", "keyword"}),
    "a missing paragraph row": (drop_a_paragraph_row, {"manifest", "orphan_vectors", "keyword"}),
    "stale keyword index": (stale_keyword, {"keyword"}),
    "no keyword index": (no_keyword, {"keyword"}),
    "window counts not recorded": (forget_window_counts, {"window_counts"}),
    "a wrong window count": (wrong_window_count, {"missing_vectors"}),
}


def test_a_finished_ingest_is_consistent(shared_qa):
    report = shared_qa.doctor()
    store = shared_qa.store
    assert report.ok, report.problems
    assert report.articles == len(shared_qa.articles()) == 8
    assert report.paragraphs == len(store.manifest.paragraph_ids("done")) == report.keyword_paragraphs
    assert report.windows == store.vectors.count() >= report.paragraphs


@pytest.mark.parametrize("case", CASES)
def test_check_finds_and_repair_fixes(fresh_qa, case):
    damage, kinds = CASES[case]
    fresh_qa.doctor(repair=True)  # the copied home has not saved its keyword index yet
    damage(fresh_qa)
    found = fresh_qa.doctor()
    assert {p.kind for p in found.problems} == kinds
    fixed = fresh_qa.doctor(repair=True)
    assert fixed.ok, fixed.problems
    assert fixed.repaired and fresh_qa.doctor().ok
    store = fresh_qa.store
    assert set(store.vectors.paragraph_ids()) == store.manifest.paragraph_ids("done") == set(store.keyword.table.paragraph_ids)
    assert (store.keyword.table.windows > 0).all()  # every count recorded, so dated questions can list their windows
    # An article the manifest lost (or lost a paragraph of) is removed; ingesting its file brings it back.
    assert fixed.reingest == ([str(SEED)] if case == "a missing paragraph row" else [])
    if case in ("manifest row gone, vectors kept", "a missing paragraph row"):
        assert fresh_qa.ingest([SEED]).added and fresh_qa.doctor().ok
    assert fresh_qa.ask(ROBIN_LI).citations[0].paragraph == 5


def test_check_plans_what_repair_will_do(fresh_qa):
    fresh_qa.doctor(repair=True)  # the copied home has not saved its keyword index yet
    ghost_windows(fresh_qa)
    half_written(fresh_qa)
    plan = fresh_qa.doctor().plan
    assert sorted(plan.orphans) == ["ghost-article#p1@w0", "ghost-article#p2@w0", "ghost-article#p3@w0",
                                    "half-written#p1@w0"]
    assert plan.rewrite == {"half-written"} and not plan.remove and not plan.reset_vectors
    assert not plan.window_counts and not plan.rebuild_keyword
    assert "plan" not in fresh_qa.doctor().to_dict()
    assert fresh_qa.doctor(repair=True).ok and fresh_qa.doctor().plan.orphans == []


def test_a_pending_article_is_finished_from_the_manifest(fresh_qa):
    half_written(fresh_qa)
    fixed = fresh_qa.doctor(repair=True)
    assert fixed.ok and fixed.repaired_articles == ["half-written"]
    assert fresh_qa.store.manifest.article("half-written")["state"] == "done"
    stored = {p for p, a in fresh_qa.store.vectors.paragraph_ids().items() if a == "half-written"}
    assert stored == {f"half-written#p{n}" for n in range(1, 11)}


def test_a_broken_vector_index_is_rebuilt_from_the_manifest(fresh_qa, monkeypatch):
    from index.vectors import VectorIndex

    before = fresh_qa.store.vectors.count()
    real, broken = VectorIndex.finds_itself, [True]

    def probe(self, window_id):  # the first probe fails, as after damage inside Chroma's own files
        return real(self, window_id) if not broken or broken.pop() is None else False

    monkeypatch.setattr(VectorIndex, "finds_itself", probe)
    fixed = fresh_qa.doctor(repair=True)
    assert "dropped the Chroma collection" in fixed.repaired and fixed.ok
    assert fresh_qa.store.vectors.count() == before and len(fixed.repaired_articles) == 8


def test_an_interrupted_delete_leaves_a_pending_article_that_ingest_removes(fresh_qa, monkeypatch):
    article_id = seed_id(fresh_qa)
    monkeypatch.setattr(fresh_qa.store.manifest, "delete", lambda a: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        fresh_qa.delete_article(article_id)
    monkeypatch.undo()
    assert fresh_qa.store.manifest.article(article_id)["state"] == "pending"
    assert article_id not in fresh_qa.store.vectors.paragraph_ids().values()
    assert fresh_qa.ingest([SEED_DIR]).repaired == [article_id]
    assert fresh_qa.doctor().ok


def test_ingest_after_a_killed_run_repairs_first(fresh_qa):
    ghost_windows(fresh_qa)
    half_written(fresh_qa)
    fresh_qa.store.manifest.set_meta(RUNNING, "pid 1")  # what a killed run leaves behind
    report = fresh_qa.ingest([SEED_DIR])
    assert report.doctor["ok"] and report.repaired == ["half-written"] and report.unchanged
    assert fresh_qa.store.manifest.meta(RUNNING) is None
    assert fresh_qa.doctor().ok


def test_cli_doctor_exit_codes_and_json(fresh_qa):
    home = str(fresh_qa.settings.home)
    fresh_qa.doctor(repair=True)
    ok = CliRunner().invoke(main, ["--home", home, "doctor", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["ok"] is True
    ghost_windows(fresh_qa)
    bad = CliRunner().invoke(main, ["--home", home, "doctor"])
    assert bad.exit_code == 1 and "orphan_vectors: -: 3 Chroma windows" in bad.output
    fixed = CliRunner().invoke(main, ["--home", home, "doctor", "--repair"])
    assert fixed.exit_code == 0 and "repaired: deleted 3 Chroma windows" in fixed.output
    assert fixed.output.strip().endswith("consistent")
