"""Two app processes (`python app.py`) over one Chroma server (`chroma run`) and one shared home: an article
uploaded through one is found and cited by the other, whose keyword index notices the manifest moved on."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.live_server import ARTICLE, ARTICLE_QUESTION, ROBIN_LI, free_port
from tests.test_chroma_server import chroma_server  # noqa: F401 - the fixture: a real `chroma run`

ROOT = Path(__file__).resolve().parents[1]

# Three writers rebuild and save the keyword index at interleaved generations, as replicas that
# noticed a new manifest generation at once would; a reader loads it meanwhile. Without the file lock the
# writers share one temporary directory and a reader can meet one save's rows with another's postings.
WRITER = """
import sys
from pathlib import Path
from index.keyword import KeywordIndex
directory, writer = Path(sys.argv[1]), int(sys.argv[2])
rows = [(f"w{writer}-p{n}", f"w{writer}", f"ferry terminal solar dock code p{n}w{writer}", "2024-05-02", "Gazette", 1)
        for n in range(1, 40 + 10 * writer)]
for generation in range(writer, 150, 3):  # the writers' generations interleave, so they keep overtaking each other
    KeywordIndex(directory).rebuild(rows, generation)
"""
READER = """
import sys
from pathlib import Path
from index.keyword import KeywordIndex
directory = Path(sys.argv[1])
for _ in range(300):
    index = KeywordIndex(directory)
    if index.load():
        writer = index.generation % 3
        # rows.json and the BM25 postings come from the same save, of the writer of that generation
        assert len(index.table) == index._bm25.scores["num_docs"] == 39 + 10 * writer, index.generation
        assert all(pid.startswith(f"w{writer}-") for pid in index.table.paragraph_ids), index.generation
print("ok")
"""


def test_processes_saving_the_keyword_index_at_once_never_mix_their_saves(tmp_path):
    directory = tmp_path / "keyword" / "collection"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(directory), str(w)], env=env,
                              stderr=subprocess.PIPE, text=True) for w in (0, 1, 2)]
    procs.append(subprocess.Popen([sys.executable, "-c", READER, str(directory)], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True))
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
    assert out.strip() == "ok"
    from index.keyword import KeywordIndex

    final = KeywordIndex(directory)
    assert final.load() and final.generation == 149  # the newest generation wins, whatever order they finished in
    assert [h.paragraph_id for h in final.search("which dock has code p7w2", 1)] == ["w2-p7"]


def start_app(home: Path, chroma_port: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "QA_HOME": str(home), "QA_CHROMA_HOST": "127.0.0.1", "QA_CHROMA_PORT": str(chroma_port),
           "QA_HOST": "127.0.0.1", "QA_PORT": str(port), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "PYTHONPATH": str(ROOT)}
    env.pop("QA_AUTH", None)
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # imports, the model and the seed article on a shared 2-core machine
    while True:
        try:
            if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"app on {url} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def ask(url: str, question: str) -> dict:
    response = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=300)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.slow  # two app processes and a Chroma server: about 4 minutes on the shared 2 cores
def test_an_article_uploaded_to_one_replica_is_cited_by_the_other(chroma_server, tmp_path, monkeypatch):  # noqa: F811
    _, chroma_port = chroma_server
    home = tmp_path / "home"
    procs = []
    try:
        # One at a time: the first seeds the empty home with the default corpus, the second finds it there.
        first, url_a = start_app(home, chroma_port, tmp_path / "a.log")
        procs.append(first)
        second, url_b = start_app(home, chroma_port, tmp_path / "b.log")
        procs.append(second)
        assert ask(url_b, ROBIN_LI)["citations"], "the second replica does not see the seeded article"
        before = ask(url_b, ARTICLE_QUESTION)
        assert not any("Orchard" in c["title"] for c in before["citations"])

        upload = httpx.post(f"{url_a}/api/articles", files=[("files", ("orchard-ferry.txt", ARTICLE.encode()))],
                            timeout=300)
        assert upload.status_code == 200, upload.text
        assert [r["status"] for r in upload.json()] == ["added"], upload.json()

        answer = ask(url_b, ARTICLE_QUESTION)
        assert not answer["refused"]
        cited = [c for c in answer["citations"] if "Orchard" in c["title"]]
        assert cited and any("diesel" in c["quote"] for c in cited)
        # Its keyword index was rebuilt from the shared manifest too: a search on words of the new article
        # alone finds it through the second replica.
        found = httpx.get(f"{url_b}/api/search", params={"q": "rooftop solar array charging docks"}, timeout=120)
        assert found.status_code == 200 and any("Orchard" in p["title"] for p in found.json()[:3])
        # And the other way round: deleting through the second replica removes it from the first's answers.
        article_id = cited[0]["article_id"]
        assert httpx.delete(f"{url_b}/api/articles/{article_id}", timeout=120).status_code == 200
        after = ask(url_a, ARTICLE_QUESTION)
        assert not any(c["article_id"] == article_id for c in after["citations"])
        # Manifest, Chroma and the saved keyword index still agree exactly after writes from both processes.
        monkeypatch.setenv("QA_CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("QA_CHROMA_PORT", str(chroma_port))
        from qa import QA

        report = QA(home).doctor()
        assert report.ok, report.problems
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
