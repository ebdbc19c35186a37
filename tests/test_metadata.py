"""Questions about an article itself (who wrote it, which outlet, when) are answered from its header, cited
as paragraph 0 (`{article_id}#header`), by every answerer; an article without the field is refused."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from qa import REFUSAL
from qa.answerers.metadata import header_passage, metadata_answer, metadata_kind
from qa.citations import is_header_id, place_label
from qa.types import Passage
from tests.conftest import needs_model


@pytest.mark.parametrize("question,kind", [
    ("Who wrote the JW Insights article about the Wuzhen summit?", "author"),
    ("Who is the author of the story on the flood barrier?", "author"),
    ("Which newspaper reported the flood barrier vote?", "source"),
    ("What outlet published the wind farm story?", "source"),
    ("When was the article about the bus fares published?", "date"),
    ("Who wrote a letter to the council?", None),  # "wrote" about the news, not the article: no article word
    ("What did Robin Li say about large models?", None),
    ("When was the 2023 World Internet Conference held?", None),
])
def test_metadata_questions_are_recognised(question, kind):
    assert metadata_kind(question) == kind


@pytest.mark.parametrize("question,expected,article", [
    ("Who wrote the JW Insights article about the Wuzhen summit?", "Greg Gao", "wuzhen"),
    ("Who are the authors of the Valley Ledger story on the Riverton flood barrier?", "Daniel Reyes and Aiko Tanaka",
     "riverton"),
    ("Which news outlet published the story about the Port Ellery wind farm?", "Coastal Times", "harbor"),
    ("When was the article about the Lakeside bus fare freeze published?", "2024-09-03", "lakeside"),
])
def test_extractive_answers_metadata_citing_the_header(shared_qa, question, expected, article):
    answer = shared_qa.ask(question)
    assert not answer.refused and expected in answer.text
    header = answer.citations[0]
    assert header.paragraph == 0 and is_header_id(header.paragraph_id) and header.article_id.startswith(article)
    assert header.paragraph_id == f"{header.article_id}#header"
    assert expected in header.quote and header.text[header.quote_start:header.quote_end] == header.quote
    assert answer.text.endswith("[1]") or "[1]" in answer.text


def test_outlet_question_also_quotes_the_outlet_the_article_relays(shared_qa):
    answer = shared_qa.ask("Which newspaper originally reported the executives' remarks at the Wuzhen summit?")
    assert "JW Insights" in answer.text and "China Daily" in answer.text
    assert [c.paragraph for c in answer.citations][0] == 0 and any(c.paragraph > 0 for c in answer.citations)


def test_an_article_without_a_byline_refuses_the_author_question():
    bare = Passage("a1", "a1#p1", 1, "The council met on Tuesday.", 1.0, title="Council meets", source="Town Post",
                   published="2024-01-02", authors=[])
    answer = metadata_answer("Who wrote the article about the council meeting?", [bare], "extractive")
    assert answer.refused and answer.text == REFUSAL and answer.citations == []
    assert header_passage(bare).text == "“Council meets”, published by Town Post on 2024-01-02."


def test_cli_shows_the_header_citation(built_home):
    from qa.cli import main

    result = CliRunner().invoke(main, ["--home", str(built_home), "ask",
                                       "Who wrote the JW Insights article about the Wuzhen summit?"])
    assert result.exit_code == 0, result.output
    assert "Greg Gao. [1]" in result.output and "article header (wuzhen" in result.output
    assert place_label(0) == "article header" and place_label(3) == "paragraph 3"


@pytest.mark.llm
@needs_model
def test_local_answerer_answers_metadata_from_the_header(shared_qa):
    answer = shared_qa.ask("Who wrote the JW Insights article about the Wuzhen summit?", answerer="local")
    assert not answer.refused and "Greg Gao" in answer.text and answer.answerer == "local"
    assert answer.citations[0].paragraph == 0


def test_ui_labels_the_header_citation(shared_qa):
    from web.render import _card, link_markers

    answer = shared_qa.ask("Who wrote the JW Insights article about the Wuzhen summit?").to_dict()
    assert 'title="Top executives' in link_markers(answer, 0) and "article header" in link_markers(answer, 0)
    card = _card(answer["citations"][0], "src-0-1")
    assert "article header" in card and "<mark>Greg Gao</mark>" in card
