"""Kinds of question the extractive answerer must answer, or refuse, however the question is worded: a paraphrase
of the paragraph's words ("every day" for "daily", "riders" for "ride", "built" for "build"), an organisation
named by its acronym, the answer in the neighbouring paragraph of the same story, a "when will" question that a
past date does not answer. Paragraphs written for these tests; the real bundled embedder scores them."""
from __future__ import annotations

import pytest

from qa.answer_types import has_answer_type
from qa.answerers.extractive import ExtractiveAnswerer
from qa.query import named_entities
from qa.sentences import content_terms, matched_terms
from qa.types import Passage


def passage(article: str, n: int, text: str, title: str, speakers: tuple[str, ...] = ()) -> Passage:
    return Passage(article, f"{article}#p{n}", n, text, 1.0, title=title, published="2024-09-02",
                   source="Harbour Herald", speakers=list(speakers))


@pytest.fixture(scope="module")
def answerer(shared_qa):
    return ExtractiveAnswerer(shared_qa.store, shared_qa.settings)


def ask(answerer, question, passages, speakers=()):
    return answerer.answer(question, passages, list(speakers), named_entities(question))


@pytest.mark.parametrize("question,text,shared", [
    ("How many people ride trams every day?", "It has 30,000 daily riders.", {"ride", "dai"}),
    ("Who drives the buses each week?", "Weekly, drivers are hired by the city.", {"driv", "week"}),
    ("What did the council say should be built?", "The council wants a bridge to build.", {"build", "council"}),
    ("Which voters backed the plan?", "Those who vote backed it.", {"voter", "back"}),
])
def test_paraphrased_word_forms_match(question, text, shared):
    assert matched_terms(content_terms(question), content_terms(text)) == shared


def test_other_words_sharing_the_first_letters_do_not_match():
    assert not matched_terms({"use", "ride"}, {"usher", "usual", "rid", "ridge"})


def test_a_count_asked_with_other_word_forms_is_answered_from_the_right_paragraph(answerer):
    # The second paragraph shares the question's literal words ("people"); the first says the same thing as the
    # question in other word forms ("daily riders" for "ride ... every day").
    title = "Marlow Transit adds night buses"
    riders = passage("marlow", 1, "Marlow Transit, the city's bus operator and one of the region's largest employers "
                     "with 85,000 daily riders, said on Tuesday that it would add night routes on six lines from "
                     "next spring.", title)
    app = passage("marlow", 2, "Some 2,400 people use the Marlow Transit app to buy tickets, the operator said.", title)
    question = "How many people ride Marlow Transit buses every day?"
    answer = ask(answerer, question, [riders, app])
    assert not answer.refused and "85,000" in answer.text
    best = answerer.spans(question, answerer.score_sentences(question, [riders, app], []), "number")[0]
    assert best.passage.paragraph_id == "marlow#p1"


@pytest.mark.parametrize("acronym,text,spelled", [
    ("IAEA", "a former chief of the International Atomic Energy Agency said", True),
    ("UNHCR", "the United Nations High Commissioner for Refugees", True),
    ("NATO", "The North Atlantic Treaty Organization", True),
    ("IMF", "In May Finance ministers met", False),  # a sentence-initial "In" starts no name
    ("EU", "Every Union member", False),  # two letters spell too many word pairs
])
def test_an_acronym_is_spelled_by_the_initials_of_a_name(acronym, text, spelled):
    from qa.answer_types import spells_acronym

    assert spells_acronym(acronym, text) is spelled


def test_a_speaker_named_by_role_and_acronym_is_answered(answerer):
    quote = passage("atoms", 1, "Ingrid Solberg, a board member of the Nordic Grid Council and former director "
                    "general of the International Atomic Energy Agency, said: \"Small reactors will only be trusted if "
                    "inspectors can visit every site. Public trust in nuclear power also requires open safety "
                    "data,\" according to the conference organisers.", "Nordic energy forum opens",
                    ("Ingrid Solberg",))
    other = passage("atoms", 2, "Wind farms supplied a third of the region's power last winter, the grid operator "
                    "said.", "Nordic energy forum opens")
    answer = ask(answerer, "According to the former head of the IAEA, what does public trust in nuclear power "
                 "need?", [other, quote])
    assert not answer.refused and "open safety data" in answer.text


