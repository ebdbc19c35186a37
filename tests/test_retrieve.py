"""Hybrid retrieval over the seed + test corpus: ranking, speakers, filters, as_of, llama-index adapter."""
from __future__ import annotations

import pytest

from qa.retrieve import rrf


def test_robin_li_question_finds_the_robin_li_paragraph(shared_qa):
    top = shared_qa.retrieve("What did Robin Li say about large models?", k=3)
    assert top[0].paragraph_id.endswith("#p5") and "Robin Li" in top[0].speakers
    assert top[0].title.startswith("Top executives") and top[0].published == "2023-11-10"


@pytest.mark.parametrize("question,speaker", [
    ("What did Yang say?", "Yang Yuanxi"),
    ("What did Francis Gurry say about the internet?", "Francis Gurry"),
    ("What did Maria Okafor say?", "Maria Okafor"),
    ("What did Wu Yongming say?", "Wu Yongming"),
])
def test_named_speaker_paragraphs_rank_first(shared_qa, question, speaker):
    top = shared_qa.retrieve(question, k=3)
    assert speaker in top[0].speakers


def test_speaker_resolved_across_paragraphs(shared_qa):
    # "... Yang said." names only the surname; the paragraph is still credited to Yang Yuanxi.
    top = shared_qa.retrieve("What did Yang Yuanxi say about finding content among short videos?", k=2)
    assert {p.paragraph for p in top} == {7, 8} and all("Yang Yuanxi" in p.speakers for p in top)


@pytest.mark.parametrize("filters,check", [
    ({"source": "Coastal Times"}, lambda p: p.source == "Coastal Times"),
    ({"source": ["Agri Weekly", "Valley Ledger"]}, lambda p: p.source in ("Agri Weekly", "Valley Ledger")),
    ({"author": "greg gao"}, lambda p: p.article_id.startswith("wuzhen")),
    ({"article_id": "brief-002"}, lambda p: p.article_id == "brief-002"),
    ({"date_from": "2024-06-01", "date_to": "2024-09-30"}, lambda p: "2024-06-01" <= p.published <= "2024-09-30"),
])
def test_filters_restrict_every_passage(shared_qa, filters, check):
    passages = shared_qa.retrieve("What did officials say about the cost?", k=5, filters=filters)
    assert passages and all(check(p) for p in passages)


def test_filters_no_paragraph_meets_find_nothing(shared_qa):
    # No window to search: an exact search among none (this corpus is small), not an error from Chroma.
    assert shared_qa.retrieve("apple harvest", filters={"source": "Agri Weekly", "date_to": "2020-01-01"}) == []


def test_unknown_filter_is_an_error(shared_qa):
    with pytest.raises(ValueError, match="unknown filter"):
        shared_qa.retrieve("anything", filters={"colour": "red"})


def test_as_of_never_uses_later_articles(shared_qa):
    passages = shared_qa.retrieve("What did researchers say about batteries and harvests?", k=10, as_of="2024-02-01")
    assert passages and all(p.published <= "2024-02-01" for p in passages)


def test_this_week_prefers_the_week_before_as_of(shared_qa):
    # Two articles match "hospital"/"clinic"-free wording; only the one published that week may come first.
    top = shared_qa.retrieve("Which project got its final permit this week?", k=1, as_of="2024-05-25")
    assert top[0].source == "Coastal Times" and top[0].published == "2024-05-22"


def same_hits(ours, chromas) -> bool:
    """The same paragraphs in the same order; scores equal up to float32 rounding (few ids are compared
    exactly by numpy, Chroma computes its own distances)."""
    return ([h.paragraph_id for h in ours] == [h.paragraph_id for h in chromas]
            and all(abs(a.score - b.score) < 1e-5 for a, b in zip(ours, chromas)))


class QuerySpy:
    """Records the keyword arguments of each real vector search the retriever makes (a Chroma query, or
    an exact search among a few ids: `exact`)."""

    def __init__(self, vectors, monkeypatch):
        self.calls, real, real_exact = [], vectors.query, vectors.nearest_among

        def query(vector, k, where=None, **kw):
            self.calls.append({"where": where, **kw})
            return real(vector, k, where, **kw)

        def nearest_among(vector, k, ids):
            self.calls.append({"where": None, "ids": ids, "exact": True})
            return real_exact(vector, k, ids)

        monkeypatch.setattr(vectors, "query", query)
        monkeypatch.setattr(vectors, "nearest_among", nearest_among)


