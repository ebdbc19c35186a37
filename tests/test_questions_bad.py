"""Bad questions through every front end: the library, the `qa` CLI and the HTTP API.

Empty or whitespace: a clear error. Over MAX_QUESTION_CHARS (2,000): a clear error naming the limit, never a
silent cut (a cut question is not the one asked). Only punctuation or symbols: nothing is retrieved and the
answer is the refusal.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qa import REFUSAL
from qa.cli import main
from qa.constants import MAX_QUESTION_CHARS
from web.api import api_router
from web.service import Service
from web.settings import WebSettings

LONG = ("What did the mayor say about the flood barrier " * 250)[:10_000]
EMPTY = ["", "   ", "\n\t "]
EMPTY_IDS = ["empty", "spaces", "whitespace"]
NO_WORDS = ["?", "?!...", "¿¡…—", ",,,;;;", "🙂🙂🙂", "( ) [ ] { }"]
NO_WORDS_IDS = ["question-mark", "ascii-punctuation", "spanish-punctuation", "separators", "emoji", "brackets"]


@pytest.fixture(scope="module")
def http(shared_qa):
    app = FastAPI()
    app.include_router(api_router(Service(shared_qa, WebSettings())))
    with TestClient(app) as client:
        yield client


def cli(home, *args):
    return CliRunner().invoke(main, ["--home", str(home), *args])


# -- empty ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", EMPTY, ids=EMPTY_IDS)
def test_empty_question_library(shared_qa, question):
    for call in (shared_qa.ask, shared_qa.retrieve):
        with pytest.raises(ValueError, match="^the question is empty$"):
            call(question)


@pytest.mark.parametrize("command", ["ask", "search"])
@pytest.mark.parametrize("question", EMPTY, ids=EMPTY_IDS)
def test_empty_question_cli(built_home, command, question):
    result = cli(built_home, command, question)
    assert result.exit_code == 1 and result.output == "Error: the question is empty\n"


@pytest.mark.parametrize("question", EMPTY, ids=EMPTY_IDS)
def test_empty_question_http(http, question):
    response = http.post("/api/ask", json={"question": question})
    if question:  # whitespace passes the schema and is refused by the service
        assert response.status_code == 400 and response.json() == {"detail": "the question is empty"}
    else:
        assert response.status_code == 422 and "at least 1 character" in response.text
    assert http.get("/api/search", params={"q": question}).status_code in (400, 422)


# -- too long ---------------------------------------------------------------------------------------
def test_long_question_library(shared_qa):
    message = "^the question is 10,000 characters long; the limit is 2,000$"
    for call in (shared_qa.ask, shared_qa.retrieve):
        with pytest.raises(ValueError, match=message):
            call(LONG)
    at_limit = LONG[:MAX_QUESTION_CHARS]
    assert shared_qa.retrieve(at_limit, k=1)[0].paragraph_id.startswith("riverton-flood-barrier")


def test_long_question_cli(built_home):
    result = cli(built_home, "ask", LONG)
    assert result.exit_code == 1
    assert result.output == "Error: the question is 10,000 characters long; the limit is 2,000\n"


def test_long_question_http(http):
    response = http.post("/api/ask", json={"question": LONG})
    assert response.status_code == 422 and "at most 2000 characters" in response.text
    assert http.get("/api/search", params={"q": LONG}).status_code == 422


# -- only punctuation or symbols ----------------------------------------------------------------------
@pytest.mark.parametrize("question", NO_WORDS, ids=NO_WORDS_IDS)
def test_punctuation_only_is_refused_library(shared_qa, question):
    assert shared_qa.retrieve(question) == []
    answer = shared_qa.ask(question)
    assert answer.refused and answer.text == REFUSAL and answer.citations == [] and answer.passages == []


@pytest.mark.parametrize("question", NO_WORDS[:3], ids=NO_WORDS_IDS[:3])
def test_punctuation_only_is_refused_cli(built_home, question):
    result = cli(built_home, "ask", question)
    assert result.exit_code == 0 and result.output == REFUSAL + "\n"
    assert cli(built_home, "search", question).output == ""


@pytest.mark.parametrize("question", NO_WORDS[:3], ids=NO_WORDS_IDS[:3])
def test_punctuation_only_is_refused_http(http, question):
    answer = http.post("/api/ask", json={"question": question}).json()
    assert answer["refused"] and answer["text"] == REFUSAL and answer["citations"] == []
    assert http.get("/api/search", params={"q": question}).json() == []
