"""Parsing citation markers: every variant small models write, sentence by sentence."""
from __future__ import annotations

import pytest

from qa.citations import marker_numbers, parse_answer, strip_markers


@pytest.mark.parametrize("text,numbers", [
    ("a [1] b", [1]), ("a [1,2] b", [1, 2]), ("a [1][2]", [1, 2]), ("a (1) b", [1]), ("a [1, 3; 4]", [1, 3, 4]),
    ("in (2023) and [2024]", []),
])
def test_marker_numbers(text, numbers):
    assert marker_numbers(text) == numbers


def test_marker_after_the_full_stop_belongs_to_the_sentence_before():
    parsed = parse_answer("Robin Li said models matter. [1] The summit was big [1,2]. Then (3) more [2][4].")
    assert parsed == [("Robin Li said models matter.", [1]), ("The summit was big.", [1, 2]),
                      ("Then more.", [3, 2, 4])]


def test_strip_markers_leaves_clean_text():
    assert strip_markers("It grew [1] fast [2].") == "It grew fast."
