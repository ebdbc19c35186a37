"""How real news questions name a speaker: honorific + surname, role + full name, or the article by outlet and
title. Each must reach the paragraph that quotes the person; a person no article names is refused."""
from __future__ import annotations

import pytest

from qa import REFUSAL
from qa.query import named_entities, strip_titles


@pytest.mark.parametrize("name,expected", [
    ("Mr. Trump", "Trump"), ("Sen. Elizabeth Warren", "Elizabeth Warren"),
    ("Senate Majority Leader Mitch McConnell", "Mitch McConnell"), ("President Biden", "Biden"),
    ("White House", "White House"), ("Mayor", "Mayor"),
])
def test_titles_before_a_name_are_not_required_words(name, expected):
    assert strip_titles(name) == expected


@pytest.mark.parametrize("question,expected", [
    ("What did Sen. Elizabeth Warren say about banks?", ["Elizabeth Warren"]),
    ("What did Ms. Okafor say about the flood barrier?", ["Okafor"]),
    # Only the sentence that asks names what the answer must be about; the scene-setting one does not.
    ("Legendary WNBA player Sue Bird retired this week. Which team did she play for?", []),
    ("Approximately how many customers in Florida lost power?", ["Florida"]),
])
def test_entities_come_from_the_asked_sentence(question, expected):
    assert named_entities(question) == expected


@pytest.mark.parametrize("question,paragraph_of,speaker", [
    ("What did Ms. Okafor say about the flood barrier?", "riverton-flood-barrier", "Okafor"),
    ("What did Mayor Maria Okafor say about the flood barrier?", "riverton-flood-barrier", "Okafor"),
    ("In the Valley Ledger article “Riverton council approves flood barrier funding after spring storms”, "
     "what did Okafor say?", "riverton-flood-barrier", "Okafor"),
    ("What did Mr. Lindqvist say about the wind farm?", "harbor-wind-farm", "Lindqvist"),
    ("What did Director Tomas Lindqvist say about the wind farm?", "harbor-wind-farm", "Lindqvist"),
])
def test_speaker_named_by_honorific_role_or_article_title(shared_qa, question, paragraph_of, speaker):
    answer = shared_qa.ask(question)
    assert not answer.refused, question
    first = answer.citations[0]
    assert first.article_id.startswith(paragraph_of) and speaker in first.text


@pytest.mark.parametrize("question", [
    "What did Ms. Garcia say about the flood barrier?",
    "What did Sen. Elon Musk say at the Wuzhen summit?",
])
def test_a_person_no_article_names_is_refused(shared_qa, question):
    assert shared_qa.ask(question).text == REFUSAL
