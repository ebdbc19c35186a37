"""HTML pages: the article text and metadata as trafilatura extracts them."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from index.loaders.fields import BYLINE, first_sentence, make_article, parse_date, split_names
from index.loaders.files import BadInput, LoadResult, clean_text

_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")


def _drop_control_refs(html: str) -> str:
    """References to control characters, surrogates or no character at all ("&#7;"): lxml rejects a page
    holding one, so its whole text would be lost."""
    def keep(m):
        code = int(m[1], 16) if m[1] else int(m[2])
        control = (code < 32 and code not in (9, 10, 13)) or 0x7F <= code <= 0x9F
        return "" if control or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else m[0]

    return _CHAR_REF.sub(keep, html)


def load_html(path: Path, html: str) -> LoadResult:
    title, text, fields, extra = extract_html(html)
    return LoadResult([make_article(path, title, text, fields, extra, from_title=False)])


def extract_html(html: str) -> tuple[str, str, dict, dict]:
    """(title, text, fields, extra) of an HTML page as trafilatura reads it; `BadInput` when it has no text.
    Also used for fetched pages (index/pages.py), which make their own article id from the URL."""
    try:
        import trafilatura  # imported here: slow to import, and only HTML needs it
    except ImportError as exc:
        raise BadInput("reading HTML needs trafilatura (pip install trafilatura)") from exc
    doc = trafilatura.bare_extraction(
        _drop_control_refs(html), with_metadata=True, include_comments=False, include_images=False, include_links=False,
        include_formatting=False, include_tables=True,
        # No guessing from body text ("Copyright 2024"): a wrong date would mislead date filters.
        date_extraction_params={"original_date": True, "extensive_search": False,
                                "max_date": date.today().isoformat()},
    )
    # Character references ("&#7;") become control characters only now, after the bytes were cleaned.
    lines = [line.strip() for line in clean_text(doc.text or "").split("\n") if line.strip()] if doc else []
    title = clean_text(doc.title or "").strip() if doc else ""
    if lines and lines[0] == title:  # trafilatura keeps the <h1>
        lines.pop(0)
    byline = BYLINE.fullmatch(lines[0]) if lines else None
    if byline:
        lines.pop(0)
    if not lines:
        raise BadInput("no article text found")
    text = "\n\n".join(lines)
    title = title or first_sentence(text)
    authors = split_names(doc.author or "") or (split_names(byline[1]) if byline else [])
    fields = {"title": title, "published": parse_date(doc.date or ""), "source": doc.sitename or "",
              "url": doc.url or "", "authors": authors}
    extra = {k: v for k in ("description", "categories", "tags") if (v := getattr(doc, k, None))}
    return title, text, fields, extra
