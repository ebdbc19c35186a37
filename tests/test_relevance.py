"""Relevance in the guard: a kept answer must be about what was asked, and must not equate what its source
does not (a role swap built from the paragraph's own words). Fixtures are paragraphs written for these tests;
the guard runs with the real bundled embedder."""
from __future__ import annotations

import pytest

from qa import REFUSAL
from qa.answerers.generative import GenerativeAnswerer
from qa.grounding import role_swap
from qa.guard import check
from qa.llm import Generator
from qa.types import Passage

# Written for these tests: two claims in one quote, so every word of a swapped sentence is in the paragraph.
GRID = ("Lena Brandt, chief executive of Harbor Energy, said: \"The key to the energy transition is to build battery "
        "storage and a modern grid. Wind and solar power will become the region's twin engines for growth, and the "
        "company will keep investing in a stronger grid and open data.\"")
FERRY = ("The Kestrel Bay ferry service carried 48,000 passengers last summer, up from 31,000 a year earlier, the "
         "harbour authority said on Monday.")


def passage(n: int, text: str, title: str) -> Passage:
    return Passage(f"test-{n}", f"test-{n}#p1", 1, text, 1.0, title=title, published="2024-06-01",
                   source="Test Gazette")


@pytest.fixture(scope="module")
def sources():
    return [passage(1, GRID, "Harbor Energy bets on wind and solar"), passage(2, FERRY, "Ferry use climbs")]


def run(shared_qa, question, draft, sources):
    return check(question, draft, sources, shared_qa.store.embedder, shared_qa.settings, "local")


@pytest.mark.parametrize("sentence,swapped", [
    ("The region's twin engines for growth will be battery storage and a modern grid.", True),
    ("The key to the energy transition is wind and solar power.", True),
    ("Wind and solar power will become the region's twin engines for growth.", False),
    ("The region's twin engines for growth will be wind and solar power.", False),  # the same claim turned around
    ("According to Harbor Energy's chief executive, the key to the energy transition is to build battery storage.",
     False),
])
def test_role_swap_heuristic(sentence, swapped):
    assert role_swap(sentence, [GRID]) is swapped


def test_guard_removes_a_role_swap_that_every_word_supports(shared_qa, sources):
    answer = run(shared_qa, "What did Lena Brandt say about wind and solar power?",
                 "The region's twin engines for growth will be battery storage and a modern grid. [1]", sources)
    assert answer.refused and answer.text == REFUSAL
    assert answer.sentences[0]["action"] == "removed" and answer.sentences[0]["reason"] == "role swap"


def test_guard_keeps_the_true_claim_and_drops_the_swapped_one(shared_qa, sources):
    draft = ("Wind and solar power will become the region's twin engines for growth, Lena Brandt said. [1] "
             "The key to the energy transition is wind and solar power. [1]")
    answer = run(shared_qa, "What did Lena Brandt say about wind and solar power?", draft, sources)
    assert not answer.refused and "twin engines" in answer.text and "key to the energy transition" not in answer.text
    assert [s["action"] for s in answer.sentences] == ["kept", "removed"]


def test_an_answer_about_someone_else_is_refused(shared_qa, sources):
    # Supported by its source, but the question asks about a person no source names.
    answer = run(shared_qa, "What did Elon Musk say about the energy transition?",
                 "The key to the energy transition is to build battery storage and a modern grid. [1]", sources)
    assert answer.sentences[0]["supported"] and answer.refused and answer.citations == []


def test_a_number_question_needs_a_number(shared_qa, sources):
    question = "How many passengers did the Kestrel Bay ferry carry last summer?"
    without = run(shared_qa, question, "The harbour authority reported on the Kestrel Bay ferry service. [2]", sources)
    with_number = run(shared_qa, question, "The Kestrel Bay ferry service carried 48,000 passengers last summer. [2]",
                      sources)
    assert without.refused and not with_number.refused and "48,000" in with_number.text


class Recording(Generator):
    """Writes a fixed draft and records that it was asked (a unit test of the answerer's own logic)."""

    def __init__(self, draft):
        self.draft, self.calls = draft, 0

    def stream(self, messages):
        self.calls += 1
        yield self.draft


