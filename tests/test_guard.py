"""The grounding guard on drafts a small model really writes: citation variants, repair, removal, refusal.

The drafts are fixed strings (the guard is deterministic given a draft); tests/test_llm.py runs real models.
"""
from __future__ import annotations

import pytest

from qa import REFUSAL
from qa.guard import UNSUPPORTED_MARK, check
from qa.prompts import load, render

ROBIN = "What did Robin Li say about large models?"


@pytest.fixture(scope="module")
def numbered(shared_qa):
    """Passages [1] Robin Li's paragraph, [2] Guo Kaitian's, [3] Kuaishou's, as a prompt would number them."""
    by_n = {p.paragraph: p for p in shared_qa.retrieve("Robin Li Guo Kaitian Kuaishou large models", k=10)
            if p.article_id.startswith("wuzhen")}
    return [by_n[5], by_n[6], by_n[7]]


def run(shared_qa, draft, passages, question=ROBIN, **answer_settings):
    settings = shared_qa.settings.model_copy(deep=True)
    for key, value in answer_settings.items():
        setattr(settings.answer, key, value)
    return check(question, draft, passages, shared_qa.store.embedder, settings, "local")


def test_tesla_hallucination_without_citation_becomes_the_refusal(shared_qa, numbered):
    # What Qwen2.5 0.5B really answered over the seed article.
    answer = run(shared_qa, "Tesla's stock price is approximately $100.", numbered, "What is Tesla's stock price?")
    assert answer.refused and answer.text == REFUSAL and answer.sentences[0]["action"] == "removed"


@pytest.mark.parametrize("draft", [
    "Robin Li said current large models and computing power cannot generate value themselves [1].",
    "Robin Li said current large models and computing power cannot generate value themselves. [1]",
    "Robin Li said current large models and computing power cannot generate value themselves (1).",
    "Robin Li said current large models and computing power cannot generate value themselves [1, 9].",
])
def test_marker_variants_are_kept_and_renumbered(shared_qa, numbered, draft):
    answer = run(shared_qa, draft, numbered)
    assert not answer.refused and answer.text.endswith("[1]") and "[9]" not in answer.text
    assert [c.paragraph for c in answer.citations] == [5]
    assert answer.citations[0].quote in answer.citations[0].text


def test_right_fact_cited_to_the_wrong_paragraph_is_recited(shared_qa, numbered):
    answer = run(shared_qa, "Robin Li said large models and computing power cannot generate value themselves [2].",
                 numbered)
    assert answer.sentences[0]["action"] == "recited" and answer.citations[0].paragraph == 5


def test_swapped_number_is_removed_and_the_rest_kept(shared_qa, numbered):
    draft = ("Robin Li said current large models cannot generate value themselves [1]. "
             "Kuaishou has 500 million daily active users [3].")
    answer = run(shared_qa, draft, numbered, "What did the executives say?")
    assert [s["action"] for s in answer.sentences] == ["kept", "removed"]
    assert "500 million" not in answer.text and [c.paragraph for c in answer.citations] == [5]


def test_unsupported_sentence_can_be_marked_instead(shared_qa, numbered):
    draft = "Robin Li said current large models cannot generate value themselves [1]. He also praised Tesla [1]."
    answer = run(shared_qa, draft, numbered, unsupported="mark")
    assert UNSUPPORTED_MARK in answer.text and answer.sentences[1]["action"] == "marked"


def test_model_refusal_is_the_refusal(shared_qa, numbered):
    answer = run(shared_qa, REFUSAL, numbered, "What did Elon Musk say?")
    assert answer.refused and answer.citations == []


def test_extra_citation_that_supports_nothing_is_dropped(shared_qa, numbered):
    answer = run(shared_qa, "Robin Li said current large models cannot generate value themselves [1][3].", numbered)
    assert [c.paragraph for c in answer.citations] == [5]


def test_prompts_render_strictly_with_the_shared_constants():
    system = render("system")
    assert REFUSAL in system and "[1]" in system
    user = render("answer", question="Q?", as_of="2024-05-01", structured=False,
                  sources=[{"n": 1, "title": "T", "published": "", "source": "Gazette", "paragraph_id": "a#p1",
                            "text": "Body"}])
    assert '<source n="1"' in user and "Q?" in user and "Today is 2024-05-01" in user and 'outlet="Gazette"' in user
    with pytest.raises(Exception, match="question"):
        load("answer").render(sources=[], refusal=REFUSAL, marker_example="[1]", as_of="", structured=False)


def test_a_template_missing_a_placeholder_fails_at_load(tmp_path):
    (tmp_path / "answer.md").write_text("Sources: {{ sources }} Question: {{ question }}")
    with pytest.raises(ValueError, match="refusal"):
        load("answer", tmp_path)
