"""Crash safety: `qa ingest` killed with SIGKILL at random points, several times, on a real corpus; the next
`qa ingest` finishes the job and afterwards the manifest, Chroma and BM25 agree exactly.

Real subprocesses (`python -m qa.cli`), real embedded Chroma, the bundled model. The kill points come from a
seeded RNG: most as soon as the manifest shows a random number of further articles written while at least
MARGIN articles remain (with batches of 8 windows that is dozens of commits still to come, so the kill lands
inside the encode / Chroma-write / commit loop however fast the machine), some at a random moment of the
first second (start-up, the repair of the previous kill, or writing). The test asserts on what each kill
left, read from the manifest, not on how long anything took. The log of kills goes to
artifacts/crash-kills.json and the test's output.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa import QA
from tests.conftest import ROOT, SEED_DIR
from tests.synthetic import fact, write_articles

ARTICLES = 150
KILLS = 5
MARGIN = 50  # articles still to write when a by-count kill fires (about 250 windows: some 30 batches of 8)
SEED = 20240601


def cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "qa.cli", "--home", str(home), *args]


def env() -> dict:
    # Small ingest batches (of the default 4,096 windows, 150 articles fill one): many commits to kill between,
    # and a write loop long enough that a kill fired while MARGIN articles remain always lands inside it.
    return {**{k: v for k, v in os.environ.items() if k != "QA_HOME"}, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
            "QA_INDEX__INGEST_BATCH_WINDOWS": "8"}


def manifest_counts(home: Path) -> dict:
    """Read the manifest from outside while or after the ingest runs. Not `mode=ro`: after a kill inside a
    transaction, SQLite must roll back the hot journal on open, as the next ingest does."""
    files = list((home / "manifest").glob("*.sqlite3")) if (home / "manifest").is_dir() else []
    if not files:
        return {"done": 0, "pending": 0, "running": None}
    with sqlite3.connect(files[0], timeout=30) as db:
        states = dict(db.execute("SELECT state, COUNT(*) FROM articles GROUP BY state").fetchall())
        running = db.execute("SELECT value FROM meta WHERE key='ingest_running'").fetchone()
    return {"done": states.get("done", 0), "pending": states.get("pending", 0), "running": bool(running)}


def kill_once(home: Path, corpus: Path, rng: random.Random, by_count: bool) -> dict:
    before = manifest_counts(home)["done"]
    room = ARTICLES + 1 - MARGIN - before  # how many more articles may land before a by-count kill
    by_count = by_count and room >= 1
    target = before + rng.randint(1, min(30, room)) if by_count else before
    delay = 0.0 if by_count else rng.uniform(0.0, 1.0)
    started = time.monotonic()
    proc = subprocess.Popen(cli(home, "ingest", str(corpus), str(SEED_DIR), "--json"), env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while by_count and proc.poll() is None and manifest_counts(home)["done"] < target:
            if time.monotonic() - started > 600:
                raise TimeoutError("the ingest made no progress")
            time.sleep(0.01)
        time.sleep(delay)
        finished, killed_at = proc.poll() is not None, time.monotonic() - started
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    after = manifest_counts(home)
    check = subprocess.run(cli(home, "doctor", "--json"), env=env(), capture_output=True, text=True, timeout=600)
    found = json.loads(check.stdout)
    return {"trigger": f"after {target - before} more articles" if by_count else f"at {delay:.2f}s",
            "killed_at_s": round(killed_at, 1), "finished_first": finished,
            "done_before": before, "done_after": after["done"], "pending_after": after["pending"],
            "marked_running": after["running"], "doctor_exit": check.returncode,
            "problems": sorted({p["kind"] for p in found["problems"]})}


@pytest.mark.slow
def test_sigkill_during_ingest_then_ingest_finishes(tmp_path):
    corpus = write_articles(tmp_path / "corpus", ARTICLES)
    home = tmp_path / "home"
    rng = random.Random(SEED)
    kills = []
    for i in range(KILLS):
        # The first kill is always by count, so at least one lands inside the write loop; the rest are drawn.
        kills.append(kill_once(home, corpus, rng, by_count=i == 0 or rng.random() < 0.7))
        print(kills[-1])
        assert kills[-1]["doctor_exit"] in (0, 1)  # the check itself always runs on what a kill leaves
        assert kills[-1]["done_after"] >= kills[-1]["done_before"]  # what was committed survives the kill
    final = subprocess.run(cli(home, "ingest", str(corpus), str(SEED_DIR), "--json"), env=env(),
                           capture_output=True, text=True, timeout=900)
    assert final.returncode == 0, final.stderr[-2000:]
    report = json.loads(final.stdout)
    log = {"articles": ARTICLES + 1, "kills": kills, "final": {k: report[k] if k == "doctor" else len(report[k])
                                                              for k in ("added", "unchanged", "repaired", "doctor")}}
    out = ROOT / "artifacts" / "crash-kills.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(log, indent=2))
    print(json.dumps(log["final"]))

    # The first kill fired after articles were written and with MARGIN still to come: it interrupted a run,
    # which left its `ingest_running` mark behind (and usually pending articles) for the next run to repair.
    first = kills[0]
    assert not first["finished_first"]
    assert first["marked_running"]
    assert first["done_after"] > first["done_before"]
    qa = QA(home)
    doctor = qa.doctor()
    assert doctor.ok, doctor.problems
    store = qa.store
    assert len(qa.articles()) == ARTICLES + 1
    assert doctor.articles == ARTICLES + 1
    assert store.manifest.content_hashes().keys() == {a["article_id"] for a in qa.articles()}  # none pending
    in_manifest = store.manifest.paragraph_ids("done")
    assert len(in_manifest) == sum(a["n_paragraphs"] for a in qa.articles()) == 5 * ARTICLES + 10
    assert set(store.vectors.paragraph_ids()) == in_manifest == set(store.keyword.table.paragraph_ids)
    assert store.vectors.count() == doctor.windows == len(in_manifest)  # short paragraphs: one window each
    for n in (0, ARTICLES // 2, ARTICLES - 1):
        question, words = fact(n)
        cited = qa.ask(question).citations[0]
        assert all(w in cited.text for w in words), (question, cited.text)
    assert qa.ask("What did Robin Li say about large models?").citations[0].paragraph == 5