def test_llm_path_refuses_a_person_no_source_names_without_generating(shared_qa, sources):
    answerer = GenerativeAnswerer(shared_qa.store, shared_qa.settings, "local")
    answerer._generator = Recording("The key to the energy transition is to build battery storage. [1]")
    answer = answerer.answer("What did Elon Musk say about the energy transition?", sources, [], ["Elon Musk"])
    assert answer.refused and answer.text == REFUSAL and answerer._generator.calls == 0
    asked = answerer.answer("What did Lena Brandt say about the energy transition?", sources, [], ["Lena Brandt"])
    assert not asked.refused and answerer._generator.calls == 1


# Written for these tests: a story whose answer paragraph leans on the one before for its league's name, and
# names a country by its adjective.
LEAGUE = passage(3, "The Harbor Hawks finish the 2031 Coastal Hockey League playoffs unbeaten at home.",
                 "Hawks lift cup")
LEAGUE_WIN = Passage("test-3", "test-3#p2", 2, "The Harbor Hawks beat the Dune Foxes 3-1 in Game 5 to win the Tide Cup "
                     "on Sunday night.", 1.0, title="Hawks lift cup", published="2031-06-02", source="Test Gazette")
RIVER = passage(4, "Veloran officials said on Tuesday that the dam on the Marra river will open in spring.", "Dam news")
PREMISE_Q = "Which team won the 2031 Coastal Hockey League Tide Cup this week?"


def test_facts_the_question_gives_are_its_premise_not_the_answers_claim(shared_qa):
    # "2031", "Coastal Hockey League" and "this week" come from the question; the answer's own claim (the Harbor
    # Hawks won the Tide Cup) is in the cited paragraph, and the league is named in the story's other paragraph.
    answer = run(shared_qa, PREMISE_Q, "The Harbor Hawks won the 2031 Coastal Hockey League Tide Cup this week. [2]",
                 [LEAGUE, LEAGUE_WIN])
    assert not answer.refused and answer.sentences[0]["action"] == "kept"
    assert [c.paragraph_id for c in answer.citations] == ["test-3#p2"]


def test_a_time_or_name_the_question_does_not_give_must_still_be_in_the_source(shared_qa):
    # "last year" and "the Dune Foxes" as winners are the draft's own claims: neither is in the paragraph.
    answer = run(shared_qa, "Which team won the Tide Cup?", "The Dune Foxes won the Tide Cup last year. [2]",
                 [LEAGUE, LEAGUE_WIN])
    assert answer.refused and answer.sentences[0]["action"] == "removed"


def test_the_league_must_be_named_somewhere_in_the_cited_story(shared_qa):
    # The same premise over the winning paragraph alone: nothing retrieved names the league the question asks about.
    answer = run(shared_qa, PREMISE_Q, "The Harbor Hawks won the 2031 Coastal Hockey League Tide Cup this week. [1]",
                 [LEAGUE_WIN])
    assert answer.refused


def test_a_country_is_named_by_its_adjective(shared_qa):
    answer = run(shared_qa, "Which country will open a dam on the Marra river?",
                 "Veloran officials said the dam on the Marra river will open in spring. [1]", [RIVER])
    assert not answer.refused
    answer = run(shared_qa, "Which country will open a dam on the Marra river?",
                 "Velora will open the dam on the Marra river in spring. [1]", [RIVER])
    assert not answer.refused and answer.sentences[0]["action"] == "kept"


@pytest.mark.parametrize("draft", [REFUSAL, "The ferry carried 90,000 passengers last summer. [2]"])
def test_extractive_fallback_when_nothing_of_the_draft_survives(shared_qa, sources, draft):
    # The model refuses (or writes a wrong number the guard removes) although source [2] holds the answer.
    question = "How many passengers did the Kestrel Bay ferry service carry last summer?"
    answerer = GenerativeAnswerer(shared_qa.store, shared_qa.settings, "local")
    answerer._generator = Recording(draft)
    answer = answerer.answer(question, sources, [], ["Kestrel Bay"])
    assert not answer.refused and answer.answerer == "extractive" and "48,000" in answer.text
    assert [c.paragraph_id for c in answer.citations] == ["test-2#p1"] and answer.draft == draft
    settings = shared_qa.settings.model_copy(deep=True)
    settings.llm.fallback = "none"
    strict = GenerativeAnswerer(shared_qa.store, settings, "local")
    strict._generator = Recording(draft)
    refused = strict.answer(question, sources, [], ["Kestrel Bay"])
    assert refused.refused and refused.answerer == "local"


