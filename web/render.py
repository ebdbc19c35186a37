"""Formatting for the UI: answers with clickable [n] markers, the sources panel, the article tables.

A conversation is a list of turns, {"question", "partial", "answer": Answer.to_dict() | None, "error"}.
Everything from the articles or the user is HTML-escaped here; styles are in static/app.css, the click
behaviour of [n] in static/app.js.
"""
from __future__ import annotations

import re
from html import escape

from qa import REFUSAL
from qa.citations import place_label
from qa.guard import UNSUPPORTED_MARK
from qa.reprints import outlets

MARKER = re.compile(r"\[(\d+)\]")
RESULT_HEADERS = ["file", "result", "articles", "paragraphs", "details"]
ARTICLE_HEADERS = ["title", "source", "date", "paragraphs", "article id"]
EXAMPLES = [
    "What did Robin Li say about large models?",
    "Who is the CEO of Alibaba?",
    "How does Wu Yongming see the roles of AI and cloud computing at Alibaba?",
]


def source_id(turn: int, n: int) -> str:
    return f"qa-src-{turn}-{n}"


# -- chat -------------------------------------------------------------------------------------------
def chat_messages(turns: list[dict]) -> list[dict]:
    messages = []
    for t, turn in enumerate(turns):
        messages.append({"role": "user", "content": escape(turn["question"])})
        messages.append({"role": "assistant", "content": assistant_html(turn, t)})
    return messages


def assistant_html(turn: dict, t: int) -> str:
    if turn.get("error"):
        return (f'<div class="qa-error"><b>Could not answer.</b> {escape(turn["error"])}'
                f'<div class="qa-hint">Nothing was changed; try again or check the server log.</div></div>')
    answer = turn.get("answer")
    if answer is None:
        partial = turn.get("partial") or ""
        body = _paragraphs(escape(partial)) if partial else '<span class="qa-wait">Searching the articles…</span>'
        return f'<div class="qa-answer qa-pending">{body}</div>'
    if answer["refused"]:
        return (f'<div class="qa-refusal"><b>No answer in the indexed articles.</b> {escape(REFUSAL)}'
                f'<div class="qa-hint">Try other words, widen the filters, or add articles in the Articles tab.'
                f'</div></div>')
    return f'<div class="qa-answer">{_paragraphs(link_markers(answer, t))}{_dropped(answer)}</div>'


def link_markers(answer: dict, t: int) -> str:
    """Escaped answer text with each known [n] turned into a link to its card in the sources panel."""
    cited = {c["n"]: c for c in answer["citations"]}

    def link(match: re.Match) -> str:
        c = cited.get(int(match.group(1)))
        if c is None:
            return match.group(0)
        tip = escape(f"{c['title']}, {place_label(c['paragraph'])}", quote=True)
        return (f'<a class="qa-cite" href="#{source_id(t, c["n"])}" data-src="{source_id(t, c["n"])}" '
                f'title="{tip}">[{c["n"]}]</a>')

    text = MARKER.sub(link, escape(answer["text"]))
    # A sentence the guard could not support but kept (answer.unsupported = "mark") ends with this marker.
    return text.replace(escape(UNSUPPORTED_MARK), '<span class="qa-unsupported" title="The cited articles do not '
                        'support this sentence">unsupported</span>')


def _paragraphs(html: str) -> str:
    # Inside one HTML block so Markdown leaves the text alone; blank lines would end the block.
    return "".join(f"<p>{p}</p>" for p in re.split(r"\n\s*\n", html) if p.strip()).replace("\n", "<br>")


def _dropped(answer: dict) -> str:
    """Sentences the grounding guard removed (LLM answerers report them in `sentences`; extractive has none)."""
    removed = [s["text"] for s in answer.get("sentences") or [] if s.get("action") == "removed"]
    items = "".join(f"<li><s>{escape(text)}</s></li>" for text in removed)
    return (f'<div class="qa-dropped">Removed by the grounding check (not supported by the articles):<ul>{items}'
            f'</ul></div>' if items else "")


# -- sources panel ----------------------------------------------------------------------------------
def sources_html(turns: list[dict]) -> str:
    if not turns:
        return ('<div class="qa-sources"><div class="qa-placeholder">Sources appear here. Every <b>[n]</b> in an '
                'answer links to the paragraph it comes from, with the supporting words highlighted.</div></div>')
    sections = [_turn_sources(turns[t], t, latest=(t == len(turns) - 1)) for t in reversed(range(len(turns)))]
    return '<div class="qa-sources">' + "".join(sections) + "</div>"


