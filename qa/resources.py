"""Files the project ships beside its code: the prompt templates (`prompts/`) and the seed corpus
(`data/articles/`).

They live at the repository root, where users read and edit them. A wheel carries the same folders as
package data under `qa/_shipped/` (the mapping is in pyproject.toml), found here with importlib.resources;
in a source checkout or an editable install `qa/_shipped/` does not exist and the root folders are used.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Repository folder -> its place inside the installed `qa` package (pyproject.toml [tool.setuptools.package-dir]).
SHIPPED = {"prompts": "_shipped/prompts", "data/articles": "_shipped/articles"}


def repo_path(relative: str) -> Path:
    """`relative` (a path from the repository root) as installed: a shipped folder's copy inside the wheel when
    running from one, else the folder in the checkout."""
    if relative in SHIPPED:
        installed = files(__package__).joinpath(SHIPPED[relative])
        # pip installs wheels unzipped, so this is a real directory when it exists.
        if isinstance(installed, Path) and installed.is_dir():
            return installed
    return REPO / relative