def test_no_fallback_answer_where_the_extractive_answerer_refuses_too(shared_qa, sources):
    answerer = GenerativeAnswerer(shared_qa.store, shared_qa.settings, "local")
    answerer._generator = Recording(REFUSAL)
    answer = answerer.answer("Who is the captain of the Kestrel Bay ferry?", sources, [], ["Kestrel Bay"])
    assert answer.refused and answer.text == REFUSAL and answerer._generator.calls == 1


def test_an_abbreviation_matches_its_dotted_form_and_nothing_else(shared_qa):
    from qa.grounding import score_support

    source = ["Drivers in the U.S. paid a record $5 a gallon for gas on Monday, the motoring club said."]
    embedder = shared_qa.store.embedder
    assert score_support("Drivers in the US paid a record $5 a gallon.", source, embedder).missing == []
    assert score_support("Drivers in the UK paid a record $5 a gallon.", source, embedder).missing == ["UK"]


# Written for these tests: one story, two operators, each figure in its own paragraph.
TRANSIT_LEAD = Passage("test-5", "test-5#p1", 1, "Ridership on the region's buses and trains rose again in 2031, "
                       "the transport board said on Friday.", 1.0, title="Riders return", published="2032-01-09",
                       source="Test Gazette")
LAKEPORT = Passage("test-5", "test-5#p2", 2, "Lakeport Transit added twelve electric buses to its fleet and "
                   "opened two new routes.", 1.0, title="Riders return", published="2032-01-09", source="Test Gazette")
NORDHAVEN = Passage("test-5", "test-5#p3", 3, "Nordhaven Rail carried 2.4 million riders, its best year since "
                    "2019.", 1.0, title="Riders return", published="2032-01-09", source="Test Gazette")
TIDEWELL = passage(6, "Mara Quint, finance director of Tidewell Foods, said the company will build a second bakery "
                   "in Ashby next year.", "Tidewell expands")
STORY = [TRANSIT_LEAD, LAKEPORT, NORDHAVEN]


def test_a_figure_moved_onto_the_subject_asked_about_is_removed(shared_qa):
    # Every word but "Lakeport Transit" is in paragraph 3, and the question brought that name, so the support
    # score alone would keep it; the cited paragraph is about Nordhaven Rail.
    answer = run(shared_qa, "How many riders did Lakeport Transit carry in 2031?",
                 "Lakeport Transit carried 2.4 million riders, its best year since 2019. [3]", STORY)
    assert answer.refused and answer.sentences[0]["reason"] == "its source does not name Lakeport Transit"
    right = run(shared_qa, "How many riders did Nordhaven Rail carry in 2031?",
                "Nordhaven Rail carried 2.4 million riders, its best year since 2019. [3]", STORY)
    assert not right.refused and [c.paragraph_id for c in right.citations] == ["test-5#p3"]


def test_a_role_the_source_does_not_give_is_removed(shared_qa):
    answer = run(shared_qa, "Who is the CEO of Tidewell Foods?", "Mara Quint is the CEO of Tidewell Foods. [1]",
                 [TIDEWELL])
    assert answer.refused and answer.sentences[0]["reason"] == "its source does not name ceo"
    role = run(shared_qa, "Who is the finance director of Tidewell Foods?",
               "Mara Quint is the finance director of Tidewell Foods. [1]", [TIDEWELL])
    assert not role.refused and "Mara Quint" in role.text
    # Only a who-question asks about the role itself; elsewhere a role word describes who is meant.
    from qa.guard import unnamed

    said = "The heads of Tidewell Foods said the company will build a second bakery in Ashby next year."
    assert unnamed("What did the heads of Tidewell Foods say about Ashby?", said, [TIDEWELL], [TIDEWELL], {}) == ""
    assert unnamed("Who heads Tidewell Foods?", "Mara Quint heads Tidewell Foods.", [TIDEWELL], [TIDEWELL], {}) \
        == "its source does not name head"


