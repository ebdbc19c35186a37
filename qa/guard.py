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
  4. a supported sentence is still removed (or re-cited to a passage without the fault) when its words are in
     the source but its claim is not: it equates what the source does not (a role swap,
     qa.grounding.role_swap); it puts a name or role the question brought on a paragraph that does not name it
     ("Baidu has 400 million users" from the paragraph about Kuaishou's: `unnamed`); it answers "What did X say?"
     from a paragraph where someone else speaks while X's own words were retrieved (`not_said_by`); it is a bare
     name or number taken from a sentence about something else (`out_of_place`);
  5. a sentence that only says the question back (no word, name or number of its own: `echoes`) is removed.
An answer with no supported sentence left becomes the refusal, and so does one that is not about what was asked
(relevance): the names the question asks about must be in the paragraphs a kept sentence cites, and a question
that wants a name, number, date or place must get one (qa/answer_types.py).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from qa.answer_types import answer_kind, carried_names, has_answer_type, mentions, named_in, novel_terms
from qa.answerers.base import Part, build_answer
from qa.citations import parse_answer
from qa.constants import REFUSAL
from qa.grounding import Support, key_facts, role_swap, score_support
from qa.query import asked_sentence, named_entities, speaker_slot
from qa.sentences import ROLE_WORDS, normalize, split_sentences, stem
from qa.types import Answer, Passage

UNSUPPORTED_MARK = "[unsupported]"


def is_refusal(text: str) -> bool:
    said = normalize(text)
    return not said or normalize(REFUSAL) in said or said.startswith(("i could not find", "i cannot find",
                                                                      "i don t know", "the sources do not"))


def _span(passage: Passage, closest: str) -> tuple[int, int]:
    start = passage.text.find(closest) if closest else -1
    return (start, start + len(closest)) if start >= 0 else (0, len(passage.text))


def check(question: str, draft: str, passages: list[Passage], embedder, settings, answerer: str,
          speakers: Sequence[str] = ()) -> Answer:
    """`speakers`: the people the question asks about (qa.query.analyze); for "What did X say ...?" a kept
    sentence must cite words attributed to X when any retrieved paragraph has them (`not_said_by`)."""
    threshold = settings.answer.support_threshold
    drop = "marked" if settings.answer.unsupported == "mark" else "removed"
    parts: list[Part] = []
    report: list[dict[str, Any]] = []
    carried = carried_names(passages)
    theirs = said_by(question, speakers, passages)
    for sentence, numbers in parse_answer(draft):
        cited = [passages[n - 1] for n in numbers if 1 <= n <= len(passages)]
        if is_refusal(sentence) and not cited:
            report.append({"text": sentence, "citations": [], "score": 0.0, "supported": False, "action": "refusal"})
            continue

        def problem(sources: list[Passage], sentence: str = sentence) -> str:
            return (mismatch(question, sentence, sources, passages, carried) or not_said_by(sources, theirs, speakers)
                    or out_of_place(question, sentence, sources, embedder))

        def support_of(sources: list[Passage], sentence: str = sentence) -> Support:
            # Read with its article's title: a paragraph may call "Squid Game" "the wildly popular show".
            return score_support(sentence, [p.text for p in sources], embedder, threshold, question,
                                 " | ".join(dict.fromkeys(p.title for p in sources)))

        support = support_of(cited) if cited else None
        action, reason = "kept", ""
        if echoes(question, sentence):
            support, action, reason = Support(0.0, False), drop, "repeats the question"
        elif support and support.supported and not (reason := problem(cited)):
            # ALCE precision: drop a citation that supports nothing alone when the others still support.
            alone = {p.paragraph_id: support_of([p]) for p in cited}
            trimmed = [p for p in cited if alone[p.paragraph_id].supported]
            if trimmed and not problem(trimmed):
                cited = trimmed
        else:
            # A right fact cited to the wrong paragraph: the single passage that backs it, if one does.
            scored = [(p, support_of([p])) for p in passages]
            backing = [(p, sp) for p, sp in scored if sp.supported and not problem([p])]
            if backing:
                best = max(backing, key=lambda ps: ps[1].score)
                cited, support, action, reason = [best[0]], best[1], "recited", ""
            else:
                support, action = Support(0.0, False) if reason else support, drop
        score = support.score if support else 0.0
        report.append({"text": sentence, "citations": [p.paragraph_id for p in cited], "score": score,
                       "supported": action in ("kept", "recited"), "action": action,
                       **({"reason": reason} if reason else {})})
        if action in ("kept", "recited"):
            assert support is not None  # "kept" and "recited" are set only with a supporting score
            closest = support_of(cited).closest if len(cited) > 1 else support.closest
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


def mismatch(question: str, sentence: str, sources: list[Passage], passages: Sequence[Passage],
             carried: dict[str, list[str]]) -> str:
    """Why `sources` do not back the sentence though its words are in them, as a reason ("" when they do)."""
    if role_swap(sentence, [p.text for p in sources]):
        return "role swap"  # every word is in the source; the claim is not
    return unnamed(question, sentence, sources, passages, carried)


BARE_WORDS = 4  # an answer this short is a name or a number, not a statement of its own
BARE_MARGIN = 0.1  # how much further from the question than its paragraph's closest sentence its sentence may be


def out_of_place(question: str, sentence: str, sources: Sequence[Passage], embedder) -> str:
    """A bare answer ("New York [2]" for "Which city saw the biggest rise in rents?") claims "it is what was asked";
    its words alone are in many sentences ("Miami was followed by New York, Boston ..."). The cited sentence that
    holds it must be the one of its paragraph closest to the question, or nearly as close ("" when it is, or when
    the answer is a statement, a quote, or not written as in the source)."""
    if len(sentence.split()) > BARE_WORDS or any(q in sentence for q in "\"“”"):
        return ""
    wanted, found = normalize(sentence), False
    for p in sources:
        spans = [p.text[a:b] for a, b in split_sentences(p.text)]
        holders = [i for i, text in enumerate(spans) if wanted and wanted in normalize(text)]
        if not holders:
            continue
        found = True
        vectors = embedder.encode([asked_sentence(question), *spans], question_time=True)
        similarities = vectors[1:] @ vectors[0]
        if max(similarities[i] for i in holders) >= similarities.max() - BARE_MARGIN:
            return ""
    return "a bare answer taken from a sentence about something else" if found else ""


def said_by(question: str, speakers: Sequence[str], passages: Sequence[Passage]) -> list[Passage]:
    """For "What did X say ...?": the retrieved paragraphs attributed to X (empty for other questions)."""
    wanted = {s.lower() for s in speakers}
    if not wanted or not speaker_slot(question):
        return []
    return [p for p in passages if wanted & {s.lower() for s in p.speakers}]


def not_said_by(sources: Sequence[Passage], theirs: list[Passage], speakers: Sequence[str]) -> str:
    """A sentence answering "What did X say?" from paragraphs where X is not the one speaking credits X with
    someone else's words (or the reporter's): "" when it cites one of X's paragraphs, or none was retrieved."""
    if not theirs or any(p in theirs for p in sources):
        return ""
    return f"cites no words of {' or '.join(speakers)}"


def echoes(question: str, sentence: str) -> bool:
    """Does the sentence only say back what was asked ("Mr. Trump said momentum builds to tax consumption" for
    "What did Mr. Trump say about Momentum builds to tax consumption ...?", the article's title)? No content word,
    name or number of its own."""
    return not novel_terms(sentence, question) and not [f for f in key_facts(sentence) if f.lower() not in
                                                        question.lower()]


def unnamed(question: str, sentence: str, sources: list[Passage], passages: Sequence[Passage],
            carried: dict[str, list[str]]) -> str:
    """The names and roles the sentence repeats from the question that its sources do not name, as a reason
    ("" when none). "Baidu has 400 million daily active users" cited to the paragraph about Kuaishou's 400 million
    is supported word for word except for Baidu, which the question brought (so the support score exempts it);
    "Guo Kaitian is the CEO of Tencent" for a paragraph that calls him Tencent's senior vice-president. A cited
    paragraph is read with what frames it: its article's title (`mentions` reads it) and lead paragraph when
    retrieved ("the 2031 Coastal Hockey League playoffs" there, "won the Tide Cup" in the cited one), and the
    paragraph before when it refers back ("the company ...")."""
    if not sources:
        return ""
    said = replace(sources[0], text=sentence, title="", source="", speakers=[])
    articles = {p.article_id for p in sources}
    frame = [*sources, *(p for p in passages if p.article_id in articles and p.paragraph == 1 and p not in sources)]
    read = replace(sources[0], text=" ".join(p.text for p in frame), title=" ".join({p.title for p in frame}),
                   speakers=[s for p in frame for s in p.speakers])
    missing = [e for e in named_entities(question) if mentions(said, e) and not _partly_named(read, e) and not any(
        named_in(carried.get(p.paragraph_id, []), e) for p in sources)]
    if answer_kind(question) == "name":  # "Who is the CEO of X?" asks about the role itself
        held = roles(" ".join(p.text for p in frame) + " " + read.title)
        missing += sorted((roles(question) & roles(sentence)) - held)
    return f"its source does not name {', '.join(missing)}" if missing else ""


def roles(text: str) -> set[str]:
    """The roles a text names ("ceo", "chairman", "founder"), as written: a title before a name ("President Randi
    Weingarten") is in a "What did X say?" question, but only a who-question asks about the role."""
    return {stem(w) for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", text.lower())} & ROLE_WORDS


def _partly_named(passage: Passage, entity: str) -> bool:
    """`mentions`, or at least half the words of a multi-word name: "Covid-19" is named by "Covid", the "NHL
    Stanley Cup Finals" by "the Stanley Cup" (this check is about whose fact it is, not the exact wording)."""
    if mentions(passage, entity):
        return True
    parts = [w for w in re.split(r"[\s-]+", normalize(entity)) if w]
    words = set(re.split(r"[\s-]+", normalize(" ".join([passage.text, passage.title, *passage.speakers]))))
    return len(parts) > 1 and 2 * sum(w in words for w in parts) >= len(parts)


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