@pytest.mark.parametrize("exact_up_to", [400, 0])  # few ids: compared here; more: Chroma's query(ids=...)
def test_a_dated_question_searches_only_its_dates_windows(fresh_qa, monkeypatch, exact_up_to):
    import index.vectors
    from index.constraints import Constraints
    from index.dates import day_number

    monkeypatch.setattr(index.vectors, "EXACT_SEARCH_IDS", exact_up_to)
    monkeypatch.setattr(index.vectors, "EXACT_SEARCH_SHARE", 1.0)  # this corpus is small: any share
    store = fresh_qa.store
    spy = QuerySpy(store.vectors, monkeypatch)
    question, may = "What did officials say about the permit?", {"date_from": "2024-05-01", "date_to": "2024-05-31"}
    passages = fresh_qa.retrieve(question, k=5, filters=may)
    assert passages and all(p.published.startswith("2024-05") for p in passages)
    listed = [c for c in spy.calls if c.get("ids") is not None]
    assert listed and all(c["where"] is None for c in spy.calls)
    # Exactly the windows of May's paragraphs, and the same hits as Chroma's own date filter.
    in_may = [pid for pid, row in store.manifest.paragraphs(list(store.manifest.paragraph_ids("done"))).items()
              if row["published"].startswith("2024-05")]
    assert sorted(listed[0]["ids"]) == sorted(f"{pid}@w0" for pid in in_may)
    assert listed[0].get("exact", False) == (exact_up_to > 0)
    c = Constraints(day_from=day_number("2024-05-01"), day_to=day_number("2024-05-31"))
    vector = store.embedder.encode([question], question_time=True)[0]
    by_ids = store.vectors.search(vector, 50, c, store.keyword.table)
    assert same_hits(by_ids, store.vectors.query(vector, 50, c.chroma_where()))


@pytest.mark.parametrize("filters", [{"source": "Coastal Times"}, {"author": "greg gao"},
                                     {"article_id": ["brief-002", "brief-003"]},
                                     {"source": ["Agri Weekly", "Valley Ledger"], "date_to": "2024-12-31"}])
def test_other_filters_avoid_chromas_where_filter(fresh_qa, monkeypatch, filters):
    from qa.filters import resolve_constraints
    from qa.query import analyze

    store = fresh_qa.store
    spy = QuerySpy(store.vectors, monkeypatch)
    question = "What did officials say about the cost?"
    c = resolve_constraints(store, analyze(question, None, []), filters)
    vector = store.embedder.encode([question], question_time=True)[0]
    hits = store.vectors.search(vector, 50, c, store.keyword.table)
    # One query, by ids or over-fetched (by each filter's share of this small corpus), never Chroma's `where`.
    assert len(spy.calls) == 1 and spy.calls[0]["where"] is None
    assert spy.calls[0].get("ids") or spy.calls[0].get("keep")
    assert hits and same_hits(hits, store.vectors.query(vector, 50, c.chroma_where()))  # what Chroma's filter finds


@pytest.mark.parametrize("exact_share", [1.0, 0.0])  # the gone id fetched for an exact search, or asked of Chroma
def test_a_window_gone_meanwhile_falls_back_to_the_chroma_filter(fresh_qa, monkeypatch, exact_share):
    import index.vectors

    monkeypatch.setattr(index.vectors, "EXACT_SEARCH_SHARE", exact_share)
    store = fresh_qa.store
    store.keyword  # noqa: B018 - the snapshot still lists the window deleted next
    pid = next(pid for pid, row in store.manifest.paragraphs(list(store.manifest.paragraph_ids("done"))).items()
               if row["published"].startswith("2024-05"))
    store.vectors.delete_ids([f"{pid}@w0"])
    spy = QuerySpy(store.vectors, monkeypatch)
    passages = fresh_qa.retrieve("What did officials say about the permit?", k=5,
                                 filters={"date_from": "2024-05-01", "date_to": "2024-05-31"})
    assert passages and [bool(c.get("ids")) for c in spy.calls] == [True, False] and spy.calls[1]["where"]
    assert spy.calls[0].get("exact", False) == (exact_share > 0)


def test_rrf_fuses_ranks():
    fused = rrf([(["a", "b"], 1.0), (["b", "c"], 1.0)], k=60)
    assert max(fused, key=fused.get) == "b" and set(fused) == {"a", "b", "c"}


def test_as_retriever_plugs_into_llama_index(shared_qa):
    from llama_index.core.retrievers import BaseRetriever

    retriever = shared_qa.as_retriever(k=2)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve("What did Robin Li say about large models?")
    assert len(nodes) == 2 and nodes[0].node.node_id.endswith("#p5") and nodes[0].node.metadata["paragraph"] == 5


def test_a_week_with_nothing_falls_back_without_encoding_the_question_again(shared_qa, monkeypatch):
    calls = []
    encode = shared_qa.store.embedder.encode

    def counting(texts, *args, **kwargs):
        calls.append(list(texts))
        return encode(texts, *args, **kwargs)

    monkeypatch.setattr(shared_qa.store.embedder, "encode", counting)
    # No article is dated in the week before 2030-01-01: the search falls back to every earlier article.
    passages = shared_qa.retrieve("What did Robin Li say this week about large models?", as_of="2030-01-01")
    assert passages
    assert len(calls) == 1