def test_a_sentence_that_only_says_the_question_back_is_removed(shared_qa):
    # "What did X say about <the article's title>?" answered with "X said <the title>": supported, says nothing.
    question = "What did Mara Quint say about Tidewell expands?"
    echo = run(shared_qa, question, "Mara Quint said that Tidewell expands. [1]", [TIDEWELL])
    assert echo.refused and echo.sentences[0]["reason"] == "repeats the question"
    said = run(shared_qa, question, "Mara Quint said Tidewell Foods will build a second bakery in Ashby. [1]",
               [TIDEWELL])
    assert not said.refused and said.sentences[0]["action"] == "kept"


# Written for these tests: a council story where one person describes a plan and another is quoted on it.
COUNCIL = [
    Passage("test-7", "test-7#p1", 1, "The Ashby council voted 6-3 on Tuesday to close the Elm Street pool and "
            "build a new leisure centre by 2034.", 1.0, title="Ashby closes pool", source="Test Gazette"),
    Passage("test-7", "test-7#p2", 2, "\"The old pool costs us 400,000 pounds a year to keep open,\" said Mayor "
            "Dana Whitlock, who proposed the plan.", 1.0, title="Ashby closes pool", source="Test Gazette",
            speakers=["Dana Whitlock"]),
    Passage("test-7", "test-7#p3", 3, "Councillor Ravi Sood, who voted against it, said Whitlock's plan leaves "
            "the town without a pool for three years.", 1.0, title="Ashby closes pool", source="Test Gazette",
            speakers=["Ravi Sood"]),
]


def test_what_x_said_must_cite_x_s_own_words(shared_qa):
    question = "What did Dana Whitlock say about the pool?"
    # Paragraph 3 names Whitlock, but it is Sood speaking: crediting her with it is a misattribution.
    wrong = check(question, "Dana Whitlock said the plan leaves the town without a pool for three years. [3]",
                  COUNCIL, shared_qa.store.embedder, shared_qa.settings, "local", ["Dana Whitlock"])
    assert wrong.refused and wrong.sentences[0]["reason"] == "cites no words of Dana Whitlock"
    right = check(question, "Dana Whitlock said the old pool costs 400,000 pounds a year to keep open. [2]",
                  COUNCIL, shared_qa.store.embedder, shared_qa.settings, "local", ["Dana Whitlock"])
    assert not right.refused and [c.paragraph_id for c in right.citations] == ["test-7#p2"]
    # Without the speaker (another kind of question) the same draft is judged on support alone.
    other = check("What will the Elm Street pool closure leave the town without?",
                  "The plan leaves the town without a pool for three years. [3]", COUNCIL,
                  shared_qa.store.embedder, shared_qa.settings, "local")
    assert not other.refused


# Written for these tests: the support scorer's reading of a paragraph (qa/grounding.py).
def test_polarity_is_read_from_the_closest_sentence_not_the_whole_paragraph(shared_qa):
    from qa.grounding import score_support

    paragraph = ("The dockworkers' union has not gone on strike since 1997. If it does strike, it would be the "
                 "largest walkout against a single company in the nation's history.")
    # Closest in meaning to the whole paragraph, whose other sentence holds a "not".
    support = score_support("A dockworkers' union strike would be the largest walkout against a single company in "
                            "the nation's history.", [paragraph], shared_qa.store.embedder)
    assert not support.negation_mismatch and support.supported
    flipped = score_support("The dockworkers' union has gone on strike since 1997.", [paragraph],
                            shared_qa.store.embedder)
    assert flipped.negation_mismatch and not flipped.supported


def test_a_progressive_is_not_an_equation():
    source = ["Harbor Energy was the region's largest utility for decades. On Monday the company said prices on "
              "some goods would fall."]
    assert not role_swap("Harbor Energy announced it was cutting prices on some goods.", source)
    assert role_swap("Harbor Energy was a cheap grocer.", source)  # a real copula is still checked


def test_a_name_may_stand_in_the_cited_article_s_title(shared_qa):
    from qa.grounding import score_support

    paragraph = ["Netflix said on Sunday that the wildly popular South Korean show is green lit for a second season."]
    sentence = "The wildly popular South Korean show Tidewater Saga is green lit for a second season."
    embedder = shared_qa.store.embedder
    assert score_support(sentence, paragraph, embedder).missing == ["Tidewater Saga"]
    titled = score_support(sentence, paragraph, embedder, header="Tidewater Saga season 2")
    assert titled.missing == [] and titled.supported


