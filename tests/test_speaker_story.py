""""What did X say about T?": the story about T is found by T's words, X's words in it by X's name.

Political news asks this way ("What did Mr. X say about <the story's subject>?"); the quote rarely repeats
the subject's words, and X is quoted in other stories too. The articles below are written for this test.
"""
from __future__ import annotations

import pytest

from qa import QA
from qa.query import KnownSpeakers, find_speakers, speaker_slot

STORY = """Lakeside school board votes to close two elementary schools
By Nora Feld

LAKESIDE (Lakeside Courier) May 6, 2025 -- The Lakeside school board voted 5-2 on Monday to close Birch Hill and Cedar Park elementary schools in June, moving their 410 pupils to three other schools in the district.

Enrollment in the two elementary schools has fallen by a third since 2015, and closing them saves the district about 2.3 million dollars a year, according to the board's budget office.

"Half-empty buildings cost us teachers we need in crowded classrooms across town," Superintendent Helen Marsh said after the meeting.

Board member Tom Reyes voted against the plan; Reyes wants the two buildings turned into community centers with a public library branch.

Parents who opposed the plan filled the meeting hall and asked the board for one more year to find another use for the buildings.
"""

PROFILE = """Marsh named state educator of the year
By Omar Quist

LAKESIDE (Lakeside Courier) April 2, 2025 -- Helen Marsh, superintendent of Lakeside schools, was named educator of the year by the state teachers' association on Tuesday.

"Every child deserves a teacher who knows their name," Marsh said at the award ceremony in the capital.

Marsh said that she started her career teaching mathematics at a rural school with a single classroom.

"I never planned to run a district. I planned to teach algebra for forty years," Marsh said, laughing.

Marsh said the prize money would go to a reading program for pupils who arrive mid-year.
"""

BRIDGE = """Harbor bridge repairs to close lanes through summer
By Lena Ortiz

LAKESIDE (Lakeside Courier) May 1, 2025 -- Two lanes of the Harbor Street bridge will close from June to September while crews replace its expansion joints, the city's transport office said.

Detours will send buses over the Mill Road bridge, adding about ten minutes to routes 4 and 9.

"Nobody likes detours, but the joints are forty years old," said Tom Reyes, who chairs the council's transport committee.
"""

QUESTION = "What did Ms. Marsh say about the school board voting to close two elementary schools?"
QUOTE = "school-closures"


@pytest.fixture(scope="module")
def story_home(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("story-corpus")
    for name, text in {"school-closures.txt": STORY, "marsh-award.txt": PROFILE, "bridge.txt": BRIDGE}.items():
        (corpus / name).write_text(text)
    home = tmp_path_factory.mktemp("story") / "home"
    qa = QA(home, index={"seed_default_corpus": False})
    report = qa.ingest([corpus])
    assert not report.skipped, report.skipped
    qa.close()
    return home


# The speaker's quote in the story, and a paragraph of the story that names a speaker without quoting him
# (the speaker extraction attributes nothing to him there; his only attributed words are in another story).
CASES = [(QUESTION, "Half-empty"),
         ("What did Mr. Reyes say about the school board voting to close two elementary schools?",
          "community centers")]


def _rank(home, question: str, words: str, story_articles: int) -> int:
    qa = QA(home, index={"seed_default_corpus": False}, retrieval={"speaker_story_articles": story_articles})
    try:
        passages = qa.retrieve(question, k=5)
    finally:
        qa.close()
    ranks = [i for i, p in enumerate(passages) if p.article_id.startswith(QUOTE) and words in p.text]
    return ranks[0] if ranks else len(passages)


@pytest.mark.parametrize("question,words", CASES)
def test_the_speakers_words_in_the_found_story_come_first(story_home, question, words):
    assert _rank(story_home, question, words, story_articles=1) == 0


@pytest.mark.parametrize("question,words", CASES)
def test_without_the_story_rule_they_rank_below_the_speakers_other_words(story_home, question, words):
    """What the rule changes: the paragraph shares no word with the question but the speaker's name, so the
    story's lead and the speaker's quotes elsewhere outrank it."""
    assert _rank(story_home, question, words, story_articles=0) > 0


def test_the_answer_cites_the_quote(story_home):
    qa = QA(story_home, index={"seed_default_corpus": False})
    try:
        answer = qa.ask(QUESTION)
    finally:
        qa.close()
    assert not answer.refused
    assert "Half-empty buildings" in answer.citations[0].text


KNOWN = KnownSpeakers(["Ben Carson", "Republicans", "Donald J. Trump", "Donald Trump", "Trump", "Robin Li",
                       "Jack Li", "Hillary Clinton", "Bill Clinton", "Clinton", "Ranking Democrat Dianne Feinstein"])


@pytest.mark.parametrize("question,slot,speakers", [
    # Names in what X spoke about are not speakers.
    ("What did Mr. Carson say about Republicans lowering the volume?", "Mr. Carson", ["Ben Carson"]),
    ("What did Dianne Feinstein say about a top Clinton adviser?", "Dianne Feinstein",
     ["Ranking Democrat Dianne Feinstein"]),
    # A bare surname is every known person of that name; a full name excludes the others of that surname.
    ("What did Mr. Trump say about the debate?", "Mr. Trump", ["Donald J. Trump", "Donald Trump", "Trump"]),
    ("What has Robin Li said about large models?", "Robin Li", ["Robin Li"]),
    ("What did Hillary Clinton say about unions?", "Hillary Clinton", ["Hillary Clinton", "Clinton"]),
    ("In the Courier article “Debate night”, what did Mr. Carson say?", "Mr. Carson", ["Ben Carson"]),
    # Not a "what did X say" question: every name counts, full names before surnames.
    ("Who did Trump meet after Republicans won?", None, ["Republicans", "Trump"]),
    ("Which new flavor did Li add to the menu?", None, ["Robin Li", "Jack Li"]),
])
def test_the_speaker_slot(question, slot, speakers):
    assert speaker_slot(question) == slot
    assert sorted(find_speakers(question, KNOWN)) == sorted(speakers)
