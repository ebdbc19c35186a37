"""What the LLM answerers put in front of the model and how a structured reply becomes a cited draft
(pure logic: the real models run in tests/test_llm.py)."""
from __future__ import annotations

import json

from qa import REFUSAL
from qa.answerers.generative import compose_structured, focus
from qa.prompts import render

LONG = ("The festival opened on Friday in the old port. Organisers expect 40,000 visitors over three days. "
        "Food stalls line the quay. The mayor, Ana Ruiz, said the festival brings 2 million euros to local shops. "
        "Parking is limited near the harbour.")


def test_focus_keeps_the_sentences_about_the_question_in_reading_order():
    cut = focus("How much money does the festival bring to local shops, according to the mayor?", LONG, 160)
    assert "2 million euros" in cut and len(cut) < len(LONG) and "Parking" not in cut
    assert cut.index("festival opened") < cut.index("2 million") if "festival opened" in cut else True
    assert "…" in cut
    assert focus("anything", "Short paragraph.", 160) == "Short paragraph."


def test_structured_reply_is_composed_into_cited_text():
    reply = json.dumps({"found": True, "answer": "It brings 2 million euros to local shops.", "sources": [2, 2, 9]})
    assert compose_structured(reply, count=3) == "It brings 2 million euros to local shops. [2]"
    assert compose_structured(json.dumps({"found": False, "answer": "", "sources": []}), 3) == REFUSAL
    assert compose_structured(json.dumps({"found": True, "answer": "Uncited.", "sources": []}), 3) == REFUSAL
    assert compose_structured("{not json", 3) == REFUSAL


def test_structured_prompt_and_few_shot_examples_render():
    user = render("answer", question="Q?", as_of="", structured=True,
                  sources=[{"n": 1, "title": "T", "published": "2024-01-01", "source": "", "article_id": "a",
                            "text": "Body"}])
    assert '"found"' in user and "Today is" not in user
    assert REFUSAL in render("examples")


def test_consecutive_sources_of_one_article_share_its_header_line():
    def source(n, article, title, text):
        return {"n": n, "title": title, "published": "2024-05-06", "source": "Courier", "article_id": article,
                "text": text}

    user = render("answer", question="Q?", as_of="", structured=False, sources=[
        source(1, "a", "Board closes schools", "First."), source(2, "a", "Board closes schools", "Second."),
        source(3, "b", "Bridge repairs", "Third."), source(4, "a", "Board closes schools", "Fourth.")])
    headers = [line for line in user.splitlines() if line.startswith("<article ")]
    assert headers == ['<article title="Board closes schools" outlet="Courier" date="2024-05-06">',
                       '<article title="Bridge repairs" outlet="Courier" date="2024-05-06">',
                       '<article title="Board closes schools" outlet="Courier" date="2024-05-06">']
    assert user.count("</article>") == 3 and [f'<source n="{n}">' in user for n in range(1, 5)] == [True] * 4
    # each source sits under its own article's line
    assert user.index("Second.") < user.index("Bridge repairs") < user.index("Third.") < user.rindex("Board closes")
