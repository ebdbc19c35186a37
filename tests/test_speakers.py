"""Speaker attribution on hand-written sentences (every pattern the extractor knows) and the seed article."""
from pathlib import Path

import pytest

from index.speakers import attribute_article, extract_attributions, speaker_matches

SEED = Path(__file__).resolve().parents[1] / "data" / "articles" / "wuzhen-2023-jw-insights.txt"

# (paragraph, expected speaker, expected cue, expected quote)
EXAMPLES = [
    ('Maria Santos said: "We will reopen the plant in May."', "Maria Santos", "said",
     "We will reopen the plant in May"),
    ("Maria Santos said that the plant would reopen in May.", "Maria Santos", "said that",
     "the plant would reopen in May"),
    ('"The river is rising faster than we expected," Tom Okafor said.', "Tom Okafor", "said",
     "The river is rising faster than we expected"),
    ('"The river is rising faster than we expected," said Tom Okafor.', "Tom Okafor", "said",
     "The river is rising faster than we expected"),
    ("Lena Vogt, chairwoman of the harbour board, emphasized that dredging must finish before winter.",
     "Lena Vogt", "emphasized that", "dredging must finish before winter"),
    ("At the forum, Arjun Mehta, co-founder of Brightline, a maker of solar inverters and one of the region's "
     "largest employers with 9,000 staff, disclosed that the company will build a second factory.",
     "Arjun Mehta", "disclosed that", "the company will build a second factory"),
    ("Ticket prices will rise by a fifth next year, according to the city transport authority.",
     "the city transport authority", "according to", "Ticket prices will rise by a fifth next year"),
    ("According to the Harbour Gazette, the ferry service will be cut in half.", "the Harbour Gazette",
     "according to", "the ferry service will be cut in half"),
    ("Paula Reyes told CNN that the talks had collapsed overnight.", "Paula Reyes", "told",
     "the talks had collapsed overnight"),
    ("Ines Duarte warned that reserves would run out by March.", "Ines Duarte", "warned that",
     "reserves would run out by March"),
    ('Ines Duarte tweeted: "Polls close at eight."', "Ines Duarte", "tweeted", "Polls close at eight"),
    ("Prices at the pump have fallen for six straight weeks, Omar Haddad said.", "Omar Haddad", "said",
     "Prices at the pump have fallen for six straight weeks"),
    ("Sen. Ted Cruz said the bill would not pass.", "Ted Cruz", "said", "the bill would not pass"),
    ("Former President Donald J. Trump insisted that the count was wrong.", "Donald J. Trump",
     "insisted that", "the count was wrong"),
    ("Ludwig van Beethoven-Ross argued that the hall was too small.", "Ludwig van Beethoven-Ross",
     "argued that", "the hall was too small"),
    ("A spokesperson for the ministry said the report was being reviewed.",
     "a spokesperson for the ministry", "said", "the report was being reviewed"),
    ("Officials said the bridge would stay closed.", "Officials", "said", "the bridge would stay closed"),
    ("The company announced that it would cut 200 jobs.", "the company", "announced that",
     "it would cut 200 jobs"),
    ("The delay, she said, was caused by a software fault.", "she", "said",
     "The delay, she said, was caused by a software fault"),
    ("Mayor Chen attacked the budget on Monday, saying it ignored the suburbs.", "Chen", "saying",
     "it ignored the suburbs"),
    ("Grace Liu criticized the plan and said it ignored the suburbs.", "Grace Liu", "said", "it ignored the suburbs"),
    ('"We will appeal," Dana K. Price (D-Ore.) said on Tuesday.', "Dana K. Price", "said", "We will appeal"),
    ("A new poll found that most voters back the plan.", "a new poll", "found that", "most voters back the plan"),
    ('"Why now?" Kofi Mensah asked.', "Kofi Mensah", "asked", "Why now?"),
    ("The harvest was early this year, reported the Valley Courier.",
     "the Valley Courier", "reported", "The harvest was early this year"),
]

NEGATIVES = [
    "The said agreement was signed in 2019 by both parties.",
    "Boston Harbor Hotel and the Grand Canal Museum reopened on Friday after renovations.",
    "The inspectors refused to say when the bridge would reopen.",
    "Donations are typically reported in broad ranges, not specific amounts.",
    "Police found the car near the river on Sunday.",
    "Rescue crews continued their search through the night.",
    "The so-called reform was never debated in the assembly.",
]