# Written for this test: the mayor speaks on the pool in two paragraphs.
WHITLOCK_MORE = Passage("test-7", "test-7#p4", 4, "Whitlock said the new leisure centre will have a 25-metre pool "
                        "with six lanes, open all year.", 1.0, title="Ashby closes pool", source="Test Gazette",
                        speakers=["Dana Whitlock"])


def test_what_x_said_adds_x_s_other_retrieved_words_verbatim(shared_qa):
    answerer = GenerativeAnswerer(shared_qa.store, shared_qa.settings, "local")
    answerer._generator = Recording("Dana Whitlock said the old pool costs 400,000 pounds a year to keep open. [2]")
    passages = [*COUNCIL, WHITLOCK_MORE]
    answer = answerer.answer("What did Dana Whitlock say about the pool?", passages, ["Dana Whitlock"],
                             ["Dana Whitlock"])
    assert not answer.refused and answer.answerer == "local"
    assert answer.text.startswith("Dana Whitlock said the old pool costs 400,000 pounds")  # the model's sentence
    assert [c.paragraph_id for c in answer.citations] == ["test-7#p2", "test-7#p4"]  # not Sood's paragraph
    assert "25-metre pool with six lanes" in answer.text and answer.text.endswith("[2]")
    assert answer.citations[1].quote in WHITLOCK_MORE.text
    # Another kind of question gets the model's answer alone.
    other = answerer.answer("How much does the old Elm Street pool cost a year to keep open?", passages, [], [])
    assert [c.paragraph_id for c in other.citations] == ["test-7#p2"] and "six lanes" not in other.text


# Written for this test: the runner-up is named in the sentence after the answer.
RENTS = passage(8, "Rents rose in every large city last year. Harlow, where rents were up 19% from a year ago, saw the "
                "biggest increase among the 40 largest cities. Harlow was followed by Denby, Marsh and Oakfield.",
                "Rents climb again")


def test_a_bare_answer_must_come_from_the_sentence_about_the_question(shared_qa):
    question = "Which city saw the biggest increase in rents compared to a year ago?"
    wrong = run(shared_qa, question, "Denby [1]", [RENTS])  # every word of it is in the paragraph
    assert wrong.refused and wrong.sentences[0]["reason"] == "a bare answer taken from a sentence about something else"
    right = run(shared_qa, question, "Harlow [1]", [RENTS])
    assert not right.refused and right.text == "Harlow [1]"
    # A statement is judged as before: its own words say what it claims.
    said = run(shared_qa, question, "Denby followed Harlow. [1]", [RENTS])
    assert not said.sentences[0].get("reason")


def test_llm_path_refuses_a_number_no_source_holds_without_generating(shared_qa, sources):
    # The question's year is its premise for the support score, so only this check stands between "the 2031
    # ferry figures" and the paragraph about last summer's.
    answerer = GenerativeAnswerer(shared_qa.store, shared_qa.settings, "local")
    answerer._generator = Recording("The Kestrel Bay ferry service carried 48,000 passengers. [2]")
    answer = answerer.answer("How many passengers did the Kestrel Bay ferry carry in 2031?", sources, [],
                             ["Kestrel Bay"])
    assert answer.refused and answerer._generator.calls == 0
    asked = answerer.answer("How many passengers did the Kestrel Bay ferry carry?", sources, [], ["Kestrel Bay"])
    assert not asked.refused and "48,000" in asked.text and answerer._generator.calls == 1


def test_what_x_said_about_another_topic_is_refused(shared_qa):
    # Supported word for word by Whitlock's own paragraph, and about her, but not about what was asked.
    answerer = GenerativeAnswerer(shared_qa.store, shared_qa.settings, "local")
    answerer._generator = Recording("Dana Whitlock said the old pool costs 400,000 pounds a year to keep open. [2]")
    answer = answerer.answer("What did Dana Whitlock say about the school bus timetable?", COUNCIL,
                             ["Dana Whitlock"], ["Dana Whitlock"])
    assert answer.refused and answer.text == REFUSAL
    assert answer.sentences[0]["action"] == "kept"  # the guard's support verdict is kept for inspection
    asked = answerer.answer("What did Dana Whitlock say about the cost of the pool?", COUNCIL, ["Dana Whitlock"],
                            ["Dana Whitlock"])
    assert not asked.refused and "400,000 pounds" in asked.text
