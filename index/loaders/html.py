"""HTML pages: the article text and metadata as trafilatura extracts them."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from index.loaders.fields import BYLINE, first_sentence, make_article, parse_date, split_names
from index.loaders.files import BadInput, LoadResult


def load_html(path: Path, html: str) -> LoadResult:
    try:
        import trafilatura  # imported here: slow to import, and only HTML needs it
    except ImportError as exc:
        raise BadInput("reading HTML needs trafilatura (pip install trafilatura)") from exc
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_images=False, include_links=False,
        include_formatting=False, include_tables=True,
        # No guessing from body text ("Copyright 2024"): a wrong date would mislead date filters.
        date_extraction_params={"original_date": True, "extensive_search": False,
                                "max_date": date.today().isoformat()},
    )
    lines = [line.strip() for line in (doc.text or "").split("\n") if line.strip()] if doc else []
    title = (doc.title or "").strip() if doc else ""
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
    return LoadResult([make_article(path, title, text, fields, extra, from_title=False)])
