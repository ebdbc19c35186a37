"""Follow-up questions become standalone questions before retrieval.

With an LLM answerer the condense prompt (prompts/condense.md) rewrites them; the extractive answerer, and
any LLM whose rewrite fails, use a deterministic fallback:
  - "And what did the Tencent executive say?" -> the question itself, minus the leading "And";
  - "What about Kuaishou?" -> the previous question with its last name swapped for "Kuaishou";
  - "What else did he say?" -> the pronoun replaced by the previous question's speaker or first name.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from qa.query import named_entities

_LEAD = re.compile(r"^\s*(and|so|also|but|ok|okay|then)\b[\s,]*", re.I)
_ABOUT = re.compile(r"^\s*(what|how) about\s+(?P<x>.+?)\s*\??\s*$", re.I)
_PRONOUN = re.compile(r"\b(he|she|him|her|they|them|it)\b", re.I)


def user_questions(messages: list[dict]) -> list[str]:
    return [m["content"].strip() for m in messages if m.get("role") == "user" and str(m.get("content", "")).strip()]


def condense_fallback(previous: str, follow_up: str, previous_speakers: Sequence[str] = ()) -> str:
    question = _LEAD.sub("", follow_up).strip()
    question = question[:1].upper() + question[1:]
    about = _ABOUT.match(question)
    earlier = list(previous_speakers) + named_entities(previous)
    if about:
        if earlier:
            target = earlier[-1] if not previous_speakers else previous_speakers[0]
            return previous.replace(target, about.group("x"), 1)
        return f"{previous.rstrip('?')} about {about.group('x')}?"
    if not named_entities(question) and earlier and _PRONOUN.search(question):
        return _PRONOUN.sub(earlier[0], question, count=1)
    return question


def condense(messages: list[dict], generator=None, known_speakers=()) -> str:
    """The standalone form of the last user question of a conversation."""
    questions = user_questions(messages)
    if not questions:
        raise ValueError("the conversation has no question")
    if len(questions) == 1:
        return questions[0]
    previous, follow_up = questions[-2], questions[-1]
    from qa.query import find_speakers

    fallback = condense_fallback(previous, follow_up, find_speakers(previous, known_speakers))
    if generator is None:
        return fallback
    from qa import prompts

    history = [m for m in messages[:-1] if m.get("role") in ("user", "assistant")][-6:]
    try:
        rewritten = generator.complete([{"role": "user", "content": prompts.render(
            "condense", history=history, question=follow_up)}]).strip().strip('"').splitlines()
    except RuntimeError:
        return fallback
    rewritten = rewritten[0].strip() if rewritten else ""
    # A small model sometimes answers instead of rewriting, or drops the subject: keep the fallback then.
    return rewritten if rewritten.endswith("?") and 3 <= len(rewritten.split()) <= 40 else fallback