@pytest.mark.parametrize("question,text,holds", [
    ("When will the harbour levy take effect?", "Last month, the council approved the harbour levy.", False),
    ("When will the harbour levy take effect?", "The levy was approved 3 weeks ago.", False),
    ("When will the harbour levy take effect?", "The levy, approved last month, applies from next April.", True),
    ("When is the new bridge expected to open?", "It opened to cyclists yesterday.", False),
    ("When is the new bridge expected to open?", "The bridge should open on Tuesday.", True),
    ("When did the council approve the harbour levy?", "Last month, the council approved the harbour levy.", True),
])
def test_a_when_will_question_is_not_answered_by_a_past_date(question, text, holds):
    assert has_answer_type("time", text, question) is holds


def test_a_when_will_question_about_something_only_launched_is_refused(answerer):
    launched = passage("levy", 1, "Last month, the Kestrel Bay council launched the Harbour Cleanliness Levy with the "
                       "stated aim of funding a cleaner, safer and fairer harbour for fishers, ferries and visitors.",
                       "Kestrel Bay council launches harbour levy")
    answer = ask(answerer, "When will the Harbour Cleanliness Levy take effect?", [launched])
    assert answer.refused


def test_the_answer_in_the_next_paragraph_that_refers_back_to_the_company_is_quoted(answerer):
    title = "Battery maker plans Porto plant"
    first = passage("brightwave", 1, "Brightwave, a maker of home batteries and one of Europe's fastest-growing energy "
                    "firms with 2,000 staff, said on Monday that it would open a plant in Porto.", title)
    second = passage("brightwave", 2, "Since the company has sold more than 90,000 batteries, it needs a second "
                     "factory to keep up with orders, its chief executive said.", title)
    answer = ask(answerer, "How many batteries has Brightwave sold?", [first, second])
    assert not answer.refused and "90,000" in answer.text


def test_a_paragraph_that_does_not_refer_back_takes_no_names_from_the_one_before():
    from qa.answer_types import carried_names

    title = "Battery maker plans Porto plant"
    first = passage("brightwave", 1, "Brightwave said on Monday that it would open a plant in Porto.", title)
    refers = passage("brightwave", 2, "Since the company has sold 90,000 batteries, it needs a second factory.", title)
    other = passage("brightwave", 3, "Porto's mayor welcomed the 400 jobs.", title)
    carried = carried_names([first, refers, other])
    assert carried["brightwave#p2"] == ["Brightwave", "Porto"]
    assert carried["brightwave#p1"] == [] and carried["brightwave#p3"] == []


def test_a_paragraph_that_names_its_own_company_first_does_not_refer_back():
    from qa.answer_types import carried_names

    title = "Battery makers expand"
    first = passage("makers", 1, "Voltara said on Monday that it would open a plant in Porto.", title)
    own = passage("makers", 2, "In another session, Ines Duarte, founder of Brightwave, said the company has sold "
                  "90,000 batteries.", title)
    assert carried_names([first, own])["makers#p2"] == []


RUIZ = ("Ana Ruiz, chair of the Regional Water Rights Board and a former director of the Coastal Fisheries Agency, "
        "said: \"Our city has to build safer cycle lanes and cut car traffic downtown. Fewer cars will also make the "
        "old town quieter at night,\" according to the council's minutes.")


@pytest.fixture(scope="module")
def ruiz():
    return [passage("ruiz", 1, RUIZ, "Council debates traffic plan", ("Ana Ruiz",))]


def test_a_topic_only_in_the_speakers_title_is_not_what_they_said(answerer, ruiz):
    answer = ask(answerer, "What did Ana Ruiz say about water rights and fisheries?", ruiz, ["Ana Ruiz"])
    assert answer.refused


@pytest.mark.parametrize("question,expected", [
    ("What did Ana Ruiz say about cycle lanes?", "cycle lanes"),
    ("Who is the chair of the Regional Water Rights Board?", "Ana Ruiz"),
])
def test_what_the_speaker_said_and_who_the_speaker_is_are_still_answered(answerer, ruiz, question, expected):
    answer = ask(answerer, question, ruiz, ["Ana Ruiz"] if "Ana Ruiz" in question else [])
    assert not answer.refused and expected in answer.text


def test_without_appositions_drops_only_the_description_after_a_speakers_name():
    from qa.answerers.extractive import without_appositions

    assert without_appositions(RUIZ, ["Ana Ruiz"]).startswith("Ana Ruiz said: \"Our city")
    assert without_appositions("Ana Ruiz, who chairs it, and Bo Li, said so.", ["Ana Ruiz"]) == \
        "Ana Ruiz, who chairs it, and Bo Li, said so."


def test_a_speaker_named_by_the_words_of_their_title_is_still_answered(answerer, ruiz):
    # The question finds the speaker by the title the paragraph gives them, so those words are not its topic.
    answer = ask(answerer, "What did the chair of the water rights board think about the old town at night?", ruiz)
    assert not answer.refused and "Ana Ruiz" in answer.text
