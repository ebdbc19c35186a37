"""The same code against a real Chroma server (`chroma run`) started by the test on 127.0.0.1."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa import QA
from tests.conftest import SEED_DIR
from tests.live_server import free_port


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).is_file():
        pytest.skip("needs the `chroma` command (installed with the chromadb package) on PATH or beside python")
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import chromadb
    from chromadb.config import Settings

    deadline = time.time() + 60
    while True:
        try:
            client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False))
            client.heartbeat()
            break
        except Exception:  # noqa: BLE001 - not up yet: chromadb raises several kinds meanwhile
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("chroma server did not start")
            time.sleep(0.3)
    yield client, port
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_ask_through_a_chroma_server(chroma_server, monkeypatch, tmp_path):
    client, port = chroma_server
    monkeypatch.setenv("QA_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("QA_CHROMA_PORT", str(port))
    qa = QA(tmp_path / "home")
    report = qa.ingest([SEED_DIR])
    assert len(report.added) == 1
    # The vectors are on the server, not in the local home.
    collection = client.get_collection(qa.store.collection_name)
    assert collection.count() == 10
    assert not (tmp_path / "home" / "chroma").exists()
    answer = qa.ask("What did Robin Li say about large models?")
    assert not answer.refused
    assert answer.citations[0].paragraph == 5
