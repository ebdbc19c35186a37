"""The extractive answerer: cited answers from the right paragraph, refusals when the articles are silent."""
from __future__ import annotations

import pytest

from qa import REFUSAL


def test_robin_li_answer_cites_the_robin_li_paragraph(shared_qa):
    answer = shared_qa.ask("What did Robin Li say about large models?")
    assert not answer.refused and answer.text.endswith("[1]")
    [citation] = answer.citations
    assert citation.paragraph_id.endswith("#p5") and citation.paragraph == 5
    assert citation.quote in citation.text and citation.text[citation.quote_start:citation.quote_end] == citation.quote
    assert "current large models and computing power cannot generate value themselves" in answer.text


@pytest.mark.parametrize("question", [
    "What did Elon Musk say at the Wuzhen summit?",
    "What is Tesla's stock price?",
    "What did Jack Ma say about cloud computing?",
    "How much did Baidu invest in the summit?",
])
def test_questions_the_articles_do_not_answer_are_refused(shared_qa, question):
    answer = shared_qa.ask(question)
    assert answer.refused and answer.text == REFUSAL and answer.citations == []


@pytest.mark.parametrize("question,paragraph,expected", [
    ("What did the Tencent executive say?", 6, "Guo Kaitian"),
    ("How many daily active users does Kuaishou have?", 7, "400 million"),
    ("When was the 2023 World Internet Conference held?", 2, "November 8-10"),
    ("What initiative did China launch last month?", 9, "Global AI Governance Initiative"),
    ("What did Francis Gurry say?", 10, "future of the internet"),
])
def test_seed_questions_are_answered_from_their_paragraph(shared_qa, question, paragraph, expected):
    answer = shared_qa.ask(question)
    assert not answer.refused and expected in answer.text
    assert answer.citations[0].paragraph == paragraph


def test_markers_number_the_citations_in_order(shared_qa):
    answer = shared_qa.ask("What did Maria Okafor say about the flood barrier?")
    assert not answer.refused
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.text and "Maria Okafor" in citation.text + " ".join(
            p.text for p in answer.passages if p.paragraph_id == citation.paragraph_id)
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_an_error(shared_qa, question):
    with pytest.raises(ValueError, match="empty"):
        shared_qa.ask(question)


def test_ask_reads_the_question_once(shared_qa, monkeypatch):
    """Retrieval's analysis (speakers, names, dates) is what the answerer gets: `analyze` runs once a question."""
    import qa.query
    import qa.retrieve

    calls = []

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    real = qa.query.analyze
    monkeypatch.setattr(qa.query, "analyze", counted)
    monkeypatch.setattr(qa.retrieve, "analyze", counted)
    answer = shared_qa.ask("What did Robin Li say about large models?")
    assert calls == ["What did Robin Li say about large models?"] and answer.citations[0].paragraph == 5
