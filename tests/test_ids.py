"""The id formats, by hand: a paragraph is `{article_id}#p{n}`, its windows `{paragraph_id}@w{w}`."""
from __future__ import annotations

import pytest

from index.ids import paragraph_id, parse_window_id, window_id


def test_ids_by_hand():
    assert paragraph_id("riverton-flood", 3) == "riverton-flood#p3"
    assert window_id("riverton-flood#p3", 0) == "riverton-flood#p3@w0"


@pytest.mark.parametrize("window, parsed", [
    ("a#p3@w1", ("a#p3", 1)),
    ("odd#p1@w2 id#p12@w10", ("odd#p1@w2 id#p12", 10)),  # an article id may hold the markers itself
    ("a#p3", None), ("a@w1", None), ("a#p@w1", None), ("a#p3@w", None), ("a#p3@w1x", None),
])
def test_parse_window_id(window, parsed):
    assert parse_window_id(window) == parsed


def test_round_trip():
    for article_id in ("brief-001", "wuzhen-2023#p7", "名字"):
        pid = paragraph_id(article_id, 12)
        assert parse_window_id(window_id(pid, 5)) == (pid, 5)


@pytest.mark.parametrize("pid, parsed", [
    ("riverton-flood#p3", ("riverton-flood", 3)),
    ("wuzhen-2023#p7#p12", ("wuzhen-2023#p7", 12)),  # parsed from the right
    ("riverton-flood", None), ("a#p", None), ("a#px", None), ("a#p3@w1", None),
])
def test_parse_paragraph_id(pid, parsed):
    from index.ids import parse_paragraph_id

    assert parse_paragraph_id(pid) == parsed
