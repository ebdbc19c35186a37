"""Plain text and markdown: optional front matter, a title line, a `By NAME` byline, a news dateline."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from index.loaders.fields import BYLINE, make_article, parse_date, split_names, strip_comments, take_fields
from index.loaders.files import BadInput, LoadResult

_MARKDOWN_RULE = re.compile(r"(?m)^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*(?:\n|$)")
_MONTH_DAY = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{1,2}(?:,? \d{4})?"
# "(JW Insights) Nov 10 --", "WASHINGTON (Reuters) -", "NEW YORK, June 3 (Reuters) -"
_DATELINE = re.compile(
    rf"(?:[A-Z][A-Z .'-]*[A-Z.],? )?(?:(?P<date1>{_MONTH_DAY}) )?"
    rf"\((?P<source>[^()\n]{{2,40}})\) ?(?:(?P<date2>{_MONTH_DAY}) )?(?:--|-|—|–)\s"
)


def load_text(path: Path, text: str) -> LoadResult:
    markdown = path.suffix.lower() in (".md", ".markdown")
    meta, body = _front_matter(strip_comments(text))
    fields, extra = take_fields(meta)
    title, byline_authors, body = _title_and_byline(body, fields.get("title", ""), markdown)
    if markdown:
        body = _MARKDOWN_RULE.sub("", body)
    body = body.strip()
    if not body:
        raise BadInput("no article text found")
    dateline = _DATELINE.match(body[:120])
    if dateline:  # front matter, when given, wins over the dateline
        fields["source"] = fields.get("source") or dateline["source"].strip()
        month_day = dateline["date1"] or dateline["date2"]
        fields["published"] = fields.get("published") or _dateline_date(month_day, path)
    fields["authors"] = fields.get("authors") or byline_authors
    return LoadResult([make_article(path, title, body, fields, extra, from_title=False)])


def _front_matter(text: str) -> tuple[dict, str]:
    """Split `---` / `key: value` / `---` from the top of a file; no closing line means no front matter."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if closing is None:
        return {}, text
    meta: dict[str, Any] = {}
    key: str | None = None
    for line in lines[1:closing]:
        item = re.match(r"\s*-\s+(.*)", line)  # "authors:" followed by "  - Name" lines
        pair = re.match(r"([A-Za-z_][\w-]*)\s*:\s*(.*)", line)
        if item and key:
            previous = meta[key] if isinstance(meta[key], list) else [meta[key]] if meta[key] else []
            meta[key] = [*previous, _unquote(item[1])]
        elif pair:
            key, value = pair[1].lower(), pair[2].strip()
            if value.startswith("[") and value.endswith("]"):
                meta[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
            else:
                meta[key] = _unquote(value) if value else None
    return meta, "\n".join(lines[closing + 1:])


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value


def _title_and_byline(body: str, known_title: str, markdown: bool) -> tuple[str, list[str], str]:
    """Take the title line and a `By NAME` line right after it off the top of `body`."""
    line, after = _next_line(body, 0)
    heading = line.lstrip("#").strip() if markdown else line.strip()
    is_heading = markdown and re.match(r"\s*#\s", line)  # a level-1 heading repeats the title
    if known_title and not is_heading and heading != known_title:
        title, after = known_title, 0  # front matter gave the title and the body starts right away
    else:
        title = known_title or heading
    line, after_byline = _next_line(body, after)
    byline = BYLINE.fullmatch(line.strip(" \t*_")) if len(line) <= 120 else None
    if byline:
        return title, split_names(byline[1]), body[after_byline:]
    return title, [], body[after:]


def _next_line(text: str, pos: int) -> tuple[str, int]:
    """The next non-blank line at or after `pos`, and the offset just past it."""
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if text[pos:end].strip():
            return text[pos:end], min(end + 1, len(text))
        pos = end + 1
    return "", len(text)


def _dateline_date(month_day: str | None, path: Path) -> str:
    if not month_day:
        return ""
    month_day = month_day.replace(".", "")
    if not re.search(r"\d{4}", month_day):
        year = re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", path.stem)  # "wuzhen-2023-...": datelines omit the year
        if not year:
            return ""
        month_day = f"{month_day} {year[0]}"
    return parse_date(month_day)
