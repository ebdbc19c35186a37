"""The grounding guard: every generated sentence is checked against its sources before anyone sees it.

For each sentence of a draft answer:
  1. its `[n]` markers (any variant the parser tolerates) are mapped to the numbered passages; numbers
     that point nowhere are dropped;
  2. it is scored against the union of its cited paragraphs (qa.grounding: names and numbers must appear,
     polarity kept, close in words and meaning); names, numbers and dates it only repeats from the question
     are the user's premise, not its claim (they are checked loosely by the relevance test below);
  3. supported: kept, with citations that support nothing on their own dropped when the rest suffice;
     unsupported: re-cited to the single passage that supports it, if one does (a right fact cited to the
     wrong paragraph), else removed (or marked, per `answer.unsupported`).
  4. a supported sentence that equates what its source does not (a role swap, qa.grounding.role_swap) is
     removed like an unsupported one.
An answer with no supported sentence left becomes the refusal, and so does one that is not about what was asked
(relevance): the names the question asks about must be in the paragraphs a kept sentence cites, and a question
that wants a name, number, date or place must get one (qa/answer_types.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from qa.answer_types import answer_kind, has_answer_type, mentions
from qa.answerers.base import Part, build_answer
from qa.citations import parse_answer
from qa.constants import REFUSAL
from qa.grounding import Support, role_swap, score_support
from qa.query import named_entities
from qa.sentences import normalize
from qa.types import Answer, Passage

UNSUPPORTED_MARK = "[unsupported]"


def is_refusal(text: str) -> bool:
    said = normalize(text)
    return not said or normalize(REFUSAL) in said or said.startswith(("i could not find", "i cannot find",
                                                                      "i don t know", "the sources do not"))


def _span(passage: Passage, closest: str) -> tuple[int, int]:
    start = passage.text.find(closest) if closest else -1
    return (start, start + len(closest)) if start >= 0 else (0, len(passage.text))


def check(question: str, draft: str, passages: list[Passage], embedder, settings, answerer: str) -> Answer:
    threshold = settings.answer.support_threshold
    drop = "marked" if settings.answer.unsupported == "mark" else "removed"
    parts: list[Part] = []
    report: list[dict[str, Any]] = []
    for sentence, numbers in parse_answer(draft):
        cited = [passages[n - 1] for n in numbers if 1 <= n <= len(passages)]
        if is_refusal(sentence) and not cited:
            report.append({"text": sentence, "citations": [], "score": 0.0, "supported": False, "action": "refusal"})
            continue
        support = score_support(sentence, [p.text for p in cited], embedder, threshold, question) if cited else None
        action, reason = "kept", ""
        if support and support.supported and role_swap(sentence, [p.text for p in cited]):
            # Every word is in the source; the claim is not.
            support, action, reason = Support(0.0, False), drop, "role swap"
        elif support and support.supported:
            # ALCE precision: drop a citation that supports nothing alone when the others still support.
            alone = {p.paragraph_id: score_support(sentence, [p.text], embedder, threshold, question) for p in cited}
            if any(s.supported for s in alone.values()):
                cited = [p for p in cited if alone[p.paragraph_id].supported]
        else:
            best = max(((p, score_support(sentence, [p.text], embedder, threshold, question)) for p in passages),
                       key=lambda ps: ps[1].score, default=(None, None))
            if best[1] is not None and best[1].supported and not role_swap(sentence, [best[0].text]):
                cited, support, action = [best[0]], best[1], "recited"
            else:
                action = drop
        score = support.score if support else 0.0
        report.append({"text": sentence, "citations": [p.paragraph_id for p in cited], "score": score,
                       "supported": action in ("kept", "recited"), "action": action,
                       **({"reason": reason} if reason else {})})
        if action in ("kept", "recited"):
            assert support is not None  # "kept" and "recited" are set only with a supporting score
            closest = score_support(sentence, [p.text for p in cited], embedder, threshold, question).closest \
                if len(cited) > 1 else support.closest
            parts.append((sentence, [(p, *_span(p, closest)) for p in cited]))
        elif action == "marked":
            parts.append((f"{sentence} {UNSUPPORTED_MARK}", []))
    supported = [r for r in report if r["supported"]]
    kept = [(sentence, [p for p, _, _ in sources]) for sentence, sources in parts if sources]
    if not supported or not relevant(question, kept, passages):
        answer = Answer(question, REFUSAL, True, [], passages, 0.0, answerer)
    else:
        answer = build_answer(question, passages, parts, min(r["score"] for r in supported), answerer)
    answer.sentences, answer.draft = report, draft
    return answer


def missing_entities(question: str, passages: list[Passage]) -> list[str]:
    """Names the question asks about that no passage mentions: an LLM need not be asked at all."""
    return [e for e in named_entities(question) if not any(mentions(p, e) for p in passages)]


def relevant(question: str, kept: list[tuple[str, list[Passage]]], passages: Sequence[Passage] = ()) -> bool:
    """Is a checked answer about what was asked? Some kept sentence cites paragraphs naming everything the
    question names ("What did Elon Musk say?" is not answered by a sentence about Alibaba, however well
    supported), and the kept text holds the answer type the question wants. A name may sit in another retrieved
    paragraph of the cited article instead ("the 2022 NHL playoffs" in the paragraph before "The Colorado
    Avalanche ... won the Stanley Cup"): a news paragraph leans on its story for context."""
    if not kept:
        return False
    entities = named_entities(question)

    def named(cited: list[Passage]) -> bool:
        articles = {p.article_id for p in cited}
        story = [p for p in passages if p.article_id in articles and p not in cited]
        # The cited paragraphs and the rest of their story read together ("NHL" in one, "Stanley Cup" in another).
        context = replace(cited[0], text=" ".join(p.text for p in [*cited, *story]),
                          speakers=[s for p in [*cited, *story] for s in p.speakers])
        return all(mentions(context, e) for e in entities)

    if entities and not any(named(cited) for _, cited in kept):
        return False
    return has_answer_type(answer_kind(question), " ".join(sentence for sentence, _ in kept), question)
