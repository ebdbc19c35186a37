"""The wheel's contents as pyproject.toml declares them (.ci/wheel-check installs and uses the real wheel)."""
from __future__ import annotations

import tomllib

from setuptools import find_namespace_packages

from qa.resources import REPO, SHIPPED, repo_path

CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_code_folder_is_a_listed_package():
    """The package list is written out (two entries are mapped folders): a new subpackage must be added."""
    on_disk = set(find_namespace_packages(where=str(REPO), include=["qa", "qa.*", "index", "index.*", "eval",
                                                                     "eval.*", "web", "web.*"]))
    code = {p for p in on_disk if any((REPO / p.replace(".", "/")).glob("*.py"))}
    assert code <= set(CONFIG["packages"])


def test_shipped_folders_are_mapped_where_the_code_looks_for_them():
    mapped = {folder: package for package, folder in CONFIG["package-dir"].items()}
    for folder, inside in SHIPPED.items():
        assert mapped[folder] == "qa." + inside.replace("/", ".")
        assert CONFIG["package-data"][mapped[folder]]  # and its files are included


def test_a_checkout_reads_the_root_folders():
    assert repo_path("prompts") == REPO / "prompts"
    assert repo_path("data/articles") == REPO / "data" / "articles"
    assert repo_path("tests/corpus") == REPO / "tests" / "corpus"  # not shipped: always the checkout's
