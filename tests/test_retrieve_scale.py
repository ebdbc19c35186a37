"""What keeps hybrid retrieval's cost bounded on a big corpus: paragraph facts from the in-memory paragraph
table (not a manifest query per candidate), a named speaker's paragraphs capped at the candidates per retriever
and read in pages, filters testing only the columns they use."""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from index.constraints import Constraints
from index.dates import day_number
from index.paragraph_table import ParagraphTable
from qa import QA
from qa.retrieve import _speaker_ranking, recency_factor

SPEAKER = "Dana Whitfield"


def table_of(ids: list[str]) -> ParagraphTable:
    return ParagraphTable(ids, [i.split("#")[0] for i in ids], [20240101 + n for n in range(len(ids))],
                          ["Harbour Post"] * len(ids), [1] * len(ids))


def test_the_table_finds_its_paragraphs_and_their_facts():
    ids = [f"art-{a}#p{n}" for a in range(3) for n in range(1, 40)]
    table = table_of(ids)
    wanted = [ids[5], "art-9#p1", ids[-1], ids[0]]
    assert table.lookup(wanted) == {ids[5]: 5, ids[-1]: len(ids) - 1, ids[0]: 0}
    assert table.facts([ids[2], "missing#p1"]) == {ids[2]: ("art-0", 20240103, "Harbour Post")}
    assert table.lookup([]) == {}


def test_the_table_checks_the_id_behind_a_shared_hash():
    ids = [f"art-0#p{n}" for n in range(1, 9)]
    table = table_of(ids)
    table.lookup(ids[:1])  # builds the hash index
    table._hashes = np.zeros(len(ids), dtype=np.int64)  # as if every id had the same hash
    table._hash_order = np.arange(len(ids))[::-1].copy()
    import builtins

    real_hash = builtins.hash
    try:
        builtins.hash = lambda value: 0 if isinstance(value, str) else real_hash(value)
        assert table.lookup([ids[3], ids[6], "art-0#p99"]) == {ids[3]: 3, ids[6]: 6}
    finally:
        builtins.hash = real_hash


def test_a_filter_needs_only_the_columns_it_tests():
    dated = Constraints(day_from=20240105)
    days = np.array([20240101, 20240106])
    assert dated.mask(days, None, None, 2).tolist() == [False, True]
    with pytest.raises(ValueError, match="not given"):
        Constraints(sources=["Harbour Post"]).mask(days, None, None, 2)
    table = table_of(["a#p1", "a#p2", "b#p1"])
    both = Constraints(day_to=20240102, sources=["Harbour Post"])
    assert table.allowed(np.arange(3), both).tolist() == [True, True, False]


def test_recency_comes_from_the_day_number():
    as_of = day_number("2024-03-10")
    from datetime import date

    assert recency_factor(as_of, date(2024, 3, 10), 30.0) == 1.0
    assert recency_factor(day_number("2024-02-09"), date(2024, 3, 10), 30.0) == pytest.approx(0.75)
    assert recency_factor(0, date(2024, 3, 10), 30.0) == 0.5 == recency_factor(2024, date(2024, 3, 10), 30.0)


@pytest.fixture(scope="module")
def speaker_qa(tmp_path_factory):
    """Two articles quoting one spokesperson in 20 paragraphs each, a month apart (ids sort the earlier first)."""
    folder = tmp_path_factory.mktemp("speaker")
    rows = []
    for article_id, published in (("a-early", "2024-01-10"), ("b-late", "2024-03-10")):
        body = "\n\n".join(f"“The harbour dredging plan step {n} will need {n + 3} more barges,” said {SPEAKER}, "
                           f"the port authority spokesperson." for n in range(1, 21))
        rows.append({"id": article_id, "title": f"Harbour dredging update {article_id}", "source": "Harbour Post",
                     "published": published, "text": body})
    path = folder / "harbour.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    qa = QA(folder / "home", index={"seed_default_corpus": False}, retrieval={"candidates": 5})
    qa.ingest([path])
    yield qa
    qa.close()


def test_a_speaker_of_many_paragraphs_brings_the_found_ones_then_a_capped_page(speaker_qa):
    store = speaker_qa.store
    table = store.keyword.table
    everything = store.manifest.paragraphs_of_speakers([SPEAKER])
    assert len(everything) == 40 and everything == sorted(everything)
    info = SimpleNamespace(speakers=[SPEAKER])
    # Nothing found by the other retrievers: the first 5 in id order.
    assert _speaker_ranking(store, table, info, Constraints(), [], [], 5) == everything[:5]
    # Found ones first, by the best rank either retriever gave them, then 5 others.
    hit = SimpleNamespace
    dense = [hit(paragraph_id=everything[30]), hit(paragraph_id="not-a-speaker#p1")]
    keyword = [hit(paragraph_id="not-a-speaker#p2"), hit(paragraph_id=everything[12]), hit(paragraph_id=everything[30])]
    ranked = _speaker_ranking(store, table, info, Constraints(), dense, keyword, 5)
    assert ranked == [everything[30], everything[12], *everything[:5]]
    # A date filter that lets through only the later article: the first page (20 earlier paragraphs) holds
    # none of it, so the next page is read.
    march = Constraints(day_from=day_number("2024-03-01"))
    later = _speaker_ranking(store, table, info, march, [], [], 5)
    assert later == [pid for pid in everything if pid.startswith("b-late")][:5]


def test_a_question_naming_the_speaker_still_finds_their_paragraphs(speaker_qa):
    passages = speaker_qa.retrieve(f"What did {SPEAKER} say about barges for step 17?", k=3)
    assert passages and all(SPEAKER in p.speakers for p in passages)
    assert any(p.paragraph == 17 for p in passages)
