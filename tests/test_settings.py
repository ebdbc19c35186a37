"""Settings: layers in order, unknown keys rejected, collection named by what changes the vectors."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from qa.settings import load_settings


def test_defaults_then_file_then_env_then_arguments(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text("[retrieval]\ntop_k = 7\ncandidates = 30\n")
    assert load_settings(tmp_path).retrieval.top_k == 7
    monkeypatch.setenv("QA_TOP_K", "9")
    settings = load_settings(tmp_path)
    assert settings.retrieval.top_k == 9 and settings.retrieval.candidates == 30
    monkeypatch.setenv("QA_RETRIEVAL__CANDIDATES", "40")
    assert load_settings(tmp_path).retrieval.candidates == 40
    assert load_settings(tmp_path, retrieval={"top_k": 3}).retrieval.top_k == 3


@pytest.mark.parametrize("overrides", [{"retrieval": {"topk": 3}}, {"colour": "red"}, {"retrieval": {"top_k": 0}}])
def test_unknown_or_invalid_keys_are_rejected(tmp_path, overrides):
    with pytest.raises(ValidationError):
        load_settings(tmp_path, **overrides)


def test_bad_config_file_names_the_file(tmp_path):
    (tmp_path / "config.toml").write_text("[retrieval\n")
    with pytest.raises(ValueError, match="config.toml"):
        load_settings(tmp_path)


def test_collection_name_follows_model_and_windows(tmp_path):
    base = load_settings(tmp_path).collection_name()
    assert base == load_settings(tmp_path, retrieval={"top_k": 9}).collection_name()
    assert base != load_settings(tmp_path, index={"embedding_model": "other-model"}).collection_name()
    assert base != load_settings(tmp_path, index={"window_overlap": 10}).collection_name()


def test_chroma_server_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("QA_CHROMA_PORT", "8123")
    index = load_settings(tmp_path).index
    assert (index.chroma_host, index.chroma_port) == ("127.0.0.1", 8123)
