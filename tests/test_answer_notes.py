"""What every answer gets after its answerer (qa/annotate.py): "Outlets differ" when outlets report different
figures for one event, and "As of <date>" for questions about something that changes. Real ingest of fictional
articles (two outlets on a ferry disaster with different death tolls, two on a footbridge collapse that agree,
a wire story with reprints)."""
from __future__ import annotations

import pytest

from qa import QA
from qa.asof import about_change
from qa.disagreement import claims, conflicts
from tests.conftest import ROOT

FERRY = "How many people were killed when the ferry capsized on Lake Orun?"
BRIDGE = "How many people were injured when the Tessel canal footbridge collapsed?"


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    qa = QA(tmp_path_factory.mktemp("notes") / "home")
    report = qa.ingest([ROOT / "tests" / "corpus_differ", ROOT / "tests" / "corpus_wire"])
    assert len(report.added) == 8 and not report.skipped
    yield qa
    qa.close()


def test_outlets_that_differ_are_both_named_and_cited(qa):
    answer = qa.ask(FERRY)
    assert not answer.refused
    [statement] = [line for line in answer.text.split("\n") if line.startswith("Outlets differ")]
    by_source = {c.source: c for c in answer.citations}
    post, daily = by_source["Lakeside Post"], by_source["Orun Daily"]
    assert f"Lakeside Post (2024-06-10) reports 12 people were killed [{post.n}]" in statement
    assert f"Orun Daily (2024-06-11) reports 15 people were killed [{daily.n}]" in statement
    [found] = answer.disagreements
    assert found["slot"] == "people/dead" and {s["value"] for s in found["sides"]} == {"12", "15"}
    assert len({c.paragraph_id for c in answer.citations}) == len(answer.citations)  # each side cited once


def test_outlets_that_agree_get_no_statement(qa):
    answer = qa.ask(BRIDGE)
    assert not answer.refused and "7 people were injured" in answer.text
    assert {c.source for c in answer.citations} == {"Lakeside Post", "Orun Daily"}  # both read, same figure
    assert "Outlets differ" not in answer.text and answer.disagreements == []


def test_as_of_is_stated_for_a_question_about_now(qa):
    answer = qa.ask("How many residents are now in the shelter after the Millbrook dam spillway failed?")
    assert answer.text.startswith("As of 4 Mar 2024, ") and answer.as_of_date == "2024-03-04"
    assert answer.as_of_date == max(c.published for c in answer.citations)


def test_no_as_of_for_a_fixed_past_event(qa):
    answer = qa.ask(BRIDGE)
    assert not answer.text.startswith("As of") and answer.as_of_date == ""


@pytest.mark.parametrize("question, changes", [
    ("How many residents are now in the shelter?", True),
    ("Who is the CEO of Alibaba?", True),
    ("What is the price of a bus ticket in Lakeside?", True),
    ("How many people are still missing?", True),
    ("What is the latest on the Millbrook dam?", True),
    ("Is the Tessel canal footbridge open?", True),
    ("How many people were killed when the ferry capsized?", False),
    ("What did Robin Li say about large models?", False),
    ("When was the Millbrook dam built?", False),
    ("Who won the 2022 World Cup final?", False),
])
def test_about_change(question, changes):
    assert about_change(question) is changes


@pytest.mark.parametrize("text, expected", [
    ("Officials said 15 people were killed when a ferry overturned.", [("people/dead", "15")]),
    ("At least twelve people died and 30 were injured on Nov 10, 2023.", [("people/dead", "12"),
                                                                          ("people/injured", "30")]),
    # Sums of money, shares, times, labels and bare populations are not compared; a named team is not a count.
    ("The plan costs $4 million, covers 40 percent of homes by 10 a.m. in Category 4 areas.", []),
    ("The city of 16,000 people saw 5 Phillies hit home runs.", []),
    ("Fire crews said 3,400 homes had been evacuated.", [("home/evacuated", "3400")]),
    ("Jane Roe, the chief executive of Acme, said profits rose.", [("role:ceo", "Jane Roe")]),
])
def test_claims(text, expected):
    assert [(c.slot, c.value) for c in claims(text)] == expected


def test_conflicts_need_the_same_slot_and_no_shared_value():
    assert conflicts("12 people were killed.", "15 people were killed.")
    assert not conflicts("12 people were killed and 40 were injured.", "12 people died.")
    assert not conflicts("12 people were killed.", "15 boats sank.")
