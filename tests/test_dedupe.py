"""Syndicated copies collapsed: a wire story and two reprints by other outlets (new headlines, a trimmed ending,
reordered paragraphs, boilerplate, a few words edited) and an unrelated story, ingested for real (Chroma, the
bundled embedder). Retrieval keeps one passage per copied paragraph with the other outlets in `also_in`."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from index.dedupe import duplicates, same_paragraph, sync
from qa import QA
from qa.cli import main
from tests.conftest import ROOT

WIRE = ROOT / "tests" / "corpus_wire"
SHELTER = "How many residents were moved to a shelter after the Millbrook dam spillway failed?"
SHELTER_TEXT = "340 residents of the valley had been moved to a shelter"


@pytest.fixture(scope="module")
def wire_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("wire") / "home"
    qa = QA(home)
    report = qa.ingest([WIRE])
    assert len(report.added) == 4 and not report.skipped
    qa.close()
    return home


@pytest.fixture
def wire_qa(wire_home, tmp_path):
    shutil.copytree(wire_home, tmp_path / "home")
    qa = QA(tmp_path / "home")
    yield qa
    qa.close()


def ids(qa: QA) -> dict[str, str]:
    """source -> article id."""
    return {r["source"]: r["article_id"] for r in qa.articles()}


def test_reprints_are_one_story_and_the_unrelated_story_is_not(wire_qa):
    by_source = ids(wire_qa)
    stories = duplicates(wire_qa.store).story_of(list(by_source.values()))
    assert stories[by_source["Valley Ledger"]] == stories[by_source["Coastal Herald"]] == by_source["Northwire"]
    assert stories[by_source["Harbor Gazette"]] == by_source["Harbor Gazette"]


def test_retrieve_returns_one_passage_per_copied_paragraph_with_the_other_outlets(wire_qa):
    passages = wire_qa.retrieve(SHELTER, k=5)
    shelter = [p for p in passages if SHELTER_TEXT in p.text]
    assert len(shelter) == 1  # three outlets print it; one passage
    p = shelter[0]
    assert p.source == "Northwire"  # the earliest published copy stands for them
    assert [(a["source"], a["published"]) for a in p.also_in] == [("Valley Ledger", "2024-03-05"),
                                                                 ("Coastal Herald", "2024-03-06")]
    assert all(a["url"].startswith("https://") and a["paragraph"] in (2, 3) for a in p.also_in)
    texts = [x.text for x in passages]
    assert len(texts) == len(set(texts)) and len(passages) == 5  # k still filled, by distinct paragraphs
    by_source = ids(wire_qa)
    assert {x.story_id for x in passages} >= {by_source["Northwire"]}


def test_as_of_hides_copies_published_later(wire_qa):
    p = next(p for p in wire_qa.retrieve(SHELTER, k=5, as_of="2024-03-05") if SHELTER_TEXT in p.text)
    assert [a["source"] for a in p.also_in] == ["Valley Ledger"]


def test_ask_cites_it_once_and_lists_the_outlets(wire_qa, wire_home):
    answer = wire_qa.ask(SHELTER)
    cited = [c for c in answer.citations if SHELTER_TEXT in c.text]
    assert len(cited) == 1
    assert {a["source"] for a in cited[0].also_in} == {"Valley Ledger", "Coastal Herald"}
    out = CliRunner().invoke(main, ["--home", str(wire_home), "ask", SHELTER], catch_exceptions=False).output
    assert "also in: Valley Ledger (2024-03-05), Coastal Herald (2024-03-06) · 3 outlets" in out
    data = json.loads(CliRunner().invoke(main, ["--home", str(wire_home), "ask", SHELTER, "--json"]).output)
    assert any(len(c["also_in"]) == 2 for c in data["citations"])


def test_deleting_the_canonical_article_promotes_the_next_copy(wire_qa):
    by_source = ids(wire_qa)
    assert wire_qa.delete_article(by_source["Northwire"])
    p = next(p for p in wire_qa.retrieve(SHELTER, k=5) if SHELTER_TEXT in p.text)  # clusters follow the manifest
    assert p.source == "Valley Ledger" and [a["source"] for a in p.also_in] == ["Coastal Herald"]
    d = duplicates(wire_qa.store)
    assert d.story_of([by_source["Coastal Herald"]])[by_source["Coastal Herald"]] == by_source["Valley Ledger"]
    assert d.story_members(by_source["Northwire"]) == []
    assert not any(r[0].startswith(by_source["Northwire"]) for r in d._db.execute("SELECT item FROM bands"))


def test_a_changed_article_is_reclustered_and_sync_is_idempotent(wire_qa, tmp_path):
    by_source = ids(wire_qa)
    assert sync(wire_qa.store) == {"added": 0, "removed": 0}
    rewritten = tmp_path / "coastal.md"  # the same id, now a different story
    rewritten.write_text("---\ntitle: Harbour regatta\ndate: 2024-03-06\nsource: Coastal Herald\nid: "
                         f"{by_source['Coastal Herald']}\n---\n\nThe annual harbour regatta drew forty boats and a "
                         "crowd of several thousand to the waterfront on a bright and windy afternoon.\n")
    report = wire_qa.ingest([rewritten])
    assert report.updated == [by_source["Coastal Herald"]]
    d = duplicates(wire_qa.store)
    assert d.story_of([by_source["Coastal Herald"]])[by_source["Coastal Herald"]] == by_source["Coastal Herald"]
    assert d.story_of([by_source["Valley Ledger"]])[by_source["Valley Ledger"]] == by_source["Northwire"]


@pytest.mark.parametrize("a, b, copy", [
    ("Twelve boats left the harbour at dawn and 40 crew members were rescued by the coast guard on Monday.",
     "Twelve boats left the harbour at dawn, and 40 crew members were rescued by the coast guard on Monday.", True),
    # The same sentence with another figure is not a copy: the outlets disagree (qa/disagreement.py).
    ("Twelve boats left the harbour at dawn and 40 crew members were rescued by the coast guard on Monday.",
     "Twelve boats left the harbour at dawn and 45 crew members were rescued by the coast guard on Monday.", False),
    ("Twelve boats left the harbour at dawn and 40 crew members were rescued by the coast guard on Monday.",
     "The city council approved a new budget for the public library and two swimming pools on Tuesday.", False),
])
def test_same_paragraph(a, b, copy):
    assert bool(same_paragraph(a, b)) is copy
