"""Property-based fuzzing of the loaders and the question path: any input gives articles or a clear error.

A short budget runs with the suite. The long run (docs/reliability.md records its figures):

    QA_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py -q -p no:cacheprovider

Each example runs under a 60-second alarm: that is a hang detector (an example that never returns), not a
speed check; the slowest example takes well under a second.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from index.paragraphs import split_paragraphs
from index.speakers import attribute_article
from qa import REFUSAL, Answer
from qa.citations import MARKER, neutralize_markers, parse_answer
from qa.constants import MAX_QUESTION_CHARS
from qa.query import analyze
from qa.sentences import MAX_SENTENCE_CHARS, split_sentences

EXAMPLES = int(os.environ.get("QA_FUZZ_EXAMPLES", "50"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Retrieval encodes every question with the real model: a fifth of the budget keeps the suite quick.
SLOW = settings(max_examples=max(10, EXAMPLES // 5), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@contextlib.contextmanager
def no_hang(seconds: int = 60):
    def alarm(signum, frame):
        raise TimeoutError(f"no result after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Text with the characters that break parsers: controls, bidi marks, CJK, RTL, markers, quotes, tags.
NASTY = st.sampled_from(list("\x00\x07\x1b\r\n\t\f\u2028\u202e\u200b\ufeff\ufffd「」。المكتبة東京[]()<>\"'#-*:{}…—"))
TEXT = st.text(st.one_of(st.characters(), NASTY), max_size=400)
WORDS = st.lists(st.sampled_from(["The", "mayor", "said", "Robin Li", "[3]", "(7)", "Sources:", "“quote,”", "he",
                                  "told", "according to", "By Ann Lee", "---", "# Title", "<!-- x -->", "\n\n",
                                  "\n", ".", "2024", "東京", "مكتبة", "\x00", " ", "&#7;", "&#xD800;", "&#99999999;",
                                  "&amp;", "<p>", "</p>", "<script>", "<!--"]), max_size=60).map(" ".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["id", "title", "text", "paragraphs", "date", "authors", "url", "source",
                                         "extra"]) | TEXT, inner, max_size=6), max_leaves=12)
# Shaped like an article (a title line, a blank line, a body), so most examples get past "no article text"
# and exercise what happens to the text itself.
ARTICLE = st.builds(lambda title, body: f"{title}\n\n{body}", st.one_of(TEXT, WORDS), st.one_of(TEXT, WORDS))
PAGE = st.builds(lambda title, paragraphs: f"<html><head><title>{title}</title></head><body><article>"
                 + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>",
                 st.one_of(TEXT, WORDS), st.lists(st.one_of(TEXT, WORDS), max_size=4))
RECORD = st.fixed_dictionaries({"text": st.one_of(TEXT, WORDS)}, optional={"id": JSON, "title": JSON, "date": JSON,
                                                                          "authors": JSON, "paragraphs": JSON})


def file_bytes():
    encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])
    encoded = st.tuples(st.one_of(ARTICLE, PAGE, TEXT, WORDS), encodings).map(_encode)
    records = st.lists(st.one_of(RECORD, JSON), max_size=4).map(lambda rows: "\n".join(map(json.dumps, rows)).encode())
    return st.one_of(encoded, records, RECORD.map(lambda r: json.dumps(r).encode()), st.binary(max_size=600),
                     JSON.map(lambda v: json.dumps(v).encode()))


def _encode(pair) -> bytes:
    text, encoding = pair
    return text.encode(encoding, errors="replace")


def check_load(path: Path) -> None:
    with no_hang():
        result = load_file(path)
    for error in result.errors:
        assert isinstance(error, LoadError)
        assert error.path.startswith(str(path))
        assert error.reason
    for article in result.articles:
        assert article.text.strip()
        assert article.article_id
        assert "#" not in article.article_id
        assert not CONTROL.search(article.text)
        assert not CONTROL.search(article.title)
        spans = split_paragraphs(article.text)
        assert spans
        # One list of attributions per paragraph, each quote at its offsets in its own paragraph.
        paragraphs = [article.text[s:e] for s, e in spans]
        attributions = attribute_article(paragraphs)
        assert len(attributions) == len(paragraphs)
        for paragraph, found in zip(paragraphs, attributions):
            assert all(paragraph[a.start:a.end] == a.quote for a in found)


@FAST
@given(data=file_bytes(), suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_any_file_loads_or_is_a_clear_error(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        check_load(path)


@FAST
@given(text=st.one_of(ARTICLE, TEXT, WORDS))
def test_paragraph_and_sentence_offsets_hold(text):
    with no_hang():
        spans = split_paragraphs(text)
        sentences = split_sentences(text)
    for spans_of, limit in ((spans, None), (sentences, MAX_SENTENCE_CHARS)):
        assert all(a < b for a, b in spans_of)
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans_of, spans_of[1:]))
        assert all(text[a:b] == text[a:b].strip() for a, b in spans_of)
        assert limit is None or all(b - a <= limit for a, b in spans_of)


@FAST
@given(text=st.one_of(TEXT, WORDS))
def test_markers_and_question_parsing(text):
    with no_hang():
        assert not MARKER.search(neutralize_markers(text, parentheses=True))
        assert not re.search(r"\[\d+(?:\s*[,;]\s*\d+)*\]", neutralize_markers(text))
        parsed = parse_answer(text)
        info = analyze(text, date(2024, 6, 1), ["Robin Li", "Maria Okafor"])
    for sentence, numbers in parsed:
        assert isinstance(sentence, str)
        assert all(isinstance(n, int) for n in numbers)
    assert info.date_to == date(2024, 6, 1)
    assert set(info.speakers) <= {"Robin Li", "Maria Okafor"}


QUESTIONS = st.one_of(TEXT, WORDS, st.text(st.sampled_from("?!.,;:…¿¡-—()[]\"' "), max_size=40),
                      st.builds(lambda c, n: c * n, st.sampled_from("a ?東"), st.integers(1990, 2100)))


@SLOW
@given(question=QUESTIONS)
def test_any_question_gets_an_answer_or_a_clear_error(shared_qa, question):
    with no_hang():
        try:
            passages = shared_qa.retrieve(question, k=3)
            answer = shared_qa.ask(question, k=3)
        except ValueError as exc:
            assert not question.strip() or len(question.strip()) > MAX_QUESTION_CHARS, exc
            return
    assert question.strip()
    assert len(question.strip()) <= MAX_QUESTION_CHARS
    assert len(passages) <= 3
    assert isinstance(answer, Answer)
    known = {p.paragraph_id for p in answer.passages}
    assert {c.paragraph_id for c in answer.citations} <= known
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} == {c.n for c in answer.citations}
    assert answer.refused == (answer.text == REFUSAL)
    if not re.search(r"\w", question):
        assert passages == []
        assert answer.refused
