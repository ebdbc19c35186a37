"""Shared fixtures: every test gets its own QA_HOME; indexes over the seed + test corpus are built once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa import QA

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "data" / "articles"
CORPUS = Path(__file__).resolve().parent / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def qa_home(tmp_path, monkeypatch):
    """All on-disk state of a test under its tmp dir; no config or alias leaks in from the environment."""
    home = tmp_path / "qa-home"
    monkeypatch.setenv("QA_HOME", str(home))
    for name in ("QA_CONFIG", "QA_LLM", "QA_CHROMA_HOST", "QA_CHROMA_PORT", "QA_EMBED_MODEL", "QA_TOP_K"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    """A home with the seed article and the test corpus ingested (built once, copied per use)."""
    home = tmp_path_factory.mktemp("built") / "home"
    qa = QA(home)
    report = qa.ingest([SEED_DIR, CORPUS])
    assert not report.skipped, report.skipped
    qa.close()
    return home


@pytest.fixture(scope="session")
def shared_qa(built_home) -> QA:
    """A read-only QA over the seed + test corpus, shared by the tests that only ask and retrieve."""
    return QA(built_home)


@pytest.fixture
def fresh_qa(built_home, tmp_path) -> QA:
    """A QA over its own copy of the built home, for tests that change the index."""
    home = tmp_path / "copy"
    shutil.copytree(built_home, home)
    qa = QA(home)
    yield qa
    qa.close()
