"""What the extractive answerer quotes: the sentence that answers, even when it follows the one that matches
the question; never a headline that only repeats the question, a bare fragment, or the same sentence twice
from two reprints. Paragraphs written for these tests; the real bundled embedder scores them."""
from __future__ import annotations

import pytest

from qa.answer_types import answer_kind, has_answer_type
from qa.answerers.extractive import ExtractiveAnswerer
from qa.types import Passage


def passage(article: str, n: int, text: str, title: str = "Kestrel Bay ferry has busiest summer") -> Passage:
    return Passage(article, f"{article}#p{n}", n, text, 1.0, title=title, published="2024-09-02",
                   source="Bay Courier")


@pytest.fixture(scope="module")
def answerer(shared_qa):
    return ExtractiveAnswerer(shared_qa.store, shared_qa.settings)


def ask(answerer, question, passages):
    from qa.query import named_entities

    return answerer.answer(question, passages, [], named_entities(question))


def test_the_answer_in_the_sentence_after_the_matching_one_is_quoted(answerer):
    body = ("The Kestrel Bay ferry service had its busiest summer since it began, the harbour authority said on "
            "Monday. It carried 48,000 passengers between June and August, up from 31,000 a year earlier.")
    answer = ask(answerer, "How many passengers did the Kestrel Bay ferry service carry this summer?",
                 [passage("ferry", 1, body)])
    assert not answer.refused and "48,000" in answer.text
    assert answer.text.count("[1]") == 2  # each quoted sentence carries its marker
    assert answer.citations[0].quote == body


def test_a_headline_that_repeats_the_question_is_not_the_answer(answerer):
    headline = passage("ferry", 1, "Will the Kestrel Bay ferry run in winter?")
    body = passage("ferry", 2, "The Kestrel Bay ferry will keep running through the winter on a reduced timetable "
                               "of four crossings a day, the operator said.")
    answer = ask(answerer, "Will the Kestrel Bay ferry run in winter?", [headline, body])
    assert not answer.refused and "four crossings a day" in answer.text
    assert "run in winter?" not in answer.text and [c.paragraph for c in answer.citations] == [2]


def test_a_fragment_is_never_quoted_alone(answerer):
    caption = passage("ferry", 1, "Gull Line")
    body = passage("ferry", 2, "Gull Line, the operator of the Kestrel Bay ferry service, bought two new boats in "
                               "May for 3 million euros.")
    answer = ask(answerer, "Which company operates the Kestrel Bay ferry service?", [caption, body])
    assert not answer.refused and [c.paragraph for c in answer.citations] == [2]


def test_a_sentence_from_two_reprints_is_quoted_once(answerer):
    text = ("The Kestrel Bay ferry carried 48,000 passengers this summer, up from 31,000 a year earlier, the harbour "
            "authority said.")
    reprints = [passage("courier", 3, text), passage("wire-copy", 7, text, title="Ferry numbers climb")]
    answer = ask(answerer, "How many passengers did the Kestrel Bay ferry carry this summer?", reprints)
    assert not answer.refused and answer.text.count("48,000") == 1 and len(answer.citations) == 1


@pytest.mark.parametrize("question,kind", [
    ("Who became the new prime minister?", "name"),
    ("How many passengers did the ferry carry?", "number"),
    ("When will the ferry resume service?", "time"),
    ("Where is the ferry based?", "place"),
    ("Which company operates the ferry?", "name"),
    ("What did the mayor say about the ferry?", None),
    ("Gas prices hit a record this week. How much does a gallon cost?", "number"),
])
def test_answer_kinds(question, kind):
    assert answer_kind(question) == kind


@pytest.mark.parametrize("kind,text,question,holds", [
    ("number", "It carried 48,000 passengers.", "How many passengers?", True),
    ("number", "It started on September 21, 2022.", "How many passengers?", False),  # a date is not a count
    ("number", "It carried 2.9 million cars.", "Who recalled 2.9 million cars?", False),  # the question's own
    ("number", "AI will become Alibaba's two-wheel drive.", "How much will Alibaba spend?", False),
    ("name", "Rishi Sunak will lead the country.", "Who will lead the country?", True),
    ("name", "He will lead the country.", "Who will lead the country?", False),
    ("time", "Service resumes next month.", "When will service resume?", True),
])
def test_answer_type_must_be_new_to_the_question(kind, text, question, holds):
    assert has_answer_type(kind, text, question) is holds
