"""The numpy forward pass (index/bert_numpy.py) against sentence-transformers, and a `qa ask` that never imports torch."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from index import bert_numpy
from index.embed import Embedder, _load, resolve_model_path
from tests.conftest import CORPUS, ROOT, SEED_DIR

MODEL = resolve_model_path("all-minilm-l6-v2")


def texts() -> list[str]:
    paragraphs = [p for f in sorted([*SEED_DIR.glob("*.txt"), *CORPUS.glob("*.*")])
                  for p in f.read_text(encoding="utf-8").splitlines() if len(p.strip()) > 20]
    return paragraphs[:40] + [
        "What did Robin Li say about large models?", "", "?!", "北京是中国的首都，2023年世界互联网大会在乌镇举行。",
        "word " * 400,  # past the 256 word-piece window: both must truncate the same way
        "Café naïve résumé — “quoted” ‘text’ … 100% ©",
    ]


def test_vectors_match_sentence_transformers():
    sample = texts()
    assert len(sample) > 20
    ours = bert_numpy.load(MODEL).encode(sample, batch_size=8)
    theirs = _load(MODEL, "cpu", "all-minilm-l6-v2").encode(sample, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == theirs.shape == (len(sample), 384) and ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_batching_does_not_change_a_vector():
    sample = texts()[:12]
    encoder = bert_numpy.load(MODEL)
    together = encoder.encode(sample, batch_size=32)
    alone = np.stack([encoder.encode([t])[0] for t in sample])
    assert np.abs(together - alone).max() < 1e-5  # padding is masked out of attention and pooling


@pytest.mark.parametrize("change", ["cls pooling", "no normalize", "not bert", "no safetensors"])
def test_other_models_are_left_to_sentence_transformers(tmp_path, change):
    copy = tmp_path / "model"
    shutil.copytree(MODEL, copy)
    if change == "cls pooling":
        config = json.loads((copy / "1_Pooling" / "config.json").read_text())
        config.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
        (copy / "1_Pooling" / "config.json").write_text(json.dumps(config))
    elif change == "no normalize":
        modules = json.loads((copy / "modules.json").read_text())[:2]
        (copy / "modules.json").write_text(json.dumps(modules))
    elif change == "not bert":
        config = json.loads((copy / "config.json").read_text())
        (copy / "config.json").write_text(json.dumps({**config, "model_type": "roberta"}))
    else:
        (copy / "model.safetensors").unlink()
    assert bert_numpy.load(copy) is None
    assert bert_numpy.load(MODEL) is not None


def test_question_time_texts_use_it_and_ingest_does_not(tmp_path):
    embedder = Embedder("all-minilm-l6-v2", cache_path=tmp_path / "vectors.sqlite")
    vector = embedder.encode(["What did Robin Li say?"], question_time=True)
    assert "model" not in embedder.__dict__  # sentence-transformers was not loaded for it
    assert np.abs(vector - embedder.encode(["What did Robin Li say?"])).max() < 1e-5  # ingest's path loads it


def test_ask_a_new_question_without_importing_torch(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    script = (
        "import sys, json\n"
        "from qa import QA\n"
        f"answer = QA({str(home)!r}).ask('What did Robin Li, the Baidu chairman, say about large models this time?')\n"
        "print(json.dumps({'torch': 'torch' in sys.modules, 'st': 'sentence_transformers' in sys.modules,\n"
        "                  'paragraphs': [c.paragraph for c in answer.citations]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"torch": False, "st": False, "paragraphs": [5]}, out.stderr[-2000:]
