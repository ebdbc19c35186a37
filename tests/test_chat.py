"""Conversations and streaming: follow-ups condensed into standalone questions; ask(stream=True)."""
from __future__ import annotations

import pytest

from qa import Answer
from qa.conversation import condense, condense_fallback


@pytest.mark.parametrize("previous,follow_up,speakers,expected", [
    ("What did the Tencent executive say?", "What about Kuaishou?", [], "What did the Kuaishou executive say?"),
    ("What did Robin Li say about large models?", "And what did the Tencent executive say?", ["Robin Li"],
     "What did the Tencent executive say?"),
    ("What did Robin Li say about large models?", "What else did he say?", ["Robin Li"], "What else did Robin Li say?"),
    ("What did Robin Li say about large models?", "What about Guo Kaitian?", ["Robin Li"],
     "What did Guo Kaitian say about large models?"),
    ("Who is the CEO of Alibaba?", "When was the conference held?", [], "When was the conference held?"),
])
def test_condense_fallback(previous, follow_up, speakers, expected):
    assert condense_fallback(previous, follow_up, speakers) == expected


class FailingGenerator:
    def complete(self, messages):
        raise RuntimeError("server down")


def test_condense_falls_back_when_the_model_fails():
    messages = [{"role": "user", "content": "What did the Tencent executive say?"},
                {"role": "assistant", "content": "..."}, {"role": "user", "content": "What about Kuaishou?"}]
    assert condense(messages, FailingGenerator()) == "What did the Kuaishou executive say?"


def test_chat_follow_up_is_answered_from_the_right_paragraph(shared_qa):
    first = shared_qa.chat([{"role": "user", "content": "What did the Tencent executive say?"}])
    assert "Guo Kaitian" in first.text
    second = shared_qa.chat([{"role": "user", "content": "What did the Tencent executive say?"},
                             {"role": "assistant", "content": first.text},
                             {"role": "user", "content": "What about Kuaishou?"}])
    assert second.question == "What did the Kuaishou executive say?" and not second.refused
    assert second.citations[0].paragraph in (7, 8)


def test_ask_streams_text_then_the_checked_answer(shared_qa):
    items = list(shared_qa.ask("What did Robin Li say about large models?", stream=True))
    assert all(isinstance(i, str) for i in items[:-1]) and isinstance(items[-1], Answer)
    assert "".join(items[:-1]) == items[-1].text and items[-1].timings["retrieve"] > 0