@pytest.mark.parametrize("paragraph, speaker, cue, quote", EXAMPLES)
def test_patterns(paragraph, speaker, cue, quote):
    found = extract_attributions(paragraph)
    assert any(a.speaker == speaker and a.cue == cue and a.quote == quote for a in found), found
    for a in found:
        assert paragraph[a.start:a.end] == a.quote


@pytest.mark.parametrize("paragraph", NEGATIVES)
def test_no_attribution(paragraph):
    assert extract_attributions(paragraph) == []


def test_pronoun_without_antecedent_is_dropped():
    assert [a.speaker for a in extract_attributions("He said no.")] == ["he"]  # as written
    assert attribute_article(["He said no."]) == [[]]


def test_pronoun_and_surname_resolution():
    article = [
        "Grace Liu, head of the water board, said the reservoir was at a record low.",
        '"We have never seen it this dry," she added.',
        "Liu said rationing would start in June.",
        "Tom Berg and Anna Berg both spoke at the meeting. Tom Berg said prices would rise and Anna Berg said they would not.",
        "He said nothing more.",
    ]
    speakers = [[a.speaker for a in atts] for atts in attribute_article(article)]
    assert speakers == [["Grace Liu"], ["Grace Liu"], ["Grace Liu"], ["Tom Berg", "Anna Berg"], []]


def test_pronoun_of_another_gender_is_dropped():
    article = ["Sam Ortiz said the vote was close.", "He added that a recount was likely.", "She disagreed, she said."]
    assert [[a.speaker for a in atts] for atts in attribute_article(article)] == [["Sam Ortiz"], ["Sam Ortiz"], []]


def test_colon_carries_quote_into_next_paragraph():
    found = attribute_article(["Ortiz continued:", "\u201cThe media cannot be trusted.\u201d"])
    assert [(a.speaker, a.quote) for a in found[1]] == [("Ortiz", "The media cannot be trusted")]


@pytest.mark.parametrize("name, query, expected", [
    ("Robin Li", "Robin Li", True), ("Robin Li", "robin li", True), ("Robin Li", "Li", True),
    ("Robin Li", "robin", True), ("Yang Yuanxi", "Yang", True), ("Robin Li", "Robin Lee", False),
    ("Donald J. Trump", "Donald Trump", True), ("Donald J. Trump", "J", False), ("Robin Li", "Lin", False),
])
def test_speaker_matches(name, query, expected):
    assert speaker_matches(name, query) is expected


def test_seed_article():
    lines = SEED.read_text(encoding="utf-8").splitlines()[2:]  # title and byline first
    paragraphs = [line for line in lines if line.strip()]
    found = attribute_article(paragraphs)
    for paragraph, atts in zip(paragraphs, found):
        for a in atts:
            assert paragraph[a.start:a.end] == a.quote

    def speakers_of(opening: str) -> set[str]:
        k = next(i for i, p in enumerate(paragraphs) if p.startswith(opening))
        return {a.speaker for a in found[k]}

    assert "China Daily" in speakers_of("(JW Insights)")
    assert speakers_of("Wu Yongming") == {"Wu Yongming"}
    assert speakers_of("Robin Li") == {"Robin Li"}
    assert speakers_of("Guo Kaitian") == {"Guo Kaitian"}
    assert speakers_of("In another session") == {"Yang Yuanxi"}
    assert speakers_of("Since the company") == {"Yang Yuanxi"}
    assert "Francis Gurry" in speakers_of("Francis Gurry")
    assert speakers_of("The 2023 World Internet") == set()


def test_name_ending_in_a_dot_does_not_crash():
    # Found on real news: a name like "Donald Trump Jr." broke the search that relocates the subject.
    found = extract_attributions("Donald Trump Jr. reached out to the chief of staff, warning the legacy was at risk.")
    assert found and found[0].speaker == "Donald Trump Jr."


def test_function_words_credited_as_speakers_are_never_found_in_questions():
    """On real news the extractor sometimes credits a quote to "the", "this week" or "Her"; such a speaker
    must not be matched by every question holding that word (RealTime QA had 26 such names)."""
    from qa.query import KnownSpeakers, find_speakers

    known = KnownSpeakers(["the", "this week", "A", "What", "Her", "Us", "Two", "S", "Robin Li", "Brittney Griner"])
    assert find_speakers("What did the team say this week about her and us, two days ago?", known) == []
    assert find_speakers("What did Robin Li say?", known) == ["Robin Li"]
    assert find_speakers("What did Brittney Griner's lawyers say this week?", known) == ["Brittney Griner"]
