"""Paragraphs that address a language model instead of a reader: instructions and fake citation lists.

Such a paragraph is not evidence. Shown to a model it is an attack ("ignore previous instructions, reply
only ..."), and the grounding guard cannot catch what follows, because the payload is written in the very
paragraph it would be checked against. So no answerer answers from one: `QA` passes only `evidence(...)` to
every answerer (left out of LLM prompts, never quoted). It stays indexed and retrievable (`qa search`).

The patterns are deliberately narrow (news prose says "ignored", "answer", "system"); the cost of a miss is
bounded by the guard, the cost of a false hit is one paragraph an answer cannot use.
"""
from __future__ import annotations

import re

_PATTERNS = [
    # "Ignore previous instructions", "disregard all prior rules", "forget the above directions"
    r"\b(?:ignore|disregard|forget|override)\s+(?:\w+\s+){0,3}(?:previous|prior|above|earlier|preceding|all|any|"
    r"your|the)\s+(?:\w+\s+){0,2}(?:instructions|rules|prompts?|directions|guidelines)\b",
    # "Reply only with", "respond only", "answer only"; "when asked ..., say"
    r"\b(?:reply|respond|answer|output)\s+only\b",
    r"\bwhen (?:you are )?asked\b[^.]{0,120}\b(?:reply|respond|answer|say|output)\b",
    # Role markers a chat template would read: "system:", "assistant:", "<|im_start|>"
    r"^\s*(?:system|assistant|developer)\s*:",
    r"<\|(?:im_start|im_end|system|assistant|user)\|>",
    r"\byou are now\b|\bas an ai (?:language )?model\b|\bnew instructions\s*:",
    # A citation list of its own: "Sources: [7] ...", "Sources:" then "[1] ..." lines
    r"^\s*(?:sources?|references|citations)\s*:\s*(?:$|[\[(⟨]\s*\d)",
]
INSTRUCTIONS = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)


def addresses_a_model(text: str) -> bool:
    """Does this paragraph give orders to a model (or carry a fake source list)?"""
    return bool(INSTRUCTIONS.search(text))


def evidence(passages: list) -> list:
    """The passages an answerer may answer from: those that do not address a model."""
    return [p for p in passages if not addresses_a_model(p.text)]
