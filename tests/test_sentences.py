"""Pure text helpers: sentence splitting with offsets, question analysis."""
from __future__ import annotations

from datetime import date

import pytest

from qa.query import analyze, find_speakers, named_entities
from qa.sentences import normalize, split_sentences


@pytest.mark.parametrize("text,expected", [
    ("One. Two!", ["One.", "Two!"]),
    ("Robin Li, chairman of Baidu Inc. said so. Next.", ["Robin Li, chairman of Baidu Inc. said so.", "Next."]),
    ('"We will," said Mr. Smith. Then he left.', ['"We will," said Mr. Smith.', "Then he left."]),
    ("Donald J. Trump spoke. The U.S. economy grew 2.5% in Q3.", ["Donald J. Trump spoke.",
                                                                "The U.S. economy grew 2.5% in Q3."]),
    ("No end mark", ["No end mark"]),
])
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected


@pytest.mark.parametrize("question,entities", [
    ("What did Robin Li say about large models?", ["Robin Li"]),
    ("What did Elon Musk say at the Wuzhen summit?", ["Elon Musk", "Wuzhen"]),
    ("What is Tesla's stock price?", ["Tesla"]),
    ("Which show was green lit?", []),
])
def test_named_entities(question, entities):
    assert named_entities(question) == entities


def test_speakers_by_full_name_or_surname_not_first_word():
    known = ["Robin Li", "Yang Yuanxi", "China Daily"]
    assert find_speakers("What did Robin Li say?", known) == ["Robin Li"]
    assert find_speakers("What did Yuanxi say?", known) == ["Yang Yuanxi"]
    assert find_speakers("What did China launch?", known) == []


def test_this_week_is_the_week_before_as_of():
    info = analyze("What happened this week?", date(2022, 6, 16), [])
    assert info.date_to == date(2022, 6, 16)
    assert info.date_from == date(2022, 6, 6)  # 7 days, plus 3 days' slack for a report of the week's events
    assert analyze("What happened?", date(2022, 6, 16), []).date_from is None


def test_normalize_for_answer_matching():
    assert normalize("“Squid Game”") == normalize('"squid game"') == "squid game"
    assert normalize("$5,000.") == "$5000"


# Worked by hand from find_speakers' rule: a name matches in full (as whole words, any case) or, for a
# capitalized name of several words, by its capitalized surname; when some name matches in full, only the
# full matches count (except in the speaker slot of "What did X say"). The index (KnownSpeakers) must find
# exactly these.
KNOWN = ["the company", "O'Brien", "Jean-Luc Picard", "Robin Li", "Yang Yuanxi", "a spokesperson",
         "New York City Mayor Eric Adams", "the mayor", "'Ndrangheta", "Li"]


@pytest.mark.parametrize("question,expected", [
    ("What did the company say?", ["the company"]),
    ("Did O'Brien speak to Jean-Luc Picard?", ["O'Brien", "Jean-Luc Picard"]),
    # "Picard" and "Li" are surnames (Jean-Luc Picard, Robin Li), and "Li" is also a whole known name: in the
    # speaker slot of "What did X say" each surname is a person asked about, whichever Li is meant.
    ("What did Picard and Li say?", ["Jean-Luc Picard", "Robin Li", "Li"]),
    # Elsewhere a full match wins.
    ("Picard and Li met on Tuesday. Where?", ["Li"]),
    ("Was the mayor of New York there?", ["the mayor"]),  # "New York" is not the surname "Adams"
    ("What did Yuanxi say?", ["Yang Yuanxi"]),  # by surname only
    ("Who is the new CEO?", []),
])
def test_speaker_index_finds_the_named_speakers(question, expected):
    from qa.query import KnownSpeakers

    assert find_speakers(question, KnownSpeakers(KNOWN)) == expected