def _turn_sources(turn: dict, t: int, latest: bool) -> str:
    answer = turn.get("answer")
    if turn.get("error"):
        body = '<div class="qa-placeholder">No sources: the question could not be answered.</div>'
    elif answer is None:
        body = '<div class="qa-placeholder">Reading the articles…</div>'
    elif answer["refused"]:
        closest = "".join(_card(p, None, "qa-source qa-weak") for p in answer["passages"][:3])
        body = ('<div class="qa-placeholder">No paragraph supports an answer.</div>'
                + (f'<details class="qa-closest"><summary>Closest paragraphs read</summary>{closest}</details>'
                   if closest else ""))
    else:
        body = _meta(answer) + "".join(_card(c, source_id(t, c["n"])) for c in answer["citations"])
    title = f'<div class="qa-turn-q">{escape(turn["question"])}</div>'
    if answer and answer["question"].strip() != turn["question"].strip():  # a follow-up, condensed by qa.chat
        title += f'<div class="qa-answer-meta">understood as “{escape(answer["question"])}”</div>'
    if latest:
        return f'<section class="qa-turn" id="qa-turn-{t}">{title}{body}</section>'
    return f'<details class="qa-turn" id="qa-turn-{t}"><summary>{title}</summary>{body}</details>'


def _meta(answer: dict) -> str:
    seconds = sum(answer.get("timings", {}).values())
    return (f'<div class="qa-answer-meta">answered by {escape(answer["answerer"])} · support '
            f'{answer["support"]:.2f} · {seconds:.1f} s</div>')


def _card(item: dict, element_id: str | None, cls: str = "qa-source") -> str:
    """A citation (with its quote highlighted) or a passage (no quote)."""
    text = item["text"]
    start, end = item.get("quote_start", 0), item.get("quote_end", 0)
    quote = item.get("quote") or ""
    if quote and text[start:end] != quote:
        start = text.find(quote)
        end = start + len(quote)
    if quote and start >= 0:
        body = f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
    else:
        body = escape(text)
    badge = f'<span class="qa-n">{item["n"]}</span>' if "n" in item else ""
    url = item.get("url") or ""
    link = (f' · <a href="{escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">open article</a>'
            if url.startswith(("http://", "https://")) else "")
    meta = " · ".join(escape(x) for x in (item.get("source") or "unknown source", item.get("published") or "undated",
                                          place_label(item["paragraph"])))
    id_attr = f' id="{element_id}"' if element_id else ""
    return (f'<article class="{cls}"{id_attr}><div class="qa-source-head">{badge}'
            f'<span class="qa-title">{escape(item.get("title") or item["article_id"])}</span></div>'
            f'<div class="qa-meta">{meta}{link}</div><p class="qa-para">{body}</p>{also_in_html(item)}</article>')


def also_in_html(item: dict) -> str:
    """The other outlets that carry this same paragraph (syndicated copies), with dates and links."""
    copies = item.get("also_in") or []
    if not copies:
        return ""
    rows = []
    for a in copies:
        url = a.get("url") or ""
        name = escape(a.get("source") or a.get("title") or a["article_id"])
        if url.startswith(("http://", "https://")):
            name = f'<a href="{escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{name}</a>'
        rows.append(f'<li>{name} · {escape(a.get("published") or "undated")} · paragraph {a["paragraph"]}</li>')
    return (f'<div class="qa-also-in"><b>Also in</b> {len(copies)} more · {outlets(item)} outlets carry this '
            f'paragraph<ul>{"".join(rows)}</ul></div>')


# -- status and tables ------------------------------------------------------------------------------
def status_line(status: dict) -> str:
    return (f'<div class="qa-status">answerer <b>{escape(status["answerer"])}</b> · top-k '
            f'<b>{status["top_k"]}</b> · <b>{status["articles"]}</b> articles indexed</div>')


def result_rows(results: list[dict]) -> list[list]:
    return [[r["file"], r["status"], len(r["articles"]), r["paragraphs"], r["reason"]] for r in results]


def article_rows(articles: list[dict]) -> list[list]:
    return [[a["title"], a["source"] or "", a["published"] or "", a["n_paragraphs"], a["article_id"]]
            for a in articles]


def article_choices(articles: list[dict]) -> list[tuple[str, str]]:
    return [(f'{a["title"][:80]} ({a["article_id"]})', a["article_id"]) for a in articles]
