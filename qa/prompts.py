"""Prompt templates are files in prompts/, rendered with Jinja's StrictUndefined (a missing variable is an
error, not a blank), and each template's placeholders are checked when it is loaded."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from qa.constants import CITATION_FORMAT, REFUSAL
from qa.resources import repo_path

PROMPTS = repo_path("prompts")
# The variables each template must use; a template that drops one (say, the refusal sentence) fails to load.
REQUIRED = {
    "system": {"refusal", "marker_example"},
    "answer": {"sources", "question", "refusal", "marker_example"},
    "condense": {"history", "question"},
}
SHARED = {"refusal": REFUSAL, "marker_example": CITATION_FORMAT.format(n=1)}


@cache
def load(name: str, folder: Path = PROMPTS):
    from jinja2 import Environment, StrictUndefined, meta

    path = folder / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"prompt template {path} is missing")
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
    source = path.read_text(encoding="utf-8")
    used = meta.find_undeclared_variables(env.parse(source))
    missing = REQUIRED.get(name, set()) - used
    if missing:
        raise ValueError(f"prompt template {path} does not use {sorted(missing)}")
    return env.from_string(source)


def render(name: str, **variables) -> str:
    return load(name).render(**{**SHARED, **variables}).strip()
